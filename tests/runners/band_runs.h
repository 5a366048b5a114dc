#pragma once
// Small training runs for the runners tests: 8x8 "band" images of three classes (class k lights
// up horizontal band k) and an MLP spec, trained in a scratch run dir with events collected.

#include "base/result.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"
#include "runners/control_channel.h"
#include "runners/devices.h"
#include "runners/event_sink.h"
#include "runners/experiment_check.h"
#include "runners/trainer.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace tl::testing {

namespace fs = std::filesystem;

// 8x8 images of three classes: class k lights up horizontal band k, plus seeded noise.
inline datasets::SampleSet bandImages(std::int64_t count, unsigned seed)
{
    datasets::SampleSet split;
    split.shape = {1, 8, 8};
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> noise(0, 80);
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t label = i % 3;
        split.labels.push_back(label);
        for (int y = 0; y < 8; ++y) {
            for (int x = 0; x < 8; ++x) {
                const bool lit = y / 3 == label;
                split.u8.push_back(static_cast<std::uint8_t>((lit ? 170 : 0) + noise(random)));
            }
        }
    }
    return split;
}

inline proto::ExperimentSpec bandSpec(proto::Optimizer optimizer)
{
    proto::ExperimentSpec spec;
    spec.set_name("bands");
    proto::ModelGraph *graph = spec.mutable_model();
    graph->set_name("band-mlp");
    auto add = [graph](const char *name, const char *op, const char *input) {
        proto::Node *node = graph->add_nodes();
        node->set_name(name);
        node->set_op(op);
        if (*input) {
            node->add_inputs(input);
        }
        return node;
    };
    proto::IntList *shape = (*add("input", "Input", "")->mutable_attrs())["shape"].mutable_ints();
    for (std::int64_t d : {1, 8, 8}) {
        shape->add_values(d);
    }
    add("flatten", "Flatten", "input");
    (*add("fc1", "Linear", "flatten")->mutable_attrs())["out_features"].set_i(16);
    add("relu", "ReLU", "fc1");
    (*add("fc2", "Linear", "relu")->mutable_attrs())["out_features"].set_i(3);
    proto::TrainConfig *train = spec.mutable_train();
    train->set_optimizer(optimizer);
    train->set_learning_rate(optimizer == proto::OPTIMIZER_ADAM ? 0.01 : 0.05);
    train->set_momentum(optimizer == proto::OPTIMIZER_ADAM ? 0 : 0.9);
    train->set_epochs(3);
    train->set_batch_size(32);
    train->set_seed(5);
    train->set_threads(1);
    train->set_log_every_steps(2);
    return spec;
}

struct RunRecord
{
    runners::TrainingOutcome outcome;
    std::vector<proto::RunEvent> events;
    fs::path runDir;
};

using SpecTweak = std::function<void(proto::ExperimentSpec &)>;

// Trains bandSpec in a fresh run dir; `beforeStart` may write the dir's control.tlog, `tweak`
// changes the spec. Returns what train() returned; the events land in `record`.
inline base::Result<runners::TrainingOutcome>
runBands(RunRecord &record,
         const std::string &name,
         proto::Optimizer optimizer,
         const std::function<void(const fs::path &)> &beforeStart = {},
         bool withValidation = false,
         runners::DeviceRequest device = {},
         const SpecTweak &tweak = {})
{
    record.runDir = scratchDir(name, false);
    auto sink = runners::EventSink::open(record.runDir, nullptr);
    REQUIRE(sink.ok());
    sink.value()->setObserver([&](const proto::RunEvent &e) { record.events.push_back(e); });
    if (beforeStart) {
        beforeStart(record.runDir);
    }
    runners::ControlChannel control({-1, record.runDir / "control.tlog", {}});
    runners::TrainingJob job;
    job.spec = bandSpec(optimizer);
    if (tweak) {
        tweak(job.spec);
    }
    auto analysis = model::analyzeGraph(job.spec.model());
    INFO((analysis.ok() ? std::string() : analysis.error().describe()));
    REQUIRE(analysis.ok());
    job.analysis = analysis.value();
    job.data.train = bandImages(300, 1);
    job.data.test = bandImages(90, 2);
    job.data.classNames = {"top", "middle", "bottom"};
    if (withValidation) {
        job.data.val = bandImages(60, 3);
    }
    const auto fits = runners::checkDataFitsModel(job.spec, job.analysis, job.data);
    INFO((fits.ok() ? std::string() : fits.error().describe()));
    REQUIRE(fits.ok());
    job.runDir = record.runDir;
    job.device = device;
    job.deviceMemoryBytes = runners::deviceMemoryBytes(device);
    return runners::train(std::move(job), *sink.value(), control);
}

inline RunRecord trainBands(const std::string &name,
                            proto::Optimizer optimizer,
                            const std::function<void(const fs::path &)> &beforeStart = {},
                            bool withValidation = false,
                            runners::DeviceRequest device = {},
                            const SpecTweak &tweak = {})
{
    RunRecord record;
    auto outcome = runBands(record, name, optimizer, beforeStart, withValidation, device, tweak);
    INFO((outcome.ok() ? std::string() : outcome.error().describe()));
    REQUIRE(outcome.ok());
    record.outcome = outcome.value();
    return record;
}

inline std::vector<double> scalars(const RunRecord &run, const std::string &tag)
{
    std::vector<double> values;
    for (const proto::RunEvent &e : run.events) {
        if (e.has_scalar() && e.scalar().tag() == tag) {
            values.push_back(e.scalar().value());
        }
    }
    return values;
}

} // namespace tl::testing
