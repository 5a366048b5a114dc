#include "proto/run_state.h"

namespace tl::proto {

const char *runStateName(RunState state)
{
    switch (state) {
    case RUN_STATE_STARTING:
        return "starting";
    case RUN_STATE_RUNNING:
        return "running";
    case RUN_STATE_PAUSED:
        return "paused";
    case RUN_STATE_COMPLETED:
        return "completed";
    case RUN_STATE_FAILED:
        return "failed";
    case RUN_STATE_STOPPED:
        return "stopped";
    case RUN_STATE_INTERRUPTED:
        return "interrupted";
    default:
        return "unspecified";
    }
}

bool isTerminal(RunState state)
{
    return state == RUN_STATE_COMPLETED || state == RUN_STATE_FAILED || state == RUN_STATE_STOPPED
           || state == RUN_STATE_INTERRUPTED;
}

ControlCommand controlCommand(ControlCommand::Action action)
{
    ControlCommand command;
    command.set_action(action);
    return command;
}

} // namespace tl::proto
