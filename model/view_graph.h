#pragma once
// The display form of models (proto::ViewGraph): built from a Torchlight ModelGraph, and
// summarized as the JSON `torchlight-worker inspect-model` prints. The ONNX importer's
// describeOnnxModel() (model/onnx_model.h) builds the same form from an ONNX file.
// Pure functions; any thread.

#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"

#include <string>
#include <string_view>
#include <vector>

namespace tl::model {

// The graph as the graph view shows it (format "torchlight"): the Input node becomes the graph
// input [batch, ...shape], every other node a ViewNode reading its inputs and its parameters
// ("<node>.weight", "<node>.bias", and a BatchNorm2d's running statistics), its output shape
// as a value, and the output node's tensor the graph output. `analysis` is analyzeGraph(graph).
proto::ViewGraph describeModelGraph(const proto::ModelGraph &graph, const GraphAnalysis &analysis);

// The summary `inspect-model` prints, pretty-printed with a 2-space indent:
// {"name", "format", "producer", "opset", "inputs": [{"name", "shape", "dtype"}], "outputs",
//  "nodes": count, "ops": {op: count} (sorted), "parameters", "blocking_ops", "trainable",
//  "warnings"}. A symbolic dimension prints as its name, or null when it has none; an unknown
// shape as null.
std::string viewGraphSummaryJson(const proto::ViewGraph &view);

// The grouping path of a node name: PyTorch's exporter names nodes "/layer1/layer1.0/conv1/Conv",
// whose scope is {"layer1", "layer1.0", "conv1"}: the '/'-separated parts without empty ones and
// without the last. A name without '/' has no scope.
std::vector<std::string> scopeOfNodeName(std::string_view name);

// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD, so it can go into a
// proto3 string field (which must hold UTF-8) and into JSON.
std::string validUtf8(std::string_view text);

} // namespace tl::model
