#include "model/graph_analysis.h"
#include "test_graphs.h"

#include <catch2/catch.hpp>

#include <random>

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

// The error analyzeGraph() gives for `graph`, which must name `node` in its message and carry
// it as its context.
base::Error errorAt(const proto::ModelGraph &graph, const std::string &node)
{
    auto result = analyzeGraph(graph);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == base::ErrorCode::InvalidInput);
    CHECK(result.error().context == node);
    CHECK_THAT(result.error().message, Catch::Contains("'" + node + "'"));
    return result.error();
}

// LeNet-5 as in the templates, written by hand so this file does not depend on them.
proto::ModelGraph handWrittenLeNet()
{
    proto::ModelGraph graph;
    addInput(graph, {1, 28, 28});
    proto::Node &conv1 = addNode(graph, "conv1", "Conv2d", {"input"});
    setInt(setInt(setInt(conv1, "out_channels", 6), "kernel_size", 5), "padding", 2);
    addNode(graph, "relu1", "ReLU", {"conv1"});
    setInt(addNode(graph, "pool1", "MaxPool2d", {"relu1"}), "kernel_size", 2);
    setInt(setInt(addNode(graph, "conv2", "Conv2d", {"pool1"}), "out_channels", 16), "kernel_size",
           5);
    addNode(graph, "relu2", "ReLU", {"conv2"});
    setInt(addNode(graph, "pool2", "MaxPool2d", {"relu2"}), "kernel_size", 2);
    addNode(graph, "flatten", "Flatten", {"pool2"});
    setInt(addNode(graph, "fc1", "Linear", {"flatten"}), "out_features", 120);
    addNode(graph, "relu3", "ReLU", {"fc1"});
    setInt(addNode(graph, "fc2", "Linear", {"relu3"}), "out_features", 84);
    addNode(graph, "relu4", "ReLU", {"fc2"});
    setInt(addNode(graph, "fc3", "Linear", {"relu4"}), "out_features", 10);
    return graph;
}

} // namespace

TEST_CASE("The 784-128-10 MLP has 101,770 parameters and a shape per node", "[model]")
{
    auto result = analyzeGraph(handWrittenMlp());
    REQUIRE(result.ok());
    const GraphAnalysis &analysis = result.value();
    CHECK(analysis.parameters == 101770);
    CHECK(analysis.flops == 784 * 128 + 128 * 10);
    CHECK(analysis.output == "fc2");
    CHECK(analysis.inputShape == Shape{1, 28, 28});
    CHECK(analysis.outputShape == Shape{10});

    REQUIRE(analysis.nodes.size() == 5);
    CHECK(analysis.nodes[0].name == "input");
    CHECK(analysis.nodes[0].op == "Input");
    CHECK(analysis.nodes[1].outputShape == Shape{784});
    CHECK(analysis.node("fc1")->outputShape == Shape{128});
    CHECK(analysis.node("fc1")->parameters == 784 * 128 + 128);
    CHECK(analysis.node("fc1")->inputs == std::vector<std::string>{"flatten"});
    CHECK(analysis.node("fc2")->parameters == 128 * 10 + 10);
    CHECK(analysis.node("relu1")->parameters == 0);
    CHECK(analysis.node("nothing") == nullptr);
}

TEST_CASE("LeNet-5 has 61,706 parameters and PyTorch's shapes at every stage", "[model]")
{
    auto result = analyzeGraph(handWrittenLeNet());
    REQUIRE(result.ok());
    const GraphAnalysis &analysis = result.value();
    CHECK(analysis.parameters == 61706);

    const std::vector<std::pair<std::string, Shape>> expected = {
        {"input", {1, 28, 28}}, {"conv1", {6, 28, 28}},  {"relu1", {6, 28, 28}},
        {"pool1", {6, 14, 14}}, {"conv2", {16, 10, 10}}, {"relu2", {16, 10, 10}},
        {"pool2", {16, 5, 5}},  {"flatten", {400}},      {"fc1", {120}},
        {"relu3", {120}},       {"fc2", {84}},           {"relu4", {84}},
        {"fc3", {10}}};
    REQUIRE(analysis.nodes.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO(expected[i].first);
        CHECK(analysis.nodes[i].name == expected[i].first);
        CHECK(analysis.nodes[i].outputShape == expected[i].second);
    }
    CHECK(analysis.node("conv1")->parameters == 1 * 6 * 25 + 6);
    CHECK(analysis.node("conv2")->parameters == 6 * 16 * 25 + 16);
    CHECK(analysis.node("fc1")->parameters == 400 * 120 + 120);
    // Multiply-accumulates: each convolution once per weight per output position.
    CHECK(analysis.node("conv1")->flops == 6 * 28 * 28 * 1 * 25);
    CHECK(analysis.node("conv2")->flops == 16 * 10 * 10 * 6 * 25);
    CHECK(analysis.flops == 117600 + 240000 + 48000 + 10080 + 840);
}

