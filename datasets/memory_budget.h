#pragma once
// Refusing loads that cannot fit: readers call checkFitsInMemory() with the bytes a file would
// need before allocating them, so a 100 GB file gets a sentence instead of an out-of-memory kill.
// Pure functions; any thread.

#include "base/result.h"

#include <cstdint>
#include <string>

namespace tl::datasets {

// Memory the process may still take: MemAvailable of /proc/meminfo, capped by RLIMIT_AS and the
// cgroup's memory.max when those are lower. When none can be read, physical memory.
std::uint64_t availableMemoryBytes();

// An Io error when `bytes` exceed what is available, naming `context` (the file) and what
// the bytes are for ("the decoded images"): "Loading the decoded images needs 100.0 GB of
// memory, but only 11.2 GB are available; ...".
base::Status
checkFitsInMemory(std::uint64_t bytes, const std::string &what, const std::string &context);

} // namespace tl::datasets
