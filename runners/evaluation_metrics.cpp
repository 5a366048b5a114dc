#include "runners/evaluation_metrics.h"

#include <algorithm>
#include <limits>

namespace tl::runners {
namespace {

constexpr std::int64_t kTopK = 5;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Positions of the totals in the one float64 tensor finish() reads back; the confusion matrix
// follows them. float64 holds counts exactly up to 2^53, far beyond any split.
constexpr std::size_t kLossSlot = 0;
constexpr std::size_t kCorrectSlot = 1;
constexpr std::size_t kTop5Slot = 2;
constexpr std::size_t kSamplesSlot = 3;
constexpr std::size_t kSlotCount = 4;

double ratio(double part, double whole)
{
    return whole > 0 ? part / whole : kNaN;
}

} // namespace

EvaluationMetrics::EvaluationMetrics(TargetKind target,
                                     std::int64_t classes,
                                     const torch::Device &device)
    : m_target(target)
    , m_classes(std::max<std::int64_t>(classes, 0))
{
    const auto counts = torch::TensorOptions().dtype(torch::kInt64).device(device);
    m_lossSum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
    m_correct = torch::zeros({}, counts);
    m_top5 = torch::zeros({}, counts);
    m_samples = torch::zeros({}, counts);
    const std::int64_t cells = target == TargetKind::Regression ? 0 : m_classes * m_classes;
    m_confusion = torch::zeros({cells}, counts);
}

void EvaluationMetrics::add(const torch::Tensor &output,
                            const torch::Tensor &labels,
                            const torch::Tensor &lossSum)
{
    // Everything below queues device work only: no .item(), no bincount, no one_hot.
    m_lossSum.add_(lossSum.detach().to(torch::kFloat64));
    m_samples.add_(labels.size(0));
    if (m_target == TargetKind::Regression) {
        return;
    }
    const torch::Tensor scores = output.detach();
    const torch::Tensor predicted = predictClasses(m_target, scores);
    m_correct.add_(predicted.eq(labels).sum());
    if (m_target == TargetKind::ClassIndex && m_classes > kTopK) {
        const torch::Tensor top = std::get<1>(scores.topk(kTopK, 1));
        m_top5.add_(top.eq(labels.unsqueeze(1)).any(1).sum());
    }
    if (m_classes == 0) {
        return;
    }
    // A label outside the classes gets weight 0 at cell 0 instead of an out-of-range index,
    // which would be a device-side assert on CUDA.
    const torch::Tensor valid =
        labels.ge(0) & labels.lt(m_classes) & predicted.ge(0) & predicted.lt(m_classes);
    const torch::Tensor cell =
        torch::where(valid, labels * m_classes + predicted, torch::zeros_like(labels));
    m_confusion.index_add_(0, cell, valid.to(torch::kInt64));
}

proto::EvaluationEvent EvaluationMetrics::finish(const std::string &split,
                                                 std::int64_t step,
                                                 std::uint32_t epoch,
                                                 const std::vector<std::string> &classNames) const
{
    const torch::Tensor totals =
        torch::cat({m_lossSum.reshape({1}), m_correct.reshape({1}).to(torch::kFloat64),
                    m_top5.reshape({1}).to(torch::kFloat64),
                    m_samples.reshape({1}).to(torch::kFloat64), m_confusion.to(torch::kFloat64)})
            .cpu()
            .contiguous();
    const double *value = totals.data_ptr<double>();
    const double samples = value[kSamplesSlot];

    proto::EvaluationEvent event;
    event.set_split(split);
    event.set_step(step);
    event.set_epoch(epoch);
    event.set_samples(static_cast<std::uint64_t>(samples));
    event.set_loss(ratio(value[kLossSlot], samples));
    if (m_target == TargetKind::Regression) {
        return event;
    }
    event.set_accuracy(ratio(value[kCorrectSlot], samples));
    if (m_target == TargetKind::ClassIndex && m_classes > kTopK) {
        event.set_top5(ratio(value[kTop5Slot], samples));
    }
    const double *confusion = value + kSlotCount;
    for (std::int64_t row = 0; row < m_classes; ++row) {
        const auto index = static_cast<std::size_t>(row);
        event.add_class_names(index < classNames.size() ? classNames[index] : std::to_string(row));
        double rowTotal = 0;
        for (std::int64_t column = 0; column < m_classes; ++column) {
            const double count = confusion[row * m_classes + column];
            rowTotal += count;
            event.add_confusion(static_cast<std::uint64_t>(count));
        }
        event.add_class_accuracy(ratio(confusion[row * m_classes + row], rowTotal));
    }
    return event;
}

} // namespace tl::runners
