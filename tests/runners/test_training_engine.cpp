// The training engine of issue 7 end to end on small runs: resume, checkpoints, early stopping,
// evaluation, accumulation, clipping, control commands, bad configs; and, hidden ([.cuda]), the
// CUDA fast path against the plain loop.
#include "band_runs.h"
#include "proto/record_io.h"
#include "runners/checkpoint.h"
#include "runners/graph_module.h"

#include <catch2/catch.hpp>

#include <torch/cuda.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;
using namespace tl;
using namespace tl::testing;

namespace {

// train/loss by step, so runs that start at different steps can be compared.
std::map<std::int64_t, double> lossByStep(const RunRecord &run,
                                          const std::string &tag = "train/loss")
{
    std::map<std::int64_t, double> values;
    for (const proto::RunEvent &e : run.events) {
        if (e.has_scalar() && e.scalar().tag() == tag) {
            values[e.scalar().step()] = e.scalar().value();
        }
    }
    return values;
}

std::vector<proto::CheckpointEvent> checkpoints(const RunRecord &run)
{
    std::vector<proto::CheckpointEvent> out;
    for (const proto::RunEvent &e : run.events) {
        if (e.has_checkpoint()) {
            out.push_back(e.checkpoint());
        }
    }
    return out;
}

void writeCommands(const fs::path &runDir,
                   std::initializer_list<proto::ControlCommand::Action> actions)
{
    auto writer = proto::RecordWriter::openFile(runDir / "control.tlog");
    REQUIRE(writer.ok());
    for (proto::ControlCommand::Action action : actions) {
        proto::ControlCommand command;
        command.set_action(action);
        REQUIRE(writer.value().write(command.SerializeAsString()).ok());
    }
}

runners::DeviceRequest cudaDevice()
{
    runners::DeviceRequest cuda;
    cuda.kind = runners::DeviceRequest::Kind::Cuda;
    return cuda;
}

} // namespace

TEST_CASE("A run resumed from a mid-epoch checkpoint logs the same losses as one never stopped",
          "[runners]")
{
    const auto everySeven = [](proto::ExperimentSpec &spec) {
        spec.mutable_train()->set_checkpoint_every_steps(7);
        spec.mutable_train()->set_keep_checkpoints(10);
    };
    const RunRecord whole =
        trainBands("engine_whole", proto::OPTIMIZER_ADAM, {}, true, {}, everySeven);
    REQUIRE(fs::exists(whole.runDir / "checkpoints" / "step-14.pt"));
    const fs::path from = whole.runDir / "checkpoints" / "step-14.pt"; // epoch 2, step 4 of 10
    const RunRecord resumed = trainBands(
        "engine_resumed", proto::OPTIMIZER_ADAM, {}, true, {},
        [&](proto::ExperimentSpec &spec) { spec.mutable_train()->set_resume_from(from.string()); });
    CHECK(resumed.outcome.resumedFromStep == 14);
    CHECK(resumed.outcome.steps == whole.outcome.steps);
    CHECK(resumed.outcome.epochsCompleted == 3);
    const auto a = lossByStep(whole);
    const auto b = lossByStep(resumed);
    REQUIRE(b.size() == 8); // steps 16, 18, ..., 30
    for (const auto &[step, loss] : b) {
        INFO("step " << step);
        REQUIRE(a.count(step) == 1);
        CHECK(loss == Approx(a.at(step)).epsilon(1e-6));
    }
    CHECK(lossByStep(resumed, "val/loss")
          == std::map<std::int64_t, double>{{20, lossByStep(whole, "val/loss").at(20)},
                                            {30, lossByStep(whole, "val/loss").at(30)}});
    CHECK(resumed.outcome.testAccuracy == Approx(whole.outcome.testAccuracy));
}

TEST_CASE("Periodic checkpoints keep the latest few, and best and last are written", "[runners]")
{
    const RunRecord run = trainBands("engine_periodic", proto::OPTIMIZER_SGD, {}, true, {},
                                     [](proto::ExperimentSpec &spec) {
                                         spec.mutable_train()->set_checkpoint_every_steps(4);
                                         spec.mutable_train()->set_keep_checkpoints(2);
                                     });
    const fs::path dir = run.runDir / "checkpoints";
    CHECK(fs::exists(dir / "step-28.pt"));
    CHECK(fs::exists(dir / "step-24.pt"));
    CHECK_FALSE(fs::exists(dir / "step-20.pt"));
    CHECK(fs::exists(dir / "last.pt"));
    CHECK(fs::exists(dir / "best.pt"));
    std::size_t periodic = 0;
    std::size_t best = 0;
    for (const proto::CheckpointEvent &c : checkpoints(run)) {
        periodic += c.kind() == proto::CHECKPOINT_PERIODIC;
        if (c.kind() == proto::CHECKPOINT_BEST) {
            ++best;
            CHECK(c.metric() == "val/loss");
        }
    }
    CHECK(periodic == 7);
    CHECK(best >= 1);
    CHECK(checkpoints(run).back().kind() == proto::CHECKPOINT_LAST);
}

