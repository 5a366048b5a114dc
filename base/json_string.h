#pragma once
// JSON string literals, written once: the dataset summaries' JSON and the YAML of Kubernetes
// manifests (JSON's escapes are valid in YAML's double-quoted scalars). Pure function.

#include <string>
#include <string_view>

namespace tl::base {

// The JSON string literal of `text`: quotes, backslashes and control characters escaped.
std::string jsonString(std::string_view text);

} // namespace tl::base
