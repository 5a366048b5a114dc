#include "model/graph_analysis.h"
#include "model/templates.h"
#include "runners/graph_module.h"

#include <catch2/catch.hpp>

#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include <algorithm>

using namespace tl;
using runners::GraphModule;

namespace {

model::GraphAnalysis analyse(const proto::ModelGraph &graph)
{
    auto analysis = model::analyzeGraph(graph);
    INFO((analysis.ok() ? std::string() : analysis.error().describe()));
    REQUIRE(analysis.ok());
    return analysis.value();
}

proto::ModelGraph makeTemplate(const char *id)
{
    auto graph = model::makeTemplate(id, {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    return graph.value();
}

proto::Node *addNode(proto::ModelGraph &graph,
                     const std::string &name,
                     const std::string &op,
                     const std::string &input = {})
{
    proto::Node *node = graph.add_nodes();
    node->set_name(name);
    node->set_op(op);
    if (!input.empty()) {
        node->add_inputs(input);
    }
    return node;
}

void setInt(proto::Node *node, const std::string &attr, std::int64_t value)
{
    (*node->mutable_attrs())[attr].set_i(value);
}

void setInts(proto::Node *node, const std::string &attr, std::vector<std::int64_t> values)
{
    for (std::int64_t v : values) {
        (*node->mutable_attrs())[attr].mutable_ints()->add_values(v);
    }
}

// input [1,28,28] -> flatten -> fc1 (32) -> drop (p) -> fc2 (10)
proto::ModelGraph dropoutGraph(double p)
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {1, 28, 28});
    addNode(graph, "flatten", "Flatten", "input");
    setInt(addNode(graph, "fc1", "Linear", "flatten"), "out_features", 32);
    (*addNode(graph, "drop", "Dropout", "fc1")->mutable_attrs())["p"].set_f(p);
    setInt(addNode(graph, "fc2", "Linear", "drop"), "out_features", 10);
    return graph;
}

} // namespace

TEST_CASE("The MLP template runs a batch of 3 to logits [3, 10] with the analysed parameter count",
          "[runners]")
{
    const proto::ModelGraph graph = makeTemplate("mlp");
    const model::GraphAnalysis analysis = analyse(graph);
    torch::manual_seed(1);
    GraphModule module(graph, analysis);
    const torch::Tensor logits = module->forward(torch::randn({3, 1, 28, 28}));
    CHECK(logits.sizes() == torch::IntArrayRef({3, 10}));
    CHECK(runners::parameterCount(*module) == analysis.parameters);
    CHECK(analysis.parameters == 101770);
    // One registered submodule per parametrised node, named after the node.
    CHECK(module->named_children().keys() == std::vector<std::string>{"fc1", "fc2"});
}

TEST_CASE("The LeNet template runs a batch of 3 to logits [3, 10] with the analysed parameter "
          "count",
          "[runners]")
{
    const proto::ModelGraph graph = makeTemplate("lenet");
    const model::GraphAnalysis analysis = analyse(graph);
    torch::manual_seed(2);
    GraphModule module(graph, analysis);
    const torch::Tensor logits = module->forward(torch::randn({3, 1, 28, 28}));
    CHECK(logits.sizes() == torch::IntArrayRef({3, 10}));
    CHECK(runners::parameterCount(*module) == analysis.parameters);
    CHECK(analysis.parameters == 61706);
    CHECK(module->named_children().keys()
          == std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "fc3"});
}

TEST_CASE("Dropout is active in train mode and inactive in eval mode", "[runners]")
{
    const proto::ModelGraph graph = dropoutGraph(0.5);
    GraphModule module(graph, analyse(graph));
    const torch::Tensor x = torch::randn({8, 1, 28, 28});
    module->eval();
    const torch::Tensor first = module->forward(x);
    CHECK(torch::equal(first, module->forward(x)));
    module->train();
    CHECK_FALSE(torch::allclose(first, module->forward(x)));
    module->eval();
    CHECK(torch::equal(first, module->forward(x)));
}

TEST_CASE("Nodes listed out of order in the graph still run in topological order", "[runners]")
{
    proto::ModelGraph ordered = dropoutGraph(0.25);
    proto::ModelGraph shuffled;
    for (int i : {4, 2, 0, 3, 1}) {
        *shuffled.add_nodes() = ordered.nodes(i);
    }
    shuffled.set_output("fc2");

    torch::manual_seed(3);
    GraphModule a(ordered, analyse(ordered));
    GraphModule b(shuffled, analyse(shuffled));
    // Copy a's weights into b: the same function if the order is honoured.
    torch::NoGradGuard noGrad;
    for (const auto &item : a->named_parameters()) {
        b->named_parameters()[item.key()].copy_(item.value());
    }
    a->eval();
    b->eval();
    const torch::Tensor x = torch::randn({4, 1, 28, 28});
    CHECK(torch::allclose(a->forward(x), b->forward(x)));
}

TEST_CASE("Conv2d stride and padding, MaxPool2d stride and bias 0 match the analysed shapes and "
          "counts",
          "[runners]")
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {3, 17, 15});
    proto::Node *conv = addNode(graph, "conv", "Conv2d", "input");
    setInt(conv, "out_channels", 5);
    setInt(conv, "kernel_size", 3);
    setInt(conv, "stride", 2);
    setInt(conv, "padding", 1);
    setInt(conv, "bias", 0);
    proto::Node *pool = addNode(graph, "pool", "MaxPool2d", "conv");
    setInt(pool, "kernel_size", 3);
    setInt(pool, "stride", 1);
    addNode(graph, "relu", "ReLU", "pool");
    addNode(graph, "flatten", "Flatten", "relu");
    setInt(addNode(graph, "fc", "Linear", "flatten"), "out_features", 7);

    const model::GraphAnalysis analysis = analyse(graph);
    GraphModule module(graph, analysis);
    const torch::Tensor out = module->forward(torch::randn({2, 3, 17, 15}));
    std::vector<std::int64_t> expected{2};
    expected.insert(expected.end(), analysis.outputShape.begin(), analysis.outputShape.end());
    CHECK(out.sizes() == torch::IntArrayRef(expected));
    CHECK(runners::parameterCount(*module) == analysis.parameters);
    CHECK_FALSE(module->named_children()["conv"]->named_parameters().contains("bias"));
}

TEST_CASE("A flat Input shape takes image batches, and dotted node names become valid submodule "
          "names",
          "[runners]")
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "in", "Input"), "shape", {784});
    setInt(addNode(graph, "layer.1", "Linear", "in"), "out_features", 16);
    setInt(addNode(graph, "layer_1", "Linear", "layer.1"), "out_features", 3);
    GraphModule module(graph, analyse(graph));
    CHECK(module->forward(torch::randn({5, 1, 28, 28})).sizes() == torch::IntArrayRef({5, 3}));
    const auto names = module->named_children().keys();
    CHECK(names == std::vector<std::string>{"layer_1", "layer_1_"});
}

TEST_CASE("A batch of the wrong shape fails with libtorch's message, not a crash", "[runners]")
{
    const proto::ModelGraph graph = makeTemplate("mlp");
    GraphModule module(graph, analyse(graph));
    try {
        (void)module->forward(torch::randn({2, 1, 20, 20}));
        FAIL("forward accepted 1x20x20 images for a 1x28x28 model");
    } catch (const std::exception &error) {
        const std::string text = runners::torchErrorText(error);
        CHECK_FALSE(text.empty());
        CHECK(text.find('\n') == std::string::npos);
        CHECK(text.find("Exception raised from") == std::string::npos);
    }
}
