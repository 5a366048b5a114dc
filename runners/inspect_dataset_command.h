#pragma once
// `torchlight-worker inspect-dataset PATH... [flags]`: recognises and loads a dataset with the
// same loaders the GUI and training use, and prints its summary as one JSON object on stdout
// (datasets::toJson). Torch-free; runs on the main thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tl::runners {

struct InspectArgs
{
    std::vector<std::filesystem::path> paths;
    // Options applied over what the recogniser chose (flags as in usageText()).
    proto::DatasetSpec overrides;
};

// Parses the arguments after "inspect-dataset". Errors are usage errors (exit code 2).
base::Result<InspectArgs> parseInspectArgs(const std::vector<std::string> &args);

// Runs the command; returns the exit code (0, or InvalidInput's with the error on stderr).
int runInspectDataset(const InspectArgs &args);

// The flags' part of --help.
std::string inspectUsage();

} // namespace tl::runners
