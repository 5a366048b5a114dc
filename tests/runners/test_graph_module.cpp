#include "model/graph_analysis.h"
#include "model/templates.h"
#include "runners/graph_module.h"

#include <catch2/catch.hpp>

#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include <algorithm>
#include <sstream>

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

void setInts(proto::Node *node, const std::string &attr, const std::vector<std::int64_t> &values)
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

// input [3, 4, 5] -> bn (BatchNorm2d), the output: the module returns the normalized batch.
proto::ModelGraph batchNormGraph(double momentum)
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {3, 4, 5});
    proto::Node *bn = addNode(graph, "bn", "BatchNorm2d", "input");
    (*bn->mutable_attrs())["momentum"].set_f(momentum);
    (*bn->mutable_attrs())["eps"].set_f(1e-3);
    return graph;
}

// The names of a module's buffers, sorted.
std::vector<std::string> bufferNames(const torch::nn::Module &module)
{
    std::vector<std::string> names = module.named_buffers().keys();
    std::sort(names.begin(), names.end());
    return names;
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

TEST_CASE("BatchNorm2d learns weight and bias per channel and keeps running statistics as buffers",
          "[runners]")
{
    const proto::ModelGraph graph = batchNormGraph(0.1);
    const model::GraphAnalysis analysis = analyse(graph);
    GraphModule module(graph, analysis);
    CHECK(runners::parameterCount(*module) == analysis.parameters);
    CHECK(analysis.parameters == 6);
    CHECK(module->named_parameters().keys() == std::vector<std::string>{"bn.weight", "bn.bias"});
    // What a checkpoint holds beside the parameters (module.save writes buffers too).
    CHECK(
        bufferNames(*module)
        == std::vector<std::string>{"bn.num_batches_tracked", "bn.running_mean", "bn.running_var"});
    const auto bn = module->named_children()["bn"]->as<torch::nn::BatchNorm2d>();
    REQUIRE(bn != nullptr);
    CHECK(bn->options.eps() == 1e-3);
    CHECK(bn->options.momentum().value() == 0.1);
    CHECK(bn->running_mean.numel() == 3);
}

TEST_CASE("BatchNorm2d uses batch statistics in train mode and running ones in eval mode",
          "[runners]")
{
    const proto::ModelGraph graph = batchNormGraph(0.5);
    GraphModule module(graph, analyse(graph));
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({8, 3, 4, 5}) * 3 + 5;
    module->eval();
    const torch::Tensor before = module->forward(x); // running mean 0, variance 1: nearly x
    CHECK(torch::allclose(before, x, 1e-3, 1e-2));

    module->train();
    const torch::Tensor trained = module->forward(x);
    CHECK_FALSE(torch::allclose(trained, before, 1e-3, 1e-2));
    // Normalized per channel over the batch and both image dimensions.
    CHECK(trained.mean({0, 2, 3}).abs().max().item<double>() < 1e-4);
    const auto bn = module->named_children()["bn"]->as<torch::nn::BatchNorm2d>();
    CHECK(bn->num_batches_tracked.item<std::int64_t>() == 1);
    // momentum 0.5: half of the batch mean moved into the running mean, which started at 0.
    CHECK(torch::allclose(bn->running_mean, 0.5 * x.mean({0, 2, 3}), 1e-4, 1e-4));

    module->eval();
    const torch::Tensor after = module->forward(x);
    CHECK_FALSE(torch::allclose(after, trained, 1e-3, 1e-2));
    CHECK_FALSE(torch::allclose(after, before, 1e-3, 1e-2));
    CHECK(torch::equal(after, module->forward(x))); // eval mode leaves the statistics alone
    CHECK(bn->num_batches_tracked.item<std::int64_t>() == 1);
}

TEST_CASE("LogSoftmax gives log-probabilities whose exponentials sum to 1 over the last "
          "dimension",
          "[runners]")
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {2, 6});
    addNode(graph, "logp", "LogSoftmax", "input");
    GraphModule module(graph, analyse(graph));
    torch::manual_seed(5);
    const torch::Tensor x = torch::randn({4, 2, 6}) * 10;
    const torch::Tensor out = module->forward(x);
    CHECK(out.sizes() == torch::IntArrayRef({4, 2, 6}));
    CHECK(out.max().item<double>() <= 0);
    CHECK(torch::allclose(out.exp().sum(-1), torch::ones({4, 2})));
    // Shift invariance per row: the same distribution as the input minus its log-sum-exp.
    CHECK(torch::allclose(out, x - x.logsumexp(-1, true), 1e-5, 1e-5));
    CHECK(runners::parameterCount(*module) == 0);
}