TEST_CASE("A STOP then a resume from last.pt ends at the step count of an uninterrupted run",
          "[runners]")
{
    // STOP waits in control.tlog together with a CHECKPOINT: the run stops before its first
    // step, writes last.pt at step 0, and the resumed run takes all 30 steps.
    RunRecord stopped = trainBands("engine_stop", proto::OPTIMIZER_SGD, [](const fs::path &dir) {
        writeCommands(
            dir, {proto::ControlCommand::ACTION_CHECKPOINT, proto::ControlCommand::ACTION_STOP});
    });
    CHECK(stopped.outcome.stopped);
    const fs::path last = stopped.runDir / "checkpoints" / "last.pt";
    REQUIRE(fs::exists(last));
    CHECK(fs::exists(stopped.runDir / "checkpoints" / "step-0.pt"));
    const RunRecord resumed = trainBands(
        "engine_stop_resumed", proto::OPTIMIZER_SGD, {}, false, {},
        [&](proto::ExperimentSpec &spec) { spec.mutable_train()->set_resume_from(last.string()); });
    CHECK(resumed.outcome.steps == 30);
    CHECK_FALSE(resumed.outcome.stopped);
}

TEST_CASE("Early stopping ends the run when the goal metric stops improving", "[runners]")
{
    // An accuracy can never improve by more than 1, so the second evaluation ends the run.
    const RunRecord run = trainBands(
        "engine_early", proto::OPTIMIZER_SGD, {}, true, {}, [](proto::ExperimentSpec &spec) {
            proto::MetricGoal *goal = spec.mutable_train()->mutable_goal();
            goal->set_metric("val/accuracy");
            goal->set_patience(1);
            goal->set_min_delta(1.0);
        });
    CHECK(run.outcome.earlyStopped);
    CHECK(run.outcome.epochsCompleted == 2);
    CHECK(run.outcome.steps == 20);
    CHECK(run.outcome.goalMetric == "val/accuracy");
    CHECK(run.outcome.bestStep == 10);
    CHECK(run.outcome.evaluated); // the test split is still evaluated at the end
    CHECK(fs::exists(run.runDir / "checkpoints" / "best.pt"));
}

TEST_CASE("Evaluations every N steps send metrics with a confusion matrix", "[runners]")
{
    const RunRecord run = trainBands(
        "engine_eval_every", proto::OPTIMIZER_SGD, {}, true, {},
        [](proto::ExperimentSpec &spec) { spec.mutable_train()->set_eval_every_steps(4); });
    std::vector<std::int64_t> steps;
    for (const auto &[step, loss] : lossByStep(run, "val/loss")) {
        steps.push_back(step);
    }
    CHECK(steps == std::vector<std::int64_t>{4, 8, 12, 16, 20, 24, 28, 30});
    proto::EvaluationEvent last;
    for (const proto::RunEvent &e : run.events) {
        if (e.has_evaluation()) {
            last = e.evaluation();
        }
    }
    CHECK(last.split() == "test");
    CHECK(last.samples() == 90);
    REQUIRE(last.confusion_size() == 9);
    std::uint64_t total = 0;
    for (std::uint64_t count : last.confusion()) {
        total += count;
    }
    CHECK(total == 90);
    CHECK(last.class_names(1) == "middle");
    CHECK(last.class_accuracy_size() == 3);
}

TEST_CASE("Two accumulated micro-batches of 16 take the steps of one batch of 32", "[runners]")
{
    const RunRecord plain = trainBands("engine_batch32", proto::OPTIMIZER_SGD);
    const RunRecord accumulated = trainBands("engine_accum", proto::OPTIMIZER_SGD, {}, false, {},
                                             [](proto::ExperimentSpec &spec) {
                                                 spec.mutable_train()->set_batch_size(16);
                                                 spec.mutable_train()->set_grad_accumulation(2);
                                             });
    CHECK(accumulated.outcome.steps == plain.outcome.steps);
    const auto a = scalars(plain, "train/loss");
    const auto b = scalars(accumulated, "train/loss");
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i + 1 < a.size(); ++i) { // the last step's tail differs: 12 vs 8+4
        CHECK(b[i] == Approx(a[i]).epsilon(1e-4));
    }
}

