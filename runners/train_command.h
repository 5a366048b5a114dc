#pragma once
// `torchlight-worker train`: the whole life of a run directory, from reading the spec to the
// terminal status event, mapped onto the documented exit codes (runners/exit_codes.h).

#include "runners/exit_codes.h"
#include "runners/worker_cli.h"

namespace tl::runners {

// Runs a training job as the worker's main thread. Writes events to DIR/events.tlog, stdout
// (records, unless a terminal) and DIR/worker.log; one line on stderr for any failure.
ExitCode runTrainCommand(const TrainArgs &args);

} // namespace tl::runners
