#pragma once
// The losses of TrainConfig (cross-entropy with label smoothing, BCE-with-logits, MSE, L1, NLL)
// over a model's output and the dataset's class labels, and the check that a loss fits them.
// Capture-safe: nothing is read back to the host. Private to runners/ (includes libtorch).

#include "proto/torchlight.pb.h"
#include "runners/loss_check.h"

#include <torch/types.h>

#include <cstdint>

namespace tl::runners {

// The loss of a batch: output [N, ...outputShape] (any floating type; computed in float32),
// labels int64 [N] on the same device. `sum` gives the sum over the batch instead of the mean
// (evaluation adds batches up).
torch::Tensor computeLoss(const proto::TrainConfig &config,
                          TargetKind target,
                          const torch::Tensor &output,
                          const torch::Tensor &labels,
                          bool sum = false);

// The predicted class of each sample [N] (int64) for ClassIndex and BinaryLogit targets.
torch::Tensor predictClasses(TargetKind target, const torch::Tensor &output);

} // namespace tl::runners
