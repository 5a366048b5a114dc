#include "remote/slurm_state.h"

#include <array>

namespace tl::remote {

namespace {

struct Row
{
    std::string_view slurm;
    proto::RunState state;
    bool ended;
    std::string_view reason;
};

// squeue(1), JOB STATE CODES. Queued and requeued jobs are "starting"; a job that ended
// without the worker's own final state is "failed" with Slurm's word for why.
constexpr std::array kRows = {
    Row{"PENDING", proto::RUN_STATE_STARTING, false, "pending"},
    Row{"CONFIGURING", proto::RUN_STATE_STARTING, false, "configuring nodes"},
    Row{"REQUEUED", proto::RUN_STATE_STARTING, false, "requeued"},
    Row{"REQUEUE_FED", proto::RUN_STATE_STARTING, false, "requeued"},
    Row{"REQUEUE_HOLD", proto::RUN_STATE_STARTING, false, "requeued and held"},
    Row{"RESV_DEL_HOLD", proto::RUN_STATE_STARTING, false, "held: its reservation was deleted"},
    Row{"RESIZING", proto::RUN_STATE_RUNNING, false, "resizing"},
    Row{"RUNNING", proto::RUN_STATE_RUNNING, false, ""},
    Row{"COMPLETING", proto::RUN_STATE_RUNNING, false, "completing"},
    Row{"SIGNALING", proto::RUN_STATE_RUNNING, false, "being signalled"},
    Row{"STAGE_OUT", proto::RUN_STATE_RUNNING, false, "staging out"},
    Row{"SUSPENDED", proto::RUN_STATE_PAUSED, false, "suspended by Slurm"},
    Row{"STOPPED", proto::RUN_STATE_PAUSED, false, "stopped by Slurm (SIGSTOP)"},
    Row{"COMPLETED", proto::RUN_STATE_COMPLETED, true, ""},
    Row{"CANCELLED", proto::RUN_STATE_STOPPED, true, "cancelled (scancel)"},
    Row{"FAILED", proto::RUN_STATE_FAILED, true, "the job failed"},
    Row{"TIMEOUT", proto::RUN_STATE_FAILED, true, "time limit reached"},
    Row{"OUT_OF_MEMORY", proto::RUN_STATE_FAILED, true, "out of memory"},
    Row{"NODE_FAIL", proto::RUN_STATE_FAILED, true, "a node failed"},
    Row{"BOOT_FAIL", proto::RUN_STATE_FAILED, true, "the node failed to boot"},
    Row{"DEADLINE", proto::RUN_STATE_FAILED, true, "deadline reached"},
    Row{"PREEMPTED", proto::RUN_STATE_FAILED, true, "preempted"},
    Row{"REVOKED", proto::RUN_STATE_FAILED, true, "revoked (it ran on another cluster)"},
    Row{"SPECIAL_EXIT", proto::RUN_STATE_FAILED, true, "special exit (held for the admin)"},
};

} // namespace

SchedulerState slurmState(std::string_view state, std::string_view reason)
{
    // "CANCELLED by 1000" in some outputs: the first word is the state.
    state = state.substr(0, state.find(' '));
    SchedulerState mapped{proto::RUN_STATE_UNSPECIFIED, false,
                          "unknown Slurm state " + std::string(state)};
    for (const Row &row : kRows) {
        if (row.slurm == state) {
            mapped = SchedulerState{row.state, row.ended, std::string(row.reason)};
            break;
        }
    }
    if (!reason.empty() && reason != "None" && reason != "(null)") {
        if (!mapped.reason.empty()) {
            mapped.reason += ": ";
        }
        mapped.reason += reason;
    }
    return mapped;
}

} // namespace tl::remote
