#include "model/op_registry.h"
#include "test_graphs.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

// The error checkAttributes() gives for `node`, which must be one.
base::Error attributeError(const proto::Node &node)
{
    const OpInfo *op = findOp(node.op());
    REQUIRE(op != nullptr);
    auto status = checkAttributes(node, *op);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().context == node.name());
    CHECK_THAT(status.error().message,
               Catch::StartsWith("node '" + node.name() + "' (" + node.op() + "): "));
    return status.error();
}

} // namespace

TEST_CASE("The registry lists the ten ops in palette order", "[model]")
{
    std::vector<std::string> names;
    for (const OpInfo &op : ops()) {
        names.push_back(op.name);
        CHECK_FALSE(op.summary.empty());
        CHECK(op.shape != nullptr);
        CHECK(op.parameters != nullptr);
        CHECK(op.flops != nullptr);
        CHECK(findOp(op.name) == &op);
    }
    CHECK(names
          == std::vector<std::string>{"Input", "Flatten", "Linear", "Conv2d", "BatchNorm2d",
                                      "MaxPool2d", "AdaptiveAvgPool2d", "ReLU", "Dropout",
                                      "LogSoftmax"});
    CHECK(knownOpNames()
          == "Input, Flatten, Linear, Conv2d, BatchNorm2d, MaxPool2d, AdaptiveAvgPool2d, ReLU, "
             "Dropout, LogSoftmax");
}

TEST_CASE("findOp is exact and case-sensitive", "[model]")
{
    CHECK(findOp("Conv3d") == nullptr);
    CHECK(findOp("linear") == nullptr);
    CHECK(findOp("") == nullptr);
    CHECK(findOp("Linear")->inputs == 1);
    CHECK(findOp("Input")->inputs == 0);
}

TEST_CASE("Attribute defaults and requirements follow the protocol comment", "[model]")
{
    const OpInfo &linear = *findOp("Linear");
    CHECK(linear.findAttr("out_features")->required);
    CHECK_FALSE(linear.findAttr("out_features")->defaultValue.has_value());
    CHECK(linear.findAttr("bias")->defaultValue->i() == 1);
    CHECK(linear.findAttr("missing") == nullptr);

    const OpInfo &conv = *findOp("Conv2d");
    CHECK(conv.findAttr("out_channels")->required);
    CHECK(conv.findAttr("kernel_size")->required);
    CHECK(conv.findAttr("stride")->defaultValue->i() == 1);
    CHECK(conv.findAttr("padding")->defaultValue->i() == 0);
    CHECK(conv.findAttr("padding")->minValue == 0);
    CHECK(conv.findAttr("bias")->defaultValue->i() == 1);

    const AttrInfo &poolStride = *findOp("MaxPool2d")->findAttr("stride");
    CHECK_FALSE(poolStride.required);
    CHECK_FALSE(poolStride.defaultValue.has_value());
    CHECK(poolStride.defaultNote == "kernel_size");

    const AttrInfo &p = *findOp("Dropout")->findAttr("p");
    CHECK(p.kind == AttrKind::Float);
    CHECK(p.defaultValue->f() == 0.5);
    CHECK(p.minValue == 0);
    CHECK(p.maxValue == 1);
    CHECK(p.maxExclusive);

    const AttrInfo &shape = *findOp("Input")->findAttr("shape");
    CHECK(shape.kind == AttrKind::Ints);
    CHECK(shape.required);
    CHECK(findOp("Flatten")->attrs.empty());
    CHECK(findOp("ReLU")->attrs.empty());
}

TEST_CASE("Attribute readers fall back when an attribute is absent or of another kind", "[model]")
{
    proto::Node node = makeNode("n", "Conv2d");
    setInt(node, "kernel_size", 3);
    setFloat(node, "ratio", 0.25);
    setInts(node, "shape", {3, 32, 32});

    CHECK(intAttr(node, "kernel_size", 7) == 3);
    CHECK(intAttr(node, "stride", 7) == 7);
    CHECK(intAttr(node, "ratio", 7) == 7);
    CHECK(floatAttr(node, "ratio", 1.0) == 0.25);
    CHECK(floatAttr(node, "kernel_size", 1.0) == 3.0); // a whole number is a valid float
    CHECK(floatAttr(node, "shape", 1.0) == 1.0);
    CHECK(floatAttr(node, "absent", 1.5) == 1.5);
    CHECK(intsAttr(node, "shape") == std::vector<std::int64_t>{3, 32, 32});
    CHECK(intsAttr(node, "kernel_size").empty());
    CHECK(intsAttr(node, "absent").empty());
}

TEST_CASE("Shapes print with multiplication signs", "[model]")
{
    CHECK(shapeText({16, 5, 5}) == "16\u00d75\u00d75");
    CHECK(shapeText({784}) == "784");
    CHECK(shapeText({}) == "scalar");
}

