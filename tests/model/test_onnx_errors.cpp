// Importing ONNX files that are broken (issue #5, "Bad input"): each gives one clear sentence
// naming the file and the part at fault, and nothing crashes.
#include "model/onnx_model.h"
#include "onnx_builders.h"

using namespace tl;
using namespace tl::model;
using namespace tl::model::test;

namespace {

const fs::path kFixtures = fs::path(TL_SHARED_DIR) / "fixtures" / "onnx";

base::Error parseFails(const std::string &bytes, const std::string &name)
{
    auto model = parseOnnxModel(bytes, name);
    REQUIRE_FALSE(model.ok());
    INFO(model.error().describe());
    CHECK(model.error().code == base::ErrorCode::InvalidInput);
    CHECK_FALSE(model.error().message.empty());
    return model.error();
}

// Deterministic bytes (a 32-bit LCG) that are no protobuf.
std::string noise(std::size_t count, std::uint32_t seed)
{
    std::string bytes(count, '\0');
    for (char &byte : bytes) {
        seed = seed * 1664525u + 1013904223u;
        byte = static_cast<char>(seed >> 24);
    }
    return bytes;
}

} // namespace

TEST_CASE("A truncated model is refused at every length with the file and byte named", "[model]")
{
    const fs::path file = kFixtures / "lenet.onnx";
    if (!fs::exists(file)) {
        WARN("skipped: " << file << " is absent");
        return;
    }
    const std::string bytes = readFile(file);
    for (std::size_t length : {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{4096},
                               bytes.size() / 2, bytes.size() - 1}) {
        INFO("length " << length);
        const base::Error error = parseFails(bytes.substr(0, length), "lenet.onnx");
        CHECK(contains(error.message, "lenet.onnx is not an ONNX model (protobuf parse failed)"));
        CHECK(contains(error.context, "lenet.onnx, byte "));
    }
    // The graph field starts near the top and claims more bytes than are left.
    const base::Error half = parseFails(bytes.substr(0, 4096), "lenet.onnx");
    CHECK(contains(half.message, "the file is probably truncated"));
}

TEST_CASE("Bytes that are not ONNX are refused as not an ONNX model", "[model]")
{
    for (std::uint32_t seed : {1u, 2u, 3u, 42u}) {
        INFO("seed " << seed);
        const base::Error error = parseFails(noise(1000, seed), "noise.onnx");
        CHECK(contains(error.message, "noise.onnx is not"));
        CHECK(contains(error.message, "ONNX model"));
        CHECK(contains(error.context, "noise.onnx"));
    }
    const base::Error text = parseFails("hello, this is a text file\n", "notes.onnx");
    CHECK(contains(text.message, "notes.onnx is not an ONNX model"));
    const base::Error empty = parseFails("", "empty.onnx");
    CHECK(empty.message
          == "empty.onnx is not an ONNX model: it holds none of an ONNX model's "
             "fields.");
    CHECK(empty.context == "empty.onnx");
}

TEST_CASE("A missing file is reported as not found", "[model]")
{
    OnnxTempDir dir("onnx-missing");
    auto model = readOnnxModel(dir / "absent.onnx");
    REQUIRE_FALSE(model.ok());
    CHECK(model.error().code == base::ErrorCode::NotFound);
    CHECK(contains(model.error().message, "absent.onnx"));
}

TEST_CASE("A model without a graph, an IR version or an opset is refused", "[model]")
{
    OnnxBuilder noGraph = tinyGemmModel();
    noGraph.proto().clear_graph();
    CHECK(parseFails(noGraph.bytes(), "nograph.onnx").message
          == "nograph.onnx is not a complete ONNX model: it has no graph.");

    OnnxBuilder noIr = tinyGemmModel();
    noIr.proto().clear_ir_version();
    CHECK(parseFails(noIr.bytes(), "noir.onnx").message
          == "noir.onnx is not a complete ONNX model: it has no IR version (ir_version).");

    OnnxBuilder noOpset = tinyGemmModel();
    noOpset.proto().clear_opset_import();
    const base::Error opset = parseFails(noOpset.bytes(), "noopset.onnx");
    CHECK(contains(opset.message, "noopset.onnx does not say which opset of the default ONNX "
                                  "domain it uses (opset_import)"));
    CHECK(opset.context == "noopset.onnx");
}

TEST_CASE("An opset or IR version newer than libonnx knows is refused naming both", "[model]")
{
    OnnxBuilder future = tinyGemmModel();
    future.proto().mutable_opset_import(0)->set_version(99);
    const base::Error opset = parseFails(future.bytes(), "future.onnx");
    CHECK(opset.message
          == "future.onnx uses opset 99 of the default ONNX domain, but Torchlight supports "
             "opsets up to 17; export the model again with opset 17 or lower.");
    CHECK(opset.context == "future.onnx");

    OnnxBuilder newIr = tinyGemmModel();
    newIr.proto().set_ir_version(99);
    CHECK(contains(parseFails(newIr.bytes(), "ir.onnx").message,
                   "ir.onnx uses ONNX IR version 99, but Torchlight reads IR versions up to 8"));

    OnnxBuilder ml = tinyGemmModel();
    ml.opset("ai.onnx.ml", 42);
    CHECK(contains(parseFails(ml.bytes(), "ml.onnx").message,
                   "opset 42 of the ONNX domain 'ai.onnx.ml'"));
}

