#include "graphviz/graph_layout.h"

#include "graphviz/dot_layout.h"
#include "graphviz/side_lanes.h"
#include "graphviz/visible_graph.h"

#include <cmath>
#include <cstdio>

namespace tl::graphviz {
namespace {

using base::ErrorCode;

// "node 'conv1' (Conv)", "group 'layers.3/attn'", "input 'x'": how an error names a card.
std::string cardName(const proto::ViewGraph &graph, const Box &box)
{
    switch (box.kind) {
    case BoxKind::Node: {
        const proto::ViewNode &node = graph.nodes(box.node);
        return "node '" + node.name() + "' (" + node.op() + ")";
    }
    case BoxKind::Group:
        return "group '" + box.group + "'";
    case BoxKind::Input:
        return "input '" + graph.inputs(box.node).name() + "'";
    case BoxKind::Output:
        return "output '" + graph.outputs(box.node).name() + "'";
    }
    return "card";
}

bool validSide(double side)
{
    return std::isfinite(side) && side > 0 && side <= Size::kMaxSide;
}

std::string points(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

base::Result<std::vector<Size>>
cardSizes(const proto::ViewGraph &graph, const std::vector<Box> &boxes, const CardSizer &sizer)
{
    if (!sizer) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The graph layout needs a card sizer, and none was given.");
    }
    std::vector<Size> sizes;
    sizes.reserve(boxes.size());
    for (const Box &box : boxes) {
        const Size size = sizer(box);
        if (!validSide(size.width) || !validSide(size.height)) {
            const std::string name = cardName(graph, box);
            return base::makeError(ErrorCode::InvalidInput,
                                   "The card for " + name + " measures " + points(size.width)
                                       + " × " + points(size.height)
                                       + " points; each side must be above 0 and at most "
                                       + points(Size::kMaxSide) + " points.",
                                   name);
        }
        sizes.push_back(size);
    }
    return sizes;
}

} // namespace

base::Result<GraphLayout> layoutGraph(const proto::ViewGraph &graph,
                                      const std::set<std::string> &expanded,
                                      const CardSizer &sizer,
                                      std::stop_token stop)
{
    if (stop.stop_requested()) {
        return base::makeError(ErrorCode::Cancelled, "The graph layout was cancelled.");
    }
    base::Result<VisibleGraph> visible = visibleGraph(graph, expanded, stop);
    if (!visible) {
        return visible.error();
    }
    if (visible.value().boxes.empty()) {
        return GraphLayout{};
    }
    const base::Result<std::vector<Size>> sizes = cardSizes(graph, visible.value().boxes, sizer);
    if (!sizes) {
        return sizes.error();
    }
    const std::vector<VisibleEdge> laneEdges = takeLaneEdges(visible.value());
    base::Result<GraphLayout> layout = dotLayout(visible.value(), sizes.value(), stop);
    if (layout) {
        routeLaneEdges(layout.value(), laneEdges);
    }
    return layout;
}

} // namespace tl::graphviz
