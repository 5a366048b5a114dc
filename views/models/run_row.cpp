#include "views/models/run_row.h"

namespace tl::views {

const char *runStateName(proto::RunState state)
{
    switch (state) {
    case proto::RUN_STATE_STARTING:
        return "starting";
    case proto::RUN_STATE_RUNNING:
        return "running";
    case proto::RUN_STATE_PAUSED:
        return "paused";
    case proto::RUN_STATE_COMPLETED:
        return "completed";
    case proto::RUN_STATE_FAILED:
        return "failed";
    case proto::RUN_STATE_STOPPED:
        return "stopped";
    case proto::RUN_STATE_INTERRUPTED:
        return "interrupted";
    default:
        return "unknown";
    }
}

} // namespace tl::views
