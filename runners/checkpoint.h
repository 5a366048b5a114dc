#pragma once
// Checkpoint files: model parameters and buffers plus optimizer state, in libtorch's serialize
// archives, under DIR/checkpoints/. Written to a temporary name and renamed, so a reader never
// sees half a checkpoint. Private to runners/ (includes libtorch).

#include "base/result.h"

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <filesystem>

namespace tl::runners {

// Where in training a checkpoint was taken.
struct CheckpointInfo
{
    std::uint32_t epoch = 0; // epochs completed
    std::int64_t step = 0;   // optimizer steps taken
};

// Saves module (under "model") and optimizer (under "optimizer", when given) to `file`.
base::Status saveCheckpoint(const std::filesystem::path &file,
                            const torch::nn::Module &module,
                            const torch::optim::Optimizer *optimizer,
                            CheckpointInfo info);

// Loads a checkpoint written by saveCheckpoint into a module of the same graph (and optimizer
// of the same kind, when given). Errors name the file.
base::Result<CheckpointInfo> loadCheckpoint(const std::filesystem::path &file,
                                            torch::nn::Module &module,
                                            torch::optim::Optimizer *optimizer);

} // namespace tl::runners
