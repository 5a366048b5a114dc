#pragma once
// How a RunState reads, and which states end a run: one answer for the worker, the store and
// the GUI; and the command that moves a run.

#include "proto/torchlight.pb.h"

namespace tl::proto {

// "starting", "running", "paused", "completed", "failed", "stopped", "interrupted".
const char *runStateName(RunState state);

// Completed, failed, stopped and interrupted runs are over; nothing changes them again.
bool isTerminal(RunState state);

// A ControlCommand with only its action set (PAUSE, STOP, DEBUG_STEP, ...).
ControlCommand controlCommand(ControlCommand::Action action);

} // namespace tl::proto
