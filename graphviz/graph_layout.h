#pragma once
// Layered layout of a ViewGraph by Graphviz `dot` (libgvc): node cards, edge splines with tensor
// shapes, collapsed groups as single cards, expanded groups as frames. Graphviz is not
// thread-safe: every call into this module must run on one lane (app/ owns that thread).
// Qt-free; the caller supplies card sizes, since only views/ knows the fonts.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <functional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::graphviz {

struct Point
{
    double x = 0;
    double y = 0;
};

// Top-left corner and size, in points, y growing downwards (Qt's convention, not Graphviz's).
struct Rect
{
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;
};

enum class BoxKind {
    Node,   // one ViewNode
    Group,  // a collapsed group of nodes
    Input,  // a graph input
    Output, // a graph output
};

// One card of the layout.
struct Box
{
    BoxKind kind = BoxKind::Node;
    int node = -1;     // Node: index into ViewGraph.nodes; Input/Output: index into inputs/outputs
    std::string group; // Group: its path, components joined by '/' ("layers.3/attn")
    int members = 0;   // Group: how many nodes it holds, nested ones included
    Rect rect;
};

// One edge between two cards; several tensors between the same two cards share one edge.
struct Edge
{
    int from = -1; // index into GraphLayout::boxes
    int to = -1;
    // Cubic Bézier: start, then (control, control, end) triples; arrowhead at the last point.
    // Runs from the producer's card border to the consumer's, the last piece straight.
    std::vector<Point> points;
    std::string label; // the tensor's shape, "1×64×28×28"; empty when unknown
    Point labelAt;     // halfway along the spline; Graphviz never sees the label
};

// An expanded group drawn as a frame around its members.
struct Frame
{
    std::string group;
    Rect rect;
    int depth = 0; // 1 for a top-level group
};

struct GraphLayout
{
    std::vector<Box> boxes;
    std::vector<Edge> edges;
    std::vector<Frame> frames;
    double width = 0;
    double height = 0;
};

// The groups of a graph: every prefix of every node's ViewNode.scope, joined by '/'.
struct GroupTree
{
    std::vector<std::string> groups;                // sorted, parents before children
    std::vector<std::vector<std::string>> children; // per group: its direct child groups
    // Graphs with more nodes than this open with every group collapsed.
    static constexpr int kCollapseAbove = 150;
};
GroupTree groupTree(const proto::ViewGraph &graph);
// The groups expanded when the graph first opens: all of them for a small graph, none above
// GroupTree::kCollapseAbove nodes.
std::set<std::string> initialExpansion(const proto::ViewGraph &graph);

// Width and height in points of a card, from views/ (which knows its fonts).
struct Size
{
    double width = 0;
    double height = 0;
    // Larger sides are a sizer's bug; dot's integer ranks would overflow long before.
    static constexpr double kMaxSide = 10000;
};
using CardSizer = std::function<Size(const Box &box)>;

// Lays the graph out with the given groups expanded (a group is shown open only if its parents
// are). Boxes: inputs, then nodes and collapsed groups in graph order, then outputs; parameters
// (and graph inputs that are parameters) make no cards and no edges. Errors: InvalidInput when
// there is no sizer or it returns a side not in (0, Size::kMaxSide] points (naming the card),
// Backend when Graphviz reports an error (its message, never printed to stderr), Cancelled.
// The token is checked before and after dot, which itself cannot be interrupted. Edges out of a
// card feeding many others (an attention mask every layer reads) may bypass dot and run along
// a lane right of the drawing (graphviz/side_lanes.h); they come last in GraphLayout::edges.
base::Result<GraphLayout> layoutGraph(const proto::ViewGraph &graph,
                                      const std::set<std::string> &expanded,
                                      const CardSizer &sizer,
                                      std::stop_token stop = {});

} // namespace tl::graphviz
