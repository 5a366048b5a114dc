#include "model/onnx_export.h"

#include "model/node_error.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <bit>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace tl::model {
namespace {

constexpr int kOnnxExportIrVersion = 8; // the IR version of opset 17 (ONNX 1.12)

void setInt(onnx::NodeProto &node, const std::string &name, std::int64_t value)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(value);
}

void setFloat(onnx::NodeProto &node, const std::string &name, float value)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(value);
}

void setInts(onnx::NodeProto &node,
             const std::string &name,
             const std::vector<std::int64_t> &values)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t value : values) {
        attr->add_ints(value);
    }
}

void setBatchShape(onnx::ValueInfoProto &value, const std::string &name, const Shape &shape)
{
    value.set_name(name);
    auto *tensor = value.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto *dims = tensor->mutable_shape();
    dims->add_dim()->set_dim_param("batch");
    for (std::int64_t dim : shape) {
        dims->add_dim()->set_dim_value(dim);
    }
}

// Float32 values as raw_data holds them: little-endian whatever the host.
std::string littleEndianBytes(const std::vector<float> &values)
{
    std::string bytes(values.size() * sizeof(float), '\0');
    std::memcpy(bytes.data(), values.data(), bytes.size());
    if constexpr (std::endian::native == std::endian::big) {
        for (std::size_t i = 0; i < bytes.size(); i += 4) {
            std::swap(bytes[i], bytes[i + 3]);
            std::swap(bytes[i + 1], bytes[i + 2]);
        }
    }
    return bytes;
}

// Builds the ONNX graph node by node, in the analysis' topological order.
class OnnxGraphWriter
{
public:
    OnnxGraphWriter(const proto::ModelGraph &graph,
                    const GraphAnalysis &analysis,
                    const ParameterLookup &parameters)
        : m_graph(graph)
        , m_analysis(analysis)
        , m_parameters(parameters)
    {
        m_used = {"input", "output"};
        m_model.set_ir_version(kOnnxExportIrVersion);
        m_model.set_producer_name("torchlight");
        onnx::OperatorSetIdProto *opset = m_model.add_opset_import();
        opset->set_domain("");
        opset->set_version(kOnnxExportOpset);
        m_model.mutable_graph()->set_name(graph.name().empty() ? "torchlight" : graph.name());
    }

    base::Result<onnx::ModelProto> write()
    {
        std::unordered_map<std::string, const proto::Node *> byName;
        for (const proto::Node &node : m_graph.nodes()) {
            byName.emplace(node.name(), &node);
        }
        for (const NodeAnalysis &analysed : m_analysis.nodes) {
            auto found = byName.find(analysed.name);
            if (found == byName.end()) {
                return base::makeError(base::ErrorCode::InvalidInput,
                                       "the analysis names node '" + analysed.name
                                           + "', which the graph does not have; analyse the "
                                             "graph again before exporting it",
                                       analysed.name);
            }
            if (auto status = addNode(*found->second, analysed); !status) {
                return status.error();
            }
        }
        return finish();
    }

private:
    // A value or initializer name not used yet: `wanted`, else `wanted_1`, `wanted_2`, ...
    std::string uniqueName(const std::string &wanted)
    {
        std::string name = wanted;
        for (int i = 1; !m_used.insert(name).second; ++i) {
            name = wanted + "_" + std::to_string(i);
        }
        return name;
    }

    std::string valueName(const proto::Node &node)
    {
        if (node.op() == "Input") {
            return "input";
        }
        return node.name() == m_analysis.output ? "output" : uniqueName(node.name());
    }

