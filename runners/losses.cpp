#include "runners/losses.h"

#include <torch/nn/functional/loss.h>

#include <cmath>
#include <sstream>

namespace tl::runners {
namespace {

using base::ErrorCode;
namespace F = torch::nn::functional;

// One output per sample: [] or [1].
bool isSingle(const model::Shape &shape)
{
    return shape.empty() || (shape.size() == 1 && shape[0] == 1);
}

// One output per class: [classes].
bool isPerClass(const model::Shape &shape, std::int64_t classes)
{
    return shape.size() == 1 && shape[0] == classes;
}

std::string lossName(proto::LossKind loss)
{
    switch (loss) {
    case proto::LOSS_CROSS_ENTROPY:
        return "cross-entropy";
    case proto::LOSS_BCE_WITH_LOGITS:
        return "BCE with logits";
    case proto::LOSS_MSE:
        return "MSE";
    case proto::LOSS_L1:
        return "L1";
    case proto::LOSS_NLL:
        return "NLL";
    default:
        return "loss " + std::to_string(static_cast<int>(loss));
    }
}

// "10 values" for [10], "2×2 values" for [2, 2].
std::string valuesText(const model::Shape &shape)
{
    return model::shapeText(shape) + (isSingle(shape) ? " value" : " values");
}

base::Error lossError(const std::string &message)
{
    return base::makeError(ErrorCode::InvalidInput, message, "train.loss");
}

base::Status checkLabelSmoothing(const proto::TrainConfig &config)
{
    const double smoothing = config.label_smoothing();
    if (!std::isfinite(smoothing) || smoothing < 0 || smoothing >= 1) {
        std::ostringstream text;
        text << "Label smoothing must be a number in [0, 1), not " << smoothing
             << ": 0 turns it off, 0.1 is usual.";
        return base::makeError(ErrorCode::InvalidInput, text.str(), "train.label_smoothing");
    }
    if (smoothing != 0 && config.loss() != proto::LOSS_CROSS_ENTROPY) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Label smoothing applies to cross-entropy only, but train.loss is "
                                   + lossName(config.loss())
                                   + ": set it to 0, or use cross-entropy.",
                               "train.label_smoothing");
    }
    return base::okStatus();
}

// Cross-entropy and NLL: one logit (or log-probability) per class.
base::Result<TargetKind> checkPerClass(const proto::TrainConfig &config,
                                       const model::Shape &outputShape,
                                       std::int64_t classes,
                                       const std::string &lastOp)
{
    const std::string name = lossName(config.loss());
    if (!isPerClass(outputShape, classes)) {
        return lossError(name + " needs one output per class, but the model yields "
                         + valuesText(outputShape) + " per sample and the dataset has "
                         + std::to_string(classes) + " classes: give the output node "
                         + std::to_string(classes) + " outputs.");
    }
    if (config.loss() == proto::LOSS_NLL && lastOp != "LogSoftmax") {
        const std::string last = lastOp.empty() ? "the model does not end in LogSoftmax"
                                                : "the model's last op is " + lastOp;
        return lossError("NLL expects log-probabilities but " + last
                         + ": end the model with a LogSoftmax node, or use cross-entropy.");
    }
    return TargetKind::ClassIndex;
}

base::Result<TargetKind> checkBce(const model::Shape &outputShape, std::int64_t classes)
{
    if (isSingle(outputShape) && classes == 2) {
        return TargetKind::BinaryLogit;
    }
    if (isPerClass(outputShape, classes)) {
        return TargetKind::ClassIndex;
    }
    const std::string count = std::to_string(classes);
    if (isSingle(outputShape)) {
        return lossError("BCE with logits on one output per sample needs exactly 2 classes, but "
                         "the dataset has "
                         + count + ": give the output node " + count
                         + " outputs (one per class), or use cross-entropy.");
    }
    return lossError("BCE with logits needs one output per sample (2 classes) or one per class, "
                     "but the model yields "
                     + valuesText(outputShape) + " per sample and the dataset has " + count
                     + " classes: give the output node " + count + " outputs.");
}

