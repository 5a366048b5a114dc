#pragma once
// A fresh scratch directory for one test case, under a root of this test process's own: ctest
// runs test processes (and other build trees' tests) at the same time. The root is removed when
// the process exits. Shared by tests/runners and tests/integration.

#include <ftw.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

namespace tl::testing {

// Removes a directory tree with nftw(3), not std::filesystem::remove_all: on the GPU machine a
// library of PyTorch's wheel interposes an older remove_all that crashes (tests run there too).
inline void removeTree(const std::filesystem::path &path)
{
    const auto removeEntry = [](const char *entry, const struct stat *, int, struct FTW *) {
        std::remove(entry);
        return 0;
    };
    ::nftw(path.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
}

// Removes the process's scratch root at exit.
struct ScratchRoot
{
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tl_test-" + std::to_string(::getpid()));
    ~ScratchRoot() { removeTree(path); }
};

// An empty directory named `name` inside the scratch root (created unless create is false).
inline std::filesystem::path scratchDir(const std::string &name, bool create = true)
{
    static ScratchRoot root;
    std::filesystem::path dir = root.path / name;
    removeTree(dir);
    if (create) {
        std::filesystem::create_directories(dir);
    }
    return dir;
}

} // namespace tl::testing
