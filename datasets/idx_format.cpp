#include "datasets/idx_format.h"

#include "datasets/idx_codec.h"

#include <cstring>

namespace tl::datasets {
namespace {

template<typename T>
double load(const std::uint8_t *p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
}

} // namespace

double IdxArray::valueAt(std::size_t i) const
{
    const std::uint8_t *p = data.data() + i * elementSize(header.type);
    switch (header.type) {
    case ElementType::UInt8:
        return load<std::uint8_t>(p);
    case ElementType::Int8:
        return load<std::int8_t>(p);
    case ElementType::Int16:
        return load<std::int16_t>(p);
    case ElementType::Int32:
        return load<std::int32_t>(p);
    case ElementType::Float32:
        return load<float>(p);
    case ElementType::Float64:
        return load<double>(p);
    }
    return 0;
}

std::size_t elementSize(ElementType type)
{
    switch (type) {
    case ElementType::UInt8:
    case ElementType::Int8:
        return 1;
    case ElementType::Int16:
        return 2;
    case ElementType::Int32:
    case ElementType::Float32:
        return 4;
    case ElementType::Float64:
        return 8;
    }
    return 1;
}

std::string_view elementTypeName(ElementType type)
{
    switch (type) {
    case ElementType::UInt8:
        return "uint8";
    case ElementType::Int8:
        return "int8";
    case ElementType::Int16:
        return "int16";
    case ElementType::Int32:
        return "int32";
    case ElementType::Float32:
        return "float32";
    case ElementType::Float64:
        return "float64";
    }
    return "uint8";
}

std::uint8_t elementTypeCode(ElementType type)
{
    switch (type) {
    case ElementType::UInt8:
        return 0x08;
    case ElementType::Int8:
        return 0x09;
    case ElementType::Int16:
        return 0x0B;
    case ElementType::Int32:
        return 0x0C;
    case ElementType::Float32:
        return 0x0D;
    case ElementType::Float64:
        return 0x0E;
    }
    return 0x08;
}

std::uint64_t elementCount(const std::vector<std::int64_t> &dims)
{
    std::uint64_t n = 1;
    for (std::int64_t d : dims) {
        n *= static_cast<std::uint64_t>(d);
    }
    return n;
}

std::uint64_t dataBytes(const IdxHeader &header)
{
    return elementCount(header.dims) * elementSize(header.type);
}

base::Result<IdxArray>
parseIdx(std::string_view bytes, const std::string &source, std::uint64_t limit)
{
    auto header = detail::decodeIdxHeader(bytes, source);
    if (!header) {
        return header.error();
    }
    IdxArray array;
    array.header = detail::keepFirstItems(header.value(), limit);
    const bool keepsAll = array.header.dims[0] == header.value().dims[0];
    const std::uint64_t need = dataBytes(array.header);
    const std::uint64_t available = bytes.size() - array.header.dataOffset;
    if (available < need) {
        return detail::truncatedData(source, array.header, !keepsAll, available, "the data");
    }
    if (keepsAll && available > need) {
        return detail::trailingData(source, array.header);
    }
    // need <= available <= bytes.size(): the allocation is bounded by the input.
    const auto *begin =
        reinterpret_cast<const std::uint8_t *>(bytes.data()) + array.header.dataOffset;
    array.data.assign(begin, begin + need);
    detail::swapBigEndian(array.data.data(), array.data.size(), elementSize(array.header.type));
    return array;
}

} // namespace tl::datasets
