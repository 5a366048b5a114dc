// The .npy header: magic, version, length, then the dict (npy_dict.h) whose descr, fortran_order
// and shape become an NpyHeader.
#include "datasets/idx_codec.h"
#include "datasets/npy_dict.h"
#include "datasets/npy_format.h"

#include <bit>
#include <map>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::byteContext;
using detail::NpyDictValue;

constexpr std::string_view kMagic = "\x93NUMPY";
// numpy allows 32 dimensions (64 since 2.0); more is not an array anyone trains on.
constexpr std::size_t kMaxDims = 64;
const char *const kExpectedDtypes =
    "expected bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32 "
    "or float64";

base::Error headerError(const std::string &message, const std::string &source, std::uint64_t at)
{
    return base::makeError(ErrorCode::InvalidInput, message, byteContext(source, at));
}

// Why a dtype kind is not numeric, for the error message; empty for an unknown kind.
std::string nonNumericReason(char kind)
{
    switch (kind) {
    case 'U':
    case 'S':
    case 'a':
        return " (it holds strings)";
    case 'O':
        return " (it holds Python objects)";
    case 'c':
        return " (it holds complex numbers)";
    case 'V':
        return " (it holds raw bytes or records)";
    case 'M':
    case 'm':
        return " (it holds dates or times)";
    default:
        return {};
    }
}

base::Result<NpyDtype> parseDtype(const NpyDictValue &value, const std::string &source)
{
    if (value.type != NpyDictValue::Type::String) {
        const bool structured = !value.text.empty() && value.text[0] == '[';
        return headerError("dtype " + value.text + " is "
                               + (structured ? "a structured (record) dtype" : "not a type string")
                               + ", not a plain number; " + kExpectedDtypes + ".",
                           source, value.offset);
    }
    NpyDtype dtype;
    dtype.descr = value.text;
    std::string_view rest = value.text;
    if (!rest.empty() && (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=')) {
        dtype.bigEndian =
            rest[0] == '>' || (rest[0] != '<' && std::endian::native == std::endian::big);
        rest.remove_prefix(1);
    } else {
        dtype.bigEndian = std::endian::native == std::endian::big;
    }
    static const std::map<std::string_view, std::pair<NpyKind, std::size_t>> kTypes = {
        {"?", {NpyKind::Bool, 1}},  {"b1", {NpyKind::Bool, 1}},  {"i1", {NpyKind::Int, 1}},
        {"i2", {NpyKind::Int, 2}},  {"i4", {NpyKind::Int, 4}},   {"i8", {NpyKind::Int, 8}},
        {"u1", {NpyKind::UInt, 1}}, {"u2", {NpyKind::UInt, 2}},  {"u4", {NpyKind::UInt, 4}},
        {"u8", {NpyKind::UInt, 8}}, {"f2", {NpyKind::Float, 2}}, {"f4", {NpyKind::Float, 4}},
        {"f8", {NpyKind::Float, 8}}};
    const auto found = kTypes.find(rest);
    if (found == kTypes.end()) {
        const std::string reason = rest.empty() ? std::string() : nonNumericReason(rest[0]);
        return headerError("dtype '" + value.text + "' is not "
                               + (reason.empty() ? "a supported numeric type" : "numeric" + reason)
                               + "; " + kExpectedDtypes + ".",
                           source, value.offset);
    }
    dtype.kind = found->second.first;
    dtype.itemSize = found->second.second;
    return dtype;
}

// The three keys, checked; the array's byte count must fit 64 bits.
base::Result<NpyHeader> headerFromDict(const std::map<std::string, NpyDictValue> &dict,
                                       const std::string &source,
                                       std::uint64_t dictOffset)
{
    for (const char *key : {"descr", "fortran_order", "shape"}) {
        if (!dict.count(key)) {
            return headerError(std::string("The .npy header lacks the key '") + key
                                   + "'; expected {'descr': <dtype>, 'fortran_order': <bool>, "
                                     "'shape': <tuple>}.",
                               source, dictOffset);
        }
    }
    NpyHeader header;
    auto dtype = parseDtype(dict.at("descr"), source);
    if (!dtype) {
        return dtype.error();
    }
    header.dtype = std::move(dtype.value());
    const NpyDictValue &order = dict.at("fortran_order");
    if (order.type != NpyDictValue::Type::Bool) {
        return headerError("The .npy header's fortran_order is " + order.text
                               + "; expected True or False.",
                           source, order.offset);
    }
    header.fortranOrder = order.flag;
    const NpyDictValue &shape = dict.at("shape");
    if (shape.type != NpyDictValue::Type::Tuple || shape.numbers.size() > kMaxDims) {
        return headerError("The .npy header's shape is " + shape.text
                               + "; expected a tuple of at most 64 non-negative integers.",
                           source, shape.offset);
    }
    header.shape = shape.numbers;
    std::uint64_t bytes = header.dtype.itemSize;
    for (std::uint64_t dim : header.shape) {
        if (__builtin_mul_overflow(bytes, dim, &bytes)) {
            return headerError("The .npy header's shape " + shape.text
                                   + " describes more bytes than any file can hold.",
                               source, shape.offset);
        }
    }
    return header;
}

std::uint32_t littleEndian(std::string_view bytes)
{
    std::uint32_t value = 0;
    for (std::size_t i = bytes.size(); i-- > 0;) {
        value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    }
    return value;
}

base::Status checkMagic(std::string_view prefix, const std::string &source)
{
    if (prefix.empty()) {
        return headerError("The file is empty; expected a .npy array starting with \\x93NUMPY.",
                           source, 0);
    }
    if (prefix.substr(0, kMagic.size())
        != kMagic.substr(0, std::min(prefix.size(), kMagic.size()))) {
        const bool zip = prefix.substr(0, 2) == "PK";
        return headerError("Not a .npy file: expected the magic \\x93NUMPY at byte 0, found "
                               + detail::hexBytes(prefix.substr(0, 6))
                               + (zip ? " (a zip archive: an .npz holds .npy files)" : "") + ".",
                           source, 0);
    }
    if (prefix.size() < 8) {
        return headerError("The .npy header ends early: expected the version at byte 6, found "
                           "the end of the data.",
                           source, prefix.size());
    }
    const auto major = static_cast<unsigned char>(prefix[6]);
    const auto minor = static_cast<unsigned char>(prefix[7]);
    if (major < 1 || major > 3 || minor != 0) {
        return headerError("Unsupported .npy version " + std::to_string(major) + "."
                               + std::to_string(minor) + "; expected 1.0, 2.0 or 3.0.",
                           source, 6);
    }
    return base::okStatus();
}

} // namespace

