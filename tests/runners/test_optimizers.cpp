#include "runners/optimizers.h"

#include <catch2/catch.hpp>

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include <functional>
#include <memory>

using namespace tl;
using runners::OptimizerSettings;

namespace {

OptimizerSettings settingsOf(proto::Optimizer kind, double rate)
{
    OptimizerSettings settings;
    settings.kind = kind;
    settings.learningRate = rate;
    return settings;
}

// Steps of loss = p^2 / 2 (grad = p) from p = 1, or of a constant gradient when one is given:
// the parameter after each step.
std::vector<double> run(const OptimizerSettings &settings, int steps, double constantGrad = 0)
{
    torch::Tensor p = torch::ones({1}).requires_grad_();
    runners::Optimizer optimizer({p}, settings);
    std::vector<double> values;
    for (int i = 0; i < steps; ++i) {
        p.mutable_grad() = constantGrad != 0 ? torch::full({1}, constantGrad) : p.detach().clone();
        optimizer.step();
        values.push_back(p.item<double>());
    }
    return values;
}

void checkValues(const std::vector<double> &actual, const std::vector<double> &expected)
{
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        INFO("step " << i + 1);
        CHECK(actual[i] == Approx(expected[i]).epsilon(1e-6));
    }
}

} // namespace

TEST_CASE("The optimizer settings come from the train config with zeros as defaults",
          "[runners][optimizers]")
{
    proto::TrainConfig config;
    config.set_learning_rate(0.05);
    config.set_momentum(0.8);
    config.set_nesterov(true);
    auto settings = OptimizerSettings::of(config);
    CHECK(settings.kind == proto::OPTIMIZER_SGD); // unspecified
    CHECK(settings.learningRate == 0.05);
    CHECK(settings.momentum == 0.8);
    CHECK(settings.nesterov);
    CHECK(settings.beta1 == 0.9);
    CHECK(settings.beta2 == 0.999);
    CHECK(settings.eps == 1e-8);
    CHECK(settings.alpha == 0.99);
    CHECK(runners::describeOptimizer(settings) == "SGD (momentum 0.8, Nesterov)");

    config.set_optimizer(proto::OPTIMIZER_ADAMW);
    config.set_weight_decay(0.01);
    config.set_beta2(0.98);
    config.set_eps(1e-6);
    config.set_rmsprop_alpha(0.9);
    settings = OptimizerSettings::of(config);
    CHECK(settings.kind == proto::OPTIMIZER_ADAMW);
    CHECK(settings.weightDecay == 0.01);
    CHECK(settings.beta2 == 0.98);
    CHECK(settings.eps == 1e-6);
    CHECK(settings.alpha == 0.9);
    CHECK(runners::describeOptimizer(settings)
          == "AdamW (betas 0.9/0.98, weight decay 0.01, eps 1e-06)");
    CHECK(runners::describeOptimizer(settingsOf(proto::OPTIMIZER_SGD, 0.1)) == "SGD");
    CHECK(runners::describeOptimizer(settingsOf(proto::OPTIMIZER_RMSPROP, 0.1))
          == "RMSprop (alpha 0.99)");
}

TEST_CASE("SGD steps match hand-computed values", "[runners][optimizers]")
{
    // Plain, lr 0.1, grad = p: p *= 0.9 each step.
    checkValues(run(settingsOf(proto::OPTIMIZER_SGD, 0.1), 3), {0.9, 0.81, 0.729});

    // Momentum 0.9: buf 1 -> p 0.9; buf 0.9*1 + 0.9 = 1.8 -> p 0.72; buf 1.62 + 0.72 = 2.34
    // -> p 0.72 - 0.234 = 0.486.
    auto momentum = settingsOf(proto::OPTIMIZER_SGD, 0.1);
    momentum.momentum = 0.9;
    checkValues(run(momentum, 3), {0.9, 0.72, 0.486});

    // Nesterov: buf 1, g = 1 + 0.9*1 = 1.9 -> p 0.81; buf 0.9 + 0.81 = 1.71,
    // g = 0.81 + 1.539 = 2.349 -> p 0.5751; buf 1.539 + 0.5751 = 2.1141,
    // g = 0.5751 + 1.90269 = 2.47779 -> p 0.327321.
    momentum.nesterov = true;
    checkValues(run(momentum, 3), {0.81, 0.5751, 0.327321});

    // Weight decay 0.1 on a constant grad 1: g = 1.1 -> 0.89; g = 1.089 -> 0.7811;
    // g = 1.07811 -> 0.673289.
    auto decay = settingsOf(proto::OPTIMIZER_SGD, 0.1);
    decay.weightDecay = 0.1;
    checkValues(run(decay, 3, 1.0), {0.89, 0.7811, 0.673289});
}

