#pragma once
// Recognising a file by its first bytes, never by its name alone: the dataset recognisers ask
// this before they parse anything. Pure function; any thread; reads at most kSniffBytes.

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace tl::datasets {

enum class FileKind {
    Missing, // does not exist or cannot be read
    Directory,
    Empty, // a zero-byte file
    Gzip,  // 1f 8b
    Idx,   // 00 00 <known type code> <1..4 dims>
    Npy,   // \x93NUMPY
    Zip,   // PK\x03\x04 or an empty archive's PK\x05\x06 (.npz)
    Png,
    Jpeg,
    Bmp,
    Text,   // no NUL and valid UTF-8 in the first bytes: CSV, TSV, label name lists
    Binary, // anything else (CIFAR batches are raw bytes)
};

inline constexpr std::size_t kSniffBytes = 4096;

FileKind sniffFileKind(const std::filesystem::path &path);
// The same decision on bytes already read (the first bytes of a file, or all of a short one).
FileKind sniffBytes(std::string_view firstBytes);

// "gzip", "idx", "npy", "zip", "PNG", "JPEG", "BMP", "text", "binary", ...
const char *fileKindName(FileKind kind);

} // namespace tl::datasets
