#pragma once
// A fresh scratch directory for one test case, under a root of this test process's own: ctest
// runs test processes (and other build trees' tests) at the same time. The root is removed when
// the process exits. Shared by tests/runners and tests/integration.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace tl::testing {

// Removes the process's scratch root at exit.
struct ScratchRoot
{
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tl_test-" + std::to_string(::getpid()));
    ~ScratchRoot()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

// An empty directory named `name` inside the scratch root (created unless create is false).
inline std::filesystem::path scratchDir(const std::string &name, bool create = true)
{
    static ScratchRoot root;
    std::filesystem::path dir = root.path / name;
    std::filesystem::remove_all(dir);
    if (create) {
        std::filesystem::create_directories(dir);
    }
    return dir;
}

} // namespace tl::testing
