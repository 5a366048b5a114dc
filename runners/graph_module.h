#pragma once
// A model graph as a libtorch module: one registered submodule per parametrised node, named
// after the node, and a forward pass that walks the analysed topological order. Dropout and
// BatchNorm2d follow the module's train/eval mode. Private to runners/ (includes libtorch); one
// thread at a time.

#include "base/result.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"
#include "runners/node_observer.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace tl::runners {

class GraphModuleImpl : public torch::nn::Module
{
public:
    // `analysis` must come from model::analyzeGraph(graph); use buildGraphModule() to get
    // errors as a Result instead of exceptions.
    GraphModuleImpl(const proto::ModelGraph &graph, const model::GraphAnalysis &analysis);

    // input: [batch, ...inputShape]; returns the output node's value, [batch, ...outputShape].
    torch::Tensor forward(const torch::Tensor &input);

    // The name node `nodeName`'s submodule is registered under (the node name with '.', which
    // libtorch does not allow, replaced by '_', and '_' appended until unique); empty for a
    // node without parameters.
    std::string submoduleOf(const std::string &nodeName) const;

    // The nodes forward() runs, in order (the step debugger's view), and who is told of each
    // one's output (null: nobody, the default).
    std::vector<ForwardNode> forwardNodes() const;
    void setObserver(NodeObserver *observer) { m_observer = observer; }

private:
    enum class Kind {
        Input,
        Flatten,
        Linear,
        Conv2d,
        BatchNorm,
        MaxPool,
        AdaptiveAvgPool,
        ReLU,
        Dropout,
        LogSoftmax
    };

    // One node of the forward pass, which takes the previous step's output.
    struct Step
    {
        Kind kind = Kind::Input;
        std::string name; // the node's, and its op, for the debugger
        std::string op;
        torch::nn::Linear linear{nullptr};
        torch::nn::Conv2d conv{nullptr};
        torch::nn::BatchNorm2d batchNorm{nullptr};
        std::int64_t kernel = 0;              // MaxPool2d
        std::int64_t stride = 0;              // MaxPool2d
        std::vector<std::int64_t> outputSize; // AdaptiveAvgPool2d: [H, W]
        double dropout = 0;                   // Dropout probability
    };

    static Kind kindOf(const proto::Node &node);
    // A new unique submodule name for a node, recorded for submoduleOf().
    std::string claimSubmoduleName(const std::string &nodeName);
    // outputShape is the node's analysed shape, which fixes AdaptiveAvgPool2d's [H, W].
    Step makeStep(const proto::Node &node,
                  const std::vector<model::Shape> &inputShapes,
                  const model::Shape &outputShape);

    std::map<std::string, std::string> m_submodules; // node name -> registered name
    std::vector<Step> m_steps; // analysed topological order: a chain from Input to output
    std::vector<std::int64_t> m_inputShape; // [-1, ...inputShape]: reshapes flat samples
    NodeObserver *m_observer = nullptr;
};

TORCH_MODULE(GraphModule);

// Builds the module for an analysed graph; libtorch exceptions become a Backend error.
base::Result<GraphModule> buildGraphModule(const proto::ModelGraph &graph,
                                           const model::GraphAnalysis &analysis);

// Number of scalars in the module's parameters (compare with GraphAnalysis::parameters).
std::int64_t parameterCount(torch::nn::Module &module);

// The message of a libtorch exception without its C++ backtrace.
std::string torchErrorText(const std::exception &error);

} // namespace tl::runners
