#pragma once
// The one place that talks to Graphviz: builds a cgraph digraph from a VisibleGraph, runs a
// layout engine through libgvc and reads the positions back in Qt's y-down points. Graphviz is
// neither thread-safe nor re-entrant: callers serialise every call (the app's Graphviz lane).

#include "base/result.h"
#include "graphviz/graph_layout.h"
#include "graphviz/visible_graph.h"

#include <stop_token>
#include <vector>

namespace tl::graphviz {

// `sizes` holds one checked card size per visible box. `engine` is "dot" everywhere but in a
// test that makes Graphviz fail on purpose.
base::Result<GraphLayout> dotLayout(const VisibleGraph &visible,
                                    const std::vector<Size> &sizes,
                                    const std::stop_token &stop,
                                    const char *engine = "dot");

} // namespace tl::graphviz
