#include "runners/lr_schedule.h"

#include "runners/number_text.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tl::runners {
namespace {

using base::ErrorCode;

constexpr double kDefaultGamma = 0.1;
constexpr double kDefaultPctStart = 0.3;
constexpr double kDefaultDivFactor = 25;
constexpr double kDefaultFinalDivFactor = 1e4;
// WARMUP_COSINE's default warm-up: 5% of the run.
constexpr std::int64_t kWarmupShareDivisor = 20;

double orDefault(double value, double fallback)
{
    return value == 0 ? fallback : value;
}

base::Error scheduleError(const std::string &field, const std::string &expected, double value)
{
    return base::makeError(ErrorCode::InvalidInput,
                           "The train config's schedule." + field + " must be " + expected
                               + "; it is " + shortNumber(value) + ".",
                           "train.schedule." + field);
}

// From `start` at pct 0 to `end` at pct 1 along half a cosine (OneCycleLR's _annealing_cos).
double cosineAnneal(double start, double end, double pct)
{
    return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
}

// CosineAnnealingLR's closed form; past the run the rate stays at minFactor.
double cosineFactor(double minFactor, double done, double span)
{
    const double pct = span > 0 ? std::min(1.0, done / span) : 1.0;
    return cosineAnneal(1.0, minFactor, pct);
}

// How far `step` is from `start` towards `end`; a phase of no length is already over (PyTorch
// divides by zero there).
double phaseProgress(double step, double start, double end)
{
    return end == start ? 1.0 : (step - start) / (end - start);
}

// OneCycleLR.get_lr with three_phase=False and anneal_strategy='cos', over the peak rate: phase
// one rises from 1/div_factor to 1 until step pct_start*T - 1, phase two falls to
// 1/div_factor/final_div_factor at step T - 1 (PyTorch refuses steps past it; they stay there).
double oneCycleFactor(const proto::LrSchedule &schedule, std::int64_t k, std::int64_t total)
{
    const double initial = 1.0 / schedule.div_factor();
    const double minimum = initial / schedule.final_div_factor();
    const double step = static_cast<double>(std::min(k, total - 1));
    const double risingEnd = schedule.pct_start() * static_cast<double>(total) - 1;
    const double fallingEnd = static_cast<double>(total - 1);
    if (step <= risingEnd) {
        return cosineAnneal(initial, 1.0, phaseProgress(step, 0, risingEnd));
    }
    return cosineAnneal(1.0, minimum, phaseProgress(step, risingEnd, fallingEnd));
}

double warmupCosineFactor(const proto::LrSchedule &schedule, std::int64_t k, std::int64_t total)
{
    const auto warmup =
        static_cast<std::int64_t>(std::max<std::uint64_t>(1, schedule.warmup_steps()));
    if (k < warmup) {
        return static_cast<double>(k + 1) / static_cast<double>(warmup);
    }
    return cosineFactor(schedule.min_factor(), static_cast<double>(k - warmup),
                        static_cast<double>(total - warmup));
}

double multiStepFactor(const proto::LrSchedule &schedule, std::int64_t k)
{
    const auto reached =
        std::count_if(schedule.milestones().begin(), schedule.milestones().end(),
                      [k](std::uint64_t m) { return m <= static_cast<std::uint64_t>(k); });
    return std::pow(schedule.gamma(), static_cast<double>(reached));
}

bool isFiniteAtLeast(double value, double minimum)
{
    return std::isfinite(value) && value >= minimum;
}

base::Status checkGamma(const proto::LrSchedule &schedule)
{
    if (!isFiniteAtLeast(schedule.gamma(), 0)) {
        return scheduleError("gamma", "a finite number above 0 (0: the default 0.1)",
                             schedule.gamma());
    }
    return base::okStatus();
}

base::Status checkCosine(const proto::LrSchedule &schedule, std::int64_t totalSteps)
{
    if (!isFiniteAtLeast(schedule.min_factor(), 0) || schedule.min_factor() > 1) {
        return scheduleError("min_factor", "between 0 and 1", schedule.min_factor());
    }
    // A one-step run has nothing to warm up from; its default warm-up of one step is fine.
    if (schedule.kind() == proto::LR_SCHEDULE_WARMUP_COSINE && totalSteps > 1
        && schedule.warmup_steps() >= static_cast<std::uint64_t>(totalSteps)) {
        return scheduleError("warmup_steps",
                             "below the run's " + std::to_string(totalSteps)
                                 + " steps (0: 5% of them)",
                             static_cast<double>(schedule.warmup_steps()));
    }
    return base::okStatus();
}

base::Status checkOneCycle(const proto::LrSchedule &schedule)
{
    if (!isFiniteAtLeast(schedule.pct_start(), 0) || schedule.pct_start() >= 1) {
        return scheduleError("pct_start", "above 0 and below 1 (0: the default 0.3)",
                             schedule.pct_start());
    }
    if (!std::isfinite(schedule.div_factor())
        || (schedule.div_factor() != 0 && schedule.div_factor() < 1)) {
        return scheduleError("div_factor", "at least 1 (0: the default 25)", schedule.div_factor());
    }
    if (!std::isfinite(schedule.final_div_factor())
        || (schedule.final_div_factor() != 0 && schedule.final_div_factor() < 1)) {
        return scheduleError("final_div_factor", "at least 1 (0: the default 10000)",
                             schedule.final_div_factor());
    }
    return base::okStatus();
}

std::string milestonesText(const proto::LrSchedule &schedule)
{
    std::string text;
    for (std::uint64_t milestone : schedule.milestones()) {
        text += (text.empty() ? "" : ", ") + std::to_string(milestone);
    }
    return text.empty() ? "no steps" : "steps " + text;
}

} // namespace

