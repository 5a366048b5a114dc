#pragma once
// An ONNX model as a libtorch module: float initializers become trainable parameters (so an
// imported model can be evaluated and fine-tuned), other initializers stay constants, and the
// forward pass runs the graph's nodes in their topological order with libtorch ops, following
// ONNX's semantics (broadcasting, opset-dependent attributes and inputs). Private to runners/
// (includes libtorch); one thread at a time. DESIGN.md note: imported ONNX graphs run as ONNX,
// not translated into a ModelGraph, because their shape subgraphs (Shape → Gather → Concat →
// Reshape) and batch-explicit axes have no per-sample ModelGraph form.

#include "base/result.h"
#include "model/onnx_model.h"
#include "runners/node_observer.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace onnx {
class NodeProto;
class TensorProto;
} // namespace onnx

namespace tl::runners {

class OnnxModuleImpl : public torch::nn::Module
{
public:
    // Throws std::invalid_argument for an op the executor lacks (use buildOnnxModule()).
    explicit OnnxModuleImpl(model::OnnxModel model);

    // One tensor per graph input (initializers excluded), in the graph's order; returns one per
    // graph output. Errors inside a node are rethrown naming the node and its op.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor> &inputs);

    // The graph inputs forward() takes (initializers listed as inputs are not among them).
    const std::vector<std::string> &inputNames() const { return m_inputs; }
    const model::OnnxModel &model() const { return m_model; }
    // The model's bytes with every float initializer holding the module's current value (in
    // the initializer's own type, as raw data): a fine-tuned model as an ONNX file.
    std::string serializeWithCurrentWeights() const;

    // The graph's nodes in the order forward() runs them (a node without a name is called by
    // its op and index, "Relu_3"), and who is told of each one's first output (null: nobody).
    std::vector<ForwardNode> forwardNodes() const;
    void setObserver(NodeObserver *observer) { m_observer = observer; }

private:
    torch::Tensor constantOrParameter(const std::string &name) const;

    model::OnnxModel m_model;
    std::vector<std::string> m_inputs;
    std::map<std::string, torch::Tensor> m_parameters; // float initializers, by ONNX name
    std::map<std::string, torch::Tensor> m_constants;  // non-float initializers, on the CPU
    std::int64_t m_opset = 0;
    NodeObserver *m_observer = nullptr;
};

TORCH_MODULE(OnnxModule);

base::Result<OnnxModule> buildOnnxModule(const model::OnnxModel &model);

// The outputs of one ONNX node from its inputs (an undefined tensor for an omitted optional
// input). `training` selects Dropout's and BatchNormalization's training behaviour.
std::vector<torch::Tensor> runOnnxNode(const onnx::NodeProto &node,
                                       const std::vector<torch::Tensor> &inputs,
                                       std::int64_t opset,
                                       bool training);
// Whether runOnnxNode implements `op` (default domain); a test checks model::runnableOnnxOps().
bool hasOnnxKernel(const std::string &op);

// An ONNX TensorProto (raw or typed data) as a CPU tensor. Throws std::invalid_argument when
// its data size does not match its shape or its type has no libtorch equivalent.
torch::Tensor tensorFromOnnx(const onnx::TensorProto &tensor);
// The libtorch type of an ONNX TensorProto data type; throws naming `what` when there is none.
torch::Dtype dtypeFromOnnx(std::int32_t dataType, const std::string &what);

} // namespace tl::runners
