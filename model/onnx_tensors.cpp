// The tensor checks of parseOnnxModel(): every initializer and attribute tensor holds exactly the
// bytes its dims and type need, inside the file, before anything reads it.
#include "model/onnx_detail.h"

namespace tl::model::onnxdetail {
namespace {

std::string tensorLabel(const std::string &owner, const onnx::TensorProto &tensor)
{
    return owner.empty() ? "Initializer '" + tensor.name() + "'"
                         : "The tensor of " + owner + " ('" + tensor.name() + "')";
}

// Bytes a tensor's data fields hold, counted in elements of its type as raw_data would hold
// them (int32_data carries one element per value for the small integer types).
std::int64_t storedBytes(const onnx::TensorProto &tensor, std::int64_t elementSize)
{
    if (tensor.has_raw_data()) {
        return static_cast<std::int64_t>(tensor.raw_data().size());
    }
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::COMPLEX64: // two floats per element
        return std::int64_t{tensor.float_data_size()} * 4;
    case onnx::TensorProto::INT64:
        return std::int64_t{tensor.int64_data_size()} * 8;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::COMPLEX128:
        return std::int64_t{tensor.double_data_size()} * 8;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
        return std::int64_t{tensor.uint64_data_size()} * elementSize;
    default:
        return std::int64_t{tensor.int32_data_size()} * elementSize;
    }
}

base::Status checkTensorData(const onnx::TensorProto &tensor,
                             const std::string &fileName,
                             const std::string &owner)
{
    const std::string label = tensorLabel(owner, tensor);
    const std::string where = owner.empty() ? fileName + ", initializer '" + tensor.name() + "'"
                                            : fileName + ", " + owner;
    auto fail = [&](const std::string &what) {
        return base::makeError(base::ErrorCode::InvalidInput, label + " " + what, where);
    };
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
        return fail("keeps its data in a separate file; Torchlight cannot read ONNX external "
                    "data yet, so save the model with its weights inside the .onnx file.");
    }
    const auto count = elementCount(tensor);
    if (!count) {
        return fail("has shape " + dimsText(tensor.dims())
                    + ", which has a negative dimension or more elements than fit in 64 bits.");
    }
    if (tensor.data_type() == onnx::TensorProto::STRING) {
        if (tensor.string_data_size() != *count) {
            return fail("of shape " + dimsText(tensor.dims()) + " needs " + std::to_string(*count)
                        + " strings, but it holds " + std::to_string(tensor.string_data_size())
                        + ".");
        }
        return base::okStatus();
    }
    const std::int64_t size = elementBytes(tensor.data_type());
    if (size == 0) {
        return fail("has data type " + std::to_string(tensor.data_type())
                    + ", which is not an ONNX tensor type.");
    }
    if (*count > INT64_MAX / size) {
        return fail("of shape " + dimsText(tensor.dims()) + " is too large to hold in memory.");
    }
    const std::int64_t needed = *count * size;
    const std::int64_t stored = storedBytes(tensor, size);
    if (stored != needed) {
        return fail("of shape " + dimsText(tensor.dims()) + " and type "
                    + dtypeName(tensor.data_type()) + " needs " + std::to_string(needed)
                    + " bytes of data, but it holds " + std::to_string(stored) + ".");
    }
    return base::okStatus();
}

// The tensors in a node's attributes (a Constant's value), and those of its subgraphs.
base::Status checkAttributeTensors(const onnx::NodeProto &node,
                                   const std::string &label,
                                   const std::string &fileName,
                                   const std::stop_token &stop)
{
    for (const onnx::AttributeProto &attr : node.attribute()) {
        const std::string owner = "node '" + label + "' attribute '" + attr.name() + "'";
        if (attr.has_t()) {
            if (auto status = checkTensorData(attr.t(), fileName, owner); !status) {
                return status;
            }
        }
        for (const onnx::TensorProto &tensor : attr.tensors()) {
            if (auto status = checkTensorData(tensor, fileName, owner); !status) {
                return status;
            }
        }
        if (attr.has_g()) {
            if (auto status = checkTensors(attr.g(), fileName, stop); !status) {
                return status;
            }
        }
        for (const onnx::GraphProto &sub : attr.graphs()) {
            if (auto status = checkTensors(sub, fileName, stop); !status) {
                return status;
            }
        }
    }
    return base::okStatus();
}

} // namespace

base::Status checkTensors(const onnx::GraphProto &graph,
                          const std::string &fileName,
                          const std::stop_token &stop)
{
    for (const onnx::TensorProto &init : graph.initializer()) {
        if (stop.stop_requested()) {
            return cancelledError(fileName);
        }
        if (auto status = checkTensorData(init, fileName, {}); !status) {
            return status;
        }
    }
    for (int i = 0; i < graph.node_size(); ++i) {
        if (stop.stop_requested()) {
            return cancelledError(fileName);
        }
        const std::string label = nodeDisplayName(graph.node(i), i);
        if (auto status = checkAttributeTensors(graph.node(i), label, fileName, stop); !status) {
            return status;
        }
    }
    return base::okStatus();
}

} // namespace tl::model::onnxdetail
