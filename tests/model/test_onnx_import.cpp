// Importing ONNX models that are valid: the PyTorch fixtures and models built here.
#include "model/onnx_model.h"
#include "model/view_graph.h"
#include "onnx_builders.h"

#include <algorithm>
#include <map>
#include <optional>

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

const fs::path kFixtures = fs::path(TL_SHARED_DIR) / "fixtures" / "onnx";

std::map<std::string, int> opCounts(const proto::ViewGraph &view)
{
    std::map<std::string, int> counts;
    for (const proto::ViewNode &node : view.nodes()) {
        ++counts[node.op()];
    }
    return counts;
}

// Scalars of the float32 initializers, counted straight from the protobuf.
std::int64_t floatInitializerElements(const onnx::ModelProto &model)
{
    std::int64_t total = 0;
    for (const onnx::TensorProto &init : model.graph().initializer()) {
        if (init.data_type() != onnx::TensorProto::FLOAT) {
            continue;
        }
        std::int64_t count = 1;
        for (std::int64_t dim : init.dims()) {
            count *= dim;
        }
        total += count;
    }
    return total;
}

const proto::ViewNode *findNode(const proto::ViewGraph &view, const std::string &name)
{
    for (const proto::ViewNode &node : view.nodes()) {
        if (node.name() == name) {
            return &node;
        }
    }
    return nullptr;
}

const proto::TensorInfo *findValue(const proto::ViewGraph &view, const std::string &name)
{
    for (const proto::TensorInfo &value : view.values()) {
        if (value.name() == name) {
            return &value;
        }
    }
    return nullptr;
}

std::string attrText(const proto::ViewNode &node, const std::string &name)
{
    for (const proto::ViewAttr &attr : node.attrs()) {
        if (attr.name() == name) {
            return attr.text();
        }
    }
    return "<absent>";
}

std::vector<std::int64_t> dims(const proto::TensorInfo &info)
{
    return {info.dims().begin(), info.dims().end()};
}

std::vector<std::string> scope(const proto::ViewNode &node)
{
    return {node.scope().begin(), node.scope().end()};
}

OnnxModel parseOk(const std::string &bytes, const std::string &name = "built.onnx")
{
    auto model = parseOnnxModel(bytes, name);
    if (!model) {
        FAIL(model.error().describe());
    }
    return model.value();
}

// The PyTorch fixture `name`, read and checked; nullopt (with a WARN) when ../shared is absent.
std::optional<OnnxModel> readFixture(const std::string &name)
{
    const fs::path file = kFixtures / name;
    if (!fs::exists(file)) {
        WARN("skipped: " << file << " is absent");
        return std::nullopt;
    }
    auto model = readOnnxModel(file);
    INFO((model.ok() ? std::string() : model.error().describe()));
    REQUIRE(model.ok());
    return model.value();
}

} // namespace

TEST_CASE("The LeNet fixture imports with its twelve nodes, opset 17 and 61,706 parameters",
          "[model]")
{
    const std::optional<OnnxModel> model = readFixture("lenet.onnx");
    if (!model) {
        return;
    }
    CHECK(model.value().fileName() == "lenet.onnx");
    const proto::ViewGraph view = describeOnnxModel(model.value());
    CHECK(view.format() == "onnx");
    CHECK(view.name() == "main_graph");
    CHECK(view.producer() == "pytorch 2.11.0");
    CHECK(view.opset() == 17);
    CHECK(view.ir_version() == 8);
    CHECK(view.nodes_size() == 12);
    CHECK(opCounts(view)
          == std::map<std::string, int>{
              {"Conv", 2}, {"Flatten", 1}, {"Gemm", 3}, {"MaxPool", 2}, {"Relu", 4}});
    CHECK(floatInitializerElements(model.value().proto()) == 61706);
    CHECK(view.parameter_count() == 61706);
    REQUIRE(view.inputs_size() == 1);
    CHECK(view.inputs(0).name() == "input.1");
    CHECK(view.inputs(0).dtype() == "float32");
    CHECK(dims(view.inputs(0)) == std::vector<std::int64_t>{1, 1, 28, 28});
    REQUIRE(view.outputs_size() == 1);
    CHECK(dims(view.outputs(0)) == std::vector<std::int64_t>{1, 10});
    CHECK(view.blocking_ops().empty());
    CHECK(view.warnings().empty());
}

