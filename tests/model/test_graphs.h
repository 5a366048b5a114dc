#pragma once
// Small builders for the model tests: graphs written node by node, so each test shows exactly
// the wiring it checks.

#include "proto/torchlight.pb.h"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace tl::model::test {

// A lone node (no inputs, no attributes) for the registry's per-node checks.
inline proto::Node makeNode(const std::string &name, const std::string &op)
{
    proto::Node node;
    node.set_name(name);
    node.set_op(op);
    return node;
}

inline proto::Node &addNode(proto::ModelGraph &graph,
                            const std::string &name,
                            const std::string &op,
                            std::initializer_list<const char *> inputs = {})
{
    proto::Node *node = graph.add_nodes();
    node->set_name(name);
    node->set_op(op);
    for (const char *input : inputs) {
        node->add_inputs(input);
    }
    return *node;
}

inline proto::Node &setInt(proto::Node &node, const std::string &key, std::int64_t value)
{
    (*node.mutable_attrs())[key].set_i(value);
    return node;
}

inline proto::Node &setFloat(proto::Node &node, const std::string &key, double value)
{
    (*node.mutable_attrs())[key].set_f(value);
    return node;
}

inline proto::Node &
setInts(proto::Node &node, const std::string &key, std::initializer_list<std::int64_t> values)
{
    auto *list = (*node.mutable_attrs())[key].mutable_ints();
    list->clear_values();
    for (std::int64_t value : values) {
        list->add_values(value);
    }
    return node;
}

inline proto::Node &addInput(proto::ModelGraph &graph,
                             std::initializer_list<std::int64_t> shape,
                             const std::string &name = "input")
{
    return setInts(addNode(graph, name, "Input"), "shape", shape);
}

// input [1, 28, 28] → flatten → fc1 (Linear 128) → relu1 → fc2 (Linear 10), written by hand
// rather than by makeTemplate() so the analysis tests do not depend on the templates.
inline proto::ModelGraph handWrittenMlp()
{
    proto::ModelGraph graph;
    addInput(graph, {1, 28, 28});
    addNode(graph, "flatten", "Flatten", {"input"});
    setInt(addNode(graph, "fc1", "Linear", {"flatten"}), "out_features", 128);
    addNode(graph, "relu1", "ReLU", {"fc1"});
    setInt(addNode(graph, "fc2", "Linear", {"relu1"}), "out_features", 10);
    return graph;
}

} // namespace tl::model::test
