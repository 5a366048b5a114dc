#include "runners/optimizers.h"

#include <catch2/catch.hpp>

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/utils.h>

#include <sstream>

using namespace tl;
using runners::OptimizerSettings;

namespace {

OptimizerSettings settingsOf(proto::Optimizer kind, double rate, double momentum = 0)
{
    OptimizerSettings settings;
    settings.kind = kind;
    settings.learningRate = rate;
    settings.momentum = momentum;
    return settings;
}

void trainSteps(torch::nn::Linear &model, runners::Optimizer &optimizer, int steps)
{
    torch::manual_seed(9);
    const torch::Tensor x = torch::randn({8, 4});
    const torch::Tensor y = torch::randn({8, 3});
    for (int i = 0; i < steps; ++i) {
        optimizer.clearGradients();
        torch::nn::functional::mse_loss(model->forward(x), y).backward();
        optimizer.step();
    }
}

std::string saved(const runners::Optimizer &optimizer)
{
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    return bytes.str();
}

base::Status loadInto(runners::Optimizer &optimizer, const std::string &bytes)
{
    std::istringstream stream(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(stream);
    return optimizer.load(archive);
}

torch::nn::Linear copyOf(const torch::nn::Linear &model)
{
    torch::nn::Linear copy(model->options);
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < model->parameters().size(); ++i) {
        copy->parameters()[i].copy_(model->parameters()[i]);
    }
    return copy;
}

} // namespace

TEST_CASE("An optimizer loaded from a save continues exactly like the original",
          "[runners][optimizers]")
{
    const std::vector<OptimizerSettings> all = {
        settingsOf(proto::OPTIMIZER_SGD, 0.1, 0.9), settingsOf(proto::OPTIMIZER_ADAM, 0.01),
        settingsOf(proto::OPTIMIZER_ADAMW, 0.01), settingsOf(proto::OPTIMIZER_RMSPROP, 0.01, 0.5)};
    for (const OptimizerSettings &settings : all) {
        INFO(runners::describeOptimizer(settings));
        torch::manual_seed(4);
        torch::nn::Linear original(4, 3);
        runners::Optimizer optimizer(original->parameters(), settings);
        trainSteps(original, optimizer, 5);
        optimizer.setLearningRate(settings.learningRate / 2);
        const std::string bytes = saved(optimizer);

        torch::nn::Linear resumed = copyOf(original);
        runners::Optimizer fresh(resumed->parameters(), settings);
        REQUIRE(loadInto(fresh, bytes).ok());
        CHECK(fresh.learningRate() == settings.learningRate / 2);
        trainSteps(original, optimizer, 5);
        trainSteps(resumed, fresh, 5);
        for (std::size_t i = 0; i < original->parameters().size(); ++i) {
            CHECK(torch::equal(original->parameters()[i], resumed->parameters()[i]));
        }
    }
}

TEST_CASE("An optimizer saved before its first step loads as a fresh one", "[runners][optimizers]")
{
    torch::manual_seed(4);
    torch::nn::Linear model(4, 3);
    torch::nn::Linear other = copyOf(model);
    runners::Optimizer unstepped(model->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01));
    runners::Optimizer loaded(other->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01));
    REQUIRE(loadInto(loaded, saved(unstepped)).ok());
    trainSteps(model, unstepped, 3);
    trainSteps(other, loaded, 3);
    CHECK(torch::equal(model->weight, other->weight));
}

