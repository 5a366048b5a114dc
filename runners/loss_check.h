#pragma once
// Which losses fit a model's output and the dataset's labels: the torch-free half of
// runners/losses.h, for the experiment checks that run before libtorch is touched. Implemented in
// losses.cpp. Any thread.

#include "base/result.h"
#include "model/op_registry.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <string>

namespace tl::runners {

// How a loss reads the labels, which decides the metrics an evaluation reports.
enum class TargetKind {
    ClassIndex,  // output [N, classes]: argmax is the prediction (CE, NLL, BCE one-hot)
    BinaryLogit, // output [N, 1] or [N]: logit > 0 predicts class 1 (BCE with 2 classes)
    Regression,  // output [N, 1] or [N]: the label's value as a float (MSE, L1)
};

// Checks the loss against the per-sample output shape and the class count before training:
// MSE on a 10-way output with class labels, BCE on 3 classes with one output, NLL on a model
// whose output is not log-probabilities (lastOp != "LogSoftmax"), label smoothing outside
// [0, 1) or on another loss. Errors name the field ("train.loss") and say what would fit.
base::Result<TargetKind> checkLoss(const proto::TrainConfig &config,
                                   const model::Shape &outputShape,
                                   std::int64_t classes,
                                   const std::string &lastOp);

} // namespace tl::runners