TEST_CASE("The LeNet fixture's nodes carry their scope, weights, attributes and shapes", "[model]")
{
    const std::optional<OnnxModel> model = readFixture("lenet.onnx");
    if (!model) {
        return;
    }
    const proto::ViewGraph view = describeOnnxModel(model.value());
    const proto::ViewNode *conv = findNode(view, "/c1/Conv");
    REQUIRE(conv);
    CHECK(scope(*conv) == std::vector<std::string>{"c1"});
    CHECK(attrText(*conv, "kernel_shape") == "[5, 5]");
    CHECK(attrText(*conv, "pads") == "[2, 2, 2, 2]");
    CHECK(attrText(*conv, "group") == "1");
    REQUIRE(conv->parameters_size() == 2);
    CHECK(conv->parameters(0).name() == "c1.weight");
    CHECK(dims(conv->parameters(0)) == std::vector<std::int64_t>{6, 1, 5, 5});
    CHECK(conv->parameters(1).name() == "c1.bias");
    CHECK(std::vector<std::string>(conv->inputs().begin(), conv->inputs().end())
          == std::vector<std::string>{"input.1", "c1.weight", "c1.bias"});
    const proto::ViewNode *relu = findNode(view, "/Relu");
    REQUIRE(relu);
    CHECK(relu->scope().empty());
    CHECK(relu->parameters().empty());
    const proto::ViewNode *gemm = findNode(view, "/f1/Gemm");
    REQUIRE(gemm);
    CHECK(attrText(*gemm, "alpha") == "1");
    CHECK(attrText(*gemm, "transB") == "1");
    // Shape inference labels the edges.
    const proto::TensorInfo *convOut = findValue(view, "/c1/Conv_output_0");
    REQUIRE(convOut);
    CHECK(dims(*convOut) == std::vector<std::int64_t>{1, 6, 28, 28});
    const proto::TensorInfo *flat = findValue(view, "/Flatten_output_0");
    REQUIRE(flat);
    CHECK(dims(*flat) == std::vector<std::int64_t>{1, 400});
}

TEST_CASE("The MLP fixture imports with four nodes and 203,530 parameters", "[model]")
{
    const std::optional<OnnxModel> model = readFixture("mlp.onnx");
    if (!model) {
        return;
    }
    const proto::ViewGraph view = describeOnnxModel(model.value());
    CHECK(view.opset() == 17);
    CHECK(opCounts(view) == std::map<std::string, int>{{"Flatten", 1}, {"Gemm", 2}, {"Relu", 1}});
    CHECK(floatInitializerElements(model.value().proto()) == 203530);
    CHECK(view.parameter_count() == 203530);
    REQUIRE(view.inputs_size() == 1);
    CHECK(view.inputs(0).name() == "onnx::Flatten_0");
    CHECK(dims(view.inputs(0)) == std::vector<std::int64_t>{1, 1, 28, 28});
    const proto::ViewNode *gemm = findNode(view, "/1/Gemm");
    REQUIRE(gemm);
    CHECK(scope(*gemm) == std::vector<std::string>{"1"});
    CHECK(view.blocking_ops().empty());
}

TEST_CASE("Reading a file and parsing its bytes give the same model", "[model]")
{
    OnnxTempDir dir("onnx-read");
    const std::string bytes = tinyGemmModel().bytes();
    writeFile(dir / "tiny.onnx", bytes);
    auto read = readOnnxModel(dir / "tiny.onnx");
    REQUIRE(read.ok());
    const OnnxModel parsed = parseOk(bytes, "tiny.onnx");
    CHECK(describeOnnxModel(read.value()).SerializeAsString()
          == describeOnnxModel(parsed).SerializeAsString());
}

TEST_CASE("A cancelled import returns Cancelled", "[model]")
{
    std::stop_source source;
    source.request_stop();
    auto model = parseOnnxModel(tinyGemmModel().bytes(), "tiny.onnx", source.get_token());
    REQUIRE_FALSE(model.ok());
    CHECK(model.error().code == base::ErrorCode::Cancelled);
    CHECK(model.error().context == "tiny.onnx");
}