TEST_CASE("Gradient clipping logs the norm and changes the steps", "[runners]")
{
    const RunRecord plain = trainBands("engine_noclip", proto::OPTIMIZER_SGD);
    const RunRecord clipped = trainBands(
        "engine_clip", proto::OPTIMIZER_SGD, {}, false, {},
        [](proto::ExperimentSpec &spec) { spec.mutable_train()->set_grad_clip_norm(0.01); });
    CHECK(scalars(plain, "train/grad_norm").empty());
    REQUIRE(scalars(clipped, "train/grad_norm").size() == 15);
    CHECK(scalars(clipped, "train/loss") != scalars(plain, "train/loss"));
    // Steps of norm at most 0.01 with lr 0.05 barely move the weights: the loss stays high.
    CHECK(scalars(clipped, "train/loss").back() > scalars(plain, "train/loss").back());
}

TEST_CASE("A cosine schedule's rate is logged and falls to the floor", "[runners]")
{
    const RunRecord run = trainBands(
        "engine_cosine", proto::OPTIMIZER_SGD, {}, false, {}, [](proto::ExperimentSpec &spec) {
            spec.mutable_train()->mutable_schedule()->set_kind(proto::LR_SCHEDULE_COSINE);
        });
    const auto rates = scalars(run, "train/lr");
    REQUIRE(rates.size() == 15);
    CHECK(std::is_sorted(rates.rbegin(), rates.rend()));
    CHECK(rates.front() < 0.05);
    CHECK(rates.back() < 0.001);
}

TEST_CASE("bf16 autocast on the CPU warns and trains in float32", "[runners]")
{
    const RunRecord run = trainBands(
        "engine_bf16_cpu", proto::OPTIMIZER_SGD, {}, false, {}, [](proto::ExperimentSpec &spec) {
            spec.mutable_train()->set_precision(proto::PRECISION_BF16_AUTOCAST);
        });
    bool warned = false;
    for (const proto::RunEvent &e : run.events) {
        warned = warned
                 || (e.has_log() && e.log().level() == proto::LOG_LEVEL_WARNING
                     && e.log().text().find("bf16") != std::string::npos);
    }
    CHECK(warned);
    CHECK(run.outcome.testAccuracy > 0.9);
}

TEST_CASE("Configs that cannot train are refused naming the field", "[runners]")
{
    struct Case
    {
        const char *field;
        SpecTweak tweak;
    };
    const Case cases[] = {
        {"train.batch_size",
         [](proto::ExperimentSpec &s) {
             s.mutable_train()->set_batch_size(301);
         }},
        {"train.loss",
         [](proto::ExperimentSpec &s) {
             s.mutable_train()->set_loss(proto::LOSS_MSE);
         }},
        {"train.schedule",
         [](proto::ExperimentSpec &s) {
             s.mutable_train()->mutable_schedule()->set_kind(proto::LR_SCHEDULE_STEP);
             s.mutable_train()->mutable_schedule()->set_gamma(-1);
         }},
    };
    for (const Case &c : cases) {
        INFO(c.field);
        proto::ExperimentSpec spec = bandSpec(proto::OPTIMIZER_SGD);
        c.tweak(spec);
        auto analysis = model::analyzeGraph(spec.model());
        REQUIRE(analysis.ok());
        datasets::Dataset data;
        data.train = bandImages(300, 1);
        data.test = bandImages(90, 2);
        data.classNames = {"top", "middle", "bottom"};
        const auto status = runners::checkDataFitsModel(spec, analysis.value(), data);
        REQUIRE_FALSE(status.ok());
        CHECK_THAT(status.error().context + " " + status.error().message, Catch::Contains(c.field));
    }
    proto::ExperimentSpec nan = bandSpec(proto::OPTIMIZER_SGD);
    nan.mutable_train()->set_learning_rate(std::nan(""));
    const auto checked = runners::checkExperiment(nan);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().context == "train.learning_rate");
    proto::ExperimentSpec missing = bandSpec(proto::OPTIMIZER_SGD);
    missing.mutable_train()->set_resume_from("/nonexistent/last.pt");
    const auto resume = runners::checkExperiment(missing);
    REQUIRE_FALSE(resume.ok());
    CHECK(resume.error().context == "/nonexistent/last.pt");
}

TEST_CASE("Resuming from a checkpoint of another model fails naming the file", "[runners]")
{
    const RunRecord source = trainBands("engine_other_source", proto::OPTIMIZER_SGD);
    const fs::path last = source.runDir / "checkpoints" / "last.pt";
    RunRecord record;
    auto outcome = runBands(
        record, "engine_other_model", proto::OPTIMIZER_SGD, {}, false, {},
        [&](proto::ExperimentSpec &spec) {
            (*spec.mutable_model()->mutable_nodes(2)->mutable_attrs())["out_features"].set_i(24);
            spec.mutable_train()->set_resume_from(last.string());
        });
    REQUIRE_FALSE(outcome.ok());
    CHECK_THAT(outcome.error().message, Catch::Contains(last.string()));
    CHECK_FALSE(fs::exists(record.runDir / "checkpoints" / "last.pt"));
}

