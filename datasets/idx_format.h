#pragma once
// The idx format of MNIST-style datasets, decoded in memory: element types, the header, a
// decoded array in host byte order, and parseIdx() over the (decompressed) bytes of a file.
// Plain value types and pure functions; safe to use from any thread.
//
// Layout of an idx stream: 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 dimensions,
// then the elements, big-endian, row-major.

#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets {

enum class ElementType { UInt8, Int8, Int16, Int32, Float32, Float64 };

// Dimensions allowed in a header: 1 to kMaxIdxDims.
inline constexpr int kMaxIdxDims = 4;
// Arrays whose data would exceed this many bytes (4 TiB) are rejected as implausible; below it,
// readers bound what they allocate by the file's size and the memory available.
inline constexpr std::uint64_t kMaxIdxDataBytes = std::uint64_t{1} << 42;

struct IdxHeader
{
    ElementType type = ElementType::UInt8;
    std::vector<std::int64_t> dims; // dims[0] counts the items (images, labels)
    std::uint64_t dataOffset = 0;   // 4 + 4 * dims.size(): where the elements start
};

struct IdxArray
{
    IdxHeader header;
    std::vector<std::uint8_t> data; // elements in host byte order, row-major

    // The element at flat index i, converted to double (any element type).
    double valueAt(std::size_t i) const;
};

// Bytes of one element of the type (1, 2, 4 or 8).
std::size_t elementSize(ElementType type);
// "uint8", "int8", "int16", "int32", "float32", "float64".
std::string_view elementTypeName(ElementType type);
// The type code in the magic (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E).
std::uint8_t elementTypeCode(ElementType type);

// Number of elements the dims describe (their product; 1 for no dims).
std::uint64_t elementCount(const std::vector<std::int64_t> &dims);
// Bytes of data the header promises: elementCount(dims) * elementSize(type).
std::uint64_t dataBytes(const IdxHeader &header);

// Decodes a whole idx stream. `source` names it in errors ("train-images-idx3-ubyte, byte 16").
// limit > 0 keeps only the first `limit` items of dim 0 (dims[0] of the result is then at most
// limit) and needs only their bytes to be present; limit 0 reads everything and rejects bytes
// after the data. Never crashes and never allocates more than the input justifies.
base::Result<IdxArray>
parseIdx(std::string_view bytes, const std::string &source, std::uint64_t limit = 0);

} // namespace tl::datasets
