#pragma once
// Internal to datasets/: sizing the large buffers that readers fill (decoded arrays, inflated
// members). Page faults dominate filling a fresh buffer on some machines (one per 4 KiB page:
// a 60 MB array took 0.2 s to zero-fill on a 2-core VM); asking for transparent huge pages
// first, as NumPy does for its arrays, makes that 15 times faster. Any thread.

#include <cstddef>
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

} // namespace tl::datasets::detail
