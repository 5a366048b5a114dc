#pragma once
// The checks a spec passes before the worker spends time on it: protocol version, model graph
// (model::analyzeGraph), dataset files present, and after loading, that the data fits the model
// (input shape, class count, labels in range). Pure functions; torch-free.

#include "base/result.h"
#include "datasets/labeled_images.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"

#include <cstdint>

namespace tl::runners {

// Protocol version, train config ranges, model analysis and dataset files. Errors name the spec
// field ("train.momentum"), the node (context = node name) or the missing file (its path).
base::Result<model::GraphAnalysis> checkExperiment(const proto::ExperimentSpec &spec);

// The number of classes: class_names' size when given, else the largest label + 1.
std::int64_t classCount(const proto::DatasetSpec &dataset,
                        const datasets::LabeledImages &train,
                        const datasets::LabeledImages &test);

// That the loaded splits fit the model: image shape = the Input node's shape, the output node
// yields one logit per class, every label is below the class count. Errors name the node or
// the labels file.
base::Status checkDataFitsModel(const proto::DatasetSpec &dataset,
                                const model::GraphAnalysis &analysis,
                                const datasets::LabeledImages &train,
                                const datasets::LabeledImages &test);

} // namespace tl::runners
