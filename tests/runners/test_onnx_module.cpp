#include "bench/transformer_onnx.h"
#include "datasets/npy_format.h"
#include "model/graph_analysis.h"
#include "model/onnx_export.h"
#include "model/onnx_model.h"
#include "model/templates.h"
#include "runners/graph_module.h"
#include "runners/onnx_module.h"

#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <map>

using namespace tl;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(TL_SHARED_DIR) / "fixtures";

torch::Tensor readNpy(const std::filesystem::path &file)
{
    auto array = datasets::readNpyFile(file);
    REQUIRE(array.ok());
    auto values = datasets::npyToFloat32(array.value(), file.filename().string());
    REQUIRE(values.ok());
    std::vector<std::int64_t> shape(array.value().header.shape.begin(),
                                    array.value().header.shape.end());
    return torch::tensor(values.value()).reshape(shape);
}

runners::OnnxModule loadModule(const model::OnnxModel &model)
{
    auto module = runners::buildOnnxModule(model);
    INFO((module.ok() ? std::string() : module.error().describe()));
    REQUIRE(module.ok());
    module.value()->eval();
    return module.value();
}

// A one-node model: inputs x (and y) of the given shapes, attributes set by `configure`.
struct OneNode
{
    onnx::ModelProto model;
    onnx::NodeProto *node = nullptr;

    OneNode(const std::string &op,
            const std::vector<std::vector<std::int64_t>> &inputs,
            int opset = 17)
    {
        model.set_ir_version(8);
        auto *import = model.add_opset_import();
        import->set_version(opset);
        onnx::GraphProto *graph = model.mutable_graph();
        graph->set_name("one");
        node = graph->add_node();
        node->set_op_type(op);
        node->set_name(op);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const std::string name = "in" + std::to_string(i);
            node->add_input(name);
            auto *value = graph->add_input();
            value->set_name(name);
            auto *tensor = value->mutable_type()->mutable_tensor_type();
            tensor->set_elem_type(onnx::TensorProto::FLOAT);
            for (std::int64_t size : inputs[i]) {
                tensor->mutable_shape()->add_dim()->set_dim_value(size);
            }
        }
        node->add_output("out");
        graph->add_output()->set_name("out");
        // The checker wants a shape on graph outputs; one of unknown sizes and rank suits all.
        auto *outputType = graph->mutable_output(0)->mutable_type()->mutable_tensor_type();
        outputType->set_elem_type(onnx::TensorProto::FLOAT);
        outputType->mutable_shape();
    }

    void ints(const std::string &name, const std::vector<std::int64_t> &values)
    {
        auto *attr = node->add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::INTS);
        for (std::int64_t v : values) {
            attr->add_ints(v);
        }
    }
    void integer(const std::string &name, std::int64_t value)
    {
        auto *attr = node->add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::INT);
        attr->set_i(value);
    }
    void number(const std::string &name, float value)
    {
        auto *attr = node->add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::FLOAT);
        attr->set_f(value);
    }
    // An int64 initializer fed as the node's next input.
    void intInput(const std::string &name, const std::vector<std::int64_t> &values)
    {
        auto *init = model.mutable_graph()->add_initializer();
        init->set_name(name);
        init->set_data_type(onnx::TensorProto::INT64);
        init->add_dims(static_cast<std::int64_t>(values.size()));
        for (std::int64_t v : values) {
            init->add_int64_data(v);
        }
        node->add_input(name);
    }

    torch::Tensor run(const std::vector<torch::Tensor> &inputs)
    {
        auto parsed = model::parseOnnxModel(model.SerializeAsString(), "one.onnx");
        INFO((parsed.ok() ? std::string() : parsed.error().describe()));
        REQUIRE(parsed.ok());
        return loadModule(parsed.value())->forward(inputs).at(0);
    }
};

void checkClose(const torch::Tensor &actual, const torch::Tensor &expected, double tolerance = 1e-5)
{
    REQUIRE(actual.sizes() == expected.sizes());
    const double error =
        (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
    INFO("max abs error " << error);
    CHECK(error <= tolerance);
}

} // namespace

