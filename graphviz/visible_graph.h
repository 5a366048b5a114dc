#pragma once
// What one layout shows of a ViewGraph, before Graphviz sees it: the cards (nodes, collapsed
// groups, graph inputs and outputs), the open groups as nested clusters, and the edges between
// cards, merged and labelled with tensor shapes. Internal to graphviz/; pure functions.

#include "base/result.h"
#include "graphviz/graph_layout.h"
#include "proto/torchlight.pb.h"

#include <set>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::graphviz {

// An open group, drawn as a frame around its members.
struct Cluster
{
    std::string group;
    int parent = -1; // index into VisibleGraph::clusters; -1 at the top level
    int depth = 1;   // 1 for a top-level group
};

struct VisibleEdge
{
    int from = -1; // index into VisibleGraph::boxes
    int to = -1;
    std::string label;
};

struct VisibleGraph
{
    std::vector<Box> boxes;        // Box::rect still empty
    std::vector<int> boxCluster;   // per box: the innermost open group holding it, or -1
    std::vector<Cluster> clusters; // parents before children
    std::vector<VisibleEdge> edges;
};

// Inputs first, then nodes and collapsed groups in the graph's (topological) order, then
// outputs. Graph inputs that are also some node's parameter (initializers listed as inputs, as
// older ONNX files do) are folded into their nodes like every other parameter.
base::Result<VisibleGraph> visibleGraph(const proto::ViewGraph &graph,
                                        const std::set<std::string> &expanded,
                                        std::stop_token stop = {});

// "1×64×28×28" (U+00D7); a symbolic dimension shows its name, an unknown one "?"; a rank-0
// tensor "scalar"; empty when nothing is known of the shape.
std::string shapeLabel(const proto::TensorInfo &tensor);

} // namespace tl::graphviz