std::string NpyDtype::name() const
{
    const std::string bits = std::to_string(itemSize * 8);
    switch (kind) {
    case NpyKind::Bool:
        return "bool";
    case NpyKind::Int:
        return "int" + bits;
    case NpyKind::UInt:
        return "uint" + bits;
    case NpyKind::Float:
        return "float" + bits;
    }
    return "unknown";
}

std::uint64_t NpyHeader::count() const
{
    std::uint64_t n = 1;
    for (std::uint64_t dim : shape) {
        n *= dim;
    }
    return n;
}

std::string NpyHeader::describe() const
{
    if (shape.empty()) {
        return "a single " + dtype.name();
    }
    std::string out;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        out += (i ? "×" : "") + std::to_string(shape[i]);
    }
    return out + " " + dtype.name();
}

base::Result<NpyHeader> parseNpyHeader(std::string_view prefix, const std::string &source)
{
    if (auto magic = checkMagic(prefix, source); !magic) {
        return magic.error();
    }
    const std::size_t lengthBytes = prefix[6] == 1 ? 2 : 4;
    const std::size_t dictOffset = 8 + lengthBytes;
    if (prefix.size() < dictOffset) {
        return headerError("The .npy header ends early: expected the header length at byte 8, "
                           "found the end of the data.",
                           source, prefix.size());
    }
    const std::uint32_t length = littleEndian(prefix.substr(8, lengthBytes));
    if (length > kMaxNpyHeaderBytes) {
        return headerError("The .npy header claims " + detail::groupedNumber(length)
                               + " bytes; numeric arrays have headers of a few hundred bytes.",
                           source, 8);
    }
    if (prefix.size() < dictOffset + length) {
        return headerError("The .npy header ends early: its length field promises "
                               + detail::groupedNumber(length) + " bytes of header from byte "
                               + std::to_string(dictOffset) + ", but the data ends at byte "
                               + detail::groupedNumber(prefix.size()) + ".",
                           source, prefix.size());
    }
    auto dict = detail::parseNpyDict(prefix.substr(dictOffset, length), dictOffset, source);
    if (!dict) {
        return dict.error();
    }
    auto header = headerFromDict(dict.value(), source, dictOffset);
    if (header) {
        header.value().dataOffset = dictOffset + length;
    }
    return header;
}

} // namespace tl::datasets
