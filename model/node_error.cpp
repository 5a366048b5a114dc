#include "model/node_error.h"

namespace tl::model {

std::string nodeLabel(const proto::Node &node, int index)
{
    if (node.name().empty() && index >= 0) {
        return "node #" + std::to_string(index + 1);
    }
    return "node '" + node.name() + "'";
}

base::Error nodeError(const proto::Node &node, const std::string &what, int index)
{
    std::string op = node.op().empty() ? std::string("no op") : node.op();
    return base::makeError(base::ErrorCode::InvalidInput,
                           nodeLabel(node, index) + " (" + op + "): " + what, node.name());
}

std::optional<std::int64_t> checkedMul(std::int64_t a, std::int64_t b)
{
    std::int64_t result = 0;
    if (__builtin_mul_overflow(a, b, &result)) {
        return std::nullopt;
    }
    return result;
}

std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b)
{
    std::int64_t result = 0;
    if (__builtin_add_overflow(a, b, &result)) {
        return std::nullopt;
    }
    return result;
}

} // namespace tl::model
