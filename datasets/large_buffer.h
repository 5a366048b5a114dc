#pragma once
// Internal to datasets/: sizing the large buffers that readers fill (decoded arrays, inflated
// members). Page faults dominate filling a fresh buffer on some machines (one per 4 KiB page:
// a 60 MB array took 0.2 s to zero-fill on a 2-core VM); asking for transparent huge pages
// first, as NumPy does for its arrays, makes that 15 times faster. Any thread.

#include "base/result.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

namespace tl::datasets::detail {

// Advises the kernel to back the 2 MiB-aligned part of [data, data + bytes) with huge pages.
// Harmless where transparent huge pages are off or unsupported.
void adviseHugePages(const void *data, std::size_t bytes);

// Buffers at least this large get the advice (NumPy's threshold).
inline constexpr std::size_t kHugePageAdviceBytes = std::size_t{4} << 20;

// vector.resize(count) for a buffer that is about to be filled, with the huge page advice
// given between allocating and touching its memory. Throws std::bad_alloc like resize().
template<typename T>
void resizeLarge(std::vector<T> &values, std::size_t count)
{
    if (values.empty() && count * sizeof(T) >= kHugePageAdviceBytes) {
        values.reserve(count);
        adviseHugePages(values.data(), count * sizeof(T));
    }
    values.resize(count);
}

// resizeLarge() for `count` values after checkFitsInMemory(); never throws: a refusal or a
// failed allocation is an Io error naming `what` ("the array as float32 values") and `context`.
base::Status
checkAllocation(std::uint64_t bytes, const std::string &what, const std::string &context);
base::Error
allocationFailed(std::uint64_t bytes, const std::string &what, const std::string &context);

template<typename T>
base::Status allocateLarge(std::vector<T> &values,
                           std::size_t count,
                           const std::string &what,
                           const std::string &context)
{
    const std::uint64_t bytes = std::uint64_t{count} * sizeof(T);
    if (auto fits = checkAllocation(bytes, what, context); !fits) {
        return fits;
    }
    try {
        resizeLarge(values, count);
    } catch (const std::bad_alloc &) {
        return allocationFailed(bytes, what, context);
    }
    return base::okStatus();
}

} // namespace tl::datasets::detail
