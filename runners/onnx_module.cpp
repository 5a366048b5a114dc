#include "runners/onnx_module.h"

#include "runners/graph_module.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <set>
#include <stdexcept>

namespace tl::runners {

torch::Dtype dtypeFromOnnx(std::int32_t dataType, const std::string &what)
{
    switch (dataType) {
    case onnx::TensorProto::FLOAT:
        return torch::kFloat32;
    case onnx::TensorProto::DOUBLE:
        return torch::kFloat64;
    case onnx::TensorProto::FLOAT16:
        return torch::kFloat16;
    case onnx::TensorProto::BFLOAT16:
        return torch::kBFloat16;
    case onnx::TensorProto::INT64:
        return torch::kInt64;
    case onnx::TensorProto::INT32:
        return torch::kInt32;
    case onnx::TensorProto::INT16:
        return torch::kInt16;
    case onnx::TensorProto::INT8:
        return torch::kInt8;
    case onnx::TensorProto::UINT8:
        return torch::kUInt8;
    case onnx::TensorProto::BOOL:
        return torch::kBool;
    default:
        throw std::invalid_argument(what + " has ONNX data type " + std::to_string(dataType)
                                    + ", which has no libtorch equivalent");
    }
}

namespace {

// Copies a typed repeated field into the tensor, converting each value to the element type.
template<typename Field>
void copyTyped(const Field &values, torch::Tensor &out, const onnx::TensorProto &tensor)
{
    if (static_cast<std::int64_t>(values.size()) != out.numel()) {
        throw std::invalid_argument("tensor '" + tensor.name() + "' holds "
                                    + std::to_string(values.size()) + " values; its shape needs "
                                    + std::to_string(out.numel()));
    }
    std::vector<double> widened(values.begin(), values.end());
    torch::Tensor source = torch::tensor(widened, torch::kFloat64);
    out.copy_(source.reshape(out.sizes()));
}

} // namespace

torch::Tensor tensorFromOnnx(const onnx::TensorProto &tensor)
{
    const torch::Dtype dtype = dtypeFromOnnx(tensor.data_type(), "tensor '" + tensor.name() + "'");
    std::vector<std::int64_t> dims(tensor.dims().begin(), tensor.dims().end());
    torch::Tensor out = torch::empty(dims, torch::TensorOptions().dtype(dtype));
    if (tensor.has_raw_data()) {
        const std::string &raw = tensor.raw_data();
        const auto bytes = static_cast<std::size_t>(out.numel()) * out.element_size();
        if (raw.size() != bytes) {
            throw std::invalid_argument(
                "tensor '" + tensor.name() + "' holds " + std::to_string(raw.size())
                + " bytes; its shape and type need " + std::to_string(bytes));
        }
        // ONNX raw data is little-endian, as is every machine Torchlight runs on.
        std::memcpy(out.data_ptr(), raw.data(), bytes);
        return out;
    }
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
        copyTyped(tensor.float_data(), out, tensor);
        break;
    case onnx::TensorProto::DOUBLE:
        copyTyped(tensor.double_data(), out, tensor);
        break;
    case onnx::TensorProto::INT64:
        // Through int64 directly: doubles cannot hold every int64.
        if (static_cast<std::int64_t>(tensor.int64_data_size()) != out.numel()) {
            throw std::invalid_argument(
                "tensor '" + tensor.name() + "' holds " + std::to_string(tensor.int64_data_size())
                + " values; its shape needs " + std::to_string(out.numel()));
        }
        if (out.numel() > 0) {
            std::memcpy(out.data_ptr(), tensor.int64_data().data(),
                        sizeof(std::int64_t) * static_cast<std::size_t>(out.numel()));
        }
        break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: {
        // int32_data holds the 16-bit patterns.
        torch::Tensor bits = torch::empty(dims, torch::kInt16);
        copyTyped(tensor.int32_data(), bits, tensor);
        return bits.view(dtype).clone();
    }
    default: // INT32, INT16, INT8, UINT8, BOOL travel in int32_data
        copyTyped(tensor.int32_data(), out, tensor);
        break;
    }
    return out;
}