TEST_CASE("A symbolic batch dimension keeps its name", "[model]")
{
    const proto::ViewGraph view = describeOnnxModel(parseOk(tinyGemmModel().bytes()));
    REQUIRE(view.inputs_size() == 1);
    CHECK(dims(view.inputs(0)) == std::vector<std::int64_t>{-1, 4});
    REQUIRE(view.inputs(0).dim_names_size() == 2);
    CHECK(view.inputs(0).dim_names(0) == "batch");
    CHECK(view.inputs(0).dim_names(1).empty());
    CHECK(view.name() == "tiny");
    CHECK(view.producer() == "tests 1.0");
    const proto::TensorInfo *hidden = findValue(view, "h");
    REQUIRE(hidden);
    CHECK(hidden->shape_known());
    CHECK(dims(*hidden) == std::vector<std::int64_t>{-1, 3});
}

TEST_CASE("Nodes listed out of order are sorted topologically", "[model]")
{
    OnnxBuilder model;
    model.input("x", {1, 4}).output("z", {1, 4});
    model.node("Sigmoid", {"y"}, {"z"}, "second");
    model.node("Relu", {"x"}, {"y"}, "first");
    const OnnxModel parsed = parseOk(model.bytes());
    REQUIRE(parsed.proto().graph().node_size() == 2);
    CHECK(parsed.proto().graph().node(0).name() == "first");
    CHECK(parsed.proto().graph().node(1).name() == "second");
    const proto::ViewGraph view = describeOnnxModel(parsed);
    CHECK(view.nodes(0).name() == "first");
}

TEST_CASE("Unnamed nodes are called after their op and position", "[model]")
{
    OnnxBuilder model;
    model.input("x", {1, 4}).output("z", {1, 4});
    model.node("Relu", {"x"}, {"y"});
    model.node("Sigmoid", {"y"}, {"z"});
    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    REQUIRE(view.nodes_size() == 2);
    CHECK(view.nodes(0).name() == "Relu_0");
    CHECK(view.nodes(1).name() == "Sigmoid_1");
}

TEST_CASE("Attributes read as text: lists, numbers, strings, tensors and subgraphs", "[model]")
{
    OnnxBuilder model;
    model.input("x", {1, 3, 8, 8}).input("flag", {}, onnx::TensorProto::BOOL);
    model.output("y", {1, 3, 8, 8}).output("o", {1});
    onnx::NodeProto &pool = model.node("AveragePool", {"x"}, {"p"}, "pool");
    addInts(pool, "kernel_shape", {3, 3});
    addInts(pool, "pads", {1, 1, 1, 1});
    addFloat(model.node("LeakyRelu", {"p"}, {"y"}, "leaky"), "alpha", 0.25f);
    // An If whose branches read the tensor "c" of the Constant listed after it: the importer
    // must see that dependency and sort the Constant first.
    onnx::NodeProto &branch = model.node("If", {"flag"}, {"o"}, "choose");
    for (const std::string name : {"then_branch", "else_branch"}) {
        onnx::AttributeProto *attr = branch.add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::GRAPH);
        onnx::GraphProto *sub = attr->mutable_g();
        sub->set_name(name);
        onnx::NodeProto *reduce = sub->add_node();
        reduce->set_op_type("ReduceMax");
        reduce->add_input("c");
        reduce->add_output(name + "_out");
        addInt(*reduce, "keepdims", 1);
        onnx::ValueInfoProto *out = sub->add_output();
        out->set_name(name + "_out");
        setTensorType(*out, {1});
    }
    onnx::NodeProto &constant = model.node("Constant", {}, {"c"}, "const");
    onnx::AttributeProto *value = constant.add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    value->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    value->mutable_t()->add_dims(64);
    for (float v : rampValues(64)) {
        value->mutable_t()->add_float_data(v);
    }
    onnx::NodeProto &scale = model.node("Rescale", {"y"}, {"s"}, "scale", "org.example");
    addFloat(scale, "factor", 1.5f);
    onnx::AttributeProto *note = scale.add_attribute();
    note->set_name("note");
    note->set_type(onnx::AttributeProto::STRING);
    note->set_s("hello");
    model.opset("org.example", 1);

    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    REQUIRE(findNode(view, "pool"));
    CHECK(attrText(*findNode(view, "pool"), "kernel_shape") == "[3, 3]");
    CHECK(attrText(*findNode(view, "leaky"), "alpha") == "0.25");
    CHECK(attrText(*findNode(view, "const"), "value") == "tensor float32 [64]");
    CHECK(attrText(*findNode(view, "choose"), "then_branch") == "subgraph (1 nodes)");
    CHECK(attrText(*findNode(view, "scale"), "note") == "hello");
    CHECK(attrText(*findNode(view, "scale"), "factor") == "1.5");
    CHECK(findNode(view, "scale")->domain() == "org.example");
    auto position = [&](const std::string &name) {
        for (int i = 0; i < view.nodes_size(); ++i) {
            if (view.nodes(i).name() == name) {
                return i;
            }
        }
        return -1;
    };
    CHECK(position("const") < position("choose"));
}

