#pragma once
// One row of the runs table: a plain copy of what a controller read from the store, so the
// views never query the store themselves (STYLE.md, C++ and Qt).

#include "proto/torchlight.pb.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tl::views {

struct RunRow
{
    std::int64_t id = 0;
    std::string name;
    proto::RunState state = proto::RUN_STATE_UNSPECIFIED;
    std::string statusMessage;
    double createdAt = 0;  // seconds since the Unix epoch
    double finishedAt = 0; // 0 while the run has not finished
    std::uint32_t epoch = 0;
    std::uint64_t step = 0;
    std::uint64_t totalSteps = 0;
    std::optional<double> testAccuracy; // the last test/accuracy scalar, in [0, 1]
    std::string device;
};

} // namespace tl::views