OnnxModuleImpl::OnnxModuleImpl(model::OnnxModel model) : m_model(std::move(model))
{
    const onnx::ModelProto &proto = m_model.proto();
    for (const auto &opset : proto.opset_import()) {
        if (opset.domain().empty() || opset.domain() == "ai.onnx") {
            m_opset = opset.version();
        }
    }
    const onnx::GraphProto &graph = proto.graph();
    // BatchNormalization's running mean and variance are state, not weights: buffers, which the
    // optimizer never sees and training mode updates in place.
    std::set<std::string> runningStats;
    for (const onnx::NodeProto &node : graph.node()) {
        if (node.op_type() == "BatchNormalization") {
            for (int i = 3; i < node.input_size() && i < 5; ++i) {
                runningStats.insert(node.input(i));
            }
        }
    }
    std::set<std::string> initializers;
    std::set<std::string> registered;
    for (const onnx::TensorProto &initializer : graph.initializer()) {
        initializers.insert(initializer.name());
        torch::Tensor value = tensorFromOnnx(initializer);
        if (value.is_floating_point()) {
            // '.' separates submodules in libtorch's parameter names.
            std::string name = initializer.name();
            for (char &c : name) {
                c = c == '.' ? '_' : c;
            }
            while (!registered.insert(name).second) {
                name += '_';
            }
            // Module::to() moves parameters with set_data(), so this handle follows them.
            m_parameters[initializer.name()] = runningStats.count(initializer.name())
                                                   ? register_buffer(name, value)
                                                   : register_parameter(name, value);
        } else {
            m_constants[initializer.name()] = value;
        }
    }
    for (const onnx::ValueInfoProto &input : graph.input()) {
        if (!initializers.count(input.name())) {
            m_inputs.push_back(input.name());
        }
    }
    for (const onnx::NodeProto &node : graph.node()) {
        const bool standard = node.domain().empty() || node.domain() == "ai.onnx";
        if (!standard || !hasOnnxKernel(node.op_type())) {
            throw std::invalid_argument("node '" + node.name() + "' (" + node.op_type()
                                        + ") has no Torchlight kernel");
        }
    }
}

std::string OnnxModuleImpl::serializeWithCurrentWeights() const
{
    onnx::ModelProto proto = m_model.proto();
    for (onnx::TensorProto &initializer : *proto.mutable_graph()->mutable_initializer()) {
        auto it = m_parameters.find(initializer.name());
        if (it == m_parameters.end()) {
            continue;
        }
        const torch::Tensor value =
            it->second.detach()
                .to(torch::kCPU, dtypeFromOnnx(initializer.data_type(), initializer.name()))
                .contiguous();
        initializer.clear_float_data();
        initializer.clear_double_data();
        initializer.clear_int32_data();
        initializer.set_raw_data(value.data_ptr(),
                                 static_cast<std::size_t>(value.numel()) * value.element_size());
    }
    return proto.SerializeAsString();
}

torch::Tensor OnnxModuleImpl::constantOrParameter(const std::string &name) const
{
    if (auto it = m_parameters.find(name); it != m_parameters.end()) {
        return it->second;
    }
    if (auto it = m_constants.find(name); it != m_constants.end()) {
        return it->second;
    }
    return {};
}

std::vector<ForwardNode> OnnxModuleImpl::forwardNodes() const
{
    std::vector<ForwardNode> nodes;
    const auto &graph = m_model.proto().graph();
    for (int n = 0; n < graph.node_size(); ++n) {
        const onnx::NodeProto &node = graph.node(n);
        std::string name = node.name();
        if (name.empty()) {
            name = node.op_type() + "_" + std::to_string(n);
        }
        nodes.push_back({std::move(name), node.op_type()});
    }
    return nodes;
}

std::vector<torch::Tensor> OnnxModuleImpl::forward(const std::vector<torch::Tensor> &inputs)
{
    if (inputs.size() != m_inputs.size()) {
        throw std::invalid_argument("the model takes " + std::to_string(m_inputs.size())
                                    + " inputs, got " + std::to_string(inputs.size()));
    }
    std::map<std::string, torch::Tensor> values;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        values[m_inputs[i]] = inputs[i];
    }
    auto lookup = [&](const std::string &name) {
        if (name.empty()) {
            return torch::Tensor(); // an omitted optional input
        }
        if (auto it = values.find(name); it != values.end()) {
            return it->second;
        }
        torch::Tensor constant = constantOrParameter(name);
        if (!constant.defined()) {
            throw std::invalid_argument("tensor '" + name + "' is produced by no node");
        }
        return constant;
    };
    const auto &nodes = m_model.proto().graph().node();
    for (int n = 0; n < nodes.size(); ++n) {
        const onnx::NodeProto &node = nodes[n];
        std::vector<torch::Tensor> nodeInputs;
        for (const std::string &name : node.input()) {
            nodeInputs.push_back(lookup(name));
        }
        std::vector<torch::Tensor> outputs;
        try {
            outputs = runOnnxNode(node, nodeInputs, m_opset, is_training());
        } catch (const std::exception &error) {
            throw std::runtime_error("node '" + node.name() + "' (" + node.op_type()
                                     + "): " + torchErrorText(error));
        }
        for (int i = 0; i < node.output_size() && i < static_cast<int>(outputs.size()); ++i) {
            values[node.output(i)] = outputs[static_cast<std::size_t>(i)];
        }
        if (m_observer != nullptr && !outputs.empty()) {
            m_observer->nodeComputed(static_cast<std::size_t>(n), outputs.front());
        }
    }
    std::vector<torch::Tensor> results;
    for (const onnx::ValueInfoProto &output : m_model.proto().graph().output()) {
        results.push_back(lookup(output.name()));
    }
    return results;
}

base::Result<OnnxModule> buildOnnxModule(const model::OnnxModel &model)
{
    try {
        return OnnxModule(model);
    } catch (const std::exception &error) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The ONNX model cannot run: " + torchErrorText(error) + ".",
                               model.fileName());
    }
}

} // namespace tl::runners