TEST_CASE("Adam and AdamW steps match hand-computed values", "[runners][optimizers]")
{
    // grad = p, lr 0.1. Step 1: m = 0.1, v = 0.001, m^ = v^ = 1 -> p = 1 - 0.1/(1 + 1e-8).
    // Step 2: g = 0.9, m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809,
    // m^ = 0.18/0.19, v^ = 0.001809/0.001999 -> p = 0.9 - 0.1 * 0.947368 / 0.951289 = 0.800412.
    checkValues(run(settingsOf(proto::OPTIMIZER_ADAM, 0.1), 3),
                {0.900000001, 0.8004122297123382, 0.701586274504415});

    // Coupled decay 0.1, constant grad 0.5: g = 0.6 -> p 0.9; g = 0.59, m = 0.054 + 0.059
    // = 0.113, v = 0.00035964 + 0.0003481 = 0.00070774 -> p = 0.9 - 0.1 * (0.113/0.19) /
    // sqrt(0.00070774/0.001999) = 0.800047.
    auto adam = settingsOf(proto::OPTIMIZER_ADAM, 0.1);
    adam.weightDecay = 0.1;
    checkValues(run(adam, 2, 0.5), {0.9, 0.8000473404883315});

    // AdamW, decay 0.1, constant grad 0.5: the Adam step is lr * 1, the decay multiplies by
    // 1 - 0.1*0.1 first: p = 0.99 - 0.1 = 0.89, then 0.89 * 0.99 - 0.1 = 0.7811.
    auto adamw = settingsOf(proto::OPTIMIZER_ADAMW, 0.1);
    adamw.weightDecay = 0.1;
    checkValues(run(adamw, 2, 0.5), {0.89, 0.7811});
}

TEST_CASE("RMSprop steps match hand-computed values", "[runners][optimizers]")
{
    // grad = p, lr 0.01, alpha 0.99. Step 1: v = 0.01, avg = 0.1 -> p = 1 - 0.01 * 10 = 0.9.
    // Step 2: v = 0.0099 + 0.0081 = 0.018, avg = 0.134164 -> p = 0.9 - 0.01 * 0.9/0.134164.
    checkValues(run(settingsOf(proto::OPTIMIZER_RMSPROP, 0.01), 3),
                {0.9000000099999991, 0.8329179752650593, 0.7799822819823541});

    // Momentum 0.9: buf = 10 -> p 0.9; buf = 9 + 6.7082 = 15.7082 -> p = 0.742918.
    auto momentum = settingsOf(proto::OPTIMIZER_RMSPROP, 0.01);
    momentum.momentum = 0.9;
    checkValues(run(momentum, 3), {0.9000000099999991, 0.7429179842650584, 0.552914953234408});

    // Plus decay 0.1 on a constant grad 0.5: g = 0.6, v = 0.0036, avg = 0.06, buf = 10 -> 0.9;
    // g = 0.59, v = 0.003564 + 0.003481 = 0.007045, buf = 9 + 0.59/0.0839345 = 16.0293 -> 0.739707.
    momentum.weightDecay = 0.1;
    checkValues(run(momentum, 2, 0.5), {0.900000016666664, 0.7397071315238023});
}

TEST_CASE("A new learning rate takes effect on the next step", "[runners][optimizers]")
{
    torch::Tensor p = torch::ones({1}).requires_grad_();
    runners::Optimizer optimizer({p}, settingsOf(proto::OPTIMIZER_SGD, 0.1));
    p.mutable_grad() = torch::ones({1});
    optimizer.step();
    CHECK(p.item<double>() == Approx(0.9));
    optimizer.setLearningRate(0.5);
    CHECK(optimizer.learningRate() == 0.5);
    optimizer.step();
    CHECK(p.item<double>() == Approx(0.4)); // 0.9 - 0.5 * 1
}

TEST_CASE("A parameter without a gradient is left alone and gradients can be cleared",
          "[runners][optimizers]")
{
    for (auto kind : {proto::OPTIMIZER_SGD, proto::OPTIMIZER_ADAM, proto::OPTIMIZER_ADAMW,
                      proto::OPTIMIZER_RMSPROP}) {
        INFO(runners::describeOptimizer(settingsOf(kind, 0.1)));
        torch::Tensor stepped = torch::ones({2}).requires_grad_();
        torch::Tensor idle = torch::ones({2}).requires_grad_();
        auto settings = settingsOf(kind, 0.1);
        settings.weightDecay = 0.1;
        runners::Optimizer optimizer({stepped, idle}, settings);
        stepped.mutable_grad() = torch::ones({2});
        optimizer.step();
        CHECK(torch::equal(idle, torch::ones({2})));
        CHECK_FALSE(torch::equal(stepped, torch::ones({2})));
        optimizer.clearGradients();
        CHECK_FALSE(stepped.grad().defined());
    }
}