TEST_CASE("Nodes come out in topological order with Input first, whatever the file order",
          "[model]")
{
    proto::ModelGraph graph;
    setInt(addNode(graph, "fc2", "Linear", {"relu1"}), "out_features", 10);
    addNode(graph, "relu1", "ReLU", {"fc1"});
    setFloat(addNode(graph, "drop", "Dropout", {"flatten"}), "p", 0.25);
    setInt(addNode(graph, "fc1", "Linear", {"drop"}), "out_features", 32);
    addNode(graph, "flatten", "Flatten", {"input"});
    addInput(graph, {3, 4, 4});
    graph.set_output("fc2");

    auto result = analyzeGraph(graph);
    REQUIRE(result.ok());
    std::vector<std::string> order;
    for (const NodeAnalysis &node : result.value().nodes) {
        order.push_back(node.name);
    }
    CHECK(order == std::vector<std::string>{"input", "flatten", "drop", "fc1", "relu1", "fc2"});
    CHECK(result.value().node("drop")->outputShape == Shape{48});
    CHECK(result.value().parameters == 48 * 32 + 32 + 32 * 10 + 10);
}

TEST_CASE("Without an output name, the last node is the output", "[model]")
{
    proto::ModelGraph graph = handWrittenMlp();
    graph.clear_output();
    auto result = analyzeGraph(graph);
    REQUIRE(result.ok());
    CHECK(result.value().output == "fc2");
    CHECK(result.value().outputShape == Shape{10});
}

TEST_CASE("An empty graph is an error", "[model]")
{
    auto result = analyzeGraph(proto::ModelGraph{});
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("has no nodes"));
}

TEST_CASE("An unknown op names the node and lists the known ops", "[model]")
{
    proto::ModelGraph graph = handWrittenMlp();
    addNode(graph, "x", "Conv3d", {"fc2"});
    CHECK(errorAt(graph, "x").message
          == "node 'x': unknown op 'Conv3d'; known ops: Input, Flatten, Linear, Conv2d, "
             "BatchNorm2d, MaxPool2d, AdaptiveAvgPool2d, ReLU, Dropout, LogSoftmax");
}

TEST_CASE("Node names must be present and unique", "[model]")
{
    proto::ModelGraph duplicate = handWrittenMlp();
    duplicate.mutable_nodes(3)->set_name("fc1"); // relu1 renamed
    CHECK_THAT(errorAt(duplicate, "fc1").message,
               Catch::Contains("already used by node #3 (Linear)"));

    proto::ModelGraph unnamed = handWrittenMlp();
    unnamed.mutable_nodes(3)->clear_name();
    auto result = analyzeGraph(unnamed);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message
          == "node #4 (ReLU) has an empty name; every node needs a unique name");
}

TEST_CASE("An input naming a node that does not exist is an error", "[model]")
{
    proto::ModelGraph graph = handWrittenMlp();
    graph.mutable_nodes(2)->set_inputs(0, "flaten");
    CHECK(errorAt(graph, "fc1").message == "node 'fc1' (Linear): input 'flaten' does not exist");
}

TEST_CASE("A cycle is an error naming a node on it", "[model]")
{
    proto::ModelGraph graph;
    addInput(graph, {4});
    addNode(graph, "a", "ReLU", {"c"});
    addNode(graph, "b", "ReLU", {"a"});
    addNode(graph, "c", "ReLU", {"b"});
    setInt(addNode(graph, "fc", "Linear", {"c"}), "out_features", 2);
    CHECK(errorAt(graph, "a").message
          == "node 'a' (ReLU): is part of the cycle 'a' \u2192 'b' \u2192 'c' \u2192 'a'; a model "
             "graph must not loop back on itself");

    proto::ModelGraph selfLoop;
    addInput(selfLoop, {4});
    addNode(selfLoop, "loop", "ReLU", {"loop"});
    CHECK_THAT(errorAt(selfLoop, "loop").message, Catch::Contains("'loop' \u2192 'loop'"));
}

