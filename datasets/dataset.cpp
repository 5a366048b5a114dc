#include "datasets/dataset.h"

#include <functional>
#include <numeric>

namespace tl::datasets {

const char *valueTypeName(ValueType type)
{
    return type == ValueType::UInt8 ? "uint8" : "float32";
}

std::int64_t SampleSet::sampleSize() const
{
    return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

std::uint64_t SampleSet::valueBytes() const
{
    return type == ValueType::UInt8 ? u8.size() : f32.size() * sizeof(float);
}

double SampleSet::valueAt(std::size_t i) const
{
    return type == ValueType::UInt8 ? static_cast<double>(u8[i]) : static_cast<double>(f32[i]);
}

} // namespace tl::datasets