TEST_CASE("Loading another optimizer's state or other shapes is a clear error",
          "[runners][optimizers]")
{
    torch::nn::Linear model(4, 3);
    runners::Optimizer adam(model->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01));
    trainSteps(model, adam, 1);
    const std::string adamBytes = saved(adam);

    runners::Optimizer sgd(model->parameters(), settingsOf(proto::OPTIMIZER_SGD, 0.1, 0.9));
    auto status = loadInto(sgd, adamBytes);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == base::ErrorCode::InvalidInput);
    CHECK(status.error().message == "The checkpoint's optimizer is Adam, this run uses SGD.");

    torch::nn::Linear wider(5, 3);
    runners::Optimizer widerAdam(wider->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01));
    status = loadInto(widerAdam, adamBytes);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message,
               Catch::Contains("parameter 0 has shape [3, 4] in the checkpoint, [3, 5] here"));

    torch::nn::Linear noBias(torch::nn::LinearOptions(4, 3).bias(false));
    runners::Optimizer fewer(noBias->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01));
    status = loadInto(fewer, adamBytes);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message, Catch::Contains("covers 2 parameters, this model has 1"));

    torch::serialize::InputArchive empty;
    status = runners::Optimizer(model->parameters(), settingsOf(proto::OPTIMIZER_ADAM, 0.01))
                 .load(empty);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message,
               Catch::StartsWith("The checkpoint's optimizer state cannot be read"));
}

TEST_CASE("Gradient clipping matches libtorch's clip_grad_norm_", "[runners][optimizers]")
{
    for (double maxNorm : {0.05, 100.0}) {
        INFO("max norm " << maxNorm);
        torch::manual_seed(6);
        torch::nn::Linear reference(4, 3);
        torch::nn::Linear ours = copyOf(reference);
        torch::Tensor noGrad = torch::ones({2}).requires_grad_(); // skipped
        const torch::Tensor x = torch::randn({8, 4});
        const torch::Tensor y = torch::randn({8, 3});
        torch::nn::functional::mse_loss(reference->forward(x), y).backward();
        torch::nn::functional::mse_loss(ours->forward(x), y).backward();
        const torch::Tensor unclipped = ours->weight.grad().clone();

        const double expected = torch::nn::utils::clip_grad_norm_(reference->parameters(), maxNorm);
        auto parameters = ours->parameters();
        parameters.push_back(noGrad);
        const torch::Tensor total = runners::clipGradientNorm(parameters, maxNorm);
        CHECK(total.dim() == 0);
        CHECK(total.item<double>() == Approx(expected).epsilon(1e-6));
        for (std::size_t i = 0; i < reference->parameters().size(); ++i) {
            CHECK(torch::allclose(ours->parameters()[i].grad(), reference->parameters()[i].grad(),
                                  1e-6, 1e-7));
        }
        CHECK(torch::equal(ours->weight.grad(), unclipped) == (maxNorm > expected));
        CHECK_FALSE(noGrad.grad().defined());
    }
    torch::Tensor lone = torch::ones({2}).requires_grad_();
    CHECK(runners::clipGradientNorm({lone}, 1.0).item<double>() == 0.0);
}

// Meta tensors hold no data: a .item() or any other read back to the host throws on them, so
// a step that runs here never waits on the device (and can be captured in a CUDA graph).
TEST_CASE("A step reads nothing back from the device", "[runners][optimizers]")
{
    const auto meta = torch::TensorOptions().device(torch::kMeta);
    for (auto kind : {proto::OPTIMIZER_SGD, proto::OPTIMIZER_ADAM, proto::OPTIMIZER_ADAMW,
                      proto::OPTIMIZER_RMSPROP}) {
        auto settings = settingsOf(kind, 0.01, 0.9);
        settings.weightDecay = 0.01;
        settings.nesterov = kind == proto::OPTIMIZER_SGD;
        INFO(runners::describeOptimizer(settings));
        torch::Tensor weight = torch::empty({3, 4}, meta).requires_grad_();
        torch::Tensor bias = torch::empty({3}, meta).requires_grad_();
        weight.mutable_grad() = torch::empty({3, 4}, meta);
        bias.mutable_grad() = torch::empty({3}, meta);
        runners::Optimizer optimizer({weight, bias}, settings);
        CHECK_NOTHROW(optimizer.step());
        optimizer.setLearningRate(0.005);
        CHECK_NOTHROW(optimizer.step());
        CHECK_NOTHROW(runners::clipGradientNorm({weight, bias}, 1.0));
        CHECK(weight.device().is_meta());
    }
}