TEST_CASE("A cycle is refused naming the nodes that form it", "[model]")
{
    OnnxBuilder model;
    model.input("x", {1, 4}).output("b", {1, 4});
    model.node("Add", {"x", "b"}, {"a"}, "add");
    model.node("Relu", {"a"}, {"b"}, "relu");
    const base::Error error = parseFails(model.bytes(), "cycle.onnx");
    CHECK(error.message
          == "The nodes 'relu' -> 'add' -> 'relu' form a cycle; an ONNX graph must be acyclic.");
    CHECK(error.context == "cycle.onnx, node 'relu'");

    OnnxBuilder self;
    self.input("x", {1, 4}).output("y", {1, 4});
    self.node("Add", {"x", "y"}, {"y"}, "loop");
    CHECK(contains(parseFails(self.bytes(), "self.onnx").message, "'loop' -> 'loop'"));
}

TEST_CASE("A node input that nothing produces is refused naming the node and the tensor", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    model.graph().mutable_node(1)->set_input(0, "ghost");
    const base::Error error = parseFails(model.bytes(), "dangling.onnx");
    CHECK(error.message
          == "Node '/act/Relu' (Relu) reads tensor 'ghost', which no node, graph input or "
             "initializer produces.");
    CHECK(error.context == "dangling.onnx, node '/act/Relu'");

    OnnxBuilder unnamed = tinyGemmModel();
    unnamed.graph().mutable_node(1)->clear_name();
    unnamed.graph().mutable_node(1)->set_input(0, "ghost");
    CHECK(parseFails(unnamed.bytes(), "dangling.onnx").context == "dangling.onnx, node 'Relu_1'");
}

TEST_CASE("An initializer whose data does not fit its shape is refused with both byte counts",
          "[model]")
{
    OnnxBuilder typed = tinyGemmModel();
    typed.graph().mutable_initializer(0)->mutable_float_data()->RemoveLast();
    const base::Error short1 = parseFails(typed.bytes(), "short.onnx");
    CHECK(short1.message
          == "Initializer 'W' of shape [3, 4] and type float32 needs 48 bytes of data, but it "
             "holds 44.");
    CHECK(short1.context == "short.onnx, initializer 'W'");

    OnnxBuilder raw = tinyGemmModel();
    onnx::TensorProto *bias = raw.graph().mutable_initializer(1);
    bias->clear_float_data();
    bias->set_raw_data(std::string(13, '\0'));
    CHECK(parseFails(raw.bytes(), "raw.onnx").message
          == "Initializer 'B' of shape [3] and type float32 needs 12 bytes of data, but it "
             "holds 13.");

    OnnxBuilder negative = tinyGemmModel();
    negative.graph().mutable_initializer(1)->set_dims(0, -3);
    CHECK(contains(parseFails(negative.bytes(), "neg.onnx").message, "negative dimension"));

    OnnxBuilder huge = tinyGemmModel();
    huge.graph().mutable_initializer(1)->set_dims(0, INT64_C(1) << 40);
    huge.graph().mutable_initializer(1)->add_dims(INT64_C(1) << 40);
    CHECK(contains(parseFails(huge.bytes(), "huge.onnx").message, "more elements than fit"));
}

TEST_CASE("A Constant whose tensor does not fit its shape is refused naming the node", "[model]")
{
    OnnxBuilder model;
    model.input("x", {4}).output("y", {4});
    onnx::AttributeProto *value = model.node("Constant", {}, {"c"}, "k").add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    value->mutable_t()->add_dims(4);
    value->mutable_t()->add_int64_data(1);
    model.node("Add", {"x", "c"}, {"y"}, "add");
    const base::Error error = parseFails(model.bytes(), "const.onnx");
    CHECK(contains(error.message, "node 'k' attribute 'value'"));
    CHECK(contains(error.message, "needs 32 bytes of data, but it holds 8"));
}

TEST_CASE("Weights kept in an external file are refused with a way out", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    onnx::TensorProto *weight = model.graph().mutable_initializer(0);
    weight->clear_float_data();
    weight->set_data_location(onnx::TensorProto::EXTERNAL);
    auto *location = weight->add_external_data();
    location->set_key("location");
    location->set_value("weights.bin");
    const base::Error error = parseFails(model.bytes(), "external.onnx");
    CHECK(error.message
          == "Initializer 'W' keeps its data in a separate file; Torchlight cannot read ONNX "
             "external data yet, so save the model with its weights inside the .onnx file.");
    CHECK(error.context == "external.onnx, initializer 'W'");
}

TEST_CASE("A node libonnx's checker rejects is named with the checker's reason", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    addInt(*model.graph().mutable_node(1), "bogus", 3);
    const base::Error error = parseFails(model.bytes(), "attr.onnx");
    CHECK(contains(error.message, "The ONNX checker rejected node '/act/Relu' (Relu): "));
    CHECK(contains(error.message, "bogus"));
    CHECK(error.context == "attr.onnx, node '/act/Relu'");

    OnnxBuilder unknown = tinyGemmModel();
    unknown.graph().mutable_node(1)->set_op_type("NoSuchOp");
    const base::Error op = parseFails(unknown.bytes(), "op.onnx");
    CHECK(contains(op.message, "node '/act/Relu' (NoSuchOp)"));
    CHECK(contains(op.message, "NoSuchOp"));
    CHECK(op.context == "op.onnx, node '/act/Relu'");
}

TEST_CASE("A node of a domain the model does not import is refused", "[model]")
{
    OnnxBuilder model = tinyGemmModel();
    model.graph().mutable_node(1)->set_domain("com.example");
    const base::Error error = parseFails(model.bytes(), "domain.onnx");
    CHECK(contains(error.message, "com.example"));
    CHECK(contains(error.context, "domain.onnx"));
}
