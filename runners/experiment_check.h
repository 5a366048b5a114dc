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

// Protocol version, train config ranges, model analysis (not of spec.model_file, which
// loadModelToTrain reads) and dataset files. Errors name the spec
// field ("train.momentum"), the node (context = node name) or the missing file (its path).
base::Result<model::GraphAnalysis> checkExperiment(const proto::ExperimentSpec &spec);

// That the loaded dataset fits the model and the train config: the sample size equals the Input
// node's; the loss fits the output and the labels (cross-entropy and NLL: one logit per class;
// runners/loss_check.h); the batch is no larger than the train split; the schedule's numbers fit
// the run's steps; neither train nor test is empty (labels were checked against the class names
// when the dataset was split). Errors name the node, the dataset or the spec field.
base::Status checkDataFitsModel(const proto::ExperimentSpec &spec,
                                const model::GraphAnalysis &analysis,
                                const datasets::Dataset &data);

} // namespace tl::runners
