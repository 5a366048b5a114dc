#include "runners/lr_schedule.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace tl;
using runners::learningRateFactor;

namespace {

proto::LrSchedule schedule(proto::LrScheduleKind kind)
{
    proto::LrSchedule result;
    result.set_kind(kind);
    return result;
}

// The checkSchedule error's context, or "" when the schedule passes.
std::string failingField(const proto::LrSchedule &schedule, std::int64_t totalSteps = 100)
{
    auto status = runners::checkSchedule(schedule, totalSteps);
    return status.ok() ? std::string() : status.error().context;
}

} // namespace

TEST_CASE("A constant schedule keeps the factor at 1", "[runners][lr_schedule]")
{
    const auto constant = runners::effectiveSchedule({}, 10, 100);
    for (std::int64_t step : {1, 50, 100, 1000}) {
        CHECK(learningRateFactor(constant, step, 100) == 1.0);
    }
    CHECK(runners::describeSchedule(constant) == "constant");
}

TEST_CASE("A step schedule multiplies by gamma every step_size steps", "[runners][lr_schedule]")
{
    auto step = schedule(proto::LR_SCHEDULE_STEP);
    step.set_gamma(0.5);
    step.set_step_size(10);
    // StepLR: gamma^floor(k / 10) with k = step - 1 steps already taken.
    CHECK(learningRateFactor(step, 1, 100) == 1.0);
    CHECK(learningRateFactor(step, 10, 100) == 1.0);  // k = 9
    CHECK(learningRateFactor(step, 11, 100) == 0.5);  // k = 10
    CHECK(learningRateFactor(step, 20, 100) == 0.5);  // k = 19
    CHECK(learningRateFactor(step, 21, 100) == 0.25); // k = 20
    CHECK(runners::describeSchedule(step) == "step x0.5 every 10 steps");
}

TEST_CASE("A multi-step schedule decays once the steps taken reach each milestone",
          "[runners][lr_schedule]")
{
    auto multi = schedule(proto::LR_SCHEDULE_MULTI_STEP);
    multi.set_gamma(0.1);
    multi.add_milestones(30);
    multi.add_milestones(10);
    multi = runners::effectiveSchedule(multi, 5, 100);
    REQUIRE(multi.milestones_size() == 2);
    CHECK(multi.milestones(0) == 10); // sorted
    // MultiStepLR: gamma^(milestones m <= k), k = step - 1.
    CHECK(learningRateFactor(multi, 1, 100) == 1.0);
    CHECK(learningRateFactor(multi, 10, 100) == 1.0);                        // k = 9
    CHECK(learningRateFactor(multi, 11, 100) == Approx(0.1).epsilon(1e-12)); // k = 10
    CHECK(learningRateFactor(multi, 30, 100) == Approx(0.1).epsilon(1e-12)); // k = 29
    CHECK(learningRateFactor(multi, 31, 100) == Approx(0.01).epsilon(1e-12));
    CHECK(runners::describeSchedule(multi) == "multi-step x0.1 after steps 10, 30");
}

TEST_CASE("A cosine schedule falls from 1 to min_factor over the run", "[runners][lr_schedule]")
{
    auto cosine = schedule(proto::LR_SCHEDULE_COSINE);
    cosine.set_min_factor(0.1);
    // 0.1 + 0.9 * (1 + cos(pi k / 100)) / 2
    CHECK(learningRateFactor(cosine, 1, 100) == Approx(1.0).epsilon(1e-12));
    CHECK(learningRateFactor(cosine, 26, 100) == Approx(0.8681980515339464).epsilon(1e-12));
    CHECK(learningRateFactor(cosine, 51, 100) == Approx(0.55).epsilon(1e-12));
    CHECK(learningRateFactor(cosine, 101, 100) == Approx(0.1).epsilon(1e-12));
    CHECK(learningRateFactor(cosine, 500, 100) == Approx(0.1).epsilon(1e-12)); // past the run
    CHECK(runners::describeSchedule(cosine) == "cosine to 0.1");
}

