#pragma once
// Geometry of Edge::points, a cubic Bézier chain (start, then control, control, end triples):
// straight pieces in that form and the point halfway along. Internal to graphviz/; pure.

#include "graphviz/graph_layout.h"

#include <vector>

namespace tl::graphviz {

// Appends a straight segment from the chain's last point (or from `to` itself when empty).
void appendLine(std::vector<Point> &points, Point to);

// The point halfway along the chain's length (measured on a fine polyline), where an edge's
// label goes; the only point of a one-point chain; the origin of an empty one.
Point chainMidpoint(const std::vector<Point> &points);

} // namespace tl::graphviz
