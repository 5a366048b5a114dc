#pragma once
// Group paths of ViewNodes: the first `count` scope components joined by '/' ("layers.3/attn"),
// the key GroupTree, the expanded set and Box::group all use. Internal to graphviz/; no state.

#include "proto/torchlight.pb.h"

#include <string>

namespace tl::graphviz {

std::string scopePath(const proto::ViewNode &node, int count);

} // namespace tl::graphviz
