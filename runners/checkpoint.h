#pragma once
// Checkpoint files: model parameters and buffers, optimizer state and where training stood (step,
// epoch, position in the epoch, random generator states, the loop's running sums), in libtorch's
// serialize archives under DIR/checkpoints/. Enough to continue a run so that it takes the same
// steps with the same losses (on the CPU) as if it had never stopped. Written to a temporary
// name and renamed, so a reader never sees half a checkpoint. Private to runners/ (includes
// libtorch).

#include "base/result.h"

#include <torch/nn/module.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace tl::runners {

class Optimizer;

// Where in training a checkpoint was taken, and what the loop needs to continue from there.
struct TrainingState
{
    std::uint32_t epoch = 0;       // epochs completed
    std::int64_t step = 0;         // optimizer steps taken
    std::int64_t stepInEpoch = 0;  // optimizer steps into the unfinished epoch (0 at a boundary)
    torch::Tensor epochGenerator;  // CPU generator state before the unfinished epoch's shuffle
    torch::Tensor cpuGenerator;    // CPU generator state now (dropout on the CPU)
    torch::Tensor deviceGenerator; // CUDA generator state now; undefined on the CPU
    std::map<std::string, double> sums; // the loop's running sums and counters, by name
};

// Writes `file` through a temporary name (`write` fills FILE.partial, throwing on failure) and a
// rename, so a reader never sees half of it; `what` names it in the error ("checkpoint", "model
// file"). Creates the parent folder.
base::Status saveAtomically(const std::filesystem::path &file,
                            const std::string &what,
                            const std::function<void(const std::filesystem::path &partial)> &write);

// An archive written with saveAtomically.
base::Status saveArchive(torch::serialize::OutputArchive &archive,
                         const std::filesystem::path &file,
                         const std::string &what);

// Saves module (under "model"), optimizer (under "optimizer", when given) and state to `file`.
base::Status saveCheckpoint(const std::filesystem::path &file,
                            const torch::nn::Module &module,
                            const Optimizer *optimizer,
                            const TrainingState &state);

// Loads a checkpoint written by saveCheckpoint into a module of the same graph (and optimizer
// of the same kind, when given). Errors name the file and what did not fit.
base::Result<TrainingState>
loadCheckpoint(const std::filesystem::path &file, torch::nn::Module &module, Optimizer *optimizer);

} // namespace tl::runners
