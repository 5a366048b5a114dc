#pragma once
// Internal to datasets/: the checks every reader makes before opening a file by path: that it
// exists, is a regular file (not a folder or FIFO) and has a readable size. Any thread.

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace tl::datasets::detail {

// The file's size, or NotFound / InvalidInput ("Expected <expected>, found a folder or special
// file.") / Io, with the path as context. `expected` reads "an idx file", "a .npy file".
base::Result<std::uint64_t> regularFileSize(const std::filesystem::path &path,
                                            std::string_view expected);

} // namespace tl::datasets::detail
