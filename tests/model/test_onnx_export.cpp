// Export of Torchlight graphs to ONNX: what comes out opens in the importer with the right ops
// and exactly the weights that went in.
#include "model/graph_analysis.h"
#include "model/onnx_export.h"
#include "model/onnx_model.h"
#include "model/templates.h"
#include "onnx_builders.h"
#include "test_graphs.h"

#include <cstring>
#include <map>

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

// Made-up parameters for every node of a graph, in the shapes nodeParameters() names.
class FakeParameters
{
public:
    FakeParameters(const proto::ModelGraph &graph, const GraphAnalysis &analysis)
    {
        int offset = 0;
        for (const proto::Node &node : graph.nodes()) {
            const NodeAnalysis *analysed = analysis.node(node.name());
            REQUIRE(analysed);
            const NodeAnalysis *input =
                analysed->inputs.empty() ? nullptr : analysis.node(analysed->inputs.front());
            for (const ParameterSpec &spec :
                 nodeParameters(node, input ? input->outputShape : Shape{})) {
                std::int64_t count = 1;
                for (std::int64_t dim : spec.shape) {
                    count *= dim;
                }
                m_data[node.name() + "." + spec.name] = {
                    spec.shape, rampValues(static_cast<std::size_t>(count), offset++)};
            }
        }
    }

    ParameterLookup lookup() const
    {
        return [this](const std::string &node, const std::string &param) -> const ParameterData * {
            auto it = m_data.find(node + "." + param);
            return it == m_data.end() ? nullptr : &it->second;
        };
    }

    std::map<std::string, ParameterData> &data() { return m_data; }

private:
    std::map<std::string, ParameterData> m_data;
};

struct Exported
{
    proto::ModelGraph graph;
    GraphAnalysis analysis;
    base::Result<std::string> bytes = std::string();
};

Exported exportGraph(const proto::ModelGraph &graph, FakeParameters *override = nullptr)
{
    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    FakeParameters made(graph, analysis.value());
    const FakeParameters &params = override ? *override : made;
    return {graph, analysis.value(), exportOnnx(graph, analysis.value(), params.lookup())};
}

