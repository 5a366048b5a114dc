#include "runners/metric_goal.h"

#include <cmath>

namespace tl::runners {
namespace {

const char *const kDefaultMetric = "val/loss";

// "val/loss" -> {"val", "loss"}; empty parts when the text has no single '/'.
std::pair<std::string, std::string> splitMetric(const std::string &metric)
{
    const std::size_t slash = metric.find('/');
    if (slash == std::string::npos || metric.find('/', slash + 1) != std::string::npos) {
        return {};
    }
    return {metric.substr(0, slash), metric.substr(slash + 1)};
}

} // namespace

MetricGoal::MetricGoal(const proto::MetricGoal &goal, bool hasValidation)
    : m_patience(goal.patience())
    , m_minDelta(goal.min_delta())
{
    auto [split, value] = splitMetric(goal.metric().empty() ? kDefaultMetric : goal.metric());
    if (split == "val" && !hasValidation) {
        split = "test";
    }
    m_split = split;
    m_value = value;
    m_metric = split + "/" + value;
    m_maximize = value == "accuracy" || value == "top5" || goal.maximize();
}

base::Status MetricGoal::check(const proto::MetricGoal &goal)
{
    if (!goal.metric().empty()) {
        const auto [split, value] = splitMetric(goal.metric());
        const bool knownSplit = split == "val" || split == "test";
        const bool knownValue = value == "loss" || value == "accuracy" || value == "top5";
        if (!knownSplit || !knownValue) {
            return base::makeError(base::ErrorCode::InvalidInput,
                                   "The goal metric '" + goal.metric()
                                       + "' is not one an evaluation reports: use val/ or test/ "
                                         "followed by loss, accuracy or top5.",
                                   "train.goal.metric");
        }
    }
    if (!std::isfinite(goal.min_delta()) || goal.min_delta() < 0) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The goal's min_delta must be a finite number, 0 or more.",
                               "train.goal.min_delta");
    }
    return base::okStatus();
}

std::optional<double> MetricGoal::valueOf(const proto::EvaluationEvent &evaluation) const
{
    if (evaluation.split() != m_split) {
        return std::nullopt;
    }
    if (m_value == "loss") {
        return evaluation.loss();
    }
    if (evaluation.confusion().empty()) {
        return std::nullopt; // a regression: no accuracy
    }
    if (m_value == "accuracy") {
        return evaluation.accuracy();
    }
    if (evaluation.class_names_size() <= 5) {
        return std::nullopt;
    }
    return evaluation.top5();
}

bool MetricGoal::record(double value, std::int64_t step)
{
    const bool better =
        !m_best || (m_maximize ? value > *m_best + m_minDelta : value < *m_best - m_minDelta);
    if (better) {
        m_best = value;
        m_bestStep = step;
        m_sinceBest = 0;
    } else {
        ++m_sinceBest;
    }
    return better;
}

bool MetricGoal::shouldStop() const
{
    return m_patience > 0 && m_sinceBest >= m_patience;
}

void MetricGoal::saveTo(std::map<std::string, double> &sums) const
{
    if (m_best) {
        sums["goal/best"] = *m_best;
    }
    sums["goal/best_step"] = static_cast<double>(m_bestStep);
    sums["goal/since_best"] = m_sinceBest;
}

void MetricGoal::restoreFrom(const std::map<std::string, double> &sums)
{
    if (const auto best = sums.find("goal/best"); best != sums.end()) {
        m_best = best->second;
    }
    if (const auto step = sums.find("goal/best_step"); step != sums.end()) {
        m_bestStep = static_cast<std::int64_t>(step->second);
    }
    if (const auto since = sums.find("goal/since_best"); since != sums.end()) {
        m_sinceBest = static_cast<std::uint32_t>(since->second);
    }
}

} // namespace tl::runners
