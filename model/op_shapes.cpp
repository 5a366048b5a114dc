#include "model/op_shapes.h"

#include "model/node_error.h"

#include <initializer_list>

namespace tl::model::opfn {
namespace {

// The product of `factors`, or an error naming the node when it does not fit in int64.
base::Result<std::int64_t>
product(const proto::Node &node, std::initializer_list<std::int64_t> factors, const char *what)
{
    std::int64_t result = 1;
    for (std::int64_t factor : factors) {
        auto next = checkedMul(result, factor);
        if (!next) {
            return nodeError(node, std::string(what) + " does not fit in a 64-bit integer");
        }
        result = *next;
    }
    return result;
}

// The one input of a single-input op. analyzeGraph() checks input counts first; this guards
// callers (a palette preview, a test) that call the registry's functions directly.
base::Result<Shape> soleInput(const proto::Node &node, const std::vector<Shape> &inputs)
{
    if (inputs.size() != 1) {
        return nodeError(node, "takes 1 input, got " + std::to_string(inputs.size()));
    }
    return inputs.front();
}

// Counts read the shapes the op's shape function produced; anything else is a caller's mistake
// reported as an error rather than an out-of-bounds read.
base::Status checkCountShapes(const proto::Node &node,
                              const std::vector<Shape> &inputs,
                              const Shape &output,
                              std::size_t rank)
{
    if (inputs.size() == 1 && inputs.front().size() == rank && output.size() == rank) {
        return base::okStatus();
    }
    return nodeError(node, "cannot count parameters or FLOPs without the shapes its shape "
                           "function inferred");
}

// Weights plus one bias per output feature or channel, unless the node says bias 0.
base::Result<std::int64_t>
addBias(const proto::Node &node, std::int64_t weights, std::int64_t outputs)
{
    const std::int64_t bias = intAttr(node, "bias", 1) != 0 ? outputs : 0;
    auto total = checkedAdd(weights, bias);
    if (!total) {
        return nodeError(node, "the parameter count does not fit in a 64-bit integer");
    }
    return *total;
}

// Conv2d, BatchNorm2d and the poolings take one [C, H, W] input; `what` says what the op
// cannot do to a flat one ("convolved or pooled").
base::Status
requireImage(const proto::Node &node, const Shape &input, const char *what = "convolved or pooled")
{
    if (input.size() == 3) {
        return base::okStatus();
    }
    std::string hint = input.size() == 1 ? "; a flat input cannot be " + std::string(what)
                                               + ", reshape it in the Input shape instead"
                                         : "";
    return nodeError(node, "expects a 3-D input [C, H, W], got " + shapeText(input) + hint);
}

// One spatial output size: floor((size + 2 * padding - kernel) / stride) + 1, as in PyTorch.
base::Result<std::int64_t> windowOutput(const proto::Node &node,
                                        const Shape &input,
                                        std::int64_t kernel,
                                        std::int64_t stride,
                                        std::int64_t padding,
                                        std::int64_t size)
{
    if (kernel < 1 || stride < 1 || padding < 0) {
        return nodeError(node, "needs kernel_size and stride of at least 1 and padding of at "
                               "least 0");
    }
    const std::int64_t padded = size + 2 * padding;
    if (kernel > padded) {
        std::string where = "its input " + shapeText(input);
        if (padding > 0) {
            where += " padded by " + std::to_string(padding) + " on each side";
        }
        return nodeError(node, "kernel " + std::to_string(kernel) + " is larger than " + where
                                   + "; use a smaller kernel_size or a larger input");
    }
    return (padded - kernel) / stride + 1;
}

// The one [C, H, W] input of Conv2d, BatchNorm2d and the poolings.
base::Result<Shape> soleImageInput(const proto::Node &node,
                                   const std::vector<Shape> &inputs,
                                   const char *what = "convolved or pooled")
{
    auto sole = soleInput(node, inputs);
    if (!sole) {
        return sole;
    }
    if (auto status = requireImage(node, sole.value(), what); !status) {
        return status.error();
    }
    return sole;
}

// [channels, H', W'] of a sliding window over the image `input`.
base::Result<Shape> windowShape(const proto::Node &node,
                                const Shape &input,
                                std::int64_t channels,
                                std::int64_t kernel,
                                std::int64_t stride,
                                std::int64_t padding)
{
    auto height = windowOutput(node, input, kernel, stride, padding, input[1]);
    if (!height) {
        return height.error();
    }
    auto width = windowOutput(node, input, kernel, stride, padding, input[2]);
    if (!width) {
        return width.error();
    }
    return Shape{channels, height.value(), width.value()};
}

// AdaptiveAvgPool2d's [H, W]: the attribute's two values, its one value twice, or [1, 1].
base::Result<Shape> adaptiveOutputSize(const proto::Node &node)
{
    Shape size = intsAttr(node, "output_size");
    if (size.empty()) {
        size = {1, 1};
    } else if (size.size() == 1) {
        size.push_back(size.front());
    }
    if (size.size() != 2) {
        return nodeError(node, "attribute 'output_size' must hold 1 or 2 values ([H, W]), got "
                                   + std::to_string(size.size()));
    }
    if (size[0] < 1 || size[1] < 1) {
        return nodeError(node,
                         "attribute 'output_size' must be at least 1, got " + shapeText(size));
    }
    return size;
}

} // namespace

base::Result<Shape> inputShape(const proto::Node &node, const std::vector<Shape> &)
{
    return intsAttr(node, "shape");
}

base::Result<Shape> sameShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    return soleInput(node, inputs);
}

