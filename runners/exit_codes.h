#pragma once
// The exit codes of torchlight-worker, documented in `torchlight-worker --help` and
// docs/worker.md. Torch-free: launchers may include this header to interpret an exit status.

namespace tl::runners {

enum class ExitCode : int {
    Success = 0,        // training completed, was stopped by a command, or a query answered
    TrainingFailed = 1, // training started and failed; a FAILED event says why
    UsageError = 2,     // bad command line; nothing was written
    InvalidInput = 3,   // invalid spec, model or dataset; FAILED event when the run dir is writable
    DeviceUnavailable = 4, // the requested CUDA device does not exist in this build or machine
    RunDirNotWritable = 5, // the run directory cannot be created or written
};

constexpr int toInt(ExitCode code)
{
    return static_cast<int>(code);
}

// One line per code for --help and docs/worker.md, e.g. "3  invalid spec, model or dataset".
const char *exitCodeMeaning(ExitCode code);

} // namespace tl::runners