TEST_CASE("The ONNX executor reproduces PyTorch's outputs for the exported fixtures", "[runners]")
{
    for (const char *name : {"lenet", "mlp"}) {
        const auto file = kFixtures / "onnx" / (std::string(name) + ".onnx");
        if (!std::filesystem::exists(file)) {
            WARN("skipped: " << file << " is absent (../shared/fixtures)");
            return;
        }
        INFO(name);
        auto onnx = model::readOnnxModel(file);
        REQUIRE(onnx.ok());
        runners::OnnxModule module = loadModule(onnx.value());
        torch::NoGradGuard noGrad;
        const torch::Tensor output =
            module->forward({readNpy(kFixtures / "onnx" / (std::string(name) + ".input.npy"))})
                .at(0);
        checkClose(output, readNpy(kFixtures / "onnx" / (std::string(name) + ".output.npy")), 1e-4);
    }
}

TEST_CASE("Every ONNX op the importer calls runnable has a kernel in the executor", "[runners]")
{
    for (const std::string &op : model::runnableOnnxOps()) {
        INFO(op);
        CHECK(runners::hasOnnxKernel(op));
    }
    CHECK_FALSE(runners::hasOnnxKernel("NonMaxSuppression"));
}

TEST_CASE("ONNX initializers become trainable parameters that fine-tuning changes", "[runners]")
{
    const auto file = kFixtures / "onnx" / "mlp.onnx";
    if (!std::filesystem::exists(file)) {
        WARN("skipped: " << file << " is absent (../shared/fixtures)");
        return;
    }
    auto onnx = model::readOnnxModel(file);
    REQUIRE(onnx.ok());
    runners::OnnxModule module = loadModule(onnx.value());
    std::int64_t count = 0;
    for (const auto &parameter : module->parameters()) {
        count += parameter.numel();
    }
    CHECK(count == 203530);
    module->train();
    torch::manual_seed(3);
    const torch::Tensor x = torch::rand({16, 1, 28, 28});
    const torch::Tensor y = torch::randint(0, 10, {16}, torch::kInt64);
    torch::optim::SGD sgd(module->parameters(), torch::optim::SGDOptions(0.1));
    double first = 0;
    double last = 0;
    for (int step = 0; step < 20; ++step) {
        sgd.zero_grad();
        torch::Tensor loss = torch::cross_entropy_loss(module->forward({x}).at(0), y);
        loss.backward();
        sgd.step();
        (step == 0 ? first : last) = loss.item<double>();
    }
    CHECK(last < first * 0.5);
}

TEST_CASE("An exported Torchlight model runs in the ONNX executor with the same outputs",
          "[runners]")
{
    for (const char *id : {"mlp", "lenet", "cnn"}) {
        INFO(id);
        auto graph = model::makeTemplate(id, {1, 28, 28}, 10);
        REQUIRE(graph.ok());
        auto analysis = model::analyzeGraph(graph.value());
        REQUIRE(analysis.ok());
        torch::manual_seed(11);
        auto built = runners::buildGraphModule(graph.value(), analysis.value());
        REQUIRE(built.ok());
        runners::GraphModule module = built.value();
        module->eval();
        std::map<std::string, torch::Tensor> named;
        for (const auto &item : module->named_parameters(true)) {
            named[item.key()] = item.value();
        }
        for (const auto &item : module->named_buffers(true)) {
            named[item.key()] = item.value();
        }
        std::map<std::string, model::ParameterData> store;
        auto bytes = model::exportOnnx(
            graph.value(), analysis.value(),
            [&](const std::string &node, const std::string &param) -> const model::ParameterData * {
                const std::string key = module->submoduleOf(node) + "." + param;
                auto it = named.find(key);
                if (it == named.end()) {
                    return nullptr;
                }
                torch::Tensor value = it->second.detach().to(torch::kFloat32).contiguous();
                model::ParameterData &data = store[key];
                data.shape.assign(value.sizes().begin(), value.sizes().end());
                data.values.assign(value.data_ptr<float>(),
                                   value.data_ptr<float>() + value.numel());
                return &data;
            });
        INFO((bytes.ok() ? std::string() : bytes.error().describe()));
        REQUIRE(bytes.ok());
        auto parsed = model::parseOnnxModel(bytes.value(), std::string(id) + ".onnx");
        REQUIRE(parsed.ok());
        runners::OnnxModule onnx = loadModule(parsed.value());
        torch::NoGradGuard noGrad;
        const torch::Tensor x = torch::rand({4, 1, 28, 28});
        checkClose(onnx->forward({x}).at(0), module->forward(x), 1e-5);
    }
}

