#include "datasets/idx_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

const char *const kMagicExpectation =
    "expected the magic 0x00 0x00 <type> <dims> at byte 0, where <type> is 0x08 (uint8), "
    "0x09 (int8), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64) and <dims> is 1 "
    "to 4";

bool typeFromCode(std::uint8_t code, ElementType &type)
{
    for (ElementType t : {ElementType::UInt8, ElementType::Int8, ElementType::Int16,
                          ElementType::Int32, ElementType::Float32, ElementType::Float64}) {
        if (elementTypeCode(t) == code) {
            type = t;
            return true;
        }
    }
    return false;
}

std::uint32_t readBigEndian32(const char *p)
{
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    }
    return v;
}

base::Error notIdx(const std::string &source, std::string_view prefix)
{
    std::string found = prefix.empty() ? "an empty stream" : hexBytes(prefix.substr(0, 4));
    if (prefix.size() >= 2 && static_cast<unsigned char>(prefix[0]) == 0x1f
        && static_cast<unsigned char>(prefix[1]) == 0x8b) {
        found += " (the start of gzip data: decompress it first)";
    }
    return base::makeError(ErrorCode::InvalidInput,
                           std::string("Not an idx file: ") + kMagicExpectation + ", found " + found
                               + ".",
                           byteContext(source, 0));
}

// Checks the four magic bytes; fewer than four present is a truncated header.
base::Status checkMagic(std::string_view prefix, const std::string &source, ElementType &type)
{
    if (prefix.size() < 2 || prefix[0] != 0 || prefix[1] != 0) {
        return notIdx(source, prefix);
    }
    if (prefix.size() < 3) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The idx header ends early: expected a type code at byte 2, "
                               "found the end of the data.",
                               byteContext(source, prefix.size()));
    }
    const auto code = static_cast<std::uint8_t>(prefix[2]);
    if (!typeFromCode(code, type)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Not an idx file: expected a type code 0x08 (uint8), 0x09 (int8), "
                               "0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64), "
                               "found "
                                   + hexBytes(prefix.substr(2, 1)) + ".",
                               byteContext(source, 2));
    }
    if (prefix.size() < 4) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The idx header ends early: expected the number of dimensions at "
                               "byte 3, found the end of the data.",
                               byteContext(source, prefix.size()));
    }
    const int ndims = static_cast<unsigned char>(prefix[3]);
    if (ndims < 1 || ndims > kMaxIdxDims) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Unsupported idx header: expected 1 to 4 dimensions, found "
                                   + std::to_string(ndims) + ".",
                               byteContext(source, 3));
    }
    return base::okStatus();
}

std::string dimsProduct(const std::vector<std::int64_t> &dims)
{
    std::string out;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        out += (i ? " × " : "") + std::to_string(dims[i]);
    }
    return out;
}

// Rejects dims whose data would exceed kMaxIdxDataBytes, without overflowing.
base::Status checkSize(const IdxHeader &header, const std::string &source)
{
    if (std::find(header.dims.begin(), header.dims.end(), 0) != header.dims.end()) {
        return base::okStatus();
    }
    std::uint64_t bytes = elementSize(header.type);
    for (std::int64_t d : header.dims) {
        const auto dim = static_cast<std::uint64_t>(d);
        if (bytes > kMaxIdxDataBytes / dim) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Implausible idx header: its dimensions "
                                       + dimsProduct(header.dims) + " of "
                                       + std::string(elementTypeName(header.type))
                                       + " describe more than 4 TiB of data.",
                                   byteContext(source, 4));
        }
        bytes *= dim;
    }
    return base::okStatus();
}

} // namespace

