#include "runners/losses.h"
#include "tensor_literals.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace tl;
using runners::TargetKind;

using tl::testing::labelsOf;
using tl::testing::rows;

namespace {

proto::TrainConfig lossConfig(proto::LossKind loss, double labelSmoothing = 0)
{
    proto::TrainConfig config;
    config.set_loss(loss);
    config.set_label_smoothing(labelSmoothing);
    return config;
}

TargetKind accepted(proto::LossKind loss,
                    const model::Shape &shape,
                    std::int64_t classes,
                    const std::string &lastOp = "Linear")
{
    auto kind = runners::checkLoss(lossConfig(loss), shape, classes, lastOp);
    INFO((kind.ok() ? std::string() : kind.error().describe()));
    REQUIRE(kind.ok());
    return kind.value();
}

// The error's full text ("context: message"), which must name the field.
std::string rejected(const proto::TrainConfig &config,
                     const model::Shape &shape,
                     std::int64_t classes,
                     const std::string &lastOp = "Linear")
{
    auto kind = runners::checkLoss(config, shape, classes, lastOp);
    REQUIRE_FALSE(kind.ok());
    CHECK(kind.error().code == base::ErrorCode::InvalidInput);
    return kind.error().describe();
}

double lossOf(proto::LossKind loss,
              TargetKind target,
              const torch::Tensor &output,
              const torch::Tensor &labels,
              bool sum = false,
              double labelSmoothing = 0)
{
    const torch::Tensor value =
        runners::computeLoss(lossConfig(loss, labelSmoothing), target, output, labels, sum);
    CHECK(value.dim() == 0);
    CHECK(value.scalar_type() == torch::kFloat32);
    return value.item<double>();
}

const double kLn2 = std::log(2.0);
const double kLn3 = std::log(3.0);

} // namespace

TEST_CASE("Cross-entropy matches the log-softmax arithmetic as a mean and as a sum", "[losses]")
{
    // Row 1: logits [0, 0, 0], label 2: p = 1/3, loss ln 3.
    // Row 2: logits [ln 2, 0, 0], label 0: p = 2/4, loss ln 2.
    const torch::Tensor output = rows({{0, 0, 0}, {float(kLn2), 0, 0}});
    const torch::Tensor labels = labelsOf({2, 0});
    const auto ce = proto::LOSS_CROSS_ENTROPY;
    CHECK(lossOf(ce, TargetKind::ClassIndex, output, labels) == Approx((kLn3 + kLn2) / 2));
    CHECK(lossOf(ce, TargetKind::ClassIndex, output, labels, true) == Approx(kLn3 + kLn2));
}

TEST_CASE("Label smoothing mixes the true class loss with the mean over all classes", "[losses]")
{
    // Logits [ln 2, 0, 0]: p = 1/2, 1/4, 1/4, so -log p = ln 2, 2 ln 2, 2 ln 2 (mean 5/3 ln 2).
    // eps = 0.3, label 0: (1 - eps) ln 2 + eps * 5/3 ln 2 = 0.7 ln 2 + 0.5 ln 2 = 1.2 ln 2.
    const torch::Tensor output = rows({{float(kLn2), 0, 0}});
    const double loss = lossOf(proto::LOSS_CROSS_ENTROPY, TargetKind::ClassIndex, output,
                               labelsOf({0}), false, 0.3);
    CHECK(loss == Approx(1.2 * kLn2));
}

TEST_CASE("NLL takes the negated log-probability of each true class", "[losses]")
{
    // Labels 2 and 0 pick -3 and -0.5: mean (3 + 0.5) / 2 = 1.75, sum 3.5.
    const torch::Tensor output = rows({{-1, -2, -3}, {-0.5F, -4, -1}});
    const torch::Tensor labels = labelsOf({2, 0});
    CHECK(lossOf(proto::LOSS_NLL, TargetKind::ClassIndex, output, labels) == Approx(1.75));
    CHECK(lossOf(proto::LOSS_NLL, TargetKind::ClassIndex, output, labels, true) == Approx(3.5));
}

