#include "runners/experiment_check.h"

#include "proto/spec_io.h"
#include "runners/loss_check.h"
#include "runners/lr_schedule.h"
#include "runners/metric_goal.h"
#include "runners/number_text.h"
#include "runners/trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>

namespace tl::runners {
namespace {

using base::ErrorCode;

// More CPU threads than any machine we train on has cores; a larger value is a typo.
constexpr std::uint32_t kMaxThreads = 4096;

base::Status checkDatasetFile(const std::string &path, const char *field)
{
    if (path.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("The dataset spec names no ") + field + " file.",
                               std::string("dataset.") + field);
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return base::makeError(ErrorCode::NotFound,
                               std::string("The dataset's ") + field
                                   + " file does not exist or is not a regular file.",
                               path);
    }
    return base::okStatus();
}

base::Status checkIdxFiles(const proto::DatasetSpec &dataset)
{
    const std::pair<const std::string &, const char *> files[] = {
        {dataset.train_images(), "train_images"},
        {dataset.train_labels(), "train_labels"},
    };
    for (const auto &[path, field] : files) {
        if (auto status = checkDatasetFile(path, field); !status) {
            return status;
        }
    }
    if (dataset.test_images().empty() && dataset.test_labels().empty()) {
        return base::okStatus(); // a split drawn from the train files
    }
    for (const auto &[path, field] : {std::pair{&dataset.test_images(), "test_images"},
                                      {&dataset.test_labels(), "test_labels"}}) {
        if (auto status = checkDatasetFile(*path, field); !status) {
            return status;
        }
    }
    return base::okStatus();
}

base::Status checkDataset(const proto::DatasetSpec &dataset)
{
    if (!proto::DatasetFormat_IsValid(dataset.format())) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset format " + std::to_string(dataset.format())
                                   + " is not one this worker reads; update the worker.",
                               "dataset.format");
    }
    if (dataset.format() == proto::DATASET_FORMAT_UNSPECIFIED
        || dataset.format() == proto::DATASET_FORMAT_IDX) {
        return checkIdxFiles(dataset);
    }
    if (dataset.sources().empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset spec names no source files or folders.",
                               "dataset.sources");
    }
    for (const std::string &source : dataset.sources()) {
        std::error_code ec;
        if (!std::filesystem::exists(source, ec)) {
            return base::makeError(ErrorCode::NotFound,
                                   "The dataset's source does not exist on this machine.", source);
        }
    }
    return base::okStatus();
}

