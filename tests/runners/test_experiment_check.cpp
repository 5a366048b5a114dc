#include "model/templates.h"
#include "runners/experiment_check.h"
#include "runners/trainer.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace tl;

namespace {

// A spec over four (empty) files the test creates: checkExperiment only checks they exist.
proto::ExperimentSpec validSpec(const std::string &name, std::int64_t classes = 10)
{
    const fs::path dir = testing::scratchDir(name);
    proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    proto::DatasetSpec *data = spec.mutable_dataset();
    for (const char *file : {"train-images", "train-labels", "test-images", "test-labels"}) {
        std::ofstream(dir / file) << "";
    }
    data->set_train_images((dir / "train-images").string());
    data->set_train_labels((dir / "train-labels").string());
    data->set_test_images((dir / "test-images").string());
    data->set_test_labels((dir / "test-labels").string());
    auto graph = model::makeTemplate("mlp", {1, 28, 28}, classes);
    REQUIRE(graph.ok());
    *spec.mutable_model() = graph.value();
    return spec;
}

datasets::SampleSet images(std::int64_t count, std::int64_t side, std::vector<std::int64_t> labels)
{
    datasets::SampleSet split;
    split.shape = {1, side, side};
    split.u8.assign(std::size_t(count * side * side), 7);
    split.labels = std::move(labels);
    return split;
}

datasets::Dataset dataset(datasets::SampleSet train, datasets::SampleSet test, int classes = 10)
{
    datasets::Dataset out;
    out.name = "d";
    out.train = std::move(train);
    out.test = std::move(test);
    for (int c = 0; c < classes; ++c) {
        out.classNames.push_back(std::to_string(c));
    }
    return out;
}

model::GraphAnalysis analysisOf(const proto::ExperimentSpec &spec)
{
    auto analysis = runners::checkExperiment(spec);
    INFO((analysis.ok() ? std::string() : analysis.error().describe()));
    REQUIRE(analysis.ok());
    return analysis.value();
}

} // namespace

TEST_CASE("A valid spec passes the checks and yields the model's analysis", "[runners]")
{
    const model::GraphAnalysis analysis = analysisOf(validSpec("check_valid"));
    CHECK(analysis.output == "fc2");
    CHECK(analysis.parameters == 101770);
}

TEST_CASE("A missing dataset file is an error naming the file", "[runners]")
{
    proto::ExperimentSpec spec = validSpec("check_missing");
    spec.mutable_dataset()->set_test_labels("/nonexistent/t10k-labels-idx1-ubyte.gz");
    auto result = runners::checkExperiment(spec);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == base::ErrorCode::NotFound);
    CHECK(result.error().context == "/nonexistent/t10k-labels-idx1-ubyte.gz");
    CHECK_THAT(result.error().message, Catch::Contains("test_labels"));

    spec.mutable_dataset()->clear_train_images();
    result = runners::checkExperiment(spec);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().context == "dataset.train_images");
}

TEST_CASE("Spec-level problems name the field or node they come from", "[runners]")
{
    proto::ExperimentSpec spec = validSpec("check_fields");
    SECTION("a newer protocol version")
    {
        spec.set_protocol_version(2);
        CHECK(runners::checkExperiment(spec).error().context == "protocol_version");
    }
    SECTION("momentum out of range")
    {
        spec.mutable_train()->set_momentum(1.5);
        CHECK(runners::checkExperiment(spec).error().context == "train.momentum");
    }
    SECTION("a negative learning rate")
    {
        spec.mutable_train()->set_learning_rate(-0.1);
        CHECK(runners::checkExperiment(spec).error().context == "train.learning_rate");
    }
    SECTION("an unknown op in the graph")
    {
        spec.mutable_model()->mutable_nodes(3)->set_op("Softmax2000");
        auto result = runners::checkExperiment(spec);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().context == spec.model().nodes(3).name());
    }
}

TEST_CASE("A model whose output size differs from the class count fails naming the output node",
          "[runners]")
{
    const proto::ExperimentSpec spec = validSpec("check_classes", 5);
    const model::GraphAnalysis analysis = analysisOf(spec);
    auto status = runners::checkDataFitsModel(spec, analysis,
                                              dataset(images(2, 28, {9, 0}), images(1, 28, {3})));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().context == "fc2");
    CHECK_THAT(status.error().message, Catch::Contains("'fc2'") && Catch::Contains("10 classes"));
}

TEST_CASE("Samples of another size than the Input node's fail naming the input node", "[runners]")
{
    const proto::ExperimentSpec spec = validSpec("check_input");
    const model::GraphAnalysis analysis = analysisOf(spec);
    auto status = runners::checkDataFitsModel(spec, analysis,
                                              dataset(images(2, 32, {9, 0}), images(1, 32, {3})));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().context == "input");
    CHECK_THAT(status.error().message, Catch::Contains("1×32×32"));

    datasets::SampleSet features;
    features.shape = {784};
    features.type = datasets::ValueType::Float32;
    features.f32.assign(784 * 2, 0.5F);
    features.labels = {1, 2};
    proto::ExperimentSpec small = spec;
    small.mutable_train()->set_batch_size(2); // no larger than the 2 train samples
    CHECK(runners::checkDataFitsModel(small, analysis, dataset(features, features)).ok());
}

TEST_CASE("An empty split is rejected before training", "[runners]")
{
    const proto::ExperimentSpec spec = validSpec("check_empty");
    auto status = runners::checkDataFitsModel(spec, analysisOf(spec),
                                              dataset(images(0, 28, {}), images(1, 28, {3})));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message == "The dataset's train split holds no samples.");
}

TEST_CASE("A spec of another format names its sources, which must exist", "[runners]")
{
    proto::ExperimentSpec spec = validSpec("check_sources");
    spec.mutable_dataset()->set_format(proto::DATASET_FORMAT_CSV);
    auto none = runners::checkExperiment(spec);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().context == "dataset.sources");
    spec.mutable_dataset()->add_sources("/nonexistent/iris.csv");
    auto missing = runners::checkExperiment(spec);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == base::ErrorCode::NotFound);
    CHECK(missing.error().context == "/nonexistent/iris.csv");
    spec.mutable_dataset()->set_format(static_cast<proto::DatasetFormat>(42));
    CHECK(runners::checkExperiment(spec).error().context == "dataset.format");
}

TEST_CASE("The train config defaults of the proto comments are applied", "[runners]")
{
    const proto::TrainConfig sgd = runners::effectiveTrainConfig({});
    CHECK(sgd.optimizer() == proto::OPTIMIZER_SGD);
    CHECK(sgd.learning_rate() == 0.01);
    CHECK(sgd.epochs() == 1);
    CHECK(sgd.batch_size() == 64);
    CHECK(sgd.log_every_steps() == 50);
    CHECK(sgd.threads() >= 1);

    proto::TrainConfig config;
    config.set_optimizer(proto::OPTIMIZER_ADAM);
    config.set_threads(3);
    config.set_batch_size(256);
    const proto::TrainConfig adam = runners::effectiveTrainConfig(config);
    CHECK(adam.learning_rate() == 0.001);
    CHECK(adam.threads() == 3);
    CHECK(adam.batch_size() == 256);
}
