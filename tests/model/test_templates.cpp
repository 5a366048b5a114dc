#include "model/graph_analysis.h"
#include "model/templates.h"

#include <catch2/catch.hpp>

using namespace tl;
using namespace tl::model;

namespace {

GraphAnalysis analyzeTemplate(std::string_view id, const Shape &input, std::int64_t classes)
{
    auto graph = makeTemplate(id, input, classes);
    REQUIRE(graph.ok());
    auto analysis = analyzeGraph(graph.value());
    REQUIRE(analysis.ok());
    return analysis.value();
}

std::vector<std::string> nodeNames(const GraphAnalysis &analysis)
{
    std::vector<std::string> names;
    for (const NodeAnalysis &node : analysis.nodes) {
        names.push_back(node.name);
    }
    return names;
}

} // namespace

TEST_CASE("The template list offers the MLP, LeNet and the BatchNorm CNN", "[model]")
{
    const std::vector<ModelTemplate> templates = modelTemplates();
    REQUIRE(templates.size() == 3);
    CHECK(templates[0].id == "mlp");
    CHECK(templates[1].id == "lenet");
    CHECK(templates[2].id == "cnn");
    CHECK(templates[2].displayName == "CNN (BatchNorm)");
    for (const ModelTemplate &entry : templates) {
        CHECK_FALSE(entry.displayName.empty());
        CHECK_FALSE(entry.description.empty());
        CHECK(makeTemplate(entry.id, {1, 28, 28}, 10).ok());
    }
}

