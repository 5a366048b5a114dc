#pragma once
// The op registry: the one home of what each model op is (DESIGN.md, "one concept, one home"):
// its attributes with kinds, defaults and ranges, its input count, and its shape, parameter and
// FLOP functions. An immutable table built on first use; safe to read from any thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::model {

// Per sample, without the batch dimension: [1, 28, 28] for an MNIST image, [784] when flat.
using Shape = std::vector<std::int64_t>;

// Which member of proto::AttrValue an attribute uses.
enum class AttrKind { Int, Float, String, Ints };

// Largest size, channel count, kernel or stride an attribute may hold: what libtorch's int32
// kernels index, and small enough that products of two of them never overflow int64.
inline constexpr std::int64_t kMaxDimension = 2147483647;

// One attribute an op takes. minExclusive and maxExclusive say whether minValue and maxValue
// themselves are allowed; a maxValue of infinity (exclusive) leaves a float unbounded but finite.
// For Ints, the range applies to every element and the list holds at least one.
struct AttrInfo
{
    std::string name;
    AttrKind kind = AttrKind::Int;
    bool required = false;
    // The value used when the attribute is absent; nullopt when required, or when the default
    // depends on another attribute (then defaultNote says on which).
    std::optional<proto::AttrValue> defaultValue;
    std::string defaultNote; // "kernel_size" for MaxPool2d's stride; empty otherwise
    double minValue = 0;
    double maxValue = 0;
    bool minExclusive = false; // BatchNorm2d's eps must be above 0
    bool maxExclusive = false;
    std::string summary; // one line for a property editor's tooltip
};

// Shape of a node's output from its input shapes, in the order of node.inputs(). Errors are
// complete sentences naming the node and its op. Meant to run after checkAttributes() passed;
// anything else (a wrong input count, stride 0) is reported as an error, never a crash.
using ShapeFn = base::Result<Shape> (*)(const proto::Node &node, const std::vector<Shape> &inputs);
// Trainable parameters or FLOPs of a node given its input shapes and its output shape.
// Errors (only on int64 overflow) name the node.
using CountFn = base::Result<std::int64_t> (*)(const proto::Node &node,
                                               const std::vector<Shape> &inputs,
                                               const Shape &output);

// One op of the registry. FLOPs follow fvcore's convention: multiply-accumulates per sample of
// the matrix products and convolutions (one MAC = 1; bias adds not counted); ops without
// weights (Flatten, ReLU, MaxPool2d, Dropout, Input, LogSoftmax) count 0. fvcore counts
// BatchNorm2d and AdaptiveAvgPool2d as elementwise work; like ReLU they count 0 here, since
// their cost is memory traffic next to the products, not multiply-accumulates.
struct OpInfo
{
    std::string name;    // "Linear": the value of proto::Node::op
    std::string summary; // one line for the palette
    std::vector<AttrInfo> attrs;
    int inputs = 1; // how many inputs a node of this op takes
    ShapeFn shape = nullptr;
    CountFn parameters = nullptr;
    CountFn flops = nullptr;

    const AttrInfo *findAttr(std::string_view attrName) const;
};

// Every op, in palette order: Input, Flatten, Linear, Conv2d, BatchNorm2d, MaxPool2d,
// AdaptiveAvgPool2d, ReLU, Dropout, LogSoftmax.
const std::vector<OpInfo> &ops();
// The op named `name` (case-sensitive), or nullptr.
const OpInfo *findOp(std::string_view name);
// "Input, Flatten, Linear, ...": for "unknown op" errors and help text.
std::string knownOpNames();

// Checks a node's attributes against its op: required ones present, none unknown, each of the
// right kind and inside its range. Errors name the node, the op and what was expected.
base::Status checkAttributes(const proto::Node &node, const OpInfo &op);

// Attribute readers for code that runs after analyzeGraph() succeeded (the worker, the GUI).
// They return the fallback (or an empty list) when the attribute is absent or of another kind;
// floatAttr also reads an Int value, since a whole number is a valid float.
std::int64_t intAttr(const proto::Node &node, std::string_view name, std::int64_t fallback);
double floatAttr(const proto::Node &node, std::string_view name, double fallback);
std::vector<std::int64_t> intsAttr(const proto::Node &node, std::string_view name);

// "16×5×5" (U+00D7 between dimensions); "scalar" for an empty shape.
std::string shapeText(const Shape &shape);

} // namespace tl::model
