#pragma once
// Metrics of one evaluation pass, accumulated on the device batch by batch without reading
// anything back (loss sum, right predictions, top-5 hits, the confusion matrix), then read once
// into an EvaluationEvent. Private to runners/ (includes libtorch); one thread.

#include "proto/torchlight.pb.h"
#include "runners/losses.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl::runners {

class EvaluationMetrics
{
public:
    // `classes` is the dataset's class count (the confusion matrix is classes x classes).
    EvaluationMetrics(TargetKind target, std::int64_t classes, const torch::Device &device);

    // One batch: the model's output, the labels and the batch's summed loss (computeLoss(...,
    // sum = true)), all on the device.
    void
    add(const torch::Tensor &output, const torch::Tensor &labels, const torch::Tensor &lossSum);

    // Reads the totals back (one synchronisation) into an event. classNames may be empty or
    // shorter than the class count: missing names become "0", "1", ... Accuracy, top-5 (more
    // than 5 classes), class accuracy and the confusion matrix are filled for classification
    // targets only; class_accuracy is NaN for a class the split does not hold.
    proto::EvaluationEvent finish(const std::string &split,
                                  std::int64_t step,
                                  std::uint32_t epoch,
                                  const std::vector<std::string> &classNames) const;

private:
    TargetKind m_target;
    std::int64_t m_classes;
    torch::Tensor m_lossSum;   // float64 scalar
    torch::Tensor m_correct;   // int64 scalar
    torch::Tensor m_top5;      // int64 scalar
    torch::Tensor m_confusion; // int64 [classes * classes], row = true class
    torch::Tensor m_samples;   // int64 scalar
};

} // namespace tl::runners