TEST_CASE("Valid attributes pass, defaults may be left out", "[model]")
{
    proto::Node conv = makeNode("conv1", "Conv2d");
    setInt(conv, "out_channels", 6);
    setInt(conv, "kernel_size", 5);
    CHECK(checkAttributes(conv, *findOp("Conv2d")).ok());

    proto::Node dropout = makeNode("drop", "Dropout");
    CHECK(checkAttributes(dropout, *findOp("Dropout")).ok());
    setFloat(dropout, "p", 0.0);
    CHECK(checkAttributes(dropout, *findOp("Dropout")).ok());
    setInt(dropout, "p", 0); // an integer is accepted where a float is expected
    CHECK(checkAttributes(dropout, *findOp("Dropout")).ok());
}

TEST_CASE("A missing required attribute names itself and what it expects", "[model]")
{
    proto::Node linear = makeNode("fc1", "Linear");
    CHECK(attributeError(linear).message
          == "node 'fc1' (Linear): missing required attribute 'out_features' (an integer, at "
             "least 1)");

    proto::Node input = makeNode("input", "Input");
    CHECK_THAT(attributeError(input).message,
               Catch::Contains("'shape' (a list of integers, each at least 1)"));
}

TEST_CASE("Out-of-range attributes are rejected with the allowed range", "[model]")
{
    proto::Node linear = makeNode("fc1", "Linear");
    setInt(linear, "out_features", 0);
    CHECK_THAT(attributeError(linear).message,
               Catch::EndsWith("attribute 'out_features' must be at least 1, got 0"));
    setInt(linear, "out_features", 10);
    setInt(linear, "bias", 2);
    CHECK_THAT(attributeError(linear).message,
               Catch::EndsWith("attribute 'bias' must be 0 or 1, got 2"));

    proto::Node conv = makeNode("conv1", "Conv2d");
    setInt(conv, "out_channels", 6);
    setInt(conv, "kernel_size", 0);
    CHECK_THAT(attributeError(conv).message,
               Catch::EndsWith("attribute 'kernel_size' must be at least 1, got 0"));
    setInt(conv, "kernel_size", 3);
    setInt(conv, "padding", -1);
    CHECK_THAT(attributeError(conv).message, Catch::Contains("'padding' must be at least 0"));
    setInt(conv, "padding", 0);
    setInt(conv, "stride", std::int64_t{1} << 40);
    CHECK_THAT(attributeError(conv).message,
               Catch::EndsWith("'stride' must be at most 2147483647, got 1099511627776"));

    proto::Node dropout = makeNode("drop", "Dropout");
    for (double p : {1.0, -0.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
        setFloat(dropout, "p", p);
        CHECK_THAT(attributeError(dropout).message,
                   Catch::Contains("attribute 'p' must be in [0, 1), got "));
    }

    proto::Node input = makeNode("input", "Input");
    setInts(input, "shape", {1, 0, 28});
    CHECK_THAT(attributeError(input).message,
               Catch::EndsWith("attribute 'shape' must be at least 1, got 0"));
    setInts(input, "shape", {});
    CHECK_THAT(attributeError(input).message,
               Catch::Contains("attribute 'shape' is an empty list"));
}

TEST_CASE("An attribute of the wrong kind names the kind expected and the kind given", "[model]")
{
    proto::Node linear = makeNode("fc1", "Linear");
    setFloat(linear, "out_features", 1.5);
    CHECK_THAT(attributeError(linear).message,
               Catch::EndsWith("attribute 'out_features' must be an integer, at least 1, got a "
                               "number"));
    (*linear.mutable_attrs())["out_features"].set_s("ten");
    CHECK_THAT(attributeError(linear).message, Catch::EndsWith("got a string"));
    (*linear.mutable_attrs())["out_features"].Clear();
    CHECK_THAT(attributeError(linear).message, Catch::EndsWith("got no value"));

    proto::Node input = makeNode("input", "Input");
    setInt(input, "shape", 784);
    CHECK_THAT(attributeError(input).message,
               Catch::Contains("'shape' must be a list of integers"));
}

TEST_CASE("An attribute the op does not take is an error listing the ones it does", "[model]")
{
    proto::Node conv = makeNode("conv1", "Conv2d");
    setInt(conv, "out_channels", 6);
    setInt(conv, "kernel_size", 3);
    setInt(conv, "strides", 2);
    CHECK(attributeError(conv).message
          == "node 'conv1' (Conv2d): unknown attribute 'strides'; Conv2d takes out_channels, "
             "kernel_size, stride, padding, bias");

    proto::Node relu = makeNode("relu1", "ReLU");
    setFloat(relu, "slope", 0.1);
    CHECK_THAT(attributeError(relu).message, Catch::EndsWith("ReLU takes no attributes"));
}

TEST_CASE("Convolution and pooling shapes follow PyTorch's formulas", "[model]")
{
    proto::Node conv = makeNode("conv", "Conv2d");
    setInt(conv, "out_channels", 8);
    setInt(conv, "kernel_size", 3);
    setInt(conv, "stride", 2);
    setInt(conv, "padding", 1);
    // floor((7 + 2 - 3) / 2) + 1 = 4 and floor((8 + 2 - 3) / 2) + 1 = 4
    auto shape = findOp("Conv2d")->shape(conv, {{3, 7, 8}});
    REQUIRE(shape.ok());
    CHECK(shape.value() == Shape{8, 4, 4});

    proto::Node pool = makeNode("pool", "MaxPool2d");
    setInt(pool, "kernel_size", 3);
    // Stride defaults to the kernel: floor((10 - 3) / 3) + 1 = 3
    CHECK(findOp("MaxPool2d")->shape(pool, {{4, 10, 11}}).value() == Shape{4, 3, 3});
    setInt(pool, "stride", 1);
    CHECK(findOp("MaxPool2d")->shape(pool, {{4, 10, 11}}).value() == Shape{4, 8, 9});

    proto::Node flatten = makeNode("flatten", "Flatten");
    CHECK(findOp("Flatten")->shape(flatten, {{16, 5, 5}}).value() == Shape{400});
    CHECK(findOp("ReLU")->shape(makeNode("r", "ReLU"), {{3, 2}}).value() == Shape{3, 2});
    CHECK(findOp("Dropout")->shape(makeNode("d", "Dropout"), {{7}}).value() == Shape{7});
}

TEST_CASE("Parameters count weights plus optional biases and FLOPs count multiply-accumulates",
          "[model]")
{
    proto::Node linear = makeNode("fc", "Linear");
    setInt(linear, "out_features", 10);
    const OpInfo &linearOp = *findOp("Linear");
    CHECK(linearOp.parameters(linear, {{784}}, {10}).value() == 7850);
    CHECK(linearOp.flops(linear, {{784}}, {10}).value() == 7840);
    setInt(linear, "bias", 0);
    CHECK(linearOp.parameters(linear, {{784}}, {10}).value() == 7840);

    proto::Node conv = makeNode("conv", "Conv2d");
    setInt(conv, "out_channels", 16);
    setInt(conv, "kernel_size", 5);
    const OpInfo &convOp = *findOp("Conv2d");
    CHECK(convOp.parameters(conv, {{6, 14, 14}}, {16, 10, 10}).value() == 6 * 16 * 25 + 16);
    CHECK(convOp.flops(conv, {{6, 14, 14}}, {16, 10, 10}).value() == 16 * 10 * 10 * 6 * 25);
    setInt(conv, "bias", 0);
    CHECK(convOp.parameters(conv, {{6, 14, 14}}, {16, 10, 10}).value() == 6 * 16 * 25);

    for (const char *name : {"Input", "Flatten", "MaxPool2d", "ReLU", "Dropout"}) {
        const OpInfo &op = *findOp(name);
        CHECK(op.parameters(makeNode("n", name), {{3, 4, 4}}, {3, 2, 2}).value() == 0);
        CHECK(op.flops(makeNode("n", name), {{3, 4, 4}}, {3, 2, 2}).value() == 0);
    }
}

TEST_CASE("Counts too large for 64 bits are errors, not overflow", "[model]")
{
    proto::Node linear = makeNode("fc", "Linear");
    setInt(linear, "out_features", kMaxDimension);
    auto parameters =
        findOp("Linear")->parameters(linear, {{std::int64_t{1} << 40}}, {kMaxDimension});
    REQUIRE_FALSE(parameters.ok());
    CHECK_THAT(parameters.error().message, Catch::Contains("does not fit in a 64-bit integer"));

    auto flat = findOp("Flatten")->shape(makeNode("flatten", "Flatten"),
                                         {{kMaxDimension, kMaxDimension, kMaxDimension}});
    REQUIRE_FALSE(flat.ok());
    CHECK(flat.error().context == "flatten");
}

TEST_CASE("Registry functions called without analyzeGraph's checks report errors", "[model]")
{
    // A palette preview may call them on a half-edited node: wrong input counts, unchecked
    // attributes and mismatched shapes must come back as errors, never as a crash.
    CHECK_FALSE(findOp("ReLU")->shape(makeNode("r", "ReLU"), {}).ok());
    CHECK_FALSE(findOp("Flatten")->shape(makeNode("f", "Flatten"), {{2}, {3}}).ok());

    proto::Node conv = makeNode("conv", "Conv2d");
    setInt(conv, "out_channels", 4);
    setInt(conv, "kernel_size", 3);
    setInt(conv, "stride", 0);
    auto shape = findOp("Conv2d")->shape(conv, {{1, 8, 8}});
    REQUIRE_FALSE(shape.ok());
    CHECK(shape.error().context == "conv");

    proto::Node linear = makeNode("fc", "Linear");
    setInt(linear, "out_features", 10);
    CHECK_FALSE(findOp("Linear")->parameters(linear, {{784}}, {}).ok());
    CHECK_FALSE(findOp("Linear")->flops(linear, {}, {10}).ok());
    CHECK_FALSE(findOp("Conv2d")->parameters(conv, {{784}}, {4, 6, 6}).ok());
    CHECK_FALSE(findOp("Conv2d")->flops(conv, {{1, 8, 8}}, {4}).ok());
}