TEST_CASE("BCE with one logit per sample compares the sigmoid with the 0 or 1 label", "[losses]")
{
    // Logit 0, label 1: -ln sigmoid(0) = ln 2. Logit ln 3, label 0: -ln(1 - 3/4) = ln 4.
    // Mean (ln 2 + 2 ln 2) / 2 = 1.5 ln 2.
    const torch::Tensor output = rows({{0}, {float(kLn3)}});
    const torch::Tensor labels = labelsOf({1, 0});
    const auto bce = proto::LOSS_BCE_WITH_LOGITS;
    CHECK(lossOf(bce, TargetKind::BinaryLogit, output, labels) == Approx(1.5 * kLn2));
    CHECK(lossOf(bce, TargetKind::BinaryLogit, output, labels, true) == Approx(3 * kLn2));
}

TEST_CASE("BCE with one logit per class uses one-hot targets averaged per sample", "[losses]")
{
    // Row 1: [0, ln 3], label 1: class 0 gives -ln(1 - 1/2) = ln 2, class 1 gives
    // -ln(3/4) = 2 ln 2 - ln 3, so the row's mean is (3 ln 2 - ln 3) / 2.
    // Row 2: [0, 0], label 0: ln 2 and ln 2, mean ln 2.
    const torch::Tensor output = rows({{0, float(kLn3)}, {0, 0}});
    const torch::Tensor labels = labelsOf({1, 0});
    const double row1 = (3 * kLn2 - kLn3) / 2;
    const auto bce = proto::LOSS_BCE_WITH_LOGITS;
    CHECK(lossOf(bce, TargetKind::ClassIndex, output, labels) == Approx((row1 + kLn2) / 2));
    CHECK(lossOf(bce, TargetKind::ClassIndex, output, labels, true) == Approx(row1 + kLn2));
}

TEST_CASE("MSE and L1 regress the label's value from one output per sample", "[losses]")
{
    // Outputs 1.5 and 2 against labels 1 and 4: errors 0.5 and -2.
    // MSE mean (0.25 + 4) / 2 = 2.125; L1 mean (0.5 + 2) / 2 = 1.25.
    const torch::Tensor output = rows({{1.5F}, {2}});
    const torch::Tensor labels = labelsOf({1, 4});
    const auto reg = TargetKind::Regression;
    CHECK(lossOf(proto::LOSS_MSE, reg, output, labels) == Approx(2.125));
    CHECK(lossOf(proto::LOSS_MSE, reg, output, labels, true) == Approx(4.25));
    CHECK(lossOf(proto::LOSS_L1, reg, output, labels) == Approx(1.25));
    CHECK(lossOf(proto::LOSS_L1, reg, output.reshape({-1}), labels, true) == Approx(2.5));
}

TEST_CASE("A bfloat16 output gives a float32 loss", "[losses]")
{
    const torch::Tensor output = rows({{0, 0, 0}, {float(kLn2), 0, 0}}).to(torch::kBFloat16);
    const double loss =
        lossOf(proto::LOSS_CROSS_ENTROPY, TargetKind::ClassIndex, output, labelsOf({2, 0}));
    CHECK(loss == Approx((kLn3 + kLn2) / 2).epsilon(0.01));
}

TEST_CASE("Predicted classes are the argmax or the sign of the single logit", "[losses]")
{
    const torch::Tensor indices =
        runners::predictClasses(TargetKind::ClassIndex, rows({{0, 3, 1}, {5, 1, 2}}));
    CHECK(indices.equal(labelsOf({1, 0})));
    const torch::Tensor binary =
        runners::predictClasses(TargetKind::BinaryLogit, rows({{-0.5F}, {2}, {0}}));
    CHECK(binary.equal(labelsOf({0, 1, 0})));
}

