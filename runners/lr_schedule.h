#pragma once
// Learning-rate schedules (proto::LrSchedule) as pure functions of the optimizer step, the
// formulas of torch.optim.lr_scheduler stepped once per optimizer step. ONE_CYCLE moves the rate
// only: unlike OneCycleLR's default, momentum (and Adam's beta1) is not cycled. Torch-free; any
// thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <string>

namespace tl::runners {

// The schedule with the defaults of the proto comments applied: gamma 0 -> 0.1, step_size
// 0 -> stepsPerEpoch, warmup_steps 0 -> 5% of totalSteps (at least 1), pct_start 0 -> 0.3,
// div_factor 0 -> 25, final_div_factor 0 -> 1e4; milestones sorted. Only the fields of the
// schedule's kind are filled in.
proto::LrSchedule effectiveSchedule(const proto::LrSchedule &schedule,
                                    std::int64_t stepsPerEpoch,
                                    std::int64_t totalSteps);

// Checks the schedule's numbers (finite, in range: gamma > 0, min_factor in [0, 1], pct_start
// in (0, 1), factors >= 1, warmup below totalSteps). Errors name the field
// ("train.schedule.gamma") and what was expected. Only the fields of the schedule's kind are
// checked, and 0 (the default) passes, so the schedule may be checked before or after
// effectiveSchedule().
base::Status checkSchedule(const proto::LrSchedule &schedule, std::int64_t totalSteps);

// The factor on TrainConfig.learning_rate for optimizer step `step` (1-based: the step about to
// be taken) of a run of totalSteps steps, for an effective schedule. COSINE is
// CosineAnnealingLR with T_max = totalSteps, so min_factor is reached one step after the last.
double
learningRateFactor(const proto::LrSchedule &schedule, std::int64_t step, std::int64_t totalSteps);

// "cosine to 0", "step x0.1 every 938 steps": for the log.
std::string describeSchedule(const proto::LrSchedule &schedule);

} // namespace tl::runners