    base::Status addNode(const proto::Node &node, const NodeAnalysis &analysed)
    {
        const std::string value = valueName(node);
        m_values[node.name()] = value;
        if (node.op() == "Input") {
            setBatchShape(*m_model.mutable_graph()->add_input(), value, analysed.outputShape);
            if (node.name() == m_analysis.output) { // a graph of the Input alone
                onnx::NodeProto *identity = m_model.mutable_graph()->add_node();
                identity->set_name(node.name());
                identity->set_op_type("Identity");
                identity->add_input(value);
                identity->add_output("output");
            }
            return base::okStatus();
        }
        auto input = m_values.find(analysed.inputs.empty() ? "" : analysed.inputs.front());
        const NodeAnalysis *source =
            analysed.inputs.empty() ? nullptr : m_analysis.node(analysed.inputs.front());
        if (input == m_values.end() || !source) {
            return nodeError(node, "has no input to export");
        }
        onnx::NodeProto &out = *m_model.mutable_graph()->add_node();
        out.set_name(node.name());
        out.add_input(input->second);
        out.add_output(value);
        if (auto status = setOp(node, source->outputShape, analysed.outputShape, out); !status) {
            return status;
        }
        return addParameters(node, source->outputShape, out);
    }

    base::Status
    setOp(const proto::Node &node, const Shape &input, const Shape &output, onnx::NodeProto &out)
    {
        const std::string &op = node.op();
        if (op == "Flatten") {
            out.set_op_type("Flatten");
            setInt(out, "axis", 1);
        } else if (op == "Linear") {
            out.set_op_type("Gemm");
            setInt(out, "transB", 1);
        } else if (op == "Conv2d") {
            const std::int64_t kernel = intAttr(node, "kernel_size", 1);
            const std::int64_t stride = intAttr(node, "stride", 1);
            const std::int64_t padding = intAttr(node, "padding", 0);
            out.set_op_type("Conv");
            setInts(out, "kernel_shape", {kernel, kernel});
            setInts(out, "strides", {stride, stride});
            setInts(out, "pads", {padding, padding, padding, padding});
            setInts(out, "dilations", {1, 1});
        } else if (op == "BatchNorm2d") {
            out.set_op_type("BatchNormalization");
            setFloat(out, "epsilon", static_cast<float>(floatAttr(node, "eps", 1e-5)));
            // ONNX weighs the running statistics, PyTorch the new batch.
            setFloat(out, "momentum", static_cast<float>(1.0 - floatAttr(node, "momentum", 0.1)));
        } else if (op == "MaxPool2d") {
            const std::int64_t kernel = intAttr(node, "kernel_size", 1);
            const std::int64_t stride = intAttr(node, "stride", kernel);
            out.set_op_type("MaxPool");
            setInts(out, "kernel_shape", {kernel, kernel});
            setInts(out, "strides", {stride, stride});
        } else if (op == "AdaptiveAvgPool2d") {
            return setAdaptivePool(node, input, output, out);
        } else if (op == "ReLU") {
            out.set_op_type("Relu");
        } else if (op == "Dropout") {
            // An exported model is for inference, where dropout passes its input through.
            out.set_op_type("Identity");
        } else if (op == "LogSoftmax") {
            out.set_op_type("LogSoftmax");
            setInt(out, "axis", -1);
        } else {
            return nodeError(node, "has no ONNX form, so the model cannot be exported");
        }
        return base::okStatus();
    }

    static base::Status setAdaptivePool(const proto::Node &node,
                                        const Shape &input,
                                        const Shape &output,
                                        onnx::NodeProto &out)
    {
        if (input.size() != 3 || output.size() != 3) {
            return nodeError(node, "needs [C, H, W] shapes to be exported");
        }
        if (output[1] == 1 && output[2] == 1) {
            out.set_op_type("GlobalAveragePool");
            return base::okStatus();
        }
        if (input[1] % output[1] != 0 || input[2] % output[2] != 0) {
            return nodeError(node, "pools " + shapeText({input[1], input[2]}) + " down to "
                                       + shapeText({output[1], output[2]})
                                       + ", which ONNX's fixed-window AveragePool can only do "
                                         "when the input size is a multiple of the output size");
        }
        const std::int64_t kernelH = input[1] / output[1];
        const std::int64_t kernelW = input[2] / output[2];
        out.set_op_type("AveragePool");
        setInts(out, "kernel_shape", {kernelH, kernelW});
        setInts(out, "strides", {kernelH, kernelW});
        return base::okStatus();
    }

