#pragma once
// The checks a spec passes before the worker spends time on it: protocol version, model graph
// (model::analyzeGraph), dataset files present, and after loading, that the data fits the model
// (input shape, class count). Pure functions; torch-free.

#include "base/result.h"
#include "datasets/dataset.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"

#include <cstdint>

namespace tl::runners {

// Protocol version, train config ranges, model analysis and dataset files. Errors name the spec
// field ("train.momentum"), the node (context = node name) or the missing file (its path).
base::Result<model::GraphAnalysis> checkExperiment(const proto::ExperimentSpec &spec);

// That the loaded dataset fits the model: the sample size equals the Input node's, the output
// node yields one logit per class, and neither train nor test is empty (labels were checked
// against the class names when the dataset was split). Errors name the node or the dataset.
base::Status checkDataFitsModel(const proto::DatasetSpec &dataset,
                                const model::GraphAnalysis &analysis,
                                const datasets::Dataset &data);

} // namespace tl::runners