namespace {

using TorchFactory =
    std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>;

struct Case
{
    const char *name;
    OptimizerSettings settings;
    TorchFactory torchOptimizer;
};

OptimizerSettings with(proto::Optimizer kind, double rate, double momentum, double decay)
{
    auto settings = settingsOf(kind, rate);
    settings.momentum = momentum;
    settings.weightDecay = decay;
    return settings;
}

std::vector<Case> comparisonCases()
{
    using namespace torch::optim;
    auto nesterov = with(proto::OPTIMIZER_SGD, 0.1, 0.9, 0.01);
    nesterov.nesterov = true;
    auto adamBetas = with(proto::OPTIMIZER_ADAM, 0.01, 0, 0.1);
    adamBetas.beta1 = 0.8;
    adamBetas.beta2 = 0.99;
    auto rmsAlpha = with(proto::OPTIMIZER_RMSPROP, 0.01, 0.9, 0.01);
    rmsAlpha.alpha = 0.9;
    return {
        {"SGD", with(proto::OPTIMIZER_SGD, 0.1, 0, 0),
         [](auto p) {
             return std::make_unique<SGD>(p, SGDOptions(0.1));
         }},
        {"SGD momentum", with(proto::OPTIMIZER_SGD, 0.1, 0.9, 0.01),
         [](auto p) {
             return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).weight_decay(0.01));
         }},
        {"SGD Nesterov", nesterov,
         [](auto p) {
             return std::make_unique<SGD>(
                 p, SGDOptions(0.1).momentum(0.9).weight_decay(0.01).nesterov(true));
         }},
        {"Adam", with(proto::OPTIMIZER_ADAM, 0.01, 0, 0),
         [](auto p) {
             return std::make_unique<Adam>(p, AdamOptions(0.01));
         }},
        {"Adam decay", adamBetas,
         [](auto p) {
             return std::make_unique<Adam>(p,
                                           AdamOptions(0.01).betas({0.8, 0.99}).weight_decay(0.1));
         }},
        {"AdamW", with(proto::OPTIMIZER_ADAMW, 0.01, 0, 0.1),
         [](auto p) {
             return std::make_unique<AdamW>(p, AdamWOptions(0.01).weight_decay(0.1));
         }},
        {"RMSprop", with(proto::OPTIMIZER_RMSPROP, 0.01, 0, 0),
         [](auto p) {
             return std::make_unique<RMSprop>(p, RMSpropOptions(0.01));
         }},
        {"RMSprop momentum", rmsAlpha,
         [](auto p) {
             return std::make_unique<RMSprop>(
                 p, RMSpropOptions(0.01).alpha(0.9).momentum(0.9).weight_decay(0.01));
         }},
    };
}

void backward(torch::nn::Linear &model, const torch::Tensor &x, const torch::Tensor &y)
{
    torch::nn::functional::mse_loss(model->forward(x), y).backward();
}

} // namespace

TEST_CASE("Every optimizer follows libtorch's own over twenty steps", "[runners][optimizers]")
{
    for (const Case &c : comparisonCases()) {
        INFO(c.name);
        torch::manual_seed(3);
        torch::nn::Linear reference(4, 3);
        torch::manual_seed(3);
        torch::nn::Linear ours(4, 3);
        const torch::Tensor x = torch::randn({8, 4});
        const torch::Tensor y = torch::randn({8, 3});
        auto torchOptimizer = c.torchOptimizer(reference->parameters());
        const torch::Tensor initial = ours->weight.detach().clone();
        runners::Optimizer optimizer(ours->parameters(), c.settings);
        for (int step = 1; step <= 20; ++step) {
            if (step == 11) { // a schedule's move: both take it from the next step
                const double rate = c.settings.learningRate / 2;
                for (auto &group : torchOptimizer->param_groups()) {
                    group.options().set_lr(rate);
                }
                optimizer.setLearningRate(rate);
            }
            torchOptimizer->zero_grad();
            optimizer.clearGradients();
            backward(reference, x, y);
            backward(ours, x, y);
            torchOptimizer->step();
            optimizer.step();
        }
        for (std::size_t i = 0; i < ours->parameters().size(); ++i) {
            INFO("parameter " << i);
            CHECK(torch::allclose(ours->parameters()[i], reference->parameters()[i], 1e-6, 1e-6));
        }
        CHECK_FALSE(torch::allclose(ours->weight, initial)); // it moved
    }
}
