#pragma once
// Validation and shape inference over a proto::ModelGraph: the check every graph passes before
// the canvas shows shapes or the worker builds a module. A pure function; any thread.

#include "base/result.h"
#include "model/op_registry.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::model {

// One node after analysis.
struct NodeAnalysis
{
    std::string name;
    std::string op;
    std::vector<std::string> inputs;
    Shape outputShape;
    std::int64_t parameters = 0; // trainable weights and biases
    std::int64_t flops = 0;      // multiply-accumulates per sample (see OpInfo)
};

// A whole graph after analysis.
struct GraphAnalysis
{
    std::vector<NodeAnalysis> nodes; // topological order, Input first
    std::string output;              // the node producing the logits
    Shape inputShape;
    Shape outputShape;
    std::int64_t parameters = 0;
    std::int64_t flops = 0;

    // The analysed node named `name`, or nullptr.
    const NodeAnalysis *node(std::string_view name) const;
};

// Validates the graph and infers every node's shape, parameters and FLOPs. The first problem
// found is returned as an error whose message is a complete sentence naming the node, its op
// and what was expected, and whose context is the bare node name (so the canvas can select
// it), or empty for problems of the graph as a whole (no nodes, no Input node).
// The output node is graph.output(), or the last node of graph.nodes() when that is empty.
base::Result<GraphAnalysis> analyzeGraph(const proto::ModelGraph &graph);

} // namespace tl::model
