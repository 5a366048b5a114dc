#pragma once
// Progress reporting for long Qt-free calls: they take a std::stop_token and a ProgressFn and
// check the token often enough to stop within ~100 ms (STYLE.md, Long work).

#include <cstdint>
#include <functional>
#include <string_view>

namespace tl::base {

// done and total are in the call's own unit (bytes, samples, files); total 0 means unknown.
using ProgressFn =
    std::function<void(std::uint64_t done, std::uint64_t total, std::string_view what)>;

inline void
reportProgress(const ProgressFn &fn, std::uint64_t done, std::uint64_t total, std::string_view what)
{
    if (fn) {
        fn(done, total, what);
    }
}

} // namespace tl::base
