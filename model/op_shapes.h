#pragma once
// Internal to tl_model: the shape, parameter and FLOP functions of each op, which
// op_registry.cpp puts into its table. They run after checkAttributes() and the input count
// check passed, so attributes are present (or defaulted) and in range.

#include "model/op_registry.h"

namespace tl::model::opfn {

base::Result<Shape> inputShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> sameShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> flattenShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> linearShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> conv2dShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> maxPool2dShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> batchNorm2dShape(const proto::Node &node, const std::vector<Shape> &inputs);
base::Result<Shape> adaptiveAvgPool2dShape(const proto::Node &node,
                                           const std::vector<Shape> &inputs);
base::Result<Shape> logSoftmaxShape(const proto::Node &node, const std::vector<Shape> &inputs);

base::Result<std::int64_t>
noCount(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output);
base::Result<std::int64_t>
linearParameters(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output);
base::Result<std::int64_t>
linearFlops(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output);
base::Result<std::int64_t>
conv2dParameters(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output);
base::Result<std::int64_t>
conv2dFlops(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output);
base::Result<std::int64_t> batchNorm2dParameters(const proto::Node &node,
                                                 const std::vector<Shape> &inputs,
                                                 const Shape &output);

} // namespace tl::model::opfn
