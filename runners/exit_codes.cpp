#include "runners/exit_codes.h"

namespace tl::runners {

const char *exitCodeMeaning(ExitCode code)
{
    switch (code) {
    case ExitCode::Success:
        return "training completed, or stopped by a STOP command; or the query was answered";
    case ExitCode::TrainingFailed:
        return "training failed after it started (a FAILED event says why)";
    case ExitCode::UsageError:
        return "usage error: unknown subcommand, missing or invalid flag";
    case ExitCode::InvalidInput:
        return "invalid spec, model or dataset (a FAILED event when the run dir is writable)";
    case ExitCode::DeviceUnavailable:
        return "the requested CUDA device is not available in this build or on this machine";
    case ExitCode::RunDirNotWritable:
        return "the run directory cannot be created or written, or lost events while running";
    }
    return "unknown exit code";
}

} // namespace tl::runners