// ------------------------------------------------------------------ CUDA (hidden)

TEST_CASE("On CUDA the fast path's losses equal the plain loop's", "[runners][.cuda]")
{
    REQUIRE(torch::cuda::is_available());
    const auto plainLoop = [](proto::ExperimentSpec &spec) {
        spec.mutable_train()->set_plain_loop(true);
    };
    for (proto::Optimizer optimizer : {proto::OPTIMIZER_SGD, proto::OPTIMIZER_ADAMW}) {
        const RunRecord fast = trainBands("engine_cuda_fast", optimizer, {}, true, cudaDevice());
        const RunRecord plain =
            trainBands("engine_cuda_plain", optimizer, {}, true, cudaDevice(), plainLoop);
        bool graphs = false;
        for (const proto::RunEvent &e : fast.events) {
            graphs =
                graphs || (e.has_log() && e.log().text().find("CUDA graph") != std::string::npos);
        }
        CHECK(graphs);
        const auto a = scalars(fast, "train/loss");
        const auto b = scalars(plain, "train/loss");
        REQUIRE(a.size() == 15);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            CHECK(a[i] == Approx(b[i]).epsilon(1e-4).margin(1e-6));
        }
        CHECK(fast.outcome.testAccuracy == Approx(plain.outcome.testAccuracy));
    }
}

TEST_CASE("On CUDA a cosine schedule and clipping run inside the graph like outside",
          "[runners][.cuda]")
{
    REQUIRE(torch::cuda::is_available());
    const auto configure = [](bool plain) {
        return [plain](proto::ExperimentSpec &spec) {
            spec.mutable_train()->mutable_schedule()->set_kind(proto::LR_SCHEDULE_WARMUP_COSINE);
            spec.mutable_train()->set_grad_clip_norm(0.5);
            spec.mutable_train()->set_grad_accumulation(2);
            spec.mutable_train()->set_batch_size(16);
            spec.mutable_train()->set_plain_loop(plain);
        };
    };
    const RunRecord fast = trainBands("engine_cuda_sched_fast", proto::OPTIMIZER_SGD, {}, false,
                                      cudaDevice(), configure(false));
    const RunRecord plain = trainBands("engine_cuda_sched_plain", proto::OPTIMIZER_SGD, {}, false,
                                       cudaDevice(), configure(true));
    const auto a = scalars(fast, "train/loss");
    const auto b = scalars(plain, "train/loss");
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i] == Approx(b[i]).epsilon(1e-4).margin(1e-6));
    }
    CHECK(scalars(fast, "train/grad_norm") == scalars(plain, "train/grad_norm"));
}

TEST_CASE("On CUDA bf16 autocast trains as well as float32", "[runners][.cuda]")
{
    REQUIRE(torch::cuda::is_available());
    const RunRecord run =
        trainBands("engine_cuda_bf16", proto::OPTIMIZER_SGD, {}, false, cudaDevice(),
                   [](proto::ExperimentSpec &spec) {
                       spec.mutable_train()->set_precision(proto::PRECISION_BF16_AUTOCAST);
                   });
    for (double loss : scalars(run, "train/loss")) {
        CHECK(std::isfinite(loss));
    }
    CHECK(run.outcome.testAccuracy > 0.9);
}

TEST_CASE("On CUDA running out of memory names a batch size that fits", "[runners][.cuda]")
{
    REQUIRE(torch::cuda::is_available());
    RunRecord record;
    auto outcome = runBands(
        record, "engine_cuda_oom", proto::OPTIMIZER_SGD, {}, false, cudaDevice(),
        [](proto::ExperimentSpec &spec) {
            // fc1 of 2^25 outputs: 26 GB of weights, gradients and momentum, and about 0.4 GB of
            // activations per sample: 256 samples do not fit in 80 GB.
            (*spec.mutable_model()->mutable_nodes(2)->mutable_attrs())["out_features"].set_i(
                std::int64_t{1} << 25);
            spec.mutable_train()->set_batch_size(256);
        });
    REQUIRE_FALSE(outcome.ok());
    INFO(outcome.error().message);
    CHECK_THAT(outcome.error().message, Catch::Contains("Out of memory on cuda:0"));
    CHECK_THAT(outcome.error().message, Catch::Contains("set train.batch_size to"));
    CHECK_FALSE(fs::exists(record.runDir / "checkpoints" / "last.pt"));
}
