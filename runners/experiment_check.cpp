#include "runners/experiment_check.h"

#include "proto/spec_io.h"

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

base::Status checkDataset(const proto::DatasetSpec &dataset)
{
    if (dataset.format() != proto::DATASET_FORMAT_UNSPECIFIED
        && dataset.format() != proto::DATASET_FORMAT_IDX) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset format " + std::to_string(dataset.format())
                                   + " is not supported by this worker (only idx).",
                               "dataset.format");
    }
    const std::pair<const std::string &, const char *> files[] = {
        {dataset.train_images(), "train_images"},
        {dataset.train_labels(), "train_labels"},
        {dataset.test_images(), "test_images"},
        {dataset.test_labels(), "test_labels"},
    };
    for (const auto &[path, field] : files) {
        if (auto status = checkDatasetFile(path, field); !status) {
            return status;
        }
    }
    return base::okStatus();
}

std::int64_t maxLabel(const datasets::LabeledImages &split)
{
    return split.labels.empty() ? -1 : *std::max_element(split.labels.begin(), split.labels.end());
}

std::int64_t product(const model::Shape &shape)
{
    return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

std::string imageShapeText(const datasets::LabeledImages &images)
{
    return model::shapeText({images.channels, images.height, images.width});
}

base::Status checkInputShape(const model::GraphAnalysis &analysis,
                             const datasets::LabeledImages &train)
{
    const std::string &input = analysis.nodes.front().name;
    if (product(analysis.inputShape) == train.imageSize()) {
        return base::okStatus();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The model's input node '" + input + "' takes samples of shape "
                               + model::shapeText(analysis.inputShape)
                               + " but the dataset's images are " + imageShapeText(train) + " ("
                               + std::to_string(train.imageSize()) + " values).",
                           input);
}

base::Status checkOutputSize(const proto::DatasetSpec &dataset,
                             const model::GraphAnalysis &analysis,
                             std::int64_t classes)
{
    if (analysis.outputShape.size() == 1 && analysis.outputShape[0] == classes) {
        return base::okStatus();
    }
    const std::string why = dataset.class_names_size() > 0
                                ? "the dataset spec names " + std::to_string(classes) + " classes"
                                : "the dataset's labels go up to " + std::to_string(classes - 1);
    return base::makeError(ErrorCode::InvalidInput,
                           "The model's output node '" + analysis.output + "' yields "
                               + model::shapeText(analysis.outputShape) + " values per sample, but "
                               + why + ", so it must yield " + std::to_string(classes)
                               + " (one logit per class).",
                           analysis.output);
}

base::Status checkLabels(const datasets::LabeledImages &split,
                         const std::string &labelsFile,
                         std::int64_t classes)
{
    for (std::size_t i = 0; i < split.labels.size(); ++i) {
        const std::int64_t label = split.labels[i];
        if (label < 0 || label >= classes) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Label " + std::to_string(label) + " of sample "
                                       + std::to_string(i) + " is outside the "
                                       + std::to_string(classes)
                                       + " classes named in the dataset spec.",
                                   labelsFile);
        }
    }
    return base::okStatus();
}

base::Error trainError(const std::string &field, const std::string &expected)
{
    return base::makeError(ErrorCode::InvalidInput,
                           "The train config's " + field + " must be " + expected + ".",
                           "train." + field);
}

base::Status checkTrainConfig(const proto::TrainConfig &train)
{
    if (train.optimizer() != proto::OPTIMIZER_UNSPECIFIED
        && train.optimizer() != proto::OPTIMIZER_SGD
        && train.optimizer() != proto::OPTIMIZER_ADAM) {
        return trainError("optimizer", "OPTIMIZER_SGD or OPTIMIZER_ADAM");
    }
    if (!std::isfinite(train.learning_rate()) || train.learning_rate() < 0) {
        return trainError("learning_rate", "a finite number, 0 or more (0: the default)");
    }
    if (!std::isfinite(train.momentum()) || train.momentum() < 0 || train.momentum() >= 1) {
        return trainError("momentum", "at least 0 and below 1");
    }
    if (!std::isfinite(train.weight_decay()) || train.weight_decay() < 0) {
        return trainError("weight_decay", "a finite number, 0 or more");
    }
    if (train.threads() > kMaxThreads) {
        return trainError("threads", "at most " + std::to_string(kMaxThreads) + " (0: all cores)");
    }
    return base::okStatus();
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
    auto analysis = model::analyzeGraph(spec.model());
    if (!analysis) {
        return analysis.error();
    }
    if (auto status = checkDataset(spec.dataset()); !status) {
        return status.error();
    }
    return analysis;
}

std::int64_t classCount(const proto::DatasetSpec &dataset,
                        const datasets::LabeledImages &train,
                        const datasets::LabeledImages &test)
{
    if (dataset.class_names_size() > 0) {
        return dataset.class_names_size();
    }
    return std::max(maxLabel(train), maxLabel(test)) + 1;
}

base::Status checkDataFitsModel(const proto::DatasetSpec &dataset,
                                const model::GraphAnalysis &analysis,
                                const datasets::LabeledImages &train,
                                const datasets::LabeledImages &test)
{
    if (train.count == 0 || test.count == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("The dataset's ") + (train.count == 0 ? "train" : "test")
                                   + " split holds no samples.",
                               train.count == 0 ? dataset.train_images() : dataset.test_images());
    }
    if (test.imageSize() != train.imageSize()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The test images are " + imageShapeText(test)
                                   + " but the train images are " + imageShapeText(train) + ".",
                               dataset.test_images());
    }
    if (auto status = checkInputShape(analysis, train); !status) {
        return status;
    }
    const std::int64_t classes = classCount(dataset, train, test);
    if (auto status = checkOutputSize(dataset, analysis, classes); !status) {
        return status;
    }
    if (auto status = checkLabels(train, dataset.train_labels(), classes); !status) {
        return status;
    }
    return checkLabels(test, dataset.test_labels(), classes);
}

} // namespace tl::runners