TEST_CASE("ONNX Gemm follows alpha, beta and the transposes", "[runners]")
{
    OneNode gemm("Gemm", {{3, 2}, {4, 3}, {4}});
    gemm.integer("transA", 1);
    gemm.integer("transB", 1);
    gemm.number("alpha", 0.5f);
    gemm.number("beta", 2.0f);
    torch::manual_seed(1);
    const torch::Tensor a = torch::rand({3, 2});
    const torch::Tensor b = torch::rand({4, 3});
    const torch::Tensor c = torch::rand({4});
    checkClose(gemm.run({a, b, c}), 0.5 * torch::matmul(a.t(), b.t()) + 2.0 * c);
}

TEST_CASE("ONNX Conv with asymmetric pads, stride and groups matches libtorch", "[runners]")
{
    OneNode conv("Conv", {{1, 4, 7, 7}, {4, 2, 3, 3}});
    conv.ints("pads", {0, 1, 2, 0});
    conv.ints("strides", {2, 1});
    conv.integer("group", 2);
    torch::manual_seed(2);
    const torch::Tensor x = torch::rand({1, 4, 7, 7});
    const torch::Tensor w = torch::rand({4, 2, 3, 3});
    // ONNX pads: H begin 0, W begin 1, H end 2, W end 0.
    const torch::Tensor padded = torch::constant_pad_nd(x, {1, 0, 0, 2});
    checkClose(conv.run({x, w}),
               torch::conv2d(padded, w, torch::Tensor(), std::vector<std::int64_t>{2, 1},
                             std::vector<std::int64_t>{0, 0}, std::vector<std::int64_t>{1, 1}, 2));
}

TEST_CASE("ONNX Slice handles negative indices, clamped ends and steps", "[runners]")
{
    OneNode slice("Slice", {{4, 10}});
    slice.intInput("starts", {-8, 9});
    slice.intInput("ends", {1000, 0});
    slice.intInput("axes", {1, 0});
    slice.intInput("steps", {3, -2});
    const torch::Tensor x = torch::arange(40, torch::kFloat32).reshape({4, 10});
    // axis 1: 2, 5, 8; axis 0 from 3 (9 clamped to 3) down to 1 exclusive: rows 3, 1.
    const torch::Tensor expected =
        x.index_select(0, torch::tensor({3, 1})).index_select(1, torch::tensor({2, 5, 8}));
    checkClose(slice.run({x}), expected);
}

TEST_CASE("ONNX Unsqueeze reads axes from its input from opset 13 and its attribute before",
          "[runners]")
{
    const torch::Tensor x = torch::rand({3, 4});
    OneNode v13("Unsqueeze", {{3, 4}}, 13);
    v13.intInput("axes", {0, -1});
    CHECK(v13.run({x}).sizes() == std::vector<std::int64_t>{1, 3, 4, 1});
    OneNode v11("Unsqueeze", {{3, 4}}, 11);
    v11.ints("axes", {1});
    CHECK(v11.run({x}).sizes() == std::vector<std::int64_t>{3, 1, 4});
}

TEST_CASE("ONNX Softmax before opset 13 normalises over the flattened tail", "[runners]")
{
    const torch::Tensor x = torch::rand({2, 3, 4});
    OneNode old("Softmax", {{2, 3, 4}}, 11);
    old.integer("axis", 1);
    checkClose(old.run({x}), torch::softmax(x.reshape({2, 12}), 1).reshape({2, 3, 4}));
    OneNode current("Softmax", {{2, 3, 4}}, 13);
    current.integer("axis", 1);
    checkClose(current.run({x}), torch::softmax(x, 1));
}

