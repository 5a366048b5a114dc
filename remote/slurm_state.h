#pragma once
// How Slurm's job states read as run states, with the reason the user is shown (issue #6).
// Pure function; no thread affinity.

#include "proto/torchlight.pb.h"

#include <string>
#include <string_view>

namespace tl::remote {

struct SchedulerState
{
    proto::RunState state = proto::RUN_STATE_UNSPECIFIED;
    bool ended = false; // the job will not run (again): its events.tlog is final
    std::string reason; // shown beside the run: "pending: Resources", "time limit reached"
};

// state: squeue's %T ("PENDING", "OUT_OF_MEMORY"); reason: its %r ("Resources", "None").
SchedulerState slurmState(std::string_view state, std::string_view reason);

} // namespace tl::remote
