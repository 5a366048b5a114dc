#include "app/experiment_builder.h"

#include "proto/spec_io.h"

namespace tl::app {

views::TrainSettings trainSettingsFrom(const proto::ExperimentSpec &spec)
{
    const proto::TrainConfig &train = spec.train();
    views::TrainSettings s;
    s.optimizer =
        train.optimizer() == proto::OPTIMIZER_ADAM ? proto::OPTIMIZER_ADAM : proto::OPTIMIZER_SGD;
    // 0 means "the optimizer's default" in the protocol; the panel shows that default.
    const double defaultRate = s.optimizer == proto::OPTIMIZER_ADAM ? 0.001 : 0.01;
    s.learningRate = train.learning_rate() > 0 ? train.learning_rate() : defaultRate;
    s.batchSize = train.batch_size() > 0 ? train.batch_size() : 64;
    s.epochs = train.epochs() > 0 ? train.epochs() : 1;
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
    proto::TrainConfig &train = *spec.mutable_train();
    train.set_optimizer(settings.optimizer);
    train.set_learning_rate(settings.learningRate);
    train.set_batch_size(settings.batchSize);
    train.set_epochs(settings.epochs);
    spec.set_device(settings.device);
    if (spec.name().empty()) {
        spec.set_name(dataset.name() + " " + graph.name());
    }
    return spec;
}

} // namespace tl::app