TEST_CASE("AdaptiveAvgPool2d pools to the analysed output size", "[runners]")
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {3, 9, 7});
    setInts(addNode(graph, "pool", "AdaptiveAvgPool2d", "input"), "output_size", {2, 3});
    const model::GraphAnalysis analysis = analyse(graph);
    REQUIRE(analysis.outputShape == model::Shape{3, 2, 3});
    GraphModule module(graph, analysis);
    const torch::Tensor x = torch::randn({2, 3, 9, 7});
    CHECK(module->forward(x).sizes() == torch::IntArrayRef({2, 3, 2, 3}));

    // The default, [1, 1], is a global average.
    proto::ModelGraph global;
    setInts(addNode(global, "input", "Input"), "shape", {3, 9, 7});
    addNode(global, "gap", "AdaptiveAvgPool2d", "input");
    GraphModule gap(global, analyse(global));
    const torch::Tensor pooled = gap->forward(x);
    CHECK(pooled.sizes() == torch::IntArrayRef({2, 3, 1, 1}));
    CHECK(torch::allclose(pooled.flatten(1), x.mean({2, 3}), 1e-5, 1e-5));
}

TEST_CASE("The CNN template trains a step forward and backward with the analysed parameters",
          "[runners]")
{
    const proto::ModelGraph graph = makeTemplate("cnn");
    const model::GraphAnalysis analysis = analyse(graph);
    torch::manual_seed(6);
    GraphModule module(graph, analysis);
    CHECK(runners::parameterCount(*module) == analysis.parameters);
    CHECK(analysis.parameters == 421738);
    CHECK(module->named_children().keys()
          == std::vector<std::string>{"conv1", "bn1", "conv2", "bn2", "fc1", "fc2"});
    CHECK(bufferNames(*module).size() == 6);

    module->train();
    const torch::Tensor logits = module->forward(torch::randn({4, 1, 28, 28}));
    CHECK(logits.sizes() == torch::IntArrayRef({4, 10}));
    const torch::Tensor loss =
        torch::cross_entropy_loss(logits, torch::tensor({0, 3, 7, 9}, torch::kLong));
    loss.backward();
    for (const auto &parameter : module->named_parameters()) {
        INFO(parameter.key());
        REQUIRE(parameter.value().grad().defined());
        CHECK(parameter.value().grad().abs().sum().item<double>() > 0);
    }
    module->eval();
    CHECK(module->forward(torch::randn({1, 1, 28, 28})).sizes() == torch::IntArrayRef({1, 10}));
}

TEST_CASE("A CNN module saved and loaded carries its BatchNorm running statistics", "[runners]")
{
    const proto::ModelGraph graph = makeTemplate("cnn");
    const model::GraphAnalysis analysis = analyse(graph);
    torch::manual_seed(7);
    GraphModule trained(graph, analysis);
    trained->train();
    (void)trained->forward(torch::randn({8, 1, 28, 28}) + 2);

    std::stringstream stream;
    torch::serialize::OutputArchive out;
    trained->save(out);
    out.save_to(stream);
    GraphModule restored(graph, analysis);
    torch::serialize::InputArchive in;
    in.load_from(stream);
    restored->load(in);

    const auto expected = trained->named_buffers();
    for (const auto &buffer : restored->named_buffers()) {
        INFO(buffer.key());
        CHECK(torch::equal(buffer.value(), expected[buffer.key()]));
    }
    CHECK(restored->named_buffers()["bn1.num_batches_tracked"].item<std::int64_t>() == 1);
    const torch::Tensor x = torch::randn({2, 1, 28, 28});
    trained->eval();
    restored->eval();
    CHECK(torch::equal(trained->forward(x), restored->forward(x)));
}