TEST_CASE("A warm-up cosine schedule rises linearly then follows the cosine",
          "[runners][lr_schedule]")
{
    auto warmup = schedule(proto::LR_SCHEDULE_WARMUP_COSINE);
    warmup.set_warmup_steps(10);
    // k < 10: (k + 1) / 10; then (1 + cos(pi (k - 10) / 100)) / 2 for a run of 110 steps.
    CHECK(learningRateFactor(warmup, 1, 110) == Approx(0.1).epsilon(1e-12));
    CHECK(learningRateFactor(warmup, 5, 110) == Approx(0.5).epsilon(1e-12));
    CHECK(learningRateFactor(warmup, 10, 110) == Approx(1.0).epsilon(1e-12));
    CHECK(learningRateFactor(warmup, 11, 110) == Approx(1.0).epsilon(1e-12));
    CHECK(learningRateFactor(warmup, 61, 110) == Approx(0.5).epsilon(1e-12));
    // k = 109: (1 + cos(0.99 pi)) / 2
    CHECK(learningRateFactor(warmup, 110, 110) == Approx(0.0002467198171342).epsilon(1e-9));
    CHECK(runners::describeSchedule(warmup) == "linear warm-up over 10 steps, then cosine to 0");
}

TEST_CASE("A one-cycle schedule follows OneCycleLR's two cosine phases", "[runners][lr_schedule]")
{
    // OneCycleLR(max_lr=1, total_steps=100, pct_start=0.3, div_factor=25,
    // final_div_factor=1e4): initial 1/25 = 0.04, min 0.04/1e4 = 4e-6; phase 1 ends at
    // step_num 0.3*100 - 1 = 29, phase 2 at 99; anneal(s, e, pct) = e + (s - e)/2 (cos(pi pct) +
    // 1).
    const auto oneCycle =
        runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_ONE_CYCLE), 10, 100);
    CHECK(learningRateFactor(oneCycle, 1, 100) == Approx(0.04).epsilon(1e-12));
    // k = 14: anneal(0.04, 1, 14/29)
    CHECK(learningRateFactor(oneCycle, 15, 100) == Approx(0.49401332387899954).epsilon(1e-12));
    CHECK(learningRateFactor(oneCycle, 30, 100) == Approx(1.0).epsilon(1e-12));
    // k = 64: anneal(1, 4e-6, (64 - 29) / (99 - 29) = 0.5) = 0.500002
    CHECK(learningRateFactor(oneCycle, 65, 100) == Approx(0.500002).epsilon(1e-12));
    CHECK(learningRateFactor(oneCycle, 100, 100) == Approx(4e-6).epsilon(1e-9));
    CHECK(learningRateFactor(oneCycle, 101, 100) == Approx(4e-6).epsilon(1e-9)); // stays there
    CHECK(runners::describeSchedule(oneCycle)
          == "one-cycle: up from peak/25 over 30% of the run, then down to peak/250000");
}

TEST_CASE("A one-cycle phase may end between two steps, as in PyTorch", "[runners][lr_schedule]")
{
    auto oneCycle = schedule(proto::LR_SCHEDULE_ONE_CYCLE);
    oneCycle.set_pct_start(0.25);
    oneCycle = runners::effectiveSchedule(oneCycle, 10, 10);
    // T = 10: phase 1 ends at step_num 0.25*10 - 1 = 1.5, phase 2 at 9.
    // k = 1: anneal(0.04, 1, 1/1.5) = 0.76; k = 2: anneal(1, 4e-6, 0.5/7.5).
    CHECK(learningRateFactor(oneCycle, 2, 10) == Approx(0.76).epsilon(1e-12));
    CHECK(learningRateFactor(oneCycle, 3, 10) == Approx(0.9890738440717014).epsilon(1e-12));
}