TEST_CASE("ONNX LayerNormalization and Reshape with a zero keep PyTorch's results", "[runners]")
{
    OneNode norm("LayerNormalization", {{2, 3, 8}, {8}, {8}});
    norm.number("epsilon", 1e-5f);
    torch::manual_seed(4);
    const torch::Tensor x = torch::rand({2, 3, 8});
    const torch::Tensor gamma = torch::rand({8});
    const torch::Tensor beta = torch::rand({8});
    checkClose(norm.run({x, gamma, beta}), torch::layer_norm(x, {8}, gamma, beta, 1e-5));
    OneNode reshape("Reshape", {{2, 3, 8}});
    reshape.intInput("shape", {0, -1, 4});
    CHECK(reshape.run({x}).sizes() == std::vector<std::int64_t>{2, 6, 4});
}

TEST_CASE("A failing ONNX node is reported with its name and op", "[runners]")
{
    OneNode matmul("MatMul", {{2, 3}, {4, 5}});
    auto parsed = model::parseOnnxModel(matmul.model.SerializeAsString(), "bad.onnx");
    if (!parsed.ok()) {
        // Shape inference may already refuse 2x3 @ 4x5; that is a clear error too.
        CHECK_THAT(parsed.error().describe(), Catch::Contains("bad.onnx"));
        return;
    }
    runners::OnnxModule module = loadModule(parsed.value());
    try {
        (void)module->forward({torch::rand({2, 3}), torch::rand({4, 5})});
        FAIL("the shapes do not multiply");
    } catch (const std::exception &error) {
        CHECK_THAT(error.what(), Catch::Contains("node 'MatMul' (MatMul)"));
    }
}

TEST_CASE("A Transformer layer as PyTorch exports it runs to the hand-written libtorch result",
          "[runners]")
{
    // bench/transformer_onnx.h writes the exporter's dynamic reshape chains (Shape, Gather,
    // Unsqueeze, Concat, Reshape), attention, LayerNormalization and erf GELU.
    const bench::TransformerOnnx transformer(1, 16, 4);
    auto parsed = model::parseOnnxModel(transformer.model().SerializeAsString(), "encoder.onnx");
    INFO((parsed.ok() ? std::string() : parsed.error().describe()));
    REQUIRE(parsed.ok());
    runners::OnnxModule module = loadModule(parsed.value());
    auto weight = [&](const std::string &name) {
        for (const onnx::TensorProto &tensor : transformer.model().graph().initializer()) {
            if (tensor.name() == name) {
                return runners::tensorFromOnnx(tensor);
            }
        }
        FAIL("no initializer " << name);
        return torch::Tensor();
    };
    auto linear = [&](const std::string &scope, const torch::Tensor &t) {
        return torch::matmul(t, weight(scope + ".weight")) + weight(scope + ".bias");
    };
    auto norm = [&](const std::string &scope, const torch::Tensor &t) {
        return torch::layer_norm(t, {16}, weight(scope + ".weight"), weight(scope + ".bias"));
    };
    auto heads = [](const torch::Tensor &t) {
        return t.reshape({2, 3, 4, 4}).permute({0, 2, 1, 3});
    };
    torch::manual_seed(8);
    const torch::Tensor x = torch::randn({2, 3, 16});
    const std::string attn = "/layers.0/self_attn";
    const torch::Tensor normed = norm("/layers.0/norm1", x);
    const torch::Tensor q = heads(linear(attn + "/q_proj", normed));
    const torch::Tensor k = heads(linear(attn + "/k_proj", normed));
    const torch::Tensor v = heads(linear(attn + "/v_proj", normed));
    const torch::Tensor probs = torch::softmax(torch::matmul(q, k.transpose(2, 3)) / 8.0, -1);
    const torch::Tensor context = torch::matmul(probs, v).permute({0, 2, 1, 3}).reshape({2, 3, 16});
    const torch::Tensor residual = x + linear(attn + "/out_proj", context);
    const torch::Tensor hidden = linear("/layers.0/mlp/fc1", norm("/layers.0/norm2", residual));
    const torch::Tensor gelu = hidden * (torch::erf(hidden / 1.4142135f) + 1) * 0.5;
    const torch::Tensor expected = norm("/norm", residual + linear("/layers.0/mlp/fc2", gelu));
    torch::NoGradGuard noGrad;
    checkClose(module->forward({x}).at(0), expected, 1e-5);
}

