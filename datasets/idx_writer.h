#pragma once
// Writing idx files: the inverse of parseIdx()/readIdxFile(), for exports, tests and fixtures
// (a test that needs a tiny dataset writes one). Pure functions; any thread.

#include "base/result.h"
#include "datasets/idx_format.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace tl::datasets {

// The idx bytes of an array (header from array.header.type and dims; data converted from host
// to big-endian). array.data must hold exactly elementCount(dims) elements.
base::Result<std::string> encodeIdx(const IdxArray &array);

// Writes encodeIdx(array) to path, gzip-compressed when the name ends in ".gz".
base::Status writeIdxFile(const std::filesystem::path &path, const IdxArray &array);

// Writes bytes as they are (any content, well-formed or not), gzip-compressed when the name ends
// in ".gz". writeIdxFile() uses it; tests and fixtures use it for deliberately broken files.
base::Status writeRawFile(const std::filesystem::path &path, std::string_view bytes);

// A uint8 array of the given dims over the given bytes (convenience for images and labels).
IdxArray makeUInt8Array(std::vector<std::int64_t> dims, std::vector<std::uint8_t> bytes);

} // namespace tl::datasets
