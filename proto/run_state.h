#pragma once
// How a RunState reads, and which states end a run: one answer for the worker, the store and
// the GUI.

#include "proto/torchlight.pb.h"

namespace tl::proto {

// "starting", "running", "paused", "completed", "failed", "stopped", "interrupted".
const char *runStateName(RunState state);

// Completed, failed, stopped and interrupted runs are over; nothing changes them again.
bool isTerminal(RunState state);

} // namespace tl::proto