TEST_CASE("ONNX AveragePool with asymmetric pads counts only real elements unless told",
          "[runners]")
{
    const torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({1, 1, 2, 2});
    OneNode excluded("AveragePool", {{1, 1, 2, 2}});
    excluded.ints("kernel_shape", {2, 2});
    excluded.ints("pads", {0, 0, 1, 1});
    // Windows: {1,2,3,4}, {2,4}, {3,4}, {4}.
    checkClose(excluded.run({x}), torch::tensor({2.5f, 3.0f, 3.5f, 4.0f}).reshape({1, 1, 2, 2}));
    OneNode included("AveragePool", {{1, 1, 2, 2}});
    included.ints("kernel_shape", {2, 2});
    included.ints("pads", {0, 0, 1, 1});
    included.integer("count_include_pad", 1);
    checkClose(included.run({x}), torch::tensor({2.5f, 1.5f, 1.75f, 1.0f}).reshape({1, 1, 2, 2}));
}

TEST_CASE("ONNX BatchNormalization's running statistics are buffers that training updates and "
          "the saved model keeps",
          "[runners]")
{
    OneNode bn("BatchNormalization", {{4, 2, 3, 3}});
    bn.number("epsilon", 1e-5f);
    bn.number("momentum", 0.9f);
    const auto addFloats = [&](const std::string &name, const std::vector<float> &values) {
        auto *init = bn.model.mutable_graph()->add_initializer();
        init->set_name(name);
        init->set_data_type(onnx::TensorProto::FLOAT);
        init->add_dims(static_cast<std::int64_t>(values.size()));
        for (float v : values) {
            init->add_float_data(v);
        }
        bn.node->add_input(name);
    };
    addFloats("scale", {1.0f, 2.0f});
    addFloats("bias", {0.0f, 0.5f});
    addFloats("mean", {0.0f, 0.0f});
    addFloats("var", {1.0f, 1.0f});
    auto parsed = model::parseOnnxModel(bn.model.SerializeAsString(), "bn.onnx");
    REQUIRE(parsed.ok());
    runners::OnnxModule module = loadModule(parsed.value());
    // Scale and bias train; the running mean and variance are state the optimizer never sees.
    CHECK(module->parameters().size() == 2);
    CHECK(module->buffers().size() == 2);

    module->train();
    torch::manual_seed(1);
    const torch::Tensor x = torch::randn({4, 2, 3, 3}) * 3.0 + 2.0;
    torch::Tensor out = module->forward({x}).at(0);
    out.sum().backward(); // no in-place update of a leaf that needs a gradient
    // PyTorch's momentum 0.1 is ONNX's 0.9: the running mean moves a tenth towards the batch's.
    const torch::Tensor batchMean = x.mean({0, 2, 3});
    std::map<std::string, torch::Tensor> buffers;
    for (const auto &buffer : module->named_buffers()) {
        buffers[buffer.key()] = buffer.value();
    }
    REQUIRE(buffers.count("mean") == 1);
    const torch::Tensor runningMean = buffers.at("mean");
    checkClose(runningMean, batchMean * 0.1);

    // The model written back carries the updated statistics and the trained weights.
    torch::NoGradGuard noGrad;
    module->parameters()[0].add_(1.0);
    auto saved = model::parseOnnxModel(module->serializeWithCurrentWeights(), "saved.onnx");
    REQUIRE(saved.ok());
    std::map<std::string, torch::Tensor> initializers;
    for (const onnx::TensorProto &init : saved.value().proto().graph().initializer()) {
        initializers[init.name()] = runners::tensorFromOnnx(init);
    }
    checkClose(initializers.at("mean"), batchMean * 0.1);
    checkClose(initializers.at("scale"), torch::tensor({2.0f, 3.0f}));
    checkClose(initializers.at("var"), buffers.at("var"));
}
