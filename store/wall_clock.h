#pragma once
// The store's notion of "now" (internal to store/): seconds since the Unix epoch, the unit of
// RunEvent.wall_time, so stored times compare with the worker's.

#include <chrono>

namespace tl::store {

inline double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

} // namespace tl::store
