#pragma once
// Internal to tl_model: how every node-level problem is worded, so errors from the registry, the
// analysis and the templates read alike; and int64 arithmetic that reports overflow.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tl::model {

// "node 'fc1'" or, for a node without a name, "node #3" (1-based position in the graph).
std::string nodeLabel(const proto::Node &node, int index = -1);

// An InvalidInput error: "node 'fc1' (Linear): <what>", context the bare node name.
base::Error nodeError(const proto::Node &node, const std::string &what, int index = -1);

// a * b and a + b for non-negative counts, or nullopt when the result would not fit in int64.
std::optional<std::int64_t> checkedMul(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b);

} // namespace tl::model
