#include "model/graph_analysis.h"
#include "model/templates.h"
#include "runners/checkpoint.h"
#include "runners/graph_module.h"
#include "runners/optimizers.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace tl;
using runners::GraphModule;

namespace {

struct Model
{
    proto::ModelGraph graph;
    model::GraphAnalysis analysis;
};

Model templateModel(const char *id)
{
    auto graph = model::makeTemplate(id, {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    auto analysis = model::analyzeGraph(graph.value());
    REQUIRE(analysis.ok());
    return {graph.value(), analysis.value()};
}

fs::path freshDir(const std::string &name)
{
    return testing::scratchDir(name);
}

void sgdStep(GraphModule &module,
             runners::Optimizer &optimizer,
             const torch::Tensor &x,
             const torch::Tensor &y)
{
    optimizer.clearGradients();
    torch::nn::functional::cross_entropy(module->forward(x), y).backward();
    optimizer.step();
}

} // namespace

TEST_CASE("A saved checkpoint loads into a fresh module and gives the same outputs", "[runners]")
{
    const Model m = templateModel("lenet");
    const fs::path file = freshDir("checkpoint_outputs") / "checkpoints" / "final.pt";
    torch::manual_seed(11);
    GraphModule saved(m.graph, m.analysis);
    runners::TrainingState state;
    state.epoch = 3;
    state.step = 120;
    state.stepInEpoch = 7;
    state.cpuGenerator = torch::tensor({1, 2, 3}, torch::kUInt8);
    state.sums["loss_sum"] = 12.5;
    REQUIRE(runners::saveCheckpoint(file, *saved, nullptr, state).ok());
    REQUIRE(fs::exists(file));
    CHECK_FALSE(fs::exists(file.string() + ".partial"));

    torch::manual_seed(12); // different initial weights
    GraphModule loaded(m.graph, m.analysis);
    const torch::Tensor x = torch::randn({3, 1, 28, 28});
    saved->eval();
    loaded->eval();
    REQUIRE_FALSE(torch::allclose(saved->forward(x), loaded->forward(x)));
    auto info = runners::loadCheckpoint(file, *loaded, nullptr);
    REQUIRE(info.ok());
    CHECK(info.value().epoch == 3);
    CHECK(info.value().step == 120);
    CHECK(info.value().stepInEpoch == 7);
    CHECK(torch::equal(info.value().cpuGenerator, state.cpuGenerator));
    CHECK_FALSE(info.value().deviceGenerator.defined());
    CHECK(info.value().sums == state.sums);
    CHECK(torch::equal(saved->forward(x), loaded->forward(x)));
}

TEST_CASE("A checkpoint carries the optimizer's momentum, so training resumes identically",
          "[runners]")
{
    const Model m = templateModel("mlp");
    const fs::path file = freshDir("checkpoint_optimizer") / "state.pt";
    torch::manual_seed(21);
    const torch::Tensor x = torch::randn({16, 1, 28, 28});
    const torch::Tensor y = torch::randint(0, 10, {16}, torch::kInt64);
    runners::OptimizerSettings options;
    options.learningRate = 0.05;
    options.momentum = 0.9;

    GraphModule a(m.graph, m.analysis);
    runners::Optimizer optA(a->parameters(), options);
    sgdStep(a, optA, x, y);
    runners::TrainingState state;
    state.epoch = 1;
    state.step = 1;
    REQUIRE(runners::saveCheckpoint(file, *a, &optA, state).ok());

    GraphModule b(m.graph, m.analysis);
    runners::Optimizer optB(b->parameters(), options);
    REQUIRE(runners::loadCheckpoint(file, *b, &optB).ok());
    sgdStep(a, optA, x, y);
    sgdStep(b, optB, x, y);
    for (const auto &item : a->named_parameters()) {
        CHECK(torch::equal(item.value(), b->named_parameters()[item.key()]));
    }
}

TEST_CASE("Loading a checkpoint of another model or a broken file is an error naming the file",
          "[runners]")
{
    const fs::path dir = freshDir("checkpoint_errors");
    const Model mlp = templateModel("mlp");
    const Model lenet = templateModel("lenet");
    GraphModule source(mlp.graph, mlp.analysis);
    REQUIRE(runners::saveCheckpoint(dir / "mlp.pt", *source, nullptr, {}).ok());

    GraphModule other(lenet.graph, lenet.analysis);
    auto mismatch = runners::loadCheckpoint(dir / "mlp.pt", *other, nullptr);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().context == (dir / "mlp.pt").string());

    std::ofstream(dir / "garbage.pt") << "not a zip archive";
    auto garbage = runners::loadCheckpoint(dir / "garbage.pt", *source, nullptr);
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.error().context == (dir / "garbage.pt").string());

    auto missing = runners::loadCheckpoint(dir / "absent.pt", *source, nullptr);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().context == (dir / "absent.pt").string());
}

TEST_CASE("A checkpoint that cannot be written is an Io error naming the file", "[runners]")
{
    const fs::path dir = freshDir("checkpoint_unwritable");
    std::ofstream(dir / "file") << "a regular file where a directory should be";
    const Model m = templateModel("mlp");
    GraphModule module(m.graph, m.analysis);
    auto saved = runners::saveCheckpoint(dir / "file" / "final.pt", *module, nullptr, {});
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == base::ErrorCode::Io);
    CHECK(saved.error().context == (dir / "file" / "final.pt").string());
}
