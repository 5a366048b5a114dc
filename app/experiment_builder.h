#pragma once
// Assembles the ExperimentSpec a run trains from what the panels show: the loaded
// experiment's fixed parts (test limit, name, ...), the dataset, the model graph and the train
// panel's settings (the whole TrainConfig). Pure functions; any thread.

#include "proto/torchlight.pb.h"
#include "views/train_settings_form.h"

#include <string>

namespace tl::app {

// The train panel's view of a spec: its TrainConfig as it is, except that the counts and the
// learning rate the protocol lets be 0 ("the default") show the number they stand for.
views::TrainSettings trainSettingsFrom(const proto::ExperimentSpec &spec);

// base with its dataset, model and train settings replaced; its name says dataset and model
// when base has none.
proto::ExperimentSpec buildExperiment(const proto::ExperimentSpec &base,
                                      const proto::DatasetSpec &dataset,
                                      const proto::ModelGraph &graph,
                                      const views::TrainSettings &settings);

// base with its dataset and train settings replaced and `modelFile` (an .onnx, TorchScript or
// .tlmodel path) as the model to fine-tune instead of a graph; named "<file> on <dataset>".
proto::ExperimentSpec buildFineTuneExperiment(const proto::ExperimentSpec &base,
                                              const proto::DatasetSpec &dataset,
                                              const std::string &modelFile,
                                              const views::TrainSettings &settings);

} // namespace tl::app