proto::LrSchedule effectiveSchedule(const proto::LrSchedule &schedule,
                                    std::int64_t stepsPerEpoch,
                                    std::int64_t totalSteps)
{
    proto::LrSchedule effective = schedule;
    switch (schedule.kind()) {
    case proto::LR_SCHEDULE_STEP:
        effective.set_gamma(orDefault(schedule.gamma(), kDefaultGamma));
        if (schedule.step_size() == 0) {
            effective.set_step_size(
                static_cast<std::uint64_t>(std::max<std::int64_t>(1, stepsPerEpoch)));
        }
        break;
    case proto::LR_SCHEDULE_MULTI_STEP:
        effective.set_gamma(orDefault(schedule.gamma(), kDefaultGamma));
        std::sort(effective.mutable_milestones()->begin(), effective.mutable_milestones()->end());
        break;
    case proto::LR_SCHEDULE_WARMUP_COSINE:
        if (schedule.warmup_steps() == 0) {
            effective.set_warmup_steps(static_cast<std::uint64_t>(
                std::max<std::int64_t>(1, totalSteps / kWarmupShareDivisor)));
        }
        break;
    case proto::LR_SCHEDULE_ONE_CYCLE:
        effective.set_pct_start(orDefault(schedule.pct_start(), kDefaultPctStart));
        effective.set_div_factor(orDefault(schedule.div_factor(), kDefaultDivFactor));
        effective.set_final_div_factor(
            orDefault(schedule.final_div_factor(), kDefaultFinalDivFactor));
        break;
    default:
        break;
    }
    return effective;
}

base::Status checkSchedule(const proto::LrSchedule &schedule, std::int64_t totalSteps)
{
    switch (schedule.kind()) {
    case proto::LR_SCHEDULE_CONSTANT:
        return base::okStatus();
    case proto::LR_SCHEDULE_STEP:
    case proto::LR_SCHEDULE_MULTI_STEP:
        return checkGamma(schedule);
    case proto::LR_SCHEDULE_COSINE:
    case proto::LR_SCHEDULE_WARMUP_COSINE:
        return checkCosine(schedule, totalSteps);
    case proto::LR_SCHEDULE_ONE_CYCLE:
        return checkOneCycle(schedule);
    default:
        return base::makeError(ErrorCode::InvalidInput,
                               "The schedule kind " + std::to_string(schedule.kind())
                                   + " is not one this worker knows; update the worker.",
                               "train.schedule.kind");
    }
}

double
learningRateFactor(const proto::LrSchedule &schedule, std::int64_t step, std::int64_t totalSteps)
{
    const std::int64_t total = std::max<std::int64_t>(1, totalSteps);
    const std::int64_t k = std::max<std::int64_t>(0, step - 1); // steps already taken
    switch (schedule.kind()) {
    case proto::LR_SCHEDULE_STEP: {
        const auto size =
            static_cast<std::int64_t>(std::max<std::uint64_t>(1, schedule.step_size()));
        const std::int64_t decays = k / size; // whole periods only, as StepLR
        return std::pow(schedule.gamma(), static_cast<double>(decays));
    }
    case proto::LR_SCHEDULE_MULTI_STEP:
        return multiStepFactor(schedule, k);
    case proto::LR_SCHEDULE_COSINE:
        return cosineFactor(schedule.min_factor(), static_cast<double>(k),
                            static_cast<double>(total));
    case proto::LR_SCHEDULE_WARMUP_COSINE:
        return warmupCosineFactor(schedule, k, total);
    case proto::LR_SCHEDULE_ONE_CYCLE:
        return oneCycleFactor(schedule, k, total);
    default:
        return 1.0;
    }
}

std::string describeSchedule(const proto::LrSchedule &schedule)
{
    switch (schedule.kind()) {
    case proto::LR_SCHEDULE_STEP:
        return "step x" + shortNumber(schedule.gamma()) + " every "
               + std::to_string(schedule.step_size()) + " steps";
    case proto::LR_SCHEDULE_MULTI_STEP:
        return "multi-step x" + shortNumber(schedule.gamma()) + " after "
               + milestonesText(schedule);
    case proto::LR_SCHEDULE_COSINE:
        return "cosine to " + shortNumber(schedule.min_factor());
    case proto::LR_SCHEDULE_WARMUP_COSINE:
        return "linear warm-up over " + std::to_string(schedule.warmup_steps())
               + " steps, then cosine to " + shortNumber(schedule.min_factor());
    case proto::LR_SCHEDULE_ONE_CYCLE:
        return "one-cycle: up from peak/" + shortNumber(schedule.div_factor()) + " over "
               + shortNumber(schedule.pct_start() * 100) + "% of the run, then down to peak/"
               + shortNumber(schedule.div_factor() * schedule.final_div_factor());
    default:
        return "constant";
    }
}

} // namespace tl::runners
