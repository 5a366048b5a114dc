#pragma once
// The metric a run watches (TrainConfig.goal): which evaluation value it is, whether higher is
// better, the best value so far (for checkpoints/best.pt) and early stopping's patience.
// Torch-free; the training thread only.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tl::runners {

class MetricGoal
{
public:
    // `hasValidation`: whether the dataset holds a validation split. Without one, a "val/..."
    // metric watches the matching "test/..." value (the split evaluated during training).
    MetricGoal(const proto::MetricGoal &goal, bool hasValidation);

    // Checks the goal's fields: a metric "<val|test>/<loss|accuracy|top5>", a finite min_delta of
    // 0 or more. Errors name the field ("train.goal.metric").
    static base::Status check(const proto::MetricGoal &goal);

    const std::string &metric() const { return m_metric; } // as watched: "val/loss"
    const std::string &split() const { return m_split; }   // "val" or "test"
    bool maximize() const { return m_maximize; }
    std::uint32_t patience() const { return m_patience; }

    // The watched value of an evaluation of split(), or nullopt when the event lacks it (top-5
    // with 5 classes or fewer, accuracy of a regression).
    std::optional<double> valueOf(const proto::EvaluationEvent &evaluation) const;

    // Records an evaluation's value; returns whether it is a new best (by more than min_delta).
    bool record(double value, std::int64_t step);
    // Patience is set and that many evaluations passed without a new best.
    bool shouldStop() const;

    std::optional<double> best() const { return m_best; }
    std::int64_t bestStep() const { return m_bestStep; }
    std::uint32_t sinceBest() const { return m_sinceBest; }

    // The tracker's state for checkpoints, and back.
    void saveTo(std::map<std::string, double> &sums) const;
    void restoreFrom(const std::map<std::string, double> &sums);

private:
    std::string m_metric;
    std::string m_split;
    std::string m_value; // "loss", "accuracy", "top5"
    bool m_maximize = false;
    std::uint32_t m_patience = 0;
    double m_minDelta = 0;
    std::optional<double> m_best;
    std::int64_t m_bestStep = 0;
    std::uint32_t m_sinceBest = 0;
};

} // namespace tl::runners