TEST_CASE("A graph needs exactly one Input node", "[model]")
{
    proto::ModelGraph none;
    addNode(none, "relu", "ReLU", {"relu2"});
    addNode(none, "relu2", "ReLU", {"relu"});
    auto result = analyzeGraph(none);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("no Input node"));

    proto::ModelGraph two = handWrittenMlp();
    addInput(two, {1, 28, 28}, "input2");
    CHECK_THAT(errorAt(two, "input2").message,
               Catch::Contains("a second Input node; 'input' is already the input"));
}

TEST_CASE("A node with the wrong number of inputs says how many it takes", "[model]")
{
    proto::ModelGraph extra = handWrittenMlp();
    extra.mutable_nodes(2)->add_inputs("input");
    CHECK(errorAt(extra, "fc1").message == "node 'fc1' (Linear): takes 1 input, got 2 inputs");

    proto::ModelGraph missing = handWrittenMlp();
    missing.mutable_nodes(3)->clear_inputs();
    CHECK(errorAt(missing, "relu1").message == "node 'relu1' (ReLU): takes 1 input, got 0 inputs");

    proto::ModelGraph fedInput = handWrittenMlp();
    fedInput.mutable_nodes(0)->add_inputs("fc2");
    CHECK(errorAt(fedInput, "input").message
          == "node 'input' (Input): takes no inputs, got 1 input");
}

TEST_CASE("Attribute problems in a graph name the node", "[model]")
{
    proto::ModelGraph zero = handWrittenMlp();
    setInt(*zero.mutable_nodes(2), "out_features", 0);
    CHECK_THAT(errorAt(zero, "fc1").message, Catch::Contains("'out_features' must be at least 1"));

    proto::ModelGraph missing = handWrittenMlp();
    missing.mutable_nodes(4)->clear_attrs();
    CHECK_THAT(errorAt(missing, "fc2").message,
               Catch::Contains("missing required attribute 'out_features'"));

    proto::ModelGraph dropout = handWrittenMlp();
    setFloat(addNode(dropout, "drop", "Dropout", {"fc2"}), "p", 1.0);
    CHECK_THAT(errorAt(dropout, "drop").message, Catch::Contains("'p' must be in [0, 1), got 1"));

    proto::ModelGraph kernel = handWrittenLeNet();
    setInt(*kernel.mutable_nodes(3), "kernel_size", 0);
    CHECK_THAT(errorAt(kernel, "pool1").message,
               Catch::Contains("'kernel_size' must be at least 1, got 0"));

    proto::ModelGraph kind = handWrittenMlp();
    (*kind.mutable_nodes(2)->mutable_attrs())["out_features"].set_s("128");
    CHECK_THAT(errorAt(kind, "fc1").message,
               Catch::Contains("must be an integer, at least 1, got a string"));
}

TEST_CASE("Linear needs a flat input and suggests a Flatten", "[model]")
{
    proto::ModelGraph graph;
    addInput(graph, {16, 5, 5});
    setInt(addNode(graph, "fc1", "Linear", {"input"}), "out_features", 120);
    CHECK(errorAt(graph, "fc1").message
          == "node 'fc1' (Linear): expects a flat input, got 16\u00d75\u00d75; insert a Flatten "
             "before it");
}

TEST_CASE("Conv2d and MaxPool2d need a [C, H, W] input", "[model]")
{
    proto::ModelGraph conv;
    addInput(conv, {784});
    setInt(setInt(addNode(conv, "conv1", "Conv2d", {"input"}), "out_channels", 4), "kernel_size",
           3);
    CHECK_THAT(errorAt(conv, "conv1").message,
               Catch::StartsWith("node 'conv1' (Conv2d): expects a 3-D input [C, H, W], got 784"));

    proto::ModelGraph pool;
    addInput(pool, {28, 28});
    setInt(addNode(pool, "pool1", "MaxPool2d", {"input"}), "kernel_size", 2);
    CHECK_THAT(errorAt(pool, "pool1").message,
               Catch::Contains("expects a 3-D input [C, H, W], got 28\u00d728"));
}

TEST_CASE("A kernel larger than the padded input is an error", "[model]")
{
    proto::ModelGraph conv;
    addInput(conv, {1, 3, 3});
    proto::Node &node = addNode(conv, "conv1", "Conv2d", {"input"});
    setInt(setInt(node, "out_channels", 4), "kernel_size", 5);
    CHECK_THAT(errorAt(conv, "conv1").message,
               Catch::Contains("kernel 5 is larger than its input 1\u00d73\u00d73"));

    setInt(*conv.mutable_nodes(1), "padding", 1); // 3 + 2 = 5: now it fits exactly
    auto fits = analyzeGraph(conv);
    REQUIRE(fits.ok());
    CHECK(fits.value().outputShape == Shape{4, 1, 1});

    setInt(*conv.mutable_nodes(1), "kernel_size", 6);
    CHECK_THAT(errorAt(conv, "conv1").message, Catch::Contains("padded by 1 on each side"));

    proto::ModelGraph pool;
    addInput(pool, {3, 8, 1});
    setInt(addNode(pool, "pool1", "MaxPool2d", {"input"}), "kernel_size", 2);
    CHECK_THAT(errorAt(pool, "pool1").message, Catch::Contains("kernel 2 is larger than"));
}

