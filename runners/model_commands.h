#pragma once
// The worker's model-file subcommands (docs/worker.md):
//   eval --model FILE --input X.npy --output Y.npy [--device D]
//   inspect-model FILE [--view OUT.pb]
//   export-onnx --spec SPEC --output OUT.onnx [--checkpoint CKPT.pt]
// Parsing is torch-free; the run functions return the process exit code and print one clear
// message on stderr on failure. Main thread of the worker.

#include "base/result.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::runners {

struct EvalArgs
{
    std::filesystem::path model;
    std::filesystem::path input;
    std::filesystem::path output;
    std::string device = "cpu";
};

struct InspectModelArgs
{
    std::filesystem::path model;
    std::filesystem::path view; // --view: the ViewGraph as binary protobuf; empty = none
};

struct ExportOnnxArgs
{
    std::filesystem::path spec;
    std::filesystem::path output;
    std::filesystem::path checkpoint; // empty: freshly initialised weights (seeded)
};

base::Result<EvalArgs> parseEvalArgs(const std::vector<std::string> &args);
base::Result<InspectModelArgs> parseInspectModelArgs(const std::vector<std::string> &args);
base::Result<ExportOnnxArgs> parseExportOnnxArgs(const std::vector<std::string> &args);

int runEval(const EvalArgs &args);
int runInspectModel(const InspectModelArgs &args);
int runExportOnnx(const ExportOnnxArgs &args);

} // namespace tl::runners
