#pragma once
// Edges dot never sees. The edges out of a hub (a card feeding many others, like the attention
// mask every layer of a Transformer reads) each span up to hundreds of ranks, and dot spent
// nearly all its time on them: 44 s for a flat 48-layer Transformer (0.9 s without), 200 ms
// for a 48-layer one opened collapsed (3 ms without).
// All but a hub's first edge therefore run along a vertical lane right of the drawing: down
// into the gap below the producer's rank, across to the lane, down it, across the gap above the
// consumer's rank and into the consumer's top. Internal to graphviz/; pure functions.

#include "graphviz/graph_layout.h"
#include "graphviz/visible_graph.h"

#include <cstddef>
#include <vector>

namespace tl::graphviz {

// A card feeding more than this many others is a hub.
constexpr int kHubFanOut = 4;
// In graphs with more cards than this, every hub's edges but the first take lanes.
constexpr std::size_t kLargeGraphCards = 400;
// In smaller graphs only the edges of a hub feeding more than this many cards take lanes (a
// 48-layer Transformer opened collapsed: every layer's card reads the mask).
constexpr int kWideHubFanOut = 16;

// Moves the edges that will take lanes out of visible.edges.
std::vector<VisibleEdge> takeLaneEdges(VisibleGraph &visible);

// Appends `edges` to layout.edges, routed along lanes right of the drawing, and widens it.
void routeLaneEdges(GraphLayout &layout, const std::vector<VisibleEdge> &edges);

} // namespace tl::graphviz
