#pragma once
// Reading idx files from disk, plain or gzip-compressed (detected by content, not by name).
// Streams through zlib in chunks straight into the result, so a file is decompressed once and
// held in memory once. Pure functions; call them from any thread, cancel with the stop_token.

#include "base/progress.h"
#include "base/result.h"
#include "datasets/idx_format.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>

namespace tl::datasets {

// Reads and checks only the header (a few bytes, even for a .gz file).
base::Result<IdxHeader> readIdxHeader(const std::filesystem::path &path);

// Reads a whole idx file; limit as in parseIdx(). Progress counts decompressed bytes of the
// stream (header included) against the bytes to read; `what` is the file name. A requested stop
// returns ErrorCode::Cancelled within one chunk (well under 100 ms).
base::Result<IdxArray> readIdxFile(const std::filesystem::path &path,
                                   std::uint64_t limit = 0,
                                   std::stop_token stop = {},
                                   const base::ProgressFn &progress = {});

} // namespace tl::datasets