TEST_CASE("The effective schedule fills in the defaults of its kind", "[runners][lr_schedule]")
{
    const auto step = runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_STEP), 938, 9380);
    CHECK(step.gamma() == 0.1);
    CHECK(step.step_size() == 938);

    auto explicitStep = schedule(proto::LR_SCHEDULE_STEP);
    explicitStep.set_gamma(0.5);
    explicitStep.set_step_size(7);
    CHECK(runners::effectiveSchedule(explicitStep, 938, 9380).gamma() == 0.5);
    CHECK(runners::effectiveSchedule(explicitStep, 938, 9380).step_size() == 7);

    CHECK(runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_MULTI_STEP), 1, 10).gamma()
          == 0.1);
    const auto warmupKind = schedule(proto::LR_SCHEDULE_WARMUP_COSINE);
    CHECK(runners::effectiveSchedule(warmupKind, 10, 1000).warmup_steps() == 50); // 5%
    CHECK(runners::effectiveSchedule(warmupKind, 10, 10).warmup_steps() == 1);    // at least 1

    const auto oneCycle = runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_ONE_CYCLE), 1, 10);
    CHECK(oneCycle.pct_start() == 0.3);
    CHECK(oneCycle.div_factor() == 25);
    CHECK(oneCycle.final_div_factor() == 1e4);

    // Fields of other kinds stay unset: a cosine schedule has no gamma.
    CHECK(runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_COSINE), 1, 10).gamma() == 0);
}

TEST_CASE("Schedule numbers out of range are errors naming the field", "[runners][lr_schedule]")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();

    auto step = schedule(proto::LR_SCHEDULE_STEP);
    CHECK(failingField(step).empty()); // gamma 0: the default
    step.set_gamma(-0.5);
    CHECK(failingField(step) == "train.schedule.gamma");
    auto error = runners::checkSchedule(step, 100);
    REQUIRE_FALSE(error.ok());
    CHECK(error.error().code == base::ErrorCode::InvalidInput);
    CHECK_THAT(error.error().message, Catch::Contains("schedule.gamma")
                                          && Catch::Contains("above 0") && Catch::Contains("-0.5"));
    step.set_gamma(nan);
    CHECK(failingField(step) == "train.schedule.gamma");

    auto cosine = schedule(proto::LR_SCHEDULE_COSINE);
    cosine.set_min_factor(1.5);
    CHECK(failingField(cosine) == "train.schedule.min_factor");
    cosine.set_min_factor(nan);
    CHECK(failingField(cosine) == "train.schedule.min_factor");
    cosine.set_min_factor(1);
    CHECK(failingField(cosine).empty());

    auto warmup = schedule(proto::LR_SCHEDULE_WARMUP_COSINE);
    warmup.set_warmup_steps(100);
    CHECK(failingField(warmup, 100) == "train.schedule.warmup_steps");
    CHECK(failingField(warmup, 101).empty());
    CHECK(failingField(runners::effectiveSchedule(schedule(proto::LR_SCHEDULE_WARMUP_COSINE), 1, 1),
                       1)
              .empty()); // a one-step run warms up over its one step
}

TEST_CASE("One-cycle numbers out of range are errors naming the field", "[runners][lr_schedule]")
{
    auto oneCycle = schedule(proto::LR_SCHEDULE_ONE_CYCLE);
    CHECK(failingField(oneCycle).empty()); // zeros: the defaults
    oneCycle.set_pct_start(1);
    CHECK(failingField(oneCycle) == "train.schedule.pct_start");
    oneCycle.set_pct_start(-0.1);
    CHECK(failingField(oneCycle) == "train.schedule.pct_start");
    oneCycle.set_pct_start(0.5);
    oneCycle.set_div_factor(0.5);
    CHECK(failingField(oneCycle) == "train.schedule.div_factor");
    oneCycle.set_div_factor(10);
    oneCycle.set_final_div_factor(std::numeric_limits<double>::infinity());
    CHECK(failingField(oneCycle) == "train.schedule.final_div_factor");
    oneCycle.set_final_div_factor(100);
    CHECK(failingField(oneCycle).empty());

    proto::LrSchedule unknown;
    unknown.set_kind(static_cast<proto::LrScheduleKind>(99));
    CHECK(failingField(unknown) == "train.schedule.kind");
    CHECK(learningRateFactor(unknown, 5, 10) == 1.0);
}
