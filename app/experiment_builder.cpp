#include "app/experiment_builder.h"

#include "proto/spec_io.h"
#include "views/optimizer_fields.h"

#include <filesystem>

namespace tl::app {

views::TrainSettings trainSettingsFrom(const proto::ExperimentSpec &spec)
{
    views::TrainSettings s;
    s.train = spec.train();
    proto::TrainConfig &train = s.train;
    if (train.optimizer() == proto::OPTIMIZER_UNSPECIFIED) {
        train.set_optimizer(proto::OPTIMIZER_SGD);
    }
    // 0 means "the default" in the protocol; the panel shows that default's number.
    if (train.learning_rate() <= 0) {
        train.set_learning_rate(views::OptimizerFields::defaultLearningRate(train.optimizer()));
    }
    if (train.batch_size() == 0) {
        train.set_batch_size(64);
    }
    if (train.epochs() == 0) {
        train.set_epochs(1);
    }
    if (train.grad_accumulation() == 0) {
        train.set_grad_accumulation(1);
    }
    s.trainLimit = spec.dataset().train_limit();
    s.device = spec.device().empty() ? "cpu" : spec.device();
    return s;
}

proto::ExperimentSpec buildExperiment(const proto::ExperimentSpec &base,
                                      const proto::DatasetSpec &dataset,
                                      const proto::ModelGraph &graph,
                                      const views::TrainSettings &settings)
{
    proto::ExperimentSpec spec = base;
    spec.set_protocol_version(proto::kProtocolVersion);
    // The test limit is not on the panel: it stays as the experiment file set it.
    const std::uint64_t testLimit = base.dataset().test_limit();
    *spec.mutable_dataset() = dataset;
    spec.mutable_dataset()->set_train_limit(settings.trainLimit);
    spec.mutable_dataset()->set_test_limit(testLimit);
    *spec.mutable_model() = graph;
    *spec.mutable_train() = settings.train;
    spec.set_device(settings.device);
    if (spec.name().empty()) {
        spec.set_name(dataset.name() + " " + graph.name());
    }
    return spec;
}

proto::ExperimentSpec buildFineTuneExperiment(const proto::ExperimentSpec &base,
                                              const proto::DatasetSpec &dataset,
                                              const std::string &modelFile,
                                              const views::TrainSettings &settings)
{
    proto::ExperimentSpec spec = buildExperiment(base, dataset, proto::ModelGraph(), settings);
    spec.clear_model();
    spec.set_model_file(modelFile);
    std::string name = std::filesystem::path(modelFile).filename().string();
    if (!dataset.name().empty()) {
        name += " on ";
        name += dataset.name();
    }
    spec.set_name(name);
    return spec;
}

} // namespace tl::app