TEST_CASE("An output naming no node is an error", "[model]")
{
    proto::ModelGraph graph = handWrittenMlp();
    graph.set_output("logits");
    CHECK(errorAt(graph, "logits").message
          == "the output node 'logits' does not exist; name one of the graph's nodes as its "
             "output");
}

TEST_CASE("A node that does not feed the output is an error", "[model]")
{
    proto::ModelGraph graph = handWrittenMlp();
    addNode(graph, "x", "ReLU", {"fc1"});
    graph.set_output("fc2");
    CHECK(errorAt(graph, "x").message
          == "node 'x' (ReLU): does not feed the output 'fc2'; connect it or delete it");

    proto::ModelGraph early = handWrittenMlp();
    early.set_output("relu1");
    CHECK_THAT(errorAt(early, "fc2").message, Catch::Contains("does not feed the output 'relu1'"));
}

TEST_CASE("Sizes too large for 64-bit counts are errors, not overflow", "[model]")
{
    proto::ModelGraph graph;
    addInput(graph, {2147483647, 2147483647, 2147483647});
    addNode(graph, "flatten", "Flatten", {"input"});
    CHECK_THAT(errorAt(graph, "flatten").message,
               Catch::Contains("does not fit in a 64-bit integer"));

    proto::ModelGraph wide;
    addInput(wide, {2147483647, 2147483647});
    addNode(wide, "flatten", "Flatten", {"input"});
    setInt(addNode(wide, "fc", "Linear", {"flatten"}), "out_features", 2147483647);
    CHECK_THAT(errorAt(wide, "fc").message, Catch::Contains("does not fit in a 64-bit integer"));
}

TEST_CASE("Randomly damaged graphs give an error naming a node or the graph, never a crash",
          "[model]")
{
    // Fixed seed: the same 3000 mutations of LeNet every run.
    std::mt19937 random(20240611);
    const proto::ModelGraph lenet = handWrittenLeNet();
    const std::vector<std::string> ops = {
        "Input", "Flatten", "Linear",     "Conv2d", "BatchNorm2d", "MaxPool2d", "AdaptiveAvgPool2d",
        "ReLU",  "Dropout", "LogSoftmax", "Bogus"};
    const std::vector<std::string> keys = {"out_features", "kernel_size", "stride", "padding",
                                           "bias",         "p",           "shape",  "eps",
                                           "momentum",     "output_size", "other"};
    auto pick = [&](int n) {
        return std::uniform_int_distribution<int>(0, n - 1)(random);
    };
    int analysed = 0;
    for (int round = 0; round < 3000; ++round) {
        proto::ModelGraph graph = lenet;
        for (int change = 0; change <= pick(3); ++change) {
            proto::Node &node = *graph.mutable_nodes(pick(graph.nodes_size()));
            switch (pick(5)) {
            case 0:
                node.set_op(ops[std::size_t(pick(int(ops.size())))]);
                break;
            case 1:
                setInt(node, keys[std::size_t(pick(int(keys.size())))], pick(40) - 5);
                break;
            case 2:
                setInts(node, keys[std::size_t(pick(int(keys.size())))], {pick(30), pick(30)});
                break;
            case 3:
                node.add_inputs(graph.nodes(pick(graph.nodes_size())).name());
                break;
            default:
                node.set_name(graph.nodes(pick(graph.nodes_size())).name());
                break;
            }
        }
        auto result = analyzeGraph(graph);
        if (result.ok()) {
            ++analysed;
            CHECK(result.value().nodes.size() == std::size_t(graph.nodes_size()));
            continue;
        }
        INFO(result.error().message);
        CHECK_FALSE(result.error().message.empty());
        const std::string &where = result.error().context;
        bool named = where.empty();
        for (const proto::Node &node : graph.nodes()) {
            named = named || node.name() == where;
        }
        CHECK(named);
    }
    CHECK(analysed > 0); // some mutations (a new kernel that still fits) stay valid
}
