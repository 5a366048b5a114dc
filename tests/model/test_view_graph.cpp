// The display form of Torchlight graphs, the inspect-model JSON summary, and the text helpers
// both share.
#include "model/graph_analysis.h"
#include "model/templates.h"
#include "model/view_graph.h"
#include "test_graphs.h"

#include <catch2/catch.hpp>

using namespace tl;
using namespace tl::model;

namespace {

struct Described
{
    proto::ModelGraph graph;
    GraphAnalysis analysis;
    proto::ViewGraph view;
};

Described describeTemplate(std::string_view id)
{
    auto graph = makeTemplate(id, {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    auto analysis = analyzeGraph(graph.value());
    REQUIRE(analysis.ok());
    proto::ViewGraph view = describeModelGraph(graph.value(), analysis.value());
    return {graph.value(), analysis.value(), view};
}

const proto::ViewNode &node(const proto::ViewGraph &view, const std::string &name)
{
    for (const proto::ViewNode &each : view.nodes()) {
        if (each.name() == name) {
            return each;
        }
    }
    FAIL("no node " << name);
    return view.nodes(0);
}

std::string attrText(const proto::ViewNode &viewNode, const std::string &name)
{
    for (const proto::ViewAttr &attr : viewNode.attrs()) {
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

std::vector<std::string> parameterNames(const proto::ViewNode &viewNode)
{
    std::vector<std::string> names;
    for (const proto::TensorInfo &param : viewNode.parameters()) {
        names.push_back(param.name());
    }
    return names;
}

} // namespace

TEST_CASE("The LeNet template is described with its input, weights and output shapes", "[model]")
{
    const Described lenet = describeTemplate("lenet");
    const proto::ViewGraph &view = lenet.view;
    CHECK(view.format() == "torchlight");
    CHECK(view.name() == "lenet");
    CHECK(view.opset() == 0);
    CHECK(view.nodes_size() == 12); // every node but the Input
    CHECK(view.parameter_count() == 61706);
    CHECK(view.blocking_ops().empty());
    REQUIRE(view.inputs_size() == 1);
    CHECK(view.inputs(0).name() == "input");
    CHECK(dims(view.inputs(0)) == std::vector<std::int64_t>{-1, 1, 28, 28});
    CHECK(view.inputs(0).dim_names(0) == "batch");
    CHECK(view.inputs(0).dtype() == "float32");
    REQUIRE(view.outputs_size() == 1);
    CHECK(view.outputs(0).name() == "fc3");
    CHECK(dims(view.outputs(0)) == std::vector<std::int64_t>{-1, 10});

    const proto::ViewNode &conv1 = node(view, "conv1");
    CHECK(conv1.op() == "Conv2d");
    CHECK(parameterNames(conv1) == std::vector<std::string>{"conv1.weight", "conv1.bias"});
    CHECK(dims(conv1.parameters(0)) == std::vector<std::int64_t>{6, 1, 5, 5});
    CHECK(std::vector<std::string>(conv1.inputs().begin(), conv1.inputs().end())
          == std::vector<std::string>{"input", "conv1.weight", "conv1.bias"});
    CHECK(attrText(conv1, "kernel_size") == "5");
    CHECK(attrText(conv1, "padding") == "2");
    CHECK(conv1.scope().empty());
    CHECK(dims(node(view, "fc1").parameters(0)) == std::vector<std::int64_t>{120, 400});

    int found = 0;
    for (const proto::TensorInfo &value : view.values()) {
        if (value.name() == "pool2") {
            CHECK(dims(value) == std::vector<std::int64_t>{-1, 16, 5, 5});
            ++found;
        }
    }
    CHECK(found == 1);
}

TEST_CASE("The CNN template shows BatchNorm statistics and bias-free convolutions", "[model]")
{
    const Described cnn = describeTemplate("cnn");
    CHECK(parameterNames(node(cnn.view, "conv1")) == std::vector<std::string>{"conv1.weight"});
    CHECK(parameterNames(node(cnn.view, "bn1"))
          == std::vector<std::string>{"bn1.weight", "bn1.bias", "bn1.running_mean",
                                      "bn1.running_var"});
    CHECK(dims(node(cnn.view, "bn2").parameters(3)) == std::vector<std::int64_t>{64});
    CHECK(attrText(node(cnn.view, "drop1"), "p") == "0.25");
    CHECK(cnn.view.parameter_count() == cnn.analysis.parameters);
}

TEST_CASE("A Torchlight node named with slashes is grouped by its prefix", "[model]")
{
    proto::ModelGraph graph;
    test::setInts(test::addNode(graph, "input", "Input"), "shape", {4});
    test::setInt(test::addNode(graph, "block1/fc", "Linear", {"input"}), "out_features", 2);
    auto analysis = analyzeGraph(graph);
    REQUIRE(analysis.ok());
    const proto::ViewGraph view = describeModelGraph(graph, analysis.value());
    REQUIRE(view.nodes_size() == 1);
    CHECK(std::vector<std::string>(view.nodes(0).scope().begin(), view.nodes(0).scope().end())
          == std::vector<std::string>{"block1"});
    CHECK(parameterNames(view.nodes(0))
          == std::vector<std::string>{"block1/fc.weight", "block1/fc.bias"});
}

TEST_CASE("Scopes come from the slash-separated prefix of a node name", "[model]")
{
    using Parts = std::vector<std::string>;
    CHECK(scopeOfNodeName("/layer1/layer1.0/conv1/Conv") == Parts{"layer1", "layer1.0", "conv1"});
    CHECK(scopeOfNodeName("/Relu").empty());
    CHECK(scopeOfNodeName("Relu").empty());
    CHECK(scopeOfNodeName("a//b/c") == Parts{"a", "b"});
    CHECK(scopeOfNodeName("/").empty());
    CHECK(scopeOfNodeName("").empty());
}

TEST_CASE("Invalid UTF-8 is replaced and valid UTF-8 is kept", "[model]")
{
    CHECK(validUtf8("plain") == "plain");
    CHECK(validUtf8("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80")
          == "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
    CHECK(validUtf8("a\xff"
                    "b")
          == "a\xef\xbf\xbd"
             "b");
    CHECK(validUtf8("\xc3") == "\xef\xbf\xbd");                                 // cut short
    CHECK(validUtf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");                 // overlong '/'
    CHECK(validUtf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); // a surrogate
    CHECK(validUtf8("\xf4\x90\x80\x80").size() == 12);                          // above U+10FFFF
    CHECK(validUtf8(std::string("a\0b", 3)) == std::string("a\0b", 3));
}

TEST_CASE("The JSON summary lists inputs, ops by count and blocking ops", "[model]")
{
    proto::ViewGraph view;
    view.set_name("net");
    view.set_format("onnx");
    view.set_producer("pytorch 2.11.0");
    view.set_opset(17);
    proto::TensorInfo *input = view.add_inputs();
    input->set_name("x");
    input->set_dtype("float32");
    input->set_shape_known(true);
    for (std::int64_t dim : {-1, 3, -1}) {
        input->add_dims(dim);
    }
    input->add_dim_names("batch");
    proto::TensorInfo *output = view.add_outputs();
    output->set_name("y");
    output->set_dtype("int64");
    for (const char *op : {"Relu", "Conv", "Relu"}) {
        view.add_nodes()->set_op(op);
    }
    proto::ViewNode *custom = view.add_nodes();
    custom->set_op("FusedConv");
    custom->set_domain("com.microsoft");
    view.set_parameter_count(1234);
    view.add_blocking_ops("com.microsoft.FusedConv");
    CHECK(viewGraphSummaryJson(view) == R"({
  "name": "net",
  "format": "onnx",
  "producer": "pytorch 2.11.0",
  "opset": 17,
  "inputs": [
    {
      "name": "x",
      "shape": ["batch", 3, null],
      "dtype": "float32"
    }
  ],
  "outputs": [
    {
      "name": "y",
      "shape": null,
      "dtype": "int64"
    }
  ],
  "nodes": 4,
  "ops": {
    "Conv": 1,
    "Relu": 2,
    "com.microsoft.FusedConv": 1
  },
  "parameters": 1234,
  "blocking_ops": [
    "com.microsoft.FusedConv"
  ],
  "trainable": false,
  "warnings": []
}
)");
}

TEST_CASE("The JSON summary escapes quotes, backslashes and control characters", "[model]")
{
    proto::ViewGraph view;
    view.set_name("say \"hi\"\\\n\t\x01 caf\xc3\xa9");
    view.add_warnings("bad \x7f byte");
    const std::string json = viewGraphSummaryJson(view);
    CHECK(json.find(R"("name": "say \"hi\"\\\u000a\u0009\u0001 caf)"
                    "\xc3\xa9\"")
          != std::string::npos);
    CHECK(json.find("\"bad \x7f byte\"") != std::string::npos);
    CHECK(json.find("\"inputs\": [],") != std::string::npos);
    CHECK(json.find("\"ops\": {},") != std::string::npos);
    CHECK(json.find("\"trainable\": true,") != std::string::npos);
}

TEST_CASE("The JSON summary never carries invalid UTF-8", "[model]")
{
    proto::ViewGraph view;
    view.set_producer(std::string("tool \xff\xfe", 7)); // as a TorchScript file might hold
    const std::string json = viewGraphSummaryJson(view);
    CHECK(json.find("\"producer\": \"tool \xef\xbf\xbd\xef\xbf\xbd\"") != std::string::npos);
    CHECK(validUtf8(json) == json);
}