proto::ModelGraph templateGraph(std::string_view id)
{
    auto graph = makeTemplate(id, {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    return graph.value();
}

std::vector<std::string> opTypes(const onnx::ModelProto &model)
{
    std::vector<std::string> ops;
    for (const onnx::NodeProto &node : model.graph().node()) {
        ops.push_back(node.op_type());
    }
    return ops;
}

const onnx::NodeProto &onnxNode(const onnx::ModelProto &model, const std::string &name)
{
    for (const onnx::NodeProto &node : model.graph().node()) {
        if (node.name() == name) {
            return node;
        }
    }
    FAIL("no node " << name);
    return model.graph().node(0);
}

const onnx::AttributeProto *attribute(const onnx::NodeProto &node, const std::string &name)
{
    for (const onnx::AttributeProto &attr : node.attribute()) {
        if (attr.name() == name) {
            return &attr;
        }
    }
    return nullptr;
}

std::vector<std::int64_t> ints(const onnx::NodeProto &node, const std::string &name)
{
    const onnx::AttributeProto *attr = attribute(node, name);
    REQUIRE(attr);
    return {attr->ints().begin(), attr->ints().end()};
}

// Exports `id` with made-up weights, re-imports it and checks every weight byte for byte.
OnnxModel roundTrip(std::string_view id)
{
    const proto::ModelGraph graph = templateGraph(id);
    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    FakeParameters params(graph, analysis.value());
    auto bytes = exportOnnx(graph, analysis.value(), params.lookup());
    if (!bytes) {
        FAIL(bytes.error().describe());
    }
    auto model = parseOnnxModel(bytes.value(), std::string(id) + ".onnx");
    if (!model) {
        FAIL(model.error().describe());
    }
    const onnx::GraphProto &onnxGraph = model.value().proto().graph();
    CHECK(static_cast<std::size_t>(onnxGraph.initializer_size()) == params.data().size());
    for (const onnx::TensorProto &init : onnxGraph.initializer()) {
        INFO(init.name());
        REQUIRE(params.data().count(init.name()) == 1);
        const ParameterData &data = params.data().at(init.name());
        CHECK(std::vector<std::int64_t>(init.dims().begin(), init.dims().end()) == data.shape);
        REQUIRE(init.raw_data().size() == data.values.size() * sizeof(float));
        CHECK(std::memcmp(init.raw_data().data(), data.values.data(), init.raw_data().size()) == 0);
    }
    return model.value();
}

} // namespace

TEST_CASE("The MLP template exports to opset 17 with a symbolic batch", "[model]")
{
    const OnnxModel model = roundTrip("mlp");
    const onnx::ModelProto &proto = model.proto();
    CHECK(proto.ir_version() == 8);
    CHECK(proto.producer_name() == "torchlight");
    REQUIRE(proto.opset_import_size() == 1);
    CHECK(proto.opset_import(0).version() == kOnnxExportOpset);
    CHECK(opTypes(proto) == std::vector<std::string>{"Flatten", "Gemm", "Relu", "Gemm"});
    CHECK(proto.graph().input(0).name() == "input");
    const auto &inputShape = proto.graph().input(0).type().tensor_type().shape();
    REQUIRE(inputShape.dim_size() == 4);
    CHECK(inputShape.dim(0).dim_param() == "batch");
    CHECK(inputShape.dim(3).dim_value() == 28);
    CHECK(proto.graph().output(0).name() == "output");
    CHECK(onnxNode(proto, "fc2").output(0) == "output");
    CHECK(attribute(onnxNode(proto, "flatten"), "axis")->i() == 1);
    CHECK(attribute(onnxNode(proto, "fc1"), "transB")->i() == 1);
    const proto::ViewGraph view = describeOnnxModel(model);
    CHECK(view.parameter_count() == 101770);
    CHECK(view.blocking_ops().empty());
    CHECK(view.warnings().empty());
}

TEST_CASE("The LeNet template exports its convolutions and pools with their geometry", "[model]")
{
    const OnnxModel model = roundTrip("lenet");
    const onnx::ModelProto &proto = model.proto();
    CHECK(opTypes(proto)
          == std::vector<std::string>{"Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool",
                                      "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"});
    const onnx::NodeProto &conv1 = onnxNode(proto, "conv1");
    CHECK(ints(conv1, "kernel_shape") == std::vector<std::int64_t>{5, 5});
    CHECK(ints(conv1, "pads") == std::vector<std::int64_t>{2, 2, 2, 2});
    CHECK(ints(conv1, "strides") == std::vector<std::int64_t>{1, 1});
    CHECK(ints(conv1, "dilations") == std::vector<std::int64_t>{1, 1});
    CHECK(std::vector<std::string>(conv1.input().begin(), conv1.input().end())
          == std::vector<std::string>{"input", "conv1.weight", "conv1.bias"});
    CHECK(ints(onnxNode(proto, "pool1"), "kernel_shape") == std::vector<std::int64_t>{2, 2});
    CHECK(ints(onnxNode(proto, "pool1"), "strides") == std::vector<std::int64_t>{2, 2});
    CHECK(describeOnnxModel(model).parameter_count() == 61706);
}

TEST_CASE("The CNN template exports BatchNorm with ONNX's momentum and Dropout as Identity",
          "[model]")
{
    const OnnxModel model = roundTrip("cnn");
    const onnx::ModelProto &proto = model.proto();
    const onnx::NodeProto &bn1 = onnxNode(proto, "bn1");
    CHECK(bn1.op_type() == "BatchNormalization");
    CHECK(attribute(bn1, "momentum")->f() == Approx(0.9));
    CHECK(attribute(bn1, "epsilon")->f() == Approx(1e-5));
    CHECK(std::vector<std::string>(bn1.input().begin(), bn1.input().end())
          == std::vector<std::string>{"conv1", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                      "bn1.running_var"});
    CHECK(onnxNode(proto, "conv1").input_size() == 2); // bias 0: no B input
    CHECK(onnxNode(proto, "drop1").op_type() == "Identity");
}

TEST_CASE("LogSoftmax and adaptive pooling export to their ONNX forms", "[model]")
{
    proto::ModelGraph graph;
    graph.set_name("pools");
    setInts(addNode(graph, "input", "Input"), "shape", {3, 8, 8});
    setInts(addNode(graph, "quad", "AdaptiveAvgPool2d", {"input"}), "output_size", {2, 2});
    addNode(graph, "global", "AdaptiveAvgPool2d", {"quad"});
    addNode(graph, "flat", "Flatten", {"global"});
    addNode(graph, "probs", "LogSoftmax", {"flat"});
    const Exported exported = exportGraph(graph);
    REQUIRE(exported.bytes.ok());
    auto model = parseOnnxModel(exported.bytes.value(), "pools.onnx");
    REQUIRE(model.ok());
    const onnx::ModelProto &proto = model.value().proto();
    CHECK(opTypes(proto)
          == std::vector<std::string>{"AveragePool", "GlobalAveragePool", "Flatten", "LogSoftmax"});
    CHECK(ints(onnxNode(proto, "quad"), "kernel_shape") == std::vector<std::int64_t>{4, 4});
    CHECK(ints(onnxNode(proto, "quad"), "strides") == std::vector<std::int64_t>{4, 4});
    CHECK(attribute(onnxNode(proto, "probs"), "axis")->i() == -1);
}

TEST_CASE("Adaptive pooling that does not divide its input evenly cannot be exported", "[model]")
{
    proto::ModelGraph graph;
    setInts(addNode(graph, "input", "Input"), "shape", {3, 7, 7});
    setInts(addNode(graph, "pool", "AdaptiveAvgPool2d", {"input"}), "output_size", {2, 2});
    const Exported exported = exportGraph(graph);
    REQUIRE_FALSE(exported.bytes.ok());
    CHECK(exported.bytes.error().context == "pool");
    CHECK(contains(exported.bytes.error().message, "node 'pool' (AdaptiveAvgPool2d)"));
    CHECK(contains(exported.bytes.error().message, "7×7 down to 2×2"));
}

TEST_CASE("A missing parameter fails the export naming the node and the parameter", "[model]")
{
    const proto::ModelGraph graph = templateGraph("lenet");
    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    FakeParameters params(graph, analysis.value());
    params.data().erase("conv2.bias");
    auto bytes = exportOnnx(graph, analysis.value(), params.lookup());
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().context == "conv2");
    CHECK(contains(bytes.error().message, "node 'conv2' (Conv2d): has no 'bias' parameter"));

    auto none = exportOnnx(graph, analysis.value(), nullptr);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().context == "conv1");
}

