# tl_module(<folder> [SOURCES ...] [DEPS ...] [PRIVATE_DEPS ...])
# One folder = one static library tl_<folder> with alias tl::<folder> (STYLE.md, rule 1).
# Headers are included as "<folder>/<file>.h" from the source root.
function(tl_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(TL_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

function(tl_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(tl_${name} STATIC ${ARG_SOURCES})
    add_library(tl::${name} ALIAS tl_${name})
    target_include_directories(tl_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(tl_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    tl_warnings(tl_${name})
endfunction()

# tl_test(<module> [OWN_MAIN] SOURCES ... DEPS ... [PROPERTIES ...]): one Catch2 binary per module,
# registered case by case; PROPERTIES are added to every case's ctest properties.
function(tl_test name)
    cmake_parse_arguments(ARG "OWN_MAIN" "" "SOURCES;DEPS;PROPERTIES" ${ARGN})
    add_executable(tests_${name} ${ARG_SOURCES})
    target_link_libraries(tests_${name} PRIVATE ${ARG_DEPS} Catch2::Catch2)
    if(NOT ARG_OWN_MAIN)
        target_link_libraries(tests_${name} PRIVATE tl_catch_main)
    endif()
    target_compile_definitions(tests_${name} PRIVATE
        TL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        TL_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
        TL_BINARY_DIR="${PROJECT_BINARY_DIR}")
    tl_warnings(tests_${name})
    # -w NoTests: an entry that matches no case fails instead of passing empty. A ';' or an
    # unbalanced '[' in a case's name (CMake list syntax) merges cases into one such entry.
    catch_discover_tests(tests_${name} TEST_PREFIX "${name}: " EXTRA_ARGS -w NoTests
        PROPERTIES TIMEOUT 300 ${ARG_PROPERTIES})
endfunction()

# Qt targets never convert implicitly between char* and QString (STYLE.md).
function(tl_qt_defaults target)
    target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII
                                                 QT_NO_URL_CAST_FROM_STRING)
endfunction()
