// BatchNorm2d, AdaptiveAvgPool2d and LogSoftmax in the registry (issue 7): attributes, shapes,
// counts, and their errors inside a graph.
#include "model/graph_analysis.h"
#include "model/op_registry.h"
#include "test_graphs.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

// checkAttributes()'s message for `node`, which must fail.
std::string attributeMessage(const proto::Node &node)
{
    auto status = checkAttributes(node, *findOp(node.op()));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().context == node.name());
    return status.error().message;
}

base::Result<Shape> shapeOf(const proto::Node &node, const Shape &input)
{
    return findOp(node.op())->shape(node, {input});
}

// The message of a shape error, which must name the node.
std::string shapeMessage(const proto::Node &node, const Shape &input)
{
    auto shape = shapeOf(node, input);
    REQUIRE_FALSE(shape.ok());
    CHECK(shape.error().context == node.name());
    CHECK_THAT(shape.error().message,
               Catch::StartsWith("node '" + node.name() + "' (" + node.op() + "): "));
    return shape.error().message;
}

} // namespace

TEST_CASE("BatchNorm2d defaults eps to 1e-5 and momentum to 0.1", "[model]")
{
    const OpInfo &op = *findOp("BatchNorm2d");
    REQUIRE(op.attrs.size() == 2);
    CHECK(op.findAttr("eps")->kind == AttrKind::Float);
    CHECK(op.findAttr("eps")->defaultValue->f() == 1e-5);
    CHECK(op.findAttr("momentum")->defaultValue->f() == 0.1);
    CHECK_FALSE(op.findAttr("eps")->required);
    CHECK(checkAttributes(makeNode("bn", "BatchNorm2d"), op).ok());
}

TEST_CASE("BatchNorm2d takes eps above 0 and momentum from 0 to 1", "[model]")
{
    proto::Node bn = makeNode("bn1", "BatchNorm2d");
    for (double momentum : {0.0, 0.5, 1.0}) {
        setFloat(bn, "momentum", momentum);
        CHECK(checkAttributes(bn, *findOp("BatchNorm2d")).ok());
    }
    setInt(bn, "momentum", 1); // a whole number is a valid float
    CHECK(checkAttributes(bn, *findOp("BatchNorm2d")).ok());
    setFloat(bn, "momentum", 1.5);
    CHECK(attributeMessage(bn)
          == "node 'bn1' (BatchNorm2d): attribute 'momentum' must be in [0, 1], got 1.5");
    setFloat(bn, "momentum", 0.1);

    setFloat(bn, "eps", 1e-3);
    CHECK(checkAttributes(bn, *findOp("BatchNorm2d")).ok());
    setFloat(bn, "eps", 0);
    CHECK(attributeMessage(bn)
          == "node 'bn1' (BatchNorm2d): attribute 'eps' must be greater than 0, got 0");
    setFloat(bn, "eps", -1e-5);
    CHECK_THAT(attributeMessage(bn), Catch::EndsWith("must be greater than 0, got -1e-05"));
    setFloat(bn, "eps", std::numeric_limits<double>::infinity());
    CHECK_THAT(attributeMessage(bn), Catch::EndsWith("attribute 'eps' must be finite, got inf"));
    setFloat(bn, "eps", std::numeric_limits<double>::quiet_NaN());
    CHECK_THAT(attributeMessage(bn), Catch::Contains("attribute 'eps' must be greater than 0"));

    proto::Node unknown = makeNode("bn2", "BatchNorm2d");
    setFloat(unknown, "affine", 0);
    CHECK_THAT(attributeMessage(unknown),
               Catch::EndsWith("unknown attribute 'affine'; BatchNorm2d takes eps, momentum"));
}

TEST_CASE("BatchNorm2d keeps a [C, H, W] shape and learns 2C parameters", "[model]")
{
    const OpInfo &op = *findOp("BatchNorm2d");
    const proto::Node bn = makeNode("bn", "BatchNorm2d");
    REQUIRE(shapeOf(bn, {16, 7, 5}).ok());
    CHECK(shapeOf(bn, {16, 7, 5}).value() == Shape{16, 7, 5});
    // Weight and bias per channel; the running mean and variance are buffers.
    CHECK(op.parameters(bn, {{16, 7, 5}}, {16, 7, 5}).value() == 32);
    CHECK(op.parameters(bn, {{3, 1, 1}}, {3, 1, 1}).value() == 6);
    CHECK(op.flops(bn, {{16, 7, 5}}, {16, 7, 5}).value() == 0);
    CHECK_FALSE(op.parameters(bn, {{784}}, {784}).ok());
}

TEST_CASE("BatchNorm2d on anything but [C, H, W] is an error naming the node", "[model]")
{
    const proto::Node bn = makeNode("bn1", "BatchNorm2d");
    CHECK(shapeMessage(bn, {784})
          == "node 'bn1' (BatchNorm2d): expects a 3-D input [C, H, W], got 784; a flat input "
             "cannot be normalized per channel, reshape it in the Input shape instead");
    CHECK_THAT(shapeMessage(bn, {4, 28}), Catch::EndsWith("got 4\u00d728"));
    CHECK_THAT(shapeMessage(bn, {1, 2, 3, 4}), Catch::Contains("expects a 3-D input"));
    CHECK_FALSE(findOp("BatchNorm2d")->shape(bn, {}).ok());

    proto::ModelGraph graph;
    addInput(graph, {784});
    addNode(graph, "bn1", "BatchNorm2d", {"input"});
    auto analysis = analyzeGraph(graph);
    REQUIRE_FALSE(analysis.ok());
    CHECK(analysis.error().context == "bn1");
}