base::Result<IdxHeader> decodeIdxHeader(std::string_view prefix, const std::string &source)
{
    IdxHeader header;
    if (auto magic = checkMagic(prefix, source, header.type); !magic) {
        return magic.error();
    }
    const std::size_t ndims = static_cast<unsigned char>(prefix[3]);
    header.dataOffset = idxHeaderSize(ndims);
    if (prefix.size() < header.dataOffset) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The idx header ends early: expected " + std::to_string(ndims)
                                   + " big-endian dimensions in bytes 4 to "
                                   + std::to_string(header.dataOffset - 1) + ", found only "
                                   + std::to_string(prefix.size()) + " bytes in all.",
                               byteContext(source, prefix.size()));
    }
    for (std::size_t i = 0; i < ndims; ++i) {
        header.dims.push_back(readBigEndian32(prefix.data() + 4 + 4 * i));
    }
    if (auto size = checkSize(header, source); !size) {
        return size.error();
    }
    return header;
}

IdxHeader keepFirstItems(const IdxHeader &header, std::uint64_t limit)
{
    IdxHeader kept = header;
    if (limit > 0 && !kept.dims.empty() && static_cast<std::uint64_t>(kept.dims[0]) > limit) {
        kept.dims[0] = static_cast<std::int64_t>(limit);
    }
    return kept;
}

void swapBigEndian(std::uint8_t *data, std::size_t bytes, std::size_t elementBytes)
{
    if constexpr (std::endian::native == std::endian::big) {
        return;
    }
    // memcpy keeps this free of aliasing and alignment assumptions; compilers turn each loop
    // into plain vectorised byte swaps.
    switch (elementBytes) {
    case 2:
        for (std::size_t i = 0; i + 2 <= bytes; i += 2) {
            std::uint16_t v;
            std::memcpy(&v, data + i, 2);
            v = __builtin_bswap16(v);
            std::memcpy(data + i, &v, 2);
        }
        break;
    case 4:
        for (std::size_t i = 0; i + 4 <= bytes; i += 4) {
            std::uint32_t v;
            std::memcpy(&v, data + i, 4);
            v = __builtin_bswap32(v);
            std::memcpy(data + i, &v, 4);
        }
        break;
    case 8:
        for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
            std::uint64_t v;
            std::memcpy(&v, data + i, 8);
            v = __builtin_bswap64(v);
            std::memcpy(data + i, &v, 8);
        }
        break;
    default:
        break;
    }
}

std::string hexBytes(std::string_view bytes)
{
    static const char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        if (!out.empty()) {
            out += ' ';
        }
        out += "0x";
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

std::string byteContext(const std::string &source, std::uint64_t offset)
{
    return source + ", byte " + std::to_string(offset);
}

std::string describePromise(const IdxHeader &header)
{
    std::string out = dimsProduct(header.dims);
    if (header.type != ElementType::UInt8) {
        out += std::string(" ") + std::string(elementTypeName(header.type)) + " values";
    }
    return out + " = " + groupedNumber(dataBytes(header)) + " bytes";
}

base::Error truncatedData(const std::string &source,
                          const IdxHeader &kept,
                          bool limited,
                          std::uint64_t got,
                          std::string_view where)
{
    const std::string promise =
        limited ? "the first " + groupedNumber(static_cast<std::uint64_t>(kept.dims[0]))
                      + " items need " + describePromise(kept)
                : "the header promises " + describePromise(kept);
    const std::uint64_t end = kept.dataOffset + got;
    return base::makeError(ErrorCode::InvalidInput,
                           "The idx data is truncated: " + promise
                               + " of data but the data ends after " + groupedNumber(got)
                               + " bytes (byte " + groupedNumber(end) + " of " + std::string(where)
                               + ").",
                           byteContext(source, end));
}

base::Error trailingData(const std::string &source, const IdxHeader &header)
{
    const std::uint64_t end = header.dataOffset + dataBytes(header);
    return base::makeError(ErrorCode::InvalidInput,
                           "The idx data is longer than its header says: the header promises "
                               + describePromise(header) + " of data, but more bytes follow byte "
                               + groupedNumber(end) + ".",
                           byteContext(source, end));
}

} // namespace tl::datasets::detail