TEST_CASE("The MLP template on 1x28x28 with 10 classes is 784-128-10", "[model]")
{
    auto graph = makeTemplate("mlp", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    CHECK(graph.value().name() == "mlp");
    CHECK(graph.value().output() == "fc2");

    const GraphAnalysis analysis = analyzeTemplate("mlp", {1, 28, 28}, 10);
    CHECK(nodeNames(analysis)
          == std::vector<std::string>{"input", "flatten", "fc1", "relu1", "fc2"});
    CHECK(analysis.parameters == 101770);
    CHECK(analysis.node("flatten")->outputShape == Shape{784});
    CHECK(analysis.node("fc1")->outputShape == Shape{128});
    CHECK(analysis.outputShape == Shape{10});
}

TEST_CASE("The LeNet template on 1x28x28 with 10 classes has 61,706 parameters", "[model]")
{
    const GraphAnalysis analysis = analyzeTemplate("lenet", {1, 28, 28}, 10);
    CHECK(nodeNames(analysis)
          == std::vector<std::string>{"input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                      "flatten", "fc1", "relu3", "fc2", "relu4", "fc3"});
    CHECK(analysis.parameters == 61706);
    CHECK(analysis.node("conv1")->outputShape == Shape{6, 28, 28});
    CHECK(analysis.node("pool1")->outputShape == Shape{6, 14, 14});
    CHECK(analysis.node("conv2")->outputShape == Shape{16, 10, 10});
    CHECK(analysis.node("pool2")->outputShape == Shape{16, 5, 5});
    CHECK(analysis.node("flatten")->outputShape == Shape{400});
    CHECK(analysis.node("fc1")->outputShape == Shape{120});
    CHECK(analysis.node("fc2")->outputShape == Shape{84});
    CHECK(analysis.outputShape == Shape{10});
}

TEST_CASE("The CNN template on 1x28x28 with 10 classes has 421,738 parameters", "[model]")
{
    const GraphAnalysis analysis = analyzeTemplate("cnn", {1, 28, 28}, 10);
    CHECK(nodeNames(analysis)
          == std::vector<std::string>{"input", "conv1", "bn1", "relu1", "pool1", "conv2", "bn2",
                                      "relu2", "pool2", "flatten", "fc1", "relu3", "drop1", "fc2"});
    CHECK(analysis.node("conv1")->outputShape == Shape{32, 28, 28});
    CHECK(analysis.node("bn1")->outputShape == Shape{32, 28, 28});
    CHECK(analysis.node("pool1")->outputShape == Shape{32, 14, 14});
    CHECK(analysis.node("conv2")->outputShape == Shape{64, 14, 14});
    CHECK(analysis.node("pool2")->outputShape == Shape{64, 7, 7});
    CHECK(analysis.node("flatten")->outputShape == Shape{3136});
    CHECK(analysis.outputShape == Shape{10});
    // Bias-free convolutions: BatchNorm's shift takes the bias's place.
    CHECK(analysis.node("conv1")->parameters == 288); // 1 × 32 × 3 × 3
    CHECK(analysis.node("bn1")->parameters == 64);
    CHECK(analysis.node("conv2")->parameters == 18432); // 32 × 64 × 3 × 3
    CHECK(analysis.node("bn2")->parameters == 128);
    CHECK(analysis.parameters == 288 + 64 + 18432 + 128 + (3136 * 128 + 128) + (128 * 10 + 10));
    CHECK(analysis.parameters == 421738);

    auto graph = makeTemplate("cnn", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    CHECK(graph.value().name() == "cnn");
    const proto::Node &drop = graph.value().nodes(12);
    REQUIRE(drop.name() == "drop1");
    CHECK(floatAttr(drop, "p", 0) == 0.25);
}

TEST_CASE("The CNN template takes images of at least 8x8", "[model]")
{
    const GraphAnalysis smallest = analyzeTemplate("cnn", {3, 8, 8}, 2);
    CHECK(smallest.node("pool2")->outputShape == Shape{64, 2, 2});
    CHECK(analyzeTemplate("cnn", {3, 32, 32}, 100).node("flatten")->outputShape == Shape{4096});

    for (const Shape &shape : {Shape{1, 7, 28}, Shape{1, 28, 7}, Shape{784}, Shape{28, 28}}) {
        auto rejected = makeTemplate("cnn", shape, 10);
        REQUIRE_FALSE(rejected.ok());
        CHECK(rejected.error().code == base::ErrorCode::InvalidInput);
        CHECK_THAT(rejected.error().message,
                   Catch::StartsWith("the cnn template cannot take input " + shapeText(shape)
                                     + ": it expects a 3-D input [C, H, W] with H and W of at "
                                       "least 8"));
    }
}

TEST_CASE("Templates adapt to 3x32x32 input with 100 classes", "[model]")
{
    const GraphAnalysis mlp = analyzeTemplate("mlp", {3, 32, 32}, 100);
    CHECK(mlp.inputShape == Shape{3, 32, 32});
    CHECK(mlp.outputShape == Shape{100});
    CHECK(mlp.parameters == 3072 * 128 + 128 + 128 * 100 + 100);

    const GraphAnalysis lenet = analyzeTemplate("lenet", {3, 32, 32}, 100);
    CHECK(lenet.node("conv1")->outputShape == Shape{6, 32, 32});
    CHECK(lenet.node("pool2")->outputShape == Shape{16, 6, 6});
    CHECK(lenet.node("flatten")->outputShape == Shape{576});
    CHECK(lenet.outputShape == Shape{100});
    CHECK(lenet.parameters
          == (3 * 6 * 25 + 6) + (6 * 16 * 25 + 16) + (576 * 120 + 120) + (120 * 84 + 84)
                 + (84 * 100 + 100));
}

TEST_CASE("The smallest image LeNet takes is 12x12", "[model]")
{
    CHECK(analyzeTemplate("lenet", {1, 12, 12}, 2).node("pool2")->outputShape == Shape{16, 1, 1});
    auto tooSmall = makeTemplate("lenet", {1, 11, 12}, 2);
    REQUIRE_FALSE(tooSmall.ok());
    CHECK_THAT(tooSmall.error().message,
               Catch::StartsWith("the lenet template cannot take input 1\u00d711\u00d712: node "
                                 "'pool2' (MaxPool2d): kernel 2 is larger than"));
}

TEST_CASE("Templates reject unknown ids, bad class counts and unusable inputs", "[model]")
{
    auto unknown = makeTemplate("resnet", {1, 28, 28}, 10);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == base::ErrorCode::NotFound);
    CHECK(unknown.error().message
          == "unknown model template 'resnet'; known templates: mlp, lenet, cnn");

    auto noClasses = makeTemplate("mlp", {1, 28, 28}, 0);
    REQUIRE_FALSE(noClasses.ok());
    CHECK_THAT(noClasses.error().message, Catch::Contains("class count"));

    auto flat = makeTemplate("lenet", {784}, 10);
    REQUIRE_FALSE(flat.ok());
    CHECK_THAT(flat.error().message, Catch::Contains("expects a 3-D input [C, H, W]"));

    auto empty = makeTemplate("mlp", {}, 10);
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.error().message, Catch::Contains("node 'input' (Input)"));

    auto zero = makeTemplate("mlp", {1, 0, 28}, 10);
    REQUIRE_FALSE(zero.ok());
    CHECK_THAT(zero.error().message, Catch::Contains("must be at least 1, got 0"));
}