    base::Status addParameters(const proto::Node &node, const Shape &input, onnx::NodeProto &out)
    {
        for (const ParameterSpec &spec : nodeParameters(node, input)) {
            const ParameterData *data =
                m_parameters ? m_parameters(node.name(), spec.name) : nullptr;
            if (!data) {
                return nodeError(node, "has no '" + spec.name
                                           + "' parameter to export; train the model or load "
                                             "its weights first");
            }
            if (data->shape != spec.shape) {
                return nodeError(node, "parameter '" + spec.name + "' has shape "
                                           + shapeText(data->shape) + ", but the node needs "
                                           + shapeText(spec.shape));
            }
            std::int64_t count = 1;
            for (std::int64_t dim : spec.shape) {
                count *= dim; // fits: analyzeGraph() counted these parameters in int64
            }
            if (static_cast<std::int64_t>(data->values.size()) != count) {
                return nodeError(node, "parameter '" + spec.name + "' holds "
                                           + std::to_string(data->values.size())
                                           + " values, but its shape " + shapeText(spec.shape)
                                           + " needs " + std::to_string(count));
            }
            onnx::TensorProto *init = m_model.mutable_graph()->add_initializer();
            init->set_name(uniqueName(node.name() + "." + spec.name));
            init->set_data_type(onnx::TensorProto::FLOAT);
            for (std::int64_t dim : spec.shape) {
                init->add_dims(dim);
            }
            init->set_raw_data(littleEndianBytes(data->values));
            out.add_input(init->name());
        }
        return base::okStatus();
    }

    base::Result<onnx::ModelProto> finish()
    {
        if (m_analysis.output.empty() || !m_values.contains(m_analysis.output)) {
            return base::makeError(base::ErrorCode::InvalidInput,
                                   "the graph has no output node to export", m_graph.name());
        }
        setBatchShape(*m_model.mutable_graph()->add_output(), "output", m_analysis.outputShape);
        return std::move(m_model);
    }

    const proto::ModelGraph &m_graph;
    const GraphAnalysis &m_analysis;
    const ParameterLookup &m_parameters;
    onnx::ModelProto m_model;
    std::unordered_map<std::string, std::string> m_values; // node name -> ONNX value name
    std::unordered_set<std::string> m_used;
};

// libonnx's verdict on what we wrote: a failure here is a bug of the exporter, not the user's.
base::Status checkExport(onnx::ModelProto &model, const std::string &graphName)
{
    try {
        onnx::checker::check_model(model);
        const onnx::ShapeInferenceOptions strict(true, 1, false);
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), strict);
    } catch (const std::exception &error) {
        return base::makeError(base::ErrorCode::Backend,
                               "The exported ONNX model failed libonnx's checks: "
                                   + std::string(error.what()),
                               graphName);
    }
    return base::okStatus();
}

} // namespace

std::vector<ParameterSpec> nodeParameters(const proto::Node &node, const Shape &input)
{
    const bool bias = intAttr(node, "bias", 1) != 0;
    const std::int64_t first = input.empty() ? 0 : input.front();
    if (node.op() == "Linear") {
        const std::int64_t out = intAttr(node, "out_features", 1);
        std::vector<ParameterSpec> specs{{"weight", {out, first}}};
        if (bias) {
            specs.push_back({"bias", {out}});
        }
        return specs;
    }
    if (node.op() == "Conv2d") {
        const std::int64_t out = intAttr(node, "out_channels", 1);
        const std::int64_t kernel = intAttr(node, "kernel_size", 1);
        std::vector<ParameterSpec> specs{{"weight", {out, first, kernel, kernel}}};
        if (bias) {
            specs.push_back({"bias", {out}});
        }
        return specs;
    }
    if (node.op() == "BatchNorm2d") {
        return {{"weight", {first}},
                {"bias", {first}},
                {"running_mean", {first}},
                {"running_var", {first}}};
    }
    return {};
}

base::Result<std::string> exportOnnx(const proto::ModelGraph &graph,
                                     const GraphAnalysis &analysis,
                                     const ParameterLookup &parameters)
{
    auto model = OnnxGraphWriter(graph, analysis, parameters).write();
    if (!model) {
        return model.error();
    }
    if (auto status = checkExport(model.value(), graph.name()); !status) {
        return status.error();
    }
    return model.value().SerializeAsString();
}

} // namespace tl::model
