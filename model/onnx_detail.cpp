#include "model/onnx_detail.h"

#include <array>

namespace tl::model::onnxdetail {
namespace {

struct TypeFacts
{
    const char *name;
    std::int64_t bytes; // per element in raw_data; 0 for strings
    bool floating;
};

// Indexed by TensorProto::DataType (ONNX 1.12 defines 0 .. 16).
constexpr std::array<TypeFacts, 17> kTypes{{
    {"undefined", 0, false},
    {"float32", 4, true},
    {"uint8", 1, false},
    {"int8", 1, false},
    {"uint16", 2, false},
    {"int16", 2, false},
    {"int32", 4, false},
    {"int64", 8, false},
    {"string", 0, false},
    {"bool", 1, false},
    {"float16", 2, true},
    {"float64", 8, true},
    {"uint32", 4, false},
    {"uint64", 8, false},
    {"complex64", 8, true},
    {"complex128", 16, true},
    {"bfloat16", 2, true},
}};

const TypeFacts &facts(std::int32_t dataType)
{
    if (dataType < 0 || static_cast<std::size_t>(dataType) >= kTypes.size()) {
        return kTypes[0];
    }
    return kTypes[static_cast<std::size_t>(dataType)];
}

// A base-128 varint at `pos`; advances `pos`. nullopt when it runs past the end or past 10 bytes.
std::optional<std::uint64_t> readVarint(std::string_view bytes, std::size_t &pos)
{
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
        const auto byte = static_cast<std::uint8_t>(bytes[pos++]);
        value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            return value;
        }
    }
    return std::nullopt;
}

// Skips the payload of a field of wire type `wireType` that starts at `pos`; "" when it fits,
// else why it cannot be read.
std::string skipPayload(std::string_view bytes, std::size_t &pos, std::uint64_t wireType)
{
    const std::size_t left = bytes.size() - pos;
    switch (wireType) {
    case 0:
        return readVarint(bytes, pos) ? "" : "a number runs past the end of the file";
    case 1:
    case 5: {
        const std::size_t width = wireType == 1 ? 8 : 4;
        if (left < width) {
            return "a fixed-size number runs past the end of the file";
        }
        pos += width;
        return "";
    }
    case 2: {
        auto length = readVarint(bytes, pos);
        if (!length) {
            return "a length runs past the end of the file";
        }
        if (*length > bytes.size() - pos) {
            return "a field claims " + std::to_string(*length) + " bytes, but only "
                   + std::to_string(bytes.size() - pos) + " remain; the file is probably truncated";
        }
        pos += static_cast<std::size_t>(*length);
        return "";
    }
    default:
        return "a field has wire type " + std::to_string(wireType)
               + ", which an ONNX model never uses";
    }
}

} // namespace

std::string dtypeName(std::int32_t dataType)
{
    return facts(dataType).name;
}

std::int64_t elementBytes(std::int32_t dataType)
{
    return facts(dataType).bytes;
}

bool isFloatingType(std::int32_t dataType)
{
    return facts(dataType).floating;
}

std::optional<std::int64_t> elementCount(const onnx::TensorProto &tensor)
{
    std::int64_t count = 1;
    for (std::int64_t dim : tensor.dims()) {
        if (dim < 0) {
            return std::nullopt;
        }
        if (dim != 0 && count > INT64_MAX / dim) {
            return std::nullopt;
        }
        count *= dim;
    }
    return count;
}

std::string dimsText(const google::protobuf::RepeatedField<std::int64_t> &dims)
{
    std::string text = "[";
    for (int i = 0; i < dims.size(); ++i) {
        text += (i == 0 ? "" : ", ") + std::to_string(dims[i]);
    }
    return text + "]";
}

std::string nodeDisplayName(const onnx::NodeProto &node, int index)
{
    if (!node.name().empty()) {
        return node.name();
    }
    return node.op_type() + "_" + std::to_string(index);
}

bool isDefaultDomain(std::string_view domain)
{
    return domain.empty() || domain == "ai.onnx";
}

base::Error fileError(const std::string &fileName, std::string message)
{
    return base::makeError(base::ErrorCode::InvalidInput, std::move(message), fileName);
}

base::Error nodeFault(const std::string &fileName, const std::string &node, std::string message)
{
    return base::makeError(base::ErrorCode::InvalidInput, std::move(message),
                           fileName + ", node '" + node + "'");
}

base::Error cancelledError(const std::string &fileName)
{
    return base::makeError(base::ErrorCode::Cancelled, "Opening the ONNX model was cancelled.",
                           fileName);
}

std::string oneLine(std::string_view text)
{
    const std::size_t context = text.find("==> Context:");
    if (context != std::string_view::npos) {
        text = text.substr(0, context);
    }
    std::string line;
    bool space = false;
    for (char c : text) {
        const bool blank = c == '\n' || c == '\r' || c == '\t' || c == ' ';
        if (blank) {
            space = !line.empty();
            continue;
        }
        if (space) {
            line += ' ';
            space = false;
        }
        line += c;
    }
    return line;
}

std::optional<WireError> findWireError(std::string_view bytes)
{
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t start = pos;
        auto tag = readVarint(bytes, pos);
        if (!tag) {
            return WireError{start, "a field tag runs past the end of the file"};
        }
        if ((*tag >> 3) == 0) {
            return WireError{start, "a field has number 0, which protobuf never writes"};
        }
        std::string why = skipPayload(bytes, pos, *tag & 7);
        if (!why.empty()) {
            return WireError{start, std::move(why)};
        }
    }
    return std::nullopt;
}

} // namespace tl::model::onnxdetail
