#include "datasets/memory_budget.h"

#include "base/number_text.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace tl::datasets {
namespace {

constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();

// MemAvailable in bytes, or kUnknown.
std::uint64_t memInfoAvailable()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemAvailable:") {
            return kib * 1024;
        }
    }
    return kUnknown;
}

// The cgroup v2 limit minus what the cgroup already uses, or kUnknown.
std::uint64_t cgroupAvailable()
{
    std::ifstream maxFile("/sys/fs/cgroup/memory.max");
    std::ifstream currentFile("/sys/fs/cgroup/memory.current");
    std::string max;
    std::uint64_t current = 0;
    if (!(maxFile >> max) || max == "max" || !(currentFile >> current)) {
        return kUnknown;
    }
    const std::uint64_t limit = std::stoull(max);
    return limit > current ? limit - current : 0;
}

std::uint64_t addressSpaceLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return kUnknown;
    }
    return limit.rlim_cur;
}

std::uint64_t physicalMemory()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) {
        return kUnknown;
    }
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

} // namespace

std::uint64_t availableMemoryBytes()
{
    std::uint64_t available = memInfoAvailable();
    try {
        available = std::min(available, cgroupAvailable());
    } catch (const std::exception &) {
        // an unreadable memory.max leaves the other limits
    }
    available = std::min(available, addressSpaceLimit());
    return available != kUnknown ? available : physicalMemory();
}

base::Status
checkFitsInMemory(std::uint64_t bytes, const std::string &what, const std::string &context)
{
    const std::uint64_t available = availableMemoryBytes();
    if (bytes <= available) {
        return base::okStatus();
    }
    return base::makeError(base::ErrorCode::Io,
                           "Loading " + what + " needs " + base::byteSizeText(bytes)
                               + " of memory, but only " + base::byteSizeText(available)
                               + " are available; use a smaller part of the data or a machine "
                                 "with more memory.",
                           context);
}

} // namespace tl::datasets
