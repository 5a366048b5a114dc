#include "runners/allocator_tuning.h"

// <malloc.h> first: it defines __GLIBC__ (through <features.h>), which the #if below tests.
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace tl::runners {

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    // 32 MiB is glibc's largest mmap threshold on 64-bit: batches of any sensible size stay on
    // the heap, while the dataset tensor (hundreds of MiB) is still mapped on its own.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    // Never give the heap's top back: the next step needs the same memory again.
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

} // namespace tl::runners
