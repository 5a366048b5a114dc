#include "datasets/large_buffer.h"

#include "base/number_text.h"
#include "datasets/memory_budget.h"

#include <sys/mman.h>

#include <cstdint>

namespace tl::datasets::detail {

void adviseHugePages(const void *data, std::size_t bytes)
{
#ifdef MADV_HUGEPAGE
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    const auto start = reinterpret_cast<std::uintptr_t>(data);
    const std::size_t skip = (kHugePage - start % kHugePage) % kHugePage; // to the first boundary
    const std::size_t length = bytes > skip ? (bytes - skip) & ~(kHugePage - 1) : 0;
    if (length > 0) {
        // Advice only: a failure (no THP support) leaves ordinary pages.
        ::madvise(static_cast<char *>(const_cast<void *>(data)) + skip, length, MADV_HUGEPAGE);
    }
#else
    (void)data;
    (void)bytes;
#endif
}

base::Status
checkAllocation(std::uint64_t bytes, const std::string &what, const std::string &context)
{
    return checkFitsInMemory(bytes, what, context);
}

base::Error
allocationFailed(std::uint64_t bytes, const std::string &what, const std::string &context)
{
    return base::makeError(base::ErrorCode::Io,
                           "Loading " + what + " needs " + base::byteSizeText(bytes)
                               + " of memory, which could not be allocated.",
                           context);
}

} // namespace tl::datasets::detail