TEST_CASE("Cross-entropy and NLL accept one output per class and reject other widths", "[losses]")
{
    CHECK(accepted(proto::LOSS_CROSS_ENTROPY, {10}, 10) == TargetKind::ClassIndex);
    CHECK(accepted(proto::LOSS_NLL, {10}, 10, "LogSoftmax") == TargetKind::ClassIndex);
    const std::string text = rejected(lossConfig(proto::LOSS_CROSS_ENTROPY), {5}, 10);
    CHECK_THAT(text, Catch::Contains("train.loss"));
    CHECK_THAT(text, Catch::Contains("give the output node 10 outputs"));
    CHECK_THAT(rejected(lossConfig(proto::LOSS_NLL), {1, 10}, 10, "LogSoftmax"),
               Catch::Contains("train.loss"));
}

TEST_CASE("NLL is rejected when the model does not end in LogSoftmax", "[losses]")
{
    const std::string text = rejected(lossConfig(proto::LOSS_NLL), {10}, 10, "Linear");
    CHECK_THAT(text, Catch::Contains("train.loss"));
    CHECK_THAT(text,
               Catch::Contains("NLL expects log-probabilities but the model's last op is Linear"));
    CHECK_THAT(text, Catch::Contains("end the model with a LogSoftmax node, or use cross-entropy"));
}

TEST_CASE("BCE takes one logit for two classes or one logit per class", "[losses]")
{
    const auto bce = proto::LOSS_BCE_WITH_LOGITS;
    CHECK(accepted(bce, {1}, 2) == TargetKind::BinaryLogit);
    CHECK(accepted(bce, {}, 2) == TargetKind::BinaryLogit);
    CHECK(accepted(bce, {2}, 2) == TargetKind::ClassIndex);
    CHECK(accepted(bce, {10}, 10) == TargetKind::ClassIndex);
    const std::string single = rejected(lossConfig(bce), {1}, 3);
    CHECK_THAT(single, Catch::Contains("train.loss"));
    CHECK_THAT(single, Catch::Contains("exactly 2 classes"));
    CHECK_THAT(rejected(lossConfig(bce), {4}, 10), Catch::Contains("train.loss"));
}

TEST_CASE("MSE and L1 take one output and reject a per-class output", "[losses]")
{
    for (const auto loss : {proto::LOSS_MSE, proto::LOSS_L1}) {
        CHECK(accepted(loss, {1}, 10) == TargetKind::Regression);
        CHECK(accepted(loss, {}, 10) == TargetKind::Regression);
        const std::string text = rejected(lossConfig(loss), {10}, 10);
        CHECK_THAT(text, Catch::Contains("train.loss"));
        CHECK_THAT(text, Catch::Contains("10 outputs with class indices"));
        CHECK_THAT(text,
                   Catch::Contains("use cross-entropy for classification, or give the model one "
                                   "output to regress the label's value"));
        CHECK_THAT(rejected(lossConfig(loss), {2, 2}, 10), Catch::Contains("train.loss"));
    }
    CHECK_THAT(rejected(lossConfig(proto::LOSS_MSE), {10}, 10),
               Catch::StartsWith("train.loss: MSE"));
}

TEST_CASE("Label smoothing must be at least 0 and below 1, and go with cross-entropy only",
          "[losses]")
{
    const model::Shape out{10};
    auto smoothed = runners::checkLoss(lossConfig(proto::LOSS_CROSS_ENTROPY, 0.1), out, 10, "");
    CHECK(smoothed.ok());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const double bad : {1.0, -0.1, nan}) {
        INFO(bad);
        CHECK_THAT(rejected(lossConfig(proto::LOSS_CROSS_ENTROPY, bad), out, 10),
                   Catch::Contains("train.label_smoothing"));
    }
    const std::string text = rejected(lossConfig(proto::LOSS_MSE, 0.1), {1}, 10);
    CHECK_THAT(text, Catch::Contains("train.label_smoothing"));
    CHECK_THAT(text, Catch::Contains("cross-entropy only"));
}