base::Result<Shape> flattenShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    auto input = soleInput(node, inputs);
    if (!input) {
        return input;
    }
    std::int64_t size = 1;
    for (std::int64_t dim : input.value()) {
        auto next = checkedMul(size, dim);
        if (!next) {
            return nodeError(node, "the flattened size of " + shapeText(input.value())
                                       + " does not fit in a 64-bit integer");
        }
        size = *next;
    }
    return Shape{size};
}

base::Result<Shape> linearShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    auto sole = soleInput(node, inputs);
    if (!sole) {
        return sole;
    }
    const Shape &input = sole.value();
    if (input.size() != 1) {
        return nodeError(node, "expects a flat input, got " + shapeText(input)
                                   + "; insert a Flatten before it");
    }
    return Shape{intAttr(node, "out_features", 1)};
}

base::Result<Shape> conv2dShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    auto input = soleImageInput(node, inputs);
    if (!input) {
        return input;
    }
    return windowShape(node, input.value(), intAttr(node, "out_channels", 1),
                       intAttr(node, "kernel_size", 1), intAttr(node, "stride", 1),
                       intAttr(node, "padding", 0));
}

base::Result<Shape> maxPool2dShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    auto input = soleImageInput(node, inputs);
    if (!input) {
        return input;
    }
    const std::int64_t kernel = intAttr(node, "kernel_size", 1);
    // PyTorch's default: a window never overlaps the previous one.
    const std::int64_t stride = intAttr(node, "stride", kernel);
    return windowShape(node, input.value(), input.value()[0], kernel, stride, 0);
}

base::Result<Shape> batchNorm2dShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    return soleImageInput(node, inputs, "normalized per channel");
}

base::Result<Shape> adaptiveAvgPool2dShape(const proto::Node &node,
                                           const std::vector<Shape> &inputs)
{
    auto sole = soleImageInput(node, inputs);
    if (!sole) {
        return sole;
    }
    const Shape &input = sole.value();
    auto size = adaptiveOutputSize(node);
    if (!size) {
        return size;
    }
    const Shape &output = size.value();
    if (output[0] > input[1] || output[1] > input[2]) {
        return nodeError(node, "output_size " + shapeText(output)
                                   + " is larger than the input's height and width "
                                   + shapeText({input[1], input[2]})
                                   + "; use a smaller output_size or a larger input");
    }
    return Shape{input[0], output[0], output[1]};
}

base::Result<Shape> logSoftmaxShape(const proto::Node &node, const std::vector<Shape> &inputs)
{
    auto sole = soleInput(node, inputs);
    if (!sole) {
        return sole;
    }
    if (sole.value().empty()) {
        return nodeError(node, "expects an input of at least one dimension, got a scalar");
    }
    return sole;
}

base::Result<std::int64_t> noCount(const proto::Node &, const std::vector<Shape> &, const Shape &)
{
    return std::int64_t{0};
}

base::Result<std::int64_t>
linearParameters(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output)
{
    if (auto status = checkCountShapes(node, inputs, output, 1); !status) {
        return status.error();
    }
    auto weights = product(node, {inputs.front()[0], output[0]}, "the weight count");
    if (!weights) {
        return weights;
    }
    return addBias(node, weights.value(), output[0]);
}

base::Result<std::int64_t>
linearFlops(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output)
{
    if (auto status = checkCountShapes(node, inputs, output, 1); !status) {
        return status.error();
    }
    return product(node, {inputs.front()[0], output[0]}, "the FLOP count");
}

base::Result<std::int64_t>
conv2dParameters(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output)
{
    if (auto status = checkCountShapes(node, inputs, output, 3); !status) {
        return status.error();
    }
    const std::int64_t kernel = intAttr(node, "kernel_size", 1);
    auto weights =
        product(node, {inputs.front()[0], output[0], kernel, kernel}, "the weight count");
    if (!weights) {
        return weights;
    }
    return addBias(node, weights.value(), output[0]);
}

base::Result<std::int64_t>
conv2dFlops(const proto::Node &node, const std::vector<Shape> &inputs, const Shape &output)
{
    if (auto status = checkCountShapes(node, inputs, output, 3); !status) {
        return status.error();
    }
    // One multiply-accumulate per weight per output position.
    const std::int64_t kernel = intAttr(node, "kernel_size", 1);
    return product(node, {output[0], output[1], output[2], inputs.front()[0], kernel, kernel},
                   "the FLOP count");
}

base::Result<std::int64_t> batchNorm2dParameters(const proto::Node &node,
                                                 const std::vector<Shape> &inputs,
                                                 const Shape &output)
{
    if (auto status = checkCountShapes(node, inputs, output, 3); !status) {
        return status.error();
    }
    // A weight and a bias per channel; the running mean and variance are buffers, not learned.
    return product(node, {2, inputs.front()[0]}, "the parameter count");
}

} // namespace tl::model::opfn