// MSE and L1 regress the label's value with one output.
base::Result<TargetKind> checkRegression(const proto::TrainConfig &config,
                                         const model::Shape &outputShape,
                                         std::int64_t classes)
{
    if (isSingle(outputShape)) {
        return TargetKind::Regression;
    }
    const std::string name = lossName(config.loss());
    if (isPerClass(outputShape, classes)) {
        return lossError(name + " compares the model's " + std::to_string(classes)
                         + " outputs with class indices, one number per sample: use "
                           "cross-entropy for classification, or give the model one output to "
                           "regress the label's value.");
    }
    return lossError(name + " regresses one number per sample, but the model yields "
                     + valuesText(outputShape)
                     + ": give the model one output, or use cross-entropy for classification.");
}

// Reduces a per-sample loss [N] over the batch.
torch::Tensor reduce(const torch::Tensor &perSample, bool sum)
{
    return sum ? perSample.sum() : perSample.mean();
}

torch::Tensor bceLoss(TargetKind target, const torch::Tensor &output, const torch::Tensor &labels)
{
    const auto none = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone);
    if (target == TargetKind::BinaryLogit) {
        return F::binary_cross_entropy_with_logits(output.reshape({-1}), labels.to(torch::kFloat32),
                                                   none);
    }
    // Built with scatter_, not torch::one_hot: one_hot reads the class count back on CUDA,
    // which breaks graph capture.
    const torch::Tensor oneHot = torch::zeros_like(output).scatter_(1, labels.unsqueeze(1), 1.0);
    // The mean over classes per sample, so that sum / N equals the mean over all elements.
    return F::binary_cross_entropy_with_logits(output, oneHot, none).mean(1);
}

torch::Tensor
regressionLoss(proto::LossKind loss, const torch::Tensor &output, const torch::Tensor &labels)
{
    const torch::Tensor values = output.reshape({-1});
    const torch::Tensor targets = labels.to(torch::kFloat32);
    if (loss == proto::LOSS_L1) {
        return F::l1_loss(values, targets, F::L1LossFuncOptions().reduction(torch::kNone));
    }
    return F::mse_loss(values, targets, F::MSELossFuncOptions().reduction(torch::kNone));
}

} // namespace

base::Result<TargetKind> checkLoss(const proto::TrainConfig &config,
                                   const model::Shape &outputShape,
                                   std::int64_t classes,
                                   const std::string &lastOp)
{
    if (auto smoothing = checkLabelSmoothing(config); !smoothing.ok()) {
        return smoothing.error();
    }
    switch (config.loss()) {
    case proto::LOSS_CROSS_ENTROPY:
    case proto::LOSS_NLL:
        return checkPerClass(config, outputShape, classes, lastOp);
    case proto::LOSS_BCE_WITH_LOGITS:
        return checkBce(outputShape, classes);
    case proto::LOSS_MSE:
    case proto::LOSS_L1:
        return checkRegression(config, outputShape, classes);
    default:
        return lossError("The train config's loss " + std::to_string(config.loss())
                         + " is unknown: use cross-entropy, BCE with logits, MSE, L1 or NLL.");
    }
}

torch::Tensor computeLoss(const proto::TrainConfig &config,
                          TargetKind target,
                          const torch::Tensor &output,
                          const torch::Tensor &labels,
                          bool sum)
{
    // bf16 autocast leaves bf16 outputs; the loss and its sum need float32's range and precision.
    const torch::Tensor logits = output.to(torch::kFloat32);
    switch (config.loss()) {
    case proto::LOSS_NLL:
        return reduce(F::nll_loss(logits, labels, F::NLLLossFuncOptions().reduction(torch::kNone)),
                      sum);
    case proto::LOSS_BCE_WITH_LOGITS:
        return reduce(bceLoss(target, logits, labels), sum);
    case proto::LOSS_MSE:
    case proto::LOSS_L1:
        return reduce(regressionLoss(config.loss(), logits, labels), sum);
    default:
        return reduce(F::cross_entropy(logits, labels,
                                       F::CrossEntropyFuncOptions()
                                           .reduction(torch::kNone)
                                           .label_smoothing(config.label_smoothing())),
                      sum);
    }
}

torch::Tensor predictClasses(TargetKind target, const torch::Tensor &output)
{
    switch (target) {
    case TargetKind::ClassIndex:
        return output.argmax(1);
    case TargetKind::BinaryLogit:
        return output.reshape({-1}).gt(0).to(torch::kInt64);
    case TargetKind::Regression:
        break;
    }
    // Regression has no classes; the nearest integer keeps callers that still ask well-defined.
    return output.reshape({-1}).round().to(torch::kInt64);
}

} // namespace tl::runners