std::int64_t product(const model::Shape &shape)
{
    return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

base::Status checkInputShape(const model::GraphAnalysis &analysis, const datasets::SampleSet &train)
{
    const std::string &input = analysis.nodes.front().name;
    if (product(analysis.inputShape) == train.sampleSize()) {
        return base::okStatus();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The model's input node '" + input + "' takes samples of shape "
                               + model::shapeText(analysis.inputShape)
                               + " but the dataset's samples are " + model::shapeText(train.shape)
                               + " (" + std::to_string(train.sampleSize()) + " values).",
                           input);
}

base::Status checkOutputSize(const model::GraphAnalysis &analysis, std::int64_t classes)
{
    if (analysis.outputShape.size() == 1 && analysis.outputShape[0] == classes) {
        return base::okStatus();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The model's output node '" + analysis.output + "' yields "
                               + model::shapeText(analysis.outputShape)
                               + " values per sample, but the dataset has "
                               + std::to_string(classes) + " classes, so it must yield "
                               + std::to_string(classes) + " (one logit per class).",
                           analysis.output);
}

base::Error trainError(const std::string &field, const std::string &expected)
{
    return base::makeError(ErrorCode::InvalidInput,
                           "The train config's " + field + " must be " + expected + ".",
                           "train." + field);
}

bool finiteIn(double value, double low, double high)
{
    return std::isfinite(value) && value >= low && value < high;
}

base::Status checkOptimizer(const proto::TrainConfig &train)
{
    if (!proto::Optimizer_IsValid(train.optimizer())) {
        return trainError("optimizer",
                          "OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_ADAMW or OPTIMIZER_RMSPROP");
    }
    if (!std::isfinite(train.learning_rate()) || train.learning_rate() < 0) {
        return trainError("learning_rate", "a finite number, 0 or more (0: the default)");
    }
    if (!finiteIn(train.momentum(), 0, 1)) {
        return trainError("momentum", "at least 0 and below 1");
    }
    if (!std::isfinite(train.weight_decay()) || train.weight_decay() < 0) {
        return trainError("weight_decay", "a finite number, 0 or more");
    }
    if (train.nesterov()
        && (train.momentum() <= 0
            || (train.optimizer() != proto::OPTIMIZER_SGD
                && train.optimizer() != proto::OPTIMIZER_UNSPECIFIED))) {
        return trainError("nesterov", "set only for SGD with a momentum above 0");
    }
    for (const auto &[value, field] : {std::pair{train.beta1(), "beta1"},
                                       {train.beta2(), "beta2"},
                                       {train.rmsprop_alpha(), "rmsprop_alpha"}}) {
        if (!finiteIn(value, 0, 1)) {
            return trainError(field, "at least 0 and below 1 (0: the default)");
        }
    }
    if (!std::isfinite(train.eps()) || train.eps() < 0) {
        return trainError("eps", "a finite number above 0 (0: the default)");
    }
    return base::okStatus();
}

base::Status checkTrainConfig(const proto::TrainConfig &train)
{
    if (auto status = checkOptimizer(train); !status) {
        return status;
    }
    if (train.threads() > kMaxThreads) {
        return trainError("threads", "at most " + std::to_string(kMaxThreads) + " (0: all cores)");
    }
    if (!std::isfinite(train.grad_clip_norm()) || train.grad_clip_norm() < 0) {
        return trainError("grad_clip_norm", "a finite number, 0 or more (0: no clipping)");
    }
    if (!proto::LossKind_IsValid(train.loss())) {
        return trainError("loss", "one of the LOSS_ values of this worker's protocol");
    }
    if (!proto::Precision_IsValid(train.precision())) {
        return trainError("precision", "PRECISION_FP32 or PRECISION_BF16_AUTOCAST");
    }
    if (auto status = MetricGoal::check(train.goal()); !status) {
        return status;
    }
    std::error_code ec;
    if (!train.resume_from().empty()
        && !std::filesystem::is_regular_file(train.resume_from(), ec)) {
        return base::makeError(ErrorCode::NotFound,
                               "The checkpoint to resume from (train.resume_from) does not exist.",
                               train.resume_from());
    }
    return base::okStatus();
}

// The loss against the model's output and the labels; batch size and schedule against the data.
base::Status checkTrainingFits(const proto::ExperimentSpec &spec,
                               const model::GraphAnalysis &analysis,
                               const datasets::Dataset &data)
{
    const proto::TrainConfig config = effectiveTrainConfig(spec.train());
    const auto classes = static_cast<std::int64_t>(data.classNames.size());
    const bool perClass =
        config.loss() == proto::LOSS_CROSS_ENTROPY || config.loss() == proto::LOSS_NLL;
    if (perClass) {
        if (auto status = checkOutputSize(analysis, classes); !status) {
            return status;
        }
    }
    const model::NodeAnalysis *last = analysis.node(analysis.output);
    if (auto target = checkLoss(config, analysis.outputShape, classes, last ? last->op : "");
        !target) {
        return target.error();
    }
    const std::int64_t train = data.train.count();
    if (static_cast<std::int64_t>(config.batch_size()) > train) {
        return trainError("batch_size", "at most the " + groupedDigits(train)
                                            + " samples of the train split; it is "
                                            + groupedDigits(config.batch_size()));
    }
    const std::int64_t micro = (train + config.batch_size() - 1) / config.batch_size();
    const std::int64_t perEpoch =
        (micro + config.grad_accumulation() - 1) / config.grad_accumulation();
    const std::int64_t total = perEpoch * config.epochs();
    return checkSchedule(effectiveSchedule(config.schedule(), perEpoch, total), total);
}

} // namespace

base::Result<model::GraphAnalysis> checkExperiment(const proto::ExperimentSpec &spec)
{
    if (spec.protocol_version() > proto::kProtocolVersion) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The spec uses protocol version "
                                   + std::to_string(spec.protocol_version())
                                   + " but this worker speaks version "
                                   + std::to_string(proto::kProtocolVersion) + "; update it.",
                               "protocol_version");
    }
    if (auto status = checkTrainConfig(spec.train()); !status) {
        return status.error();
    }
    // A model file is read by loadModelToTrain (runners/trainer.h), which fills the analysis in.
    base::Result<model::GraphAnalysis> analysis = model::GraphAnalysis{};
    if (spec.model_file().empty()) {
        analysis = model::analyzeGraph(spec.model());
        if (!analysis) {
            return analysis.error();
        }
    }
    if (auto status = checkDataset(spec.dataset()); !status) {
        return status.error();
    }
    return analysis;
}

base::Status checkDataFitsModel(const proto::ExperimentSpec &spec,
                                const model::GraphAnalysis &analysis,
                                const datasets::Dataset &data)
{
    const std::string where = "dataset \"" + spec.dataset().name() + "\"";
    if (data.train.count() == 0 || data.test.count() == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("The dataset's ")
                                   + (data.train.count() == 0 ? "train" : "test")
                                   + " split holds no samples.",
                               where);
    }
    if (auto status = checkInputShape(analysis, data.train); !status) {
        return status;
    }
    return checkTrainingFits(spec, analysis, data);
}

} // namespace tl::runners
