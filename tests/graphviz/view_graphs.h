#pragma once
// ViewGraphs built by hand for the graphviz tests, a fixed card sizer, and geometry checks on
// layouts (points, y down).

#include "graphviz/graph_layout.h"
#include "proto/torchlight.pb.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tl::graphviz::testing {

// "t7": appended rather than `"t" + to_string(7)`, on which GCC 12 warns falsely (-Wrestrict).
inline std::string numbered(const char *prefix, int number)
{
    std::string text = prefix;
    text += std::to_string(number);
    return text;
}

inline proto::TensorInfo tensor(const std::string &name, std::initializer_list<std::int64_t> dims)
{
    proto::TensorInfo info;
    info.set_name(name);
    info.set_shape_known(true);
    info.set_dtype("float32");
    for (std::int64_t dim : dims) {
        info.add_dims(dim);
    }
    return info;
}

// Appends to a ViewGraph in the order a model lists things (nodes topologically).
class GraphBuilder
{
public:
    GraphBuilder &input(const std::string &name, std::initializer_list<std::int64_t> dims = {1})
    {
        *m_graph.add_inputs() = tensor(name, dims);
        return *this;
    }
    GraphBuilder &output(const std::string &name, std::initializer_list<std::int64_t> dims = {1})
    {
        *m_graph.add_outputs() = tensor(name, dims);
        return *this;
    }
    GraphBuilder &value(const std::string &name, std::initializer_list<std::int64_t> dims)
    {
        *m_graph.add_values() = tensor(name, dims);
        return *this;
    }
    // `scope` is the node's group path, outermost first.
    GraphBuilder &node(const std::string &name,
                       const std::string &op,
                       const std::vector<std::string> &inputs,
                       const std::vector<std::string> &outputs,
                       const std::vector<std::string> &scope = {},
                       const std::vector<std::string> &parameters = {})
    {
        proto::ViewNode *node = m_graph.add_nodes();
        node->set_name(name);
        node->set_op(op);
        for (const std::string &in : inputs) {
            node->add_inputs(in);
        }
        for (const std::string &out : outputs) {
            node->add_outputs(out);
        }
        for (const std::string &part : scope) {
            node->add_scope(part);
        }
        for (const std::string &parameter : parameters) {
            *node->add_parameters() = tensor(parameter, {4, 4});
        }
        return *this;
    }
    const proto::ViewGraph &graph() const { return m_graph; }

private:
    proto::ViewGraph m_graph;
};

// x -> a -> b -> ... -> y, `count` nodes at the top level.
inline proto::ViewGraph chain(int count)
{
    GraphBuilder builder;
    builder.input("x", {1, 8});
    std::string previous = "x";
    for (int i = 0; i < count; ++i) {
        const std::string out = numbered("t", i);
        builder.node(numbered("n", i), "Relu", {previous}, {out}).value(out, {1, 8});
        previous = out;
    }
    builder.output(previous, {1, 8});
    return builder.graph();
}

// x -> split -> (left, right) -> join -> y.
inline proto::ViewGraph diamond()
{
    return GraphBuilder()
        .input("x", {2, 3})
        .node("split", "Identity", {"x"}, {"s"})
        .node("left", "Relu", {"s"}, {"l"})
        .node("right", "Sigmoid", {"s"}, {"r"})
        .node("join", "Add", {"l", "r"}, {"y"})
        .output("y", {2, 3})
        .graph();
}

// Two levels of PyTorch-style scopes ("/layer1/layer1.0/conv1/Conv"): stem, layer1 with two
// blocks of conv+relu, then a Flatten at the top level.
inline proto::ViewGraph scoped()
{
    GraphBuilder builder;
    builder.input("x", {1, 3, 8, 8})
        .node("/stem/Conv", "Conv", {"x", "stem.w"}, {"s"}, {"stem"}, {"stem.w"});
    std::string previous = "s";
    for (const std::string block : {"layer1.0", "layer1.1"}) {
        const std::string conv = block + ".c";
        const std::string relu = block + ".r";
        builder.node("/layer1/" + block + "/conv1/Conv", "Conv", {previous, block + ".w"}, {conv},
                     {"layer1", block, "conv1"}, {block + ".w"});
        builder.node("/layer1/" + block + "/Relu", "Relu", {conv}, {relu}, {"layer1", block});
        builder.value(conv, {1, 8, 8, 8}).value(relu, {1, 8, 8, 8});
        previous = relu;
    }
    builder.node("/Flatten", "Flatten", {previous}, {"y"});
    builder.output("y", {1, 512});
    return builder.graph();
}

// Cards of fixed, kind-dependent sizes, so tests know what each box must measure.
inline Size cardSize(const Box &box)
{
    switch (box.kind) {
    case BoxKind::Node:
        return {120, 44};
    case BoxKind::Group:
        return {150, 56};
    case BoxKind::Input:
    case BoxKind::Output:
        return {90, 30};
    }
    return {1, 1};
}

inline int findBox(const GraphLayout &layout, BoxKind kind, int node)
{
    for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
        if (layout.boxes[i].kind == kind && layout.boxes[i].node == node) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

inline int findGroup(const GraphLayout &layout, const std::string &group)
{
    for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
        if (layout.boxes[i].kind == BoxKind::Group && layout.boxes[i].group == group) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

inline bool overlap(const Rect &a, const Rect &b)
{
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height
           && b.y < a.y + a.height;
}

inline bool inside(const Rect &inner, const Rect &outer, double slack = 0.5)
{
    return inner.x >= outer.x - slack && inner.y >= outer.y - slack
           && inner.x + inner.width <= outer.x + outer.width + slack
           && inner.y + inner.height <= outer.y + outer.height + slack;
}

// How far `p` lies from the border of `r` (0 on it).
inline double borderDistance(const Point &p, const Rect &r)
{
    const double dx = std::max({r.x - p.x, 0.0, p.x - (r.x + r.width)});
    const double dy = std::max({r.y - p.y, 0.0, p.y - (r.y + r.height)});
    if (dx > 0 || dy > 0) {
        return std::hypot(dx, dy);
    }
    return std::min({p.x - r.x, r.x + r.width - p.x, p.y - r.y, r.y + r.height - p.y});
}

inline double centreY(const Rect &r)
{
    return r.y + r.height / 2;
}

} // namespace tl::graphviz::testing
