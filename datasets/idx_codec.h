#pragma once
// Internal to datasets/: the pieces of idx decoding shared by the in-memory parser, the file
// reader and the writer (header decoding, byte order, the wording of errors). Not a public API.

#include "base/number_text.h"
#include "base/result.h"
#include "datasets/idx_format.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace tl::datasets::detail {

// Bytes of a header with ndims dimensions.
constexpr std::size_t idxHeaderSize(std::size_t ndims)
{
    return 4 + 4 * ndims;
}

// Decodes the header from the first bytes of a stream (`prefix` may hold more than the header,
// or fewer bytes when the stream is that short). Errors name `source` and the byte offset.
base::Result<IdxHeader> decodeIdxHeader(std::string_view prefix, const std::string &source);

// The header after keeping only the first `limit` items of dim 0 (limit 0: all of them).
IdxHeader keepFirstItems(const IdxHeader &header, std::uint64_t limit);

// Converts elements of `elementBytes` bytes between big-endian and host order, in place (the
// same swap both ways). `bytes` must be a multiple of elementBytes.
void swapBigEndian(std::uint8_t *data, std::size_t bytes, std::size_t elementBytes);

// "47,040,000"
// One home for digit grouping: base/number_text.h (values here stay far below 2^63).
inline std::string groupedNumber(std::uint64_t value)
{
    return base::groupedDigits(static_cast<std::int64_t>(value));
}
// "0x1f 0x8b 0x08"
std::string hexBytes(std::string_view bytes);
// "train-images-idx3-ubyte.gz, byte 16"
std::string byteContext(const std::string &source, std::uint64_t offset);
// "60000 × 28 × 28 = 47,040,000 bytes" ("... float32 values = ..." for wider types)
std::string describePromise(const IdxHeader &header);

// The data ended after `got` of the header's data bytes; `where` names the stream
// ("the decompressed stream", "the file").
base::Error truncatedData(const std::string &source,
                          const IdxHeader &kept,
                          bool limited,
                          std::uint64_t got,
                          std::string_view where);
// More bytes follow the data the header promises.
base::Error trailingData(const std::string &source, const IdxHeader &header);

} // namespace tl::datasets::detail
