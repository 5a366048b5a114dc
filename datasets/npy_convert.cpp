// From .npy values of any numeric dtype to what training needs: float32 features (every value
// finite) and int64 class labels (whole, non-negative). Works in chunks so a stop request is
// seen within a few milliseconds.
#include "datasets/idx_codec.h"
#include "datasets/large_buffer.h"
#include "datasets/npy_format.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

namespace tl::datasets {
namespace {

using base::ErrorCode;

// Values converted between two looks at the stop token.
constexpr std::size_t kChunkValues = std::size_t{1} << 20;

base::Error cancelled(const std::string &source)
{
    return base::makeError(ErrorCode::Cancelled, "Converting the .npy array was cancelled.",
                           source);
}

float halfToFloat(std::uint16_t half)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu;
    const std::uint32_t mantissa = half & 0x3ffu;
    if (exponent == 0) { // zero or subnormal: mantissa × 2^-24
        const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) { // infinity or NaN
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    }
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

template<typename T>
T load(const std::uint8_t *data, std::size_t i)
{
    T value;
    std::memcpy(&value, data + i * sizeof(T), sizeof(T));
    return value;
}

// Value i of the array as double (exact for every type but 64-bit integers above 2^53).
double valueAt(const NpyArray &array, std::size_t i)
{
    const std::uint8_t *d = array.data.data();
    const NpyDtype &t = array.header.dtype;
    switch (t.kind) {
    case NpyKind::Bool:
        return d[i] != 0 ? 1.0 : 0.0;
    case NpyKind::Int:
        return t.itemSize == 1   ? load<std::int8_t>(d, i)
               : t.itemSize == 2 ? load<std::int16_t>(d, i)
               : t.itemSize == 4 ? load<std::int32_t>(d, i)
                                 : static_cast<double>(load<std::int64_t>(d, i));
    case NpyKind::UInt:
        return t.itemSize == 1   ? d[i]
               : t.itemSize == 2 ? load<std::uint16_t>(d, i)
               : t.itemSize == 4 ? load<std::uint32_t>(d, i)
                                 : static_cast<double>(load<std::uint64_t>(d, i));
    case NpyKind::Float:
        return t.itemSize == 2   ? halfToFloat(load<std::uint16_t>(d, i))
               : t.itemSize == 4 ? load<float>(d, i)
                                 : load<double>(d, i);
    }
    return 0.0;
}

// "sample 3, value 17" for arrays of rank 2 and more, "sample 3" for rank 1.
std::string position(const NpyHeader &header, std::uint64_t flat)
{
    if (header.shape.size() < 2) {
        return "sample " + detail::groupedNumber(flat);
    }
    const std::uint64_t row = header.count() / header.shape[0];
    return "sample " + detail::groupedNumber(flat / row) + ", value "
           + detail::groupedNumber(flat % row);
}

std::string numberText(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

base::Error nonFinite(const NpyArray &array, std::size_t i, const std::string &source)
{
    const double value = valueAt(array, i);
    const std::string where =
        " at " + position(array.header, i) + " (flat index " + detail::groupedNumber(i) + ")";
    if (std::isfinite(value)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The array holds " + numberText(value) + where
                                   + ", beyond the range of float32; scale the features first.",
                               source);
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The array holds " + numberText(value) + where
                               + "; features must be finite numbers (replace or drop the "
                                 "missing values first).",
                           source);
}

// Converts values [from, to) of a 4-byte float array, which needs no widening.
void copyFloat32(const NpyArray &array, float *out, std::size_t from, std::size_t to)
{
    std::memcpy(out + from, array.data.data() + from * 4, (to - from) * 4);
}

} // namespace

base::Result<std::vector<float>>
npyToFloat32(const NpyArray &array, const std::string &source, std::stop_token stop)
{
    const std::size_t count = static_cast<std::size_t>(array.header.count());
    std::vector<float> out;
    if (auto status = detail::allocateLarge(out, count, "the array as float32 values", source);
        !status) {
        return status.error();
    }
    const bool isFloat32 =
        array.header.dtype.kind == NpyKind::Float && array.header.dtype.itemSize == 4;
    for (std::size_t from = 0; from < count; from += kChunkValues) {
        if (stop.stop_requested()) {
            return cancelled(source);
        }
        const std::size_t to = std::min(count, from + kChunkValues);
        if (isFloat32) {
            copyFloat32(array, out.data(), from, to);
        } else {
            for (std::size_t i = from; i < to; ++i) {
                out[i] = static_cast<float>(valueAt(array, i));
            }
        }
        if (array.header.dtype.kind != NpyKind::Float) {
            continue;
        }
        for (std::size_t i = from; i < to; ++i) {
            if (!std::isfinite(out[i])) {
                return nonFinite(array, i, source);
            }
        }
    }
    return out;
}

base::Result<std::vector<std::int64_t>>
npyToLabels(const NpyArray &array, const std::string &source, std::stop_token stop)
{
    const std::size_t count = static_cast<std::size_t>(array.header.count());
    const NpyDtype &dtype = array.header.dtype;
    std::vector<std::int64_t> out;
    if (auto status = detail::allocateLarge(out, count, "the labels as int64 values", source);
        !status) {
        return status.error();
    }
    // 2^63 as double: the first value too large for int64.
    constexpr double kInt64Limit = 9223372036854775808.0;
    for (std::size_t i = 0; i < count; ++i) {
        if (i % kChunkValues == 0 && stop.stop_requested()) {
            return cancelled(source);
        }
        if (dtype.kind == NpyKind::Int && dtype.itemSize == 8) {
            out[i] = load<std::int64_t>(array.data.data(), i);
        } else if (dtype.kind == NpyKind::UInt && dtype.itemSize == 8) {
            const std::uint64_t value = load<std::uint64_t>(array.data.data(), i);
            out[i] = value > static_cast<std::uint64_t>(INT64_MAX)
                         ? -1
                         : static_cast<std::int64_t>(value);
        } else {
            const double value = valueAt(array, i);
            const bool whole = std::isfinite(value) && std::trunc(value) == value;
            if (!whole || value < 0 || value >= kInt64Limit) {
                return base::makeError(ErrorCode::InvalidInput,
                                       "The labels hold " + numberText(value) + " at "
                                           + position(array.header, i)
                                           + "; labels must be class indices 0, 1, 2, ...",
                                       source);
            }
            out[i] = static_cast<std::int64_t>(value);
        }
        if (out[i] < 0) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "The labels hold "
                                       + (dtype.kind == NpyKind::UInt ? std::to_string(
                                              load<std::uint64_t>(array.data.data(), i))
                                                                      : std::to_string(out[i]))
                                       + " at " + position(array.header, i)
                                       + "; labels must be class indices 0, 1, 2, ...",
                                   source);
        }
    }
    return out;
}

} // namespace tl::datasets
