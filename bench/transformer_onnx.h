#pragma once
// A Transformer encoder written as PyTorch's ONNX exporter writes one: per layer, pre-norm
// attention with the dynamic Shape → Gather → Unsqueeze → Concat → Reshape chains, erf-GELU and
// residual adds, node names scoped "/layers.3/attn/MatMul", about 44 nodes a layer. Built with
// libonnx's protobuf classes for the model-opening benchmark (bench_model_open). Weights are
// small deterministic numbers; only the structure matters.

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tl::bench {

class TransformerOnnx
{
public:
    TransformerOnnx(int layers, int hidden, int heads) : m_hidden(hidden), m_heads(heads)
    {
        m_model.set_ir_version(8);
        m_model.set_producer_name("pytorch");
        m_model.set_producer_version("2.11.0");
        m_model.add_opset_import()->set_version(17);
        m_graph = m_model.mutable_graph();
        m_graph->set_name("main_graph");
        addInput("input", {"batch", "sequence"}, hidden);
        std::string x = "input";
        for (int layer = 0; layer < layers; ++layer) {
            x = encoderLayer("/layers." + std::to_string(layer), x);
        }
        x = layerNorm("/norm", x);
        auto *output = m_graph->add_output();
        output->set_name(x);
        auto *type = output->mutable_type()->mutable_tensor_type();
        type->set_elem_type(onnx::TensorProto::FLOAT);
        for (const char *dim : {"batch", "sequence"}) {
            type->mutable_shape()->add_dim()->set_dim_param(dim);
        }
        type->mutable_shape()->add_dim()->set_dim_value(hidden);
    }

    const onnx::ModelProto &model() const { return m_model; }

private:
    std::string
    node(const std::string &scope, const std::string &op, const std::vector<std::string> &inputs)
    {
        std::string name = scope;
        name += '/';
        name += op;
        const int index = m_count[name]++;
        if (index > 0) { // PyTorch numbers repeats: /attn/MatMul, /attn/MatMul_1
            name += '_';
            name += std::to_string(index);
        }
        onnx::NodeProto *n = m_graph->add_node();
        n->set_name(name);
        n->set_op_type(op);
        for (const std::string &input : inputs) {
            n->add_input(input);
        }
        n->add_output(name + "_output_0");
        m_last = n;
        return n->output(0);
    }

    void intsAttr(const std::string &name, const std::vector<std::int64_t> &values)
    {
        auto *attr = m_last->add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::INTS);
        for (std::int64_t v : values) {
            attr->add_ints(v);
        }
    }

    void intAttr(const std::string &name, std::int64_t value)
    {
        auto *attr = m_last->add_attribute();
        attr->set_name(name);
        attr->set_type(onnx::AttributeProto::INT);
        attr->set_i(value);
    }

    std::string weight(const std::string &name, const std::vector<std::int64_t> &dims)
    {
        onnx::TensorProto *t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        std::int64_t count = 1;
        for (std::int64_t d : dims) {
            t->add_dims(d);
            count *= d;
        }
        std::vector<float> values(static_cast<std::size_t>(count));
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i] = static_cast<float>((i * 7919) % 1000) * 1e-5f - 5e-3f;
        }
        t->set_raw_data(values.data(), values.size() * sizeof(float));
        return name;
    }

    std::string ints(const std::string &name, const std::vector<std::int64_t> &values)
    {
        onnx::TensorProto *t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(static_cast<std::int64_t>(values.size()));
        for (std::int64_t v : values) {
            t->add_int64_data(v);
        }
        return name;
    }

    void addInput(const std::string &name, const std::vector<std::string> &dims, int hidden)
    {
        auto *input = m_graph->add_input();
        input->set_name(name);
        auto *tensor = input->mutable_type()->mutable_tensor_type();
        tensor->set_elem_type(onnx::TensorProto::FLOAT);
        for (const std::string &dim : dims) {
            tensor->mutable_shape()->add_dim()->set_dim_param(dim);
        }
        tensor->mutable_shape()->add_dim()->set_dim_value(hidden);
    }

    std::string layerNorm(const std::string &scope, const std::string &x)
    {
        const std::string out =
            node(scope, "LayerNormalization",
                 {x, weight(scope + ".weight", {m_hidden}), weight(scope + ".bias", {m_hidden})});
        intAttr("axis", -1);
        return out;
    }

    std::string linear(const std::string &scope, const std::string &x, int in, int out)
    {
        const std::string product =
            node(scope, "MatMul", {x, weight(scope + ".weight", {in, out})});
        return node(scope, "Add", {weight(scope + ".bias", {out}), product});
    }

    // [batch, seq, hidden] -> [batch, heads, seq, hidden / heads] with PyTorch's dynamic shape.
    std::string splitHeads(const std::string &scope, const std::string &x)
    {
        const std::string shape = node(scope, "Shape", {x});
        // A 0-d index, as the exporter writes x.size(0): Gather gives a scalar, Unsqueeze [1].
        onnx::TensorProto *zero = m_graph->add_initializer();
        zero->set_name(scope + ".zero");
        zero->set_data_type(onnx::TensorProto::INT64);
        zero->add_int64_data(0);
        const std::string batch = node(scope, "Gather", {shape, zero->name()});
        const std::string unsqueezed =
            node(scope, "Unsqueeze", {batch, ints(scope + ".axes", {0})});
        const std::string target =
            node(scope, "Concat",
                 {unsqueezed, ints(scope + ".rest", {-1, m_heads, m_hidden / m_heads})});
        intAttr("axis", 0);
        const std::string reshaped = node(scope, "Reshape", {x, target});
        const std::string out = node(scope, "Transpose", {reshaped});
        intsAttr("perm", {0, 2, 1, 3});
        return out;
    }

    std::string encoderLayer(const std::string &scope, const std::string &x)
    {
        const std::string attn = scope + "/self_attn";
        const std::string normed = layerNorm(scope + "/norm1", x);
        const std::string q =
            splitHeads(attn + "/q", linear(attn + "/q_proj", normed, m_hidden, m_hidden));
        const std::string k =
            splitHeads(attn + "/k", linear(attn + "/k_proj", normed, m_hidden, m_hidden));
        const std::string v =
            splitHeads(attn + "/v", linear(attn + "/v_proj", normed, m_hidden, m_hidden));
        const std::string kt = node(attn, "Transpose", {k});
        intsAttr("perm", {0, 1, 3, 2});
        const std::string scores = node(attn, "MatMul", {q, kt});
        onnx::TensorProto *scale = m_graph->add_initializer();
        scale->set_name(attn + ".scale");
        scale->set_data_type(onnx::TensorProto::FLOAT);
        scale->add_float_data(8.0f);
        const std::string scaled = node(attn, "Div", {scores, attn + ".scale"});
        const std::string probs = node(attn, "Softmax", {scaled});
        intAttr("axis", -1);
        const std::string context = node(attn, "MatMul", {probs, v});
        const std::string merged = node(attn, "Transpose", {context});
        intsAttr("perm", {0, 2, 1, 3});
        const std::string flat =
            node(attn, "Reshape", {merged, ints(attn + ".merge", {0, 0, m_hidden})});
        const std::string projected = linear(attn + "/out_proj", flat, m_hidden, m_hidden);
        const std::string residual = node(scope, "Add", {x, projected});
        const std::string mlp = scope + "/mlp";
        const std::string hidden =
            linear(mlp + "/fc1", layerNorm(scope + "/norm2", residual), m_hidden, 4 * m_hidden);
        const std::string gelu = erfGelu(mlp + "/act", hidden);
        return node(scope, "Add", {residual, linear(mlp + "/fc2", gelu, 4 * m_hidden, m_hidden)});
    }

    // x * 0.5 * (1 + erf(x / sqrt(2))), as the exporter writes nn.GELU before opset 20.
    std::string erfGelu(const std::string &scope, const std::string &x)
    {
        onnx::TensorProto *constants = m_graph->add_initializer();
        constants->set_name(scope + ".sqrt2");
        constants->set_data_type(onnx::TensorProto::FLOAT);
        constants->add_float_data(1.4142135f);
        onnx::TensorProto *one = m_graph->add_initializer();
        one->set_name(scope + ".one");
        one->set_data_type(onnx::TensorProto::FLOAT);
        one->add_float_data(1.0f);
        onnx::TensorProto *half = m_graph->add_initializer();
        half->set_name(scope + ".half");
        half->set_data_type(onnx::TensorProto::FLOAT);
        half->add_float_data(0.5f);
        const std::string divided = node(scope, "Div", {x, scope + ".sqrt2"});
        const std::string erf = node(scope, "Erf", {divided});
        const std::string plus = node(scope, "Add", {erf, scope + ".one"});
        const std::string times = node(scope, "Mul", {x, plus});
        return node(scope, "Mul", {times, scope + ".half"});
    }

    onnx::ModelProto m_model;
    onnx::GraphProto *m_graph = nullptr;
    onnx::NodeProto *m_last = nullptr;
    std::map<std::string, int> m_count;
    int m_hidden = 0;
    int m_heads = 0;
};

} // namespace tl::bench