TEST_CASE("Initializers that old exporters list as graph inputs are not shown as inputs", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    auto *listed = model.graph().add_input();
    listed->set_name("W");
    setTensorType(*listed, {3, 4});
    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    REQUIRE(view.inputs_size() == 1);
    CHECK(view.inputs(0).name() == "x");
}

TEST_CASE("An initializer read by two nodes is folded into each of them", "[model]")
{
    OnnxBuilder model;
    model.input("x", {1, 4}).output("z", {1, 4});
    model.initializer("k", {4}, rampValues(4));
    model.node("Add", {"x", "k"}, {"y"}, "add");
    model.node("Mul", {"y", "k"}, {"z"}, "mul");
    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    REQUIRE(view.nodes_size() == 2);
    CHECK(view.nodes(0).parameters_size() == 1);
    CHECK(view.nodes(1).parameters_size() == 1);
    CHECK(view.nodes(1).parameters(0).name() == "k");
    CHECK(view.parameter_count() == 4);
}

TEST_CASE("An ONNX op Torchlight cannot run opens for viewing and is listed as blocking", "[model]")
{
    OnnxBuilder model;
    model.input("a", {2, 3}).input("b", {3, 4}).output("c", {2, 4});
    onnx::NodeProto &einsum = model.node("Einsum", {"a", "b"}, {"c"}, "contract");
    onnx::AttributeProto *equation = einsum.add_attribute();
    equation->set_name("equation");
    equation->set_type(onnx::AttributeProto::STRING);
    equation->set_s("ij,jk->ik");
    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    CHECK(std::vector<std::string>(view.blocking_ops().begin(), view.blocking_ops().end())
          == std::vector<std::string>{"Einsum"});
    CHECK(attrText(view.nodes(0), "equation") == "ij,jk->ik");
    CHECK(contains(viewGraphSummaryJson(view), "\"trainable\": false"));
}

TEST_CASE("An op of a custom domain opens and is listed with its domain as blocking", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    model.opset("com.microsoft", 1);
    model.graph().mutable_output(0)->set_name("g");
    model.node("FusedGelu", {"y"}, {"g"}, "/act/Gelu", "com.microsoft");
    const proto::ViewGraph view = describeOnnxModel(parseOk(model.bytes()));
    CHECK(std::vector<std::string>(view.blocking_ops().begin(), view.blocking_ops().end())
          == std::vector<std::string>{"com.microsoft.FusedGelu"});
    const proto::ViewNode *gelu = findNode(view, "/act/Gelu");
    REQUIRE(gelu);
    CHECK(gelu->domain() == "com.microsoft");
    CHECK(scope(*gelu) == std::vector<std::string>{"act"});
}

TEST_CASE("The runnable op list is sorted and holds exactly the ops the worker runs", "[model]")
{
    const std::vector<std::string> &ops = runnableOnnxOps();
    CHECK(ops.size() == 69);
    CHECK(std::is_sorted(ops.begin(), ops.end()));
    CHECK(std::adjacent_find(ops.begin(), ops.end()) == ops.end());
    CHECK(ops.front() == "Abs");
    CHECK(ops.back() == "Where");
    CHECK(isRunnableOnnxOp("", "Conv"));
    CHECK(isRunnableOnnxOp("ai.onnx", "LayerNormalization"));
    CHECK_FALSE(isRunnableOnnxOp("", "Einsum"));
    CHECK_FALSE(isRunnableOnnxOp("com.microsoft", "Conv"));
}

TEST_CASE("A shape inference failure keeps the model open and becomes a warning", "[model]")
{
    // The declared output shape contradicts what Relu of a [1, 4] input gives.
    OnnxBuilder model;
    model.input("x", {1, 4}).output("y", {2, 5});
    model.node("Relu", {"x"}, {"y"}, "relu");
    const OnnxModel parsed = parseOk(model.bytes());
    const proto::ViewGraph view = describeOnnxModel(parsed);
    REQUIRE(view.warnings_size() == 1);
    CHECK(contains(view.warnings(0), "Shape inference failed"));
    CHECK(view.nodes_size() == 1);
}
