#pragma once
// Export of a Torchlight ModelGraph to ONNX (opset 17): Input becomes the graph input with a
// symbolic batch dimension, each node its ONNX counterpart (Linear -> Gemm, Conv2d -> Conv, ...),
// parameters become initializers. The result passes libonnx's checker and shape inference.
// A pure function; any thread.

#include "base/result.h"
#include "model/graph_analysis.h"
#include "model/op_registry.h"
#include "proto/torchlight.pb.h"

#include <functional>
#include <string>
#include <vector>

namespace tl::model {

inline constexpr int kOnnxExportOpset = 17;

// One parameter tensor of a node, float32, row-major, in libtorch's layout
// (Linear weight [out, in], Conv2d weight [out, in, kH, kW]).
struct ParameterData
{
    Shape shape;
    std::vector<float> values;
};

// One parameter a node has, by its libtorch name ("weight", "bias", "running_mean",
// "running_var"), with the shape its op and input shape give it.
struct ParameterSpec
{
    std::string name;
    Shape shape;
};

// The parameters of `node` (Linear, Conv2d, BatchNorm2d; none for the other ops) for an input of
// per-sample shape `input`, in libtorch's order. The running statistics of BatchNorm2d are
// buffers, not trainable, but they are exported and shown like parameters.
std::vector<ParameterSpec> nodeParameters(const proto::Node &node, const Shape &input);

// The parameter `param` ("weight", "bias", "running_mean", "running_var") of node `node`, or
// nullptr when the caller has none (then the export fails naming it).
using ParameterLookup =
    std::function<const ParameterData *(const std::string &node, const std::string &param)>;

// Serialized onnx::ModelProto bytes. Errors name the node that has no ONNX form or whose
// parameter is missing or of the wrong shape.
base::Result<std::string> exportOnnx(const proto::ModelGraph &graph,
                                     const GraphAnalysis &analysis,
                                     const ParameterLookup &parameters);

} // namespace tl::model