TEST_CASE("AdaptiveAvgPool2d pools to [1, 1] by default, to one size or to [H, W]", "[model]")
{
    const AttrInfo &size = *findOp("AdaptiveAvgPool2d")->findAttr("output_size");
    CHECK(size.kind == AttrKind::Ints);
    CHECK_FALSE(size.required);
    CHECK(std::vector<std::int64_t>(size.defaultValue->ints().values().begin(),
                                    size.defaultValue->ints().values().end())
          == std::vector<std::int64_t>{1, 1});

    proto::Node pool = makeNode("gap", "AdaptiveAvgPool2d");
    CHECK(shapeOf(pool, {64, 7, 7}).value() == Shape{64, 1, 1});
    setInts(pool, "output_size", {3});
    CHECK(shapeOf(pool, {64, 7, 9}).value() == Shape{64, 3, 3});
    setInts(pool, "output_size", {2, 5});
    CHECK(shapeOf(pool, {8, 7, 9}).value() == Shape{8, 2, 5});
    setInts(pool, "output_size", {7, 9}); // the input's own size: a copy
    CHECK(shapeOf(pool, {8, 7, 9}).value() == Shape{8, 7, 9});

    const OpInfo &op = *findOp("AdaptiveAvgPool2d");
    CHECK(op.parameters(pool, {{8, 7, 9}}, {8, 2, 5}).value() == 0);
    CHECK(op.flops(pool, {{8, 7, 9}}, {8, 2, 5}).value() == 0);
}

TEST_CASE("AdaptiveAvgPool2d rejects sizes of the wrong count, below 1 or above the input",
          "[model]")
{
    proto::Node pool = makeNode("gap", "AdaptiveAvgPool2d");
    setInts(pool, "output_size", {8, 2});
    CHECK(shapeMessage(pool, {4, 7, 9})
          == "node 'gap' (AdaptiveAvgPool2d): output_size 8\u00d72 is larger than the input's "
             "height and width 7\u00d79; use a smaller output_size or a larger input");
    setInts(pool, "output_size", {2, 10});
    CHECK_THAT(shapeMessage(pool, {4, 7, 9}), Catch::Contains("is larger than"));

    setInts(pool, "output_size", {1, 2, 3});
    CHECK(checkAttributes(pool, *findOp("AdaptiveAvgPool2d")).ok());
    CHECK_THAT(shapeMessage(pool, {4, 7, 9}),
               Catch::EndsWith("attribute 'output_size' must hold 1 or 2 values ([H, W]), got 3"));

    setInts(pool, "output_size", {0, 2});
    CHECK_THAT(attributeMessage(pool),
               Catch::EndsWith("attribute 'output_size' must be at least 1, got 0"));
    CHECK_THAT(shapeMessage(pool, {4, 7, 9}), Catch::Contains("must be at least 1"));
    setInt(pool, "output_size", 1);
    CHECK_THAT(attributeMessage(pool), Catch::Contains("must be a list of integers"));

    proto::Node flat = makeNode("gap", "AdaptiveAvgPool2d");
    CHECK_THAT(shapeMessage(flat, {512}),
               Catch::Contains("expects a 3-D input [C, H, W], got 512"));
}

TEST_CASE("LogSoftmax keeps any shape of at least one dimension and has no attributes", "[model]")
{
    const OpInfo &op = *findOp("LogSoftmax");
    CHECK(op.attrs.empty());
    const proto::Node node = makeNode("logp", "LogSoftmax");
    CHECK(shapeOf(node, {10}).value() == Shape{10});
    CHECK(shapeOf(node, {3, 4, 5}).value() == Shape{3, 4, 5});
    CHECK(op.parameters(node, {{10}}, {10}).value() == 0);
    CHECK(op.flops(node, {{10}}, {10}).value() == 0);
    CHECK(shapeMessage(node, {})
          == "node 'logp' (LogSoftmax): expects an input of at least one dimension, got a scalar");

    proto::Node withDim = makeNode("logp", "LogSoftmax");
    setInt(withDim, "dim", 1);
    CHECK_THAT(attributeMessage(withDim), Catch::EndsWith("LogSoftmax takes no attributes"));
}

TEST_CASE("A graph with BatchNorm, global average pooling and LogSoftmax analyses with the right "
          "counts",
          "[model]")
{
    proto::ModelGraph graph;
    addInput(graph, {3, 32, 32});
    proto::Node &conv = addNode(graph, "conv", "Conv2d", {"input"});
    setInt(setInt(setInt(conv, "out_channels", 16), "kernel_size", 3), "bias", 0);
    setFloat(addNode(graph, "bn", "BatchNorm2d", {"conv"}), "eps", 1e-3);
    addNode(graph, "relu", "ReLU", {"bn"});
    addNode(graph, "gap", "AdaptiveAvgPool2d", {"relu"});
    addNode(graph, "flatten", "Flatten", {"gap"});
    setInt(addNode(graph, "fc", "Linear", {"flatten"}), "out_features", 10);
    addNode(graph, "logp", "LogSoftmax", {"fc"});

    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    const GraphAnalysis &a = analysis.value();
    CHECK(a.node("bn")->outputShape == Shape{16, 30, 30});
    CHECK(a.node("bn")->parameters == 32);
    CHECK(a.node("gap")->outputShape == Shape{16, 1, 1});
    CHECK(a.node("flatten")->outputShape == Shape{16});
    CHECK(a.outputShape == Shape{10});
    CHECK(a.parameters == 3 * 16 * 9 + 32 + 16 * 10 + 10);
    CHECK(a.flops == 16 * 30 * 30 * 3 * 9 + 16 * 10);
}
