#include "model/graph_analysis.h"

#include "model/node_error.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

namespace tl::model {
namespace {

using NodeIndex = std::unordered_map<std::string, int>;

base::Error graphError(std::string message, std::string context = {})
{
    return base::makeError(base::ErrorCode::InvalidInput, std::move(message), std::move(context));
}

std::string plural(std::size_t count, const char *word)
{
    return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

// Name, op, attributes and input count of one node, before looking at its neighbours.
base::Status checkNode(const proto::Node &node, int position)
{
    if (node.name().empty()) {
        return graphError(nodeLabel(node, position) + " ("
                          + (node.op().empty() ? "no op" : node.op())
                          + ") has an empty name; every node needs a unique name");
    }
    const OpInfo *op = findOp(node.op());
    if (!op) {
        return graphError(nodeLabel(node) + ": unknown op '" + node.op()
                              + "'; known ops: " + knownOpNames(),
                          node.name());
    }
    if (auto status = checkAttributes(node, *op); !status) {
        return status;
    }
    if (node.inputs_size() != op->inputs) {
        std::string expected = op->inputs == 0 ? "no inputs" : plural(op->inputs, "input");
        return nodeError(node, "takes " + expected + ", got "
                                   + plural(std::size_t(node.inputs_size()), "input"));
    }
    return base::okStatus();
}

// Checks every node alone and indexes them by name.
base::Result<NodeIndex> indexNodes(const proto::ModelGraph &graph)
{
    NodeIndex index;
    for (int i = 0; i < graph.nodes_size(); ++i) {
        const proto::Node &node = graph.nodes(i);
        if (auto status = checkNode(node, i); !status) {
            return status.error();
        }
        auto [it, added] = index.emplace(node.name(), i);
        if (!added) {
            return nodeError(
                node, "the name is already used by node #" + std::to_string(it->second + 1) + " ("
                          + graph.nodes(it->second).op() + "); node names must be unique");
        }
    }
    for (const proto::Node &node : graph.nodes()) {
        for (const std::string &input : node.inputs()) {
            if (!index.count(input)) {
                return nodeError(node, "input '" + input + "' does not exist");
            }
        }
    }
    return index;
}

// The position of the graph's single Input node.
base::Result<int> findInputNode(const proto::ModelGraph &graph)
{
    int found = -1;
    for (int i = 0; i < graph.nodes_size(); ++i) {
        if (graph.nodes(i).op() != "Input") {
            continue;
        }
        if (found >= 0) {
            return nodeError(graph.nodes(i), "a second Input node; '" + graph.nodes(found).name()
                                                 + "' is already the input and a graph takes "
                                                   "exactly one");
        }
        found = i;
    }
    if (found < 0) {
        return graphError("the model graph has no Input node; add one whose shape is the "
                          "per-sample shape, e.g. [1, 28, 28]");
    }
    return found;
}

base::Result<int> findOutputNode(const proto::ModelGraph &graph, const NodeIndex &index)
{
    if (graph.output().empty()) {
        return graph.nodes_size() - 1;
    }
    auto it = index.find(graph.output());
    if (it == index.end()) {
        return graphError("the output node '" + graph.output()
                              + "' does not exist; name one of the graph's nodes as its output",
                          graph.output());
    }
    return it->second;
}

// Walks back from a node left over by Kahn's algorithm (every such node has a left-over input)
// until a node repeats: that node is on a cycle, which is returned in data-flow order.
std::vector<int> findCycle(const proto::ModelGraph &graph,
                           const NodeIndex &index,
                           const std::vector<int> &pending,
                           int start)
{
    std::vector<int> path;
    std::unordered_map<int, std::size_t> seenAt;
    int current = start;
    while (!seenAt.count(current)) {
        seenAt[current] = path.size();
        path.push_back(current);
        for (const std::string &input : graph.nodes(current).inputs()) {
            const int from = index.at(input);
            if (pending[from] > 0) {
                current = from;
                break;
            }
        }
    }
    std::vector<int> cycle(path.begin() + std::ptrdiff_t(seenAt[current]), path.end());
    std::reverse(cycle.begin(), cycle.end());
    // Start at the node that comes first in the graph, so the message reads the same however
    // the walk entered the cycle.
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    return cycle;
}

base::Error cycleError(const proto::ModelGraph &graph, const std::vector<int> &cycle)
{
    std::string loop;
    for (int node : cycle) {
        loop += "'" + graph.nodes(node).name() + "' → ";
    }
    loop += "'" + graph.nodes(cycle.front()).name() + "'";
    return nodeError(graph.nodes(cycle.front()),
                     "is part of the cycle " + loop
                         + "; a model graph must not loop back on itself");
}

// Kahn's algorithm, taking ready nodes in graph order so the result is deterministic.
base::Result<std::vector<int>> topologicalOrder(const proto::ModelGraph &graph,
                                                const NodeIndex &index)
{
    const int count = graph.nodes_size();
    std::vector<int> pending(static_cast<std::size_t>(count), 0); // inputs not yet placed
    std::vector<std::vector<int>> consumers(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        for (const std::string &input : graph.nodes(i).inputs()) {
            consumers[std::size_t(index.at(input))].push_back(i);
            ++pending[std::size_t(i)];
        }
    }
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int i = 0; i < count; ++i) {
        if (pending[std::size_t(i)] == 0) {
            ready.push(i);
        }
    }
    std::vector<int> order;
    while (!ready.empty()) {
        const int node = ready.top();
        ready.pop();
        order.push_back(node);
        for (int consumer : consumers[std::size_t(node)]) {
            if (--pending[std::size_t(consumer)] == 0) {
                ready.push(consumer);
            }
        }
    }
    if (int(order.size()) == count) {
        return order;
    }
    auto left = std::find_if(pending.begin(), pending.end(), [](int n) { return n > 0; });
    return cycleError(graph, findCycle(graph, index, pending, int(left - pending.begin())));
}

// Every node must contribute to the output: a dangling branch is almost always a wiring mistake.
base::Status checkFeedsOutput(const proto::ModelGraph &graph, const NodeIndex &index, int output)
{
    std::vector<bool> feeds(std::size_t(graph.nodes_size()), false);
    std::vector<int> stack{output};
    feeds[std::size_t(output)] = true;
    while (!stack.empty()) {
        const int node = stack.back();
        stack.pop_back();
        for (const std::string &input : graph.nodes(node).inputs()) {
            const int from = index.at(input);
            if (!feeds[std::size_t(from)]) {
                feeds[std::size_t(from)] = true;
                stack.push_back(from);
            }
        }
    }
    for (int i = 0; i < graph.nodes_size(); ++i) {
        if (!feeds[std::size_t(i)]) {
            return nodeError(graph.nodes(i), "does not feed the output '"
                                                 + graph.nodes(output).name()
                                                 + "'; connect it or delete it");
        }
    }
    return base::okStatus();
}

// Shape, parameters and FLOPs of one node, given the output shapes of its inputs.
base::Result<NodeAnalysis> analyzeNode(const proto::Node &node, const std::vector<Shape> &inputs)
{
    const OpInfo &op = *findOp(node.op());
    auto shape = op.shape(node, inputs);
    if (!shape) {
        return shape.error();
    }
    auto parameters = op.parameters(node, inputs, shape.value());
    if (!parameters) {
        return parameters.error();
    }
    auto flops = op.flops(node, inputs, shape.value());
    if (!flops) {
        return flops.error();
    }
    NodeAnalysis result;
    result.name = node.name();
    result.op = op.name;
    result.inputs.assign(node.inputs().begin(), node.inputs().end());
    result.outputShape = std::move(shape).value();
    result.parameters = parameters.value();
    result.flops = flops.value();
    return result;
}

base::Result<GraphAnalysis>
inferShapes(const proto::ModelGraph &graph, const std::vector<int> &order, int input, int output)
{
    GraphAnalysis analysis;
    std::unordered_map<std::string, std::size_t> analysed; // name -> position in analysis.nodes
    for (int position : order) {
        const proto::Node &node = graph.nodes(position);
        std::vector<Shape> inputs;
        for (const std::string &from : node.inputs()) {
            inputs.push_back(analysis.nodes[analysed.at(from)].outputShape);
        }
        auto result = analyzeNode(node, inputs);
        if (!result) {
            return result.error();
        }
        auto parameters = checkedAdd(analysis.parameters, result.value().parameters);
        auto flops = checkedAdd(analysis.flops, result.value().flops);
        if (!parameters || !flops) {
            return nodeError(node, "the model's total parameter or FLOP count does not fit in a "
                                   "64-bit integer");
        }
        analysis.parameters = *parameters;
        analysis.flops = *flops;
        analysed[node.name()] = analysis.nodes.size();
        analysis.nodes.push_back(std::move(result).value());
    }
    analysis.output = graph.nodes(output).name();
    analysis.inputShape = analysis.nodes[analysed.at(graph.nodes(input).name())].outputShape;
    analysis.outputShape = analysis.nodes[analysed.at(analysis.output)].outputShape;
    return analysis;
}

} // namespace

const NodeAnalysis *GraphAnalysis::node(std::string_view name) const
{
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [&](const NodeAnalysis &n) { return n.name == name; });
    return it == nodes.end() ? nullptr : &*it;
}

base::Result<GraphAnalysis> analyzeGraph(const proto::ModelGraph &graph)
{
    if (graph.nodes_size() == 0) {
        return graphError("the model graph has no nodes; start from a template or add an Input "
                          "node");
    }
    auto index = indexNodes(graph);
    if (!index) {
        return index.error();
    }
    auto input = findInputNode(graph);
    if (!input) {
        return input.error();
    }
    auto output = findOutputNode(graph, index.value());
    if (!output) {
        return output.error();
    }
    auto order = topologicalOrder(graph, index.value());
    if (!order) {
        return order.error();
    }
    if (auto status = checkFeedsOutput(graph, index.value(), output.value()); !status) {
        return status.error();
    }
    return inferShapes(graph, order.value(), input.value(), output.value());
}

} // namespace tl::model