TEST_CASE("A parameter of the wrong shape or size fails the export with both shapes", "[model]")
{
    const proto::ModelGraph graph = templateGraph("mlp");
    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    FakeParameters params(graph, analysis.value());
    params.data()["fc1.weight"].shape = {784, 128};
    auto shape = exportOnnx(graph, analysis.value(), params.lookup());
    REQUIRE_FALSE(shape.ok());
    CHECK(shape.error().message
          == "node 'fc1' (Linear): parameter 'weight' has shape 784×128, but the node needs "
             "128×784");

    FakeParameters shortValues(graph, analysis.value());
    shortValues.data()["fc2.bias"].values.pop_back();
    auto size = exportOnnx(graph, analysis.value(), shortValues.lookup());
    REQUIRE_FALSE(size.ok());
    CHECK(contains(size.error().message, "parameter 'bias' holds 9 values, but its shape 10 "
                                         "needs 10"));
}

TEST_CASE("Node parameters follow libtorch's names and layouts", "[model]")
{
    proto::Node linear = makeNode("fc", "Linear");
    setInt(linear, "out_features", 5);
    auto specs = nodeParameters(linear, {7});
    REQUIRE(specs.size() == 2);
    CHECK(specs[0].name == "weight");
    CHECK(specs[0].shape == Shape{5, 7});
    CHECK(specs[1].shape == Shape{5});
    setInt(linear, "bias", 0);
    CHECK(nodeParameters(linear, {7}).size() == 1);
    proto::Node conv = makeNode("c", "Conv2d");
    setInt(conv, "out_channels", 4);
    setInt(conv, "kernel_size", 3);
    CHECK(nodeParameters(conv, {2, 9, 9})[0].shape == Shape{4, 2, 3, 3});
    CHECK(nodeParameters(makeNode("r", "ReLU"), {3}).empty());
}
