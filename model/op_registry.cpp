#include "model/op_registry.h"

#include "model/node_error.h"
#include "model/op_shapes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tl::model {
namespace {

proto::AttrValue intValue(std::int64_t value)
{
    proto::AttrValue result;
    result.set_i(value);
    return result;
}

proto::AttrValue floatValue(double value)
{
    proto::AttrValue result;
    result.set_f(value);
    return result;
}

// A size-like integer attribute: 1 .. kMaxDimension, unless minValue says otherwise.
AttrInfo sizeAttr(std::string name,
                  bool required,
                  std::optional<std::int64_t> fallback,
                  std::string summary,
                  std::int64_t minValue = 1)
{
    AttrInfo info;
    info.name = std::move(name);
    info.kind = AttrKind::Int;
    info.required = required;
    if (fallback) {
        info.defaultValue = intValue(*fallback);
    }
    info.minValue = static_cast<double>(minValue);
    info.maxValue = static_cast<double>(kMaxDimension);
    info.summary = std::move(summary);
    return info;
}

AttrInfo biasAttr()
{
    AttrInfo info = sizeAttr("bias", false, 1, "1 to learn an additive bias, 0 for none", 0);
    info.maxValue = 1;
    return info;
}

AttrInfo shapeAttr()
{
    AttrInfo info = sizeAttr("shape", true, std::nullopt,
                             "per-sample shape without the batch dimension, e.g. [1, 28, 28]");
    info.kind = AttrKind::Ints;
    return info;
}

AttrInfo dropoutAttr()
{
    AttrInfo info;
    info.name = "p";
    info.kind = AttrKind::Float;
    info.defaultValue = floatValue(0.5);
    info.minValue = 0;
    info.maxValue = 1;
    info.maxExclusive = true; // p = 1 would zero every activation
    info.summary = "probability of zeroing an activation while training";
    return info;
}

// A float attribute from minValue to 1, both allowed.
AttrInfo fractionAttr(std::string name, double fallback, double minValue, std::string summary)
{
    AttrInfo info;
    info.name = std::move(name);
    info.kind = AttrKind::Float;
    info.defaultValue = floatValue(fallback);
    info.minValue = minValue;
    info.maxValue = 1;
    info.summary = std::move(summary);
    return info;
}

AttrInfo epsAttr()
{
    AttrInfo info = fractionAttr("eps", 1e-5, 0, "added to the variance before its square root");
    info.minExclusive = true; // eps 0 divides by zero on a constant channel
    info.maxValue = std::numeric_limits<double>::infinity();
    info.maxExclusive = true;
    return info;
}

AttrInfo outputSizeAttr()
{
    AttrInfo info =
        sizeAttr("output_size", false, std::nullopt, "output [H, W], or one value for both");
    info.kind = AttrKind::Ints;
    proto::AttrValue fallback;
    fallback.mutable_ints()->add_values(1);
    fallback.mutable_ints()->add_values(1);
    info.defaultValue = fallback;
    return info;
}

OpInfo makeOp(std::string name,
              std::string summary,
              std::vector<AttrInfo> attrs,
              int inputs,
              ShapeFn shape,
              CountFn parameters = opfn::noCount,
              CountFn flops = opfn::noCount)
{
    return OpInfo{
        std::move(name), std::move(summary), std::move(attrs), inputs, shape, parameters, flops};
}

std::vector<OpInfo> buildRegistry()
{
    AttrInfo poolStride = sizeAttr("stride", false, std::nullopt, "step between windows");
    poolStride.defaultNote = "kernel_size";
    return {
        makeOp("Input", "the model's input: one sample of the given shape", {shapeAttr()}, 0,
               opfn::inputShape),
        makeOp("Flatten", "flattens each sample to one dimension", {}, 1, opfn::flattenShape),
        makeOp(
            "Linear", "fully connected layer: y = xWᵀ + b",
            {sizeAttr("out_features", true, std::nullopt, "number of output features"), biasAttr()},
            1, opfn::linearShape, opfn::linearParameters, opfn::linearFlops),
        makeOp("Conv2d", "2-D convolution over a [C, H, W] input",
               {sizeAttr("out_channels", true, std::nullopt, "number of output channels"),
                sizeAttr("kernel_size", true, std::nullopt, "side of the square kernel"),
                sizeAttr("stride", false, 1, "step between kernel positions"),
                sizeAttr("padding", false, 0, "zeros added on each side of H and W", 0),
                biasAttr()},
               1, opfn::conv2dShape, opfn::conv2dParameters, opfn::conv2dFlops),
        makeOp("BatchNorm2d", "normalizes each channel of a [C, H, W] input over the batch",
               {epsAttr(),
                fractionAttr("momentum", 0.1, 0, "weight of each batch in the running statistics")},
               1, opfn::batchNorm2dShape, opfn::batchNorm2dParameters),
        makeOp(
            "MaxPool2d", "maximum over square windows of a [C, H, W] input",
            {sizeAttr("kernel_size", true, std::nullopt, "side of the square window"), poolStride},
            1, opfn::maxPool2dShape),
        makeOp("AdaptiveAvgPool2d", "averages a [C, H, W] input down to a fixed H and W",
               {outputSizeAttr()}, 1, opfn::adaptiveAvgPool2dShape),
        makeOp("ReLU", "rectified linear unit: max(x, 0)", {}, 1, opfn::sameShape),
        makeOp("Dropout", "zeroes activations at random while training", {dropoutAttr()}, 1,
               opfn::sameShape),
        makeOp("LogSoftmax", "log of the softmax over the last dimension", {}, 1,
               opfn::logSoftmaxShape),
    };
}

const char *kindName(AttrKind kind)
{
    switch (kind) {
    case AttrKind::Int:
        return "an integer";
    case AttrKind::Float:
        return "a number";
    case AttrKind::String:
        return "a string";
    case AttrKind::Ints:
        return "a list of integers";
    }
    return "a value";
}

const char *valueKindName(const proto::AttrValue &value)
{
    switch (value.value_case()) {
    case proto::AttrValue::kI:
        return kindName(AttrKind::Int);
    case proto::AttrValue::kF:
        return kindName(AttrKind::Float);
    case proto::AttrValue::kS:
        return kindName(AttrKind::String);
    case proto::AttrValue::kInts:
        return kindName(AttrKind::Ints);
    case proto::AttrValue::VALUE_NOT_SET:
        break;
    }
    return "no value";
}

bool hasKind(const proto::AttrValue &value, AttrKind kind)
{
    switch (kind) {
    case AttrKind::Int:
        return value.value_case() == proto::AttrValue::kI;
    case AttrKind::Float: // a whole number is a valid float
        return value.value_case() == proto::AttrValue::kF
               || value.value_case() == proto::AttrValue::kI;
    case AttrKind::String:
        return value.value_case() == proto::AttrValue::kS;
    case AttrKind::Ints:
        return value.value_case() == proto::AttrValue::kInts;
    }
    return false;
}

std::string numberText(double value, AttrKind kind)
{
    if (kind != AttrKind::Float && std::isfinite(value)) {
        return std::to_string(static_cast<std::int64_t>(value));
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

// "at least 1", "greater than 0", "in [0, 1)", "0 or 1".
std::string rangeText(const AttrInfo &attr)
{
    const bool integral = attr.kind != AttrKind::Float;
    const bool unbounded = std::isinf(attr.maxValue)
                           || (integral && attr.maxValue == static_cast<double>(kMaxDimension));
    if (unbounded) {
        return (attr.minExclusive ? "greater than " : "at least ")
               + numberText(attr.minValue, attr.kind);
    }
    if (integral && attr.maxValue == attr.minValue + 1 && !attr.maxExclusive) {
        return numberText(attr.minValue, attr.kind) + " or " + numberText(attr.maxValue, attr.kind);
    }
    return (attr.minExclusive ? "in (" : "in [") + numberText(attr.minValue, attr.kind) + ", "
           + numberText(attr.maxValue, attr.kind) + (attr.maxExclusive ? ")" : "]");
}

bool inRange(double value, const AttrInfo &attr)
{
    // Written so that NaN fails both comparisons.
    const bool aboveMin = attr.minExclusive ? value > attr.minValue : value >= attr.minValue;
    if (!aboveMin) {
        return false;
    }
    return attr.maxExclusive ? value < attr.maxValue : value <= attr.maxValue;
}

std::string expectation(const AttrInfo &attr)
{
    return kindName(attr.kind) + std::string(attr.kind == AttrKind::Ints ? ", each " : ", ")
           + rangeText(attr);
}

std::string attrNames(const OpInfo &op)
{
    if (op.attrs.empty()) {
        return op.name + " takes no attributes";
    }
    std::string names;
    for (const AttrInfo &attr : op.attrs) {
        names += (names.empty() ? "" : ", ") + attr.name;
    }
    return op.name + " takes " + names;
}

// One number of an attribute against its range; `text` is how the user wrote it.
base::Status
checkNumber(const proto::Node &node, const AttrInfo &attr, double number, const std::string &text)
{
    if (inRange(number, attr)) {
        return base::okStatus();
    }
    // rangeText() leaves kMaxDimension and infinity unsaid; a value above them is told why.
    const bool tooLarge = number > attr.maxValue && attr.maxValue == double(kMaxDimension);
    std::string range = tooLarge ? "at most " + std::to_string(kMaxDimension) : rangeText(attr);
    if (number == std::numeric_limits<double>::infinity() && std::isinf(attr.maxValue)) {
        range = "finite";
    }
    return nodeError(node, "attribute '" + attr.name + "' must be " + range + ", got " + text);
}

base::Status
checkValue(const proto::Node &node, const AttrInfo &attr, const proto::AttrValue &value)
{
    if (!hasKind(value, attr.kind)) {
        return nodeError(node, "attribute '" + attr.name + "' must be " + expectation(attr)
                                   + ", got " + valueKindName(value));
    }
    switch (value.value_case()) {
    case proto::AttrValue::kI:
        return checkNumber(node, attr, double(value.i()), std::to_string(value.i()));
    case proto::AttrValue::kF:
        return checkNumber(node, attr, value.f(), numberText(value.f(), AttrKind::Float));
    case proto::AttrValue::kInts:
        if (value.ints().values().empty()) {
            return nodeError(node, "attribute '" + attr.name + "' is an empty list; expected "
                                       + expectation(attr));
        }
        for (std::int64_t element : value.ints().values()) {
            if (auto status = checkNumber(node, attr, double(element), std::to_string(element));
                !status) {
                return status;
            }
        }
        return base::okStatus();
    default: // strings carry no range
        return base::okStatus();
    }
}

} // namespace

const AttrInfo *OpInfo::findAttr(std::string_view attrName) const
{
    auto it = std::find_if(attrs.begin(), attrs.end(),
                           [&](const AttrInfo &attr) { return attr.name == attrName; });
    return it == attrs.end() ? nullptr : &*it;
}

const std::vector<OpInfo> &ops()
{
    static const std::vector<OpInfo> registry = buildRegistry();
    return registry;
}

const OpInfo *findOp(std::string_view name)
{
    const auto &all = ops();
    auto it =
        std::find_if(all.begin(), all.end(), [&](const OpInfo &op) { return op.name == name; });
    return it == all.end() ? nullptr : &*it;
}

std::string knownOpNames()
{
    std::string names;
    for (const OpInfo &op : ops()) {
        names += (names.empty() ? "" : ", ") + op.name;
    }
    return names;
}

base::Status checkAttributes(const proto::Node &node, const OpInfo &op)
{
    // Sorted, so the same graph always reports the same problem first.
    std::vector<std::string> given;
    for (const auto &[key, value] : node.attrs()) {
        given.push_back(key);
    }
    std::sort(given.begin(), given.end());
    for (const std::string &key : given) {
        if (!op.findAttr(key)) {
            return nodeError(node, "unknown attribute '" + key + "'; " + attrNames(op));
        }
    }
    for (const AttrInfo &attr : op.attrs) {
        auto it = node.attrs().find(attr.name);
        if (it == node.attrs().end()) {
            if (attr.required) {
                return nodeError(node, "missing required attribute '" + attr.name + "' ("
                                           + expectation(attr) + ")");
            }
            continue;
        }
        if (auto status = checkValue(node, attr, it->second); !status) {
            return status;
        }
    }
    return base::okStatus();
}

std::int64_t intAttr(const proto::Node &node, std::string_view name, std::int64_t fallback)
{
    auto it = node.attrs().find(std::string(name));
    if (it == node.attrs().end() || it->second.value_case() != proto::AttrValue::kI) {
        return fallback;
    }
    return it->second.i();
}

double floatAttr(const proto::Node &node, std::string_view name, double fallback)
{
    auto it = node.attrs().find(std::string(name));
    if (it == node.attrs().end()) {
        return fallback;
    }
    if (it->second.value_case() == proto::AttrValue::kF) {
        return it->second.f();
    }
    if (it->second.value_case() == proto::AttrValue::kI) {
        return static_cast<double>(it->second.i());
    }
    return fallback;
}

std::vector<std::int64_t> intsAttr(const proto::Node &node, std::string_view name)
{
    auto it = node.attrs().find(std::string(name));
    if (it == node.attrs().end() || it->second.value_case() != proto::AttrValue::kInts) {
        return {};
    }
    const auto &values = it->second.ints().values();
    return {values.begin(), values.end()};
}

std::string shapeText(const Shape &shape)
{
    if (shape.empty()) {
        return "scalar";
    }
    std::string text;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i == 0 ? "" : "\u00d7") + std::to_string(shape[i]);
    }
    return text;
}

} // namespace tl::model
