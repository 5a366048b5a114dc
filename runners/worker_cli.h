#pragma once
// The command line of torchlight-worker: subcommands (train, devices, inspect-dataset; later
// eval, debug), their flags, and --help text with the exit codes. main() only calls runWorker().

#include "base/result.h"
#include "runners/devices.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::runners {

// The flags of `train`.
struct TrainArgs
{
    std::filesystem::path spec;
    std::filesystem::path runDir;
    std::optional<DeviceRequest> device; // --device; overrides spec.device
    bool progressBar = false;            // --progress
};

// The flags of `devices`.
struct DevicesArgs
{
    bool records = false; // --records: one RunEvent{devices} record on stdout
};

// Parses the arguments after "train" / "devices". Errors are usage errors (exit code 2).
base::Result<TrainArgs> parseTrainArgs(const std::vector<std::string> &args);
base::Result<DevicesArgs> parseDevicesArgs(const std::vector<std::string> &args);

// The full --help text: usage, subcommands, flags, files a run leaves, exit codes.
std::string usageText();

// Dispatches argv to a subcommand and returns the process exit code. Catches every exception.
int runWorker(int argc, char **argv);

} // namespace tl::runners
