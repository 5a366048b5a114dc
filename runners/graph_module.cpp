#include "runners/graph_module.h"

#include <c10/util/Exception.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>

#include <stdexcept>
#include <utility>

namespace tl::runners {
namespace {

const proto::Node &findNode(const proto::ModelGraph &graph, const std::string &name)
{
    for (const proto::Node &node : graph.nodes()) {
        if (node.name() == name) {
            return node;
        }
    }
    throw std::invalid_argument("node '" + name + "' of the analysis is not in the graph");
}

torch::nn::LinearOptions linearOptions(const proto::Node &node,
                                       const std::vector<model::Shape> &inputShapes)
{
    return torch::nn::LinearOptions(inputShapes.at(0).at(0),
                                    model::intAttr(node, "out_features", 1))
        .bias(model::intAttr(node, "bias", 1) != 0);
}

torch::nn::Conv2dOptions conv2dOptions(const proto::Node &node,
                                       const std::vector<model::Shape> &inputShapes)
{
    return torch::nn::Conv2dOptions(inputShapes.at(0).at(0),
                                    model::intAttr(node, "out_channels", 1),
                                    model::intAttr(node, "kernel_size", 1))
        .stride(model::intAttr(node, "stride", 1))
        .padding(model::intAttr(node, "padding", 0))
        .bias(model::intAttr(node, "bias", 1) != 0);
}

// Affine, with running statistics: PyTorch's defaults, so checkpoints hold weight, bias,
// running_mean, running_var and num_batches_tracked like a torch.nn.BatchNorm2d's state_dict.
torch::nn::BatchNorm2dOptions batchNorm2dOptions(const proto::Node &node,
                                                 const std::vector<model::Shape> &inputShapes)
{
    return torch::nn::BatchNorm2dOptions(inputShapes.at(0).at(0))
        .eps(model::floatAttr(node, "eps", 1e-5))
        .momentum(model::floatAttr(node, "momentum", 0.1));
}

} // namespace

GraphModuleImpl::GraphModuleImpl(const proto::ModelGraph &graph,
                                 const model::GraphAnalysis &analysis)
{
    // analyzeGraph() guarantees that every node feeds the output; with one input per v1 op
    // that makes the graph a chain, which the analysed order lists from Input to output.
    for (std::size_t i = 0; i < analysis.nodes.size(); ++i) {
        const model::NodeAnalysis &analysed = analysis.nodes[i];
        const bool chained = i == 0 ? analysed.inputs.empty()
                                    : analysed.inputs.size() == 1
                                          && analysed.inputs[0] == analysis.nodes[i - 1].name;
        if (!chained) {
            throw std::invalid_argument("node '" + analysed.name
                                        + "' does not take the previous node's output; v1 "
                                          "models are chains");
        }
        std::vector<model::Shape> inputShapes;
        if (i > 0) {
            inputShapes.push_back(analysis.nodes[i - 1].outputShape);
        }
        m_steps.push_back(
            makeStep(findNode(graph, analysed.name), inputShapes, analysed.outputShape));
    }
    if (m_steps.empty() || analysis.nodes.back().name != analysis.output) {
        throw std::invalid_argument("the output node '" + analysis.output
                                    + "' is not the last node of the analysed order");
    }
    m_inputShape = {-1};
    m_inputShape.insert(m_inputShape.end(), analysis.inputShape.begin(), analysis.inputShape.end());
}

std::string GraphModuleImpl::claimSubmoduleName(const std::string &nodeName)
{
    std::string name = nodeName;
    for (char &c : name) {
        if (c == '.') {
            c = '_';
        }
    }
    while (named_children().contains(name)) {
        name += '_';
    }
    m_submodules[nodeName] = name;
    return name;
}

std::string GraphModuleImpl::submoduleOf(const std::string &nodeName) const
{
    auto it = m_submodules.find(nodeName);
    return it == m_submodules.end() ? std::string() : it->second;
}

GraphModuleImpl::Kind GraphModuleImpl::kindOf(const proto::Node &node)
{
    static const std::pair<const char *, Kind> kKinds[] = {
        {"Input", Kind::Input},
        {"Flatten", Kind::Flatten},
        {"Linear", Kind::Linear},
        {"Conv2d", Kind::Conv2d},
        {"BatchNorm2d", Kind::BatchNorm},
        {"MaxPool2d", Kind::MaxPool},
        {"AdaptiveAvgPool2d", Kind::AdaptiveAvgPool},
        {"ReLU", Kind::ReLU},
        {"Dropout", Kind::Dropout},
        {"LogSoftmax", Kind::LogSoftmax},
    };
    for (const auto &[op, kind] : kKinds) {
        if (node.op() == op) {
            return kind;
        }
    }
    throw std::invalid_argument("node '" + node.name() + "' has op '" + node.op()
                                + "', which this worker cannot build");
}

GraphModuleImpl::Step GraphModuleImpl::makeStep(const proto::Node &node,
                                                const std::vector<model::Shape> &inputShapes,
                                                const model::Shape &outputShape)
{
    Step step;
    step.kind = kindOf(node);
    step.name = node.name();
    step.op = node.op();
    switch (step.kind) {
    case Kind::Linear:
        step.linear = register_module(claimSubmoduleName(node.name()),
                                      torch::nn::Linear(linearOptions(node, inputShapes)));
        break;
    case Kind::Conv2d:
        step.conv = register_module(claimSubmoduleName(node.name()),
                                    torch::nn::Conv2d(conv2dOptions(node, inputShapes)));
        break;
    case Kind::BatchNorm:
        step.batchNorm =
            register_module(claimSubmoduleName(node.name()),
                            torch::nn::BatchNorm2d(batchNorm2dOptions(node, inputShapes)));
        break;
    case Kind::MaxPool:
        step.kernel = model::intAttr(node, "kernel_size", 1);
        step.stride = model::intAttr(node, "stride", step.kernel);
        break;
    case Kind::AdaptiveAvgPool:
        step.outputSize = {outputShape.at(1), outputShape.at(2)};
        break;
    case Kind::Dropout:
        step.dropout = model::floatAttr(node, "p", 0.5);
        break;
    case Kind::Input:
    case Kind::Flatten:
    case Kind::ReLU:
    case Kind::LogSoftmax:
        break; // nothing to configure
    }
    return step;
}

std::vector<ForwardNode> GraphModuleImpl::forwardNodes() const
{
    std::vector<ForwardNode> nodes;
    for (const Step &step : m_steps) {
        nodes.push_back({step.name, step.op});
    }
    return nodes;
}

torch::Tensor GraphModuleImpl::forward(const torch::Tensor &input)
{
    torch::Tensor x = input;
    for (std::size_t i = 0; i < m_steps.size(); ++i) {
        Step &step = m_steps[i];
        switch (step.kind) {
        case Kind::Input:
            x = x.reshape(m_inputShape);
            break;
        case Kind::Flatten:
            x = x.flatten(1);
            break;
        case Kind::Linear:
            x = step.linear->forward(x);
            break;
        case Kind::Conv2d:
            x = step.conv->forward(x);
            break;
        case Kind::BatchNorm:
            x = step.batchNorm->forward(x);
            break;
        case Kind::MaxPool:
            x = torch::max_pool2d(x, step.kernel, step.stride);
            break;
        case Kind::AdaptiveAvgPool:
            x = torch::adaptive_avg_pool2d(x, step.outputSize);
            break;
        case Kind::ReLU:
            x = torch::relu(x);
            break;
        case Kind::Dropout:
            x = torch::dropout(x, step.dropout, is_training());
            break;
        case Kind::LogSoftmax:
            x = torch::log_softmax(x, -1);
            break;
        }
        if (m_observer != nullptr) {
            m_observer->nodeComputed(i, x);
        }
    }
    return x;
}

base::Result<GraphModule> buildGraphModule(const proto::ModelGraph &graph,
                                           const model::GraphAnalysis &analysis)
{
    try {
        return GraphModule(graph, analysis);
    } catch (const std::exception &error) {
        return base::makeError(base::ErrorCode::Backend,
                               "The model cannot be built: " + torchErrorText(error) + ".",
                               graph.name());
    }
}

std::int64_t parameterCount(torch::nn::Module &module)
{
    std::int64_t count = 0;
    for (const torch::Tensor &parameter : module.parameters()) {
        count += parameter.numel();
    }
    return count;
}

std::string torchErrorText(const std::exception &error)
{
    const auto *torchError = dynamic_cast<const c10::Error *>(&error);
    const std::string raw = torchError ? torchError->what_without_backtrace() : error.what();
    // One line for a status message: newlines folded, no trailing full stop (callers add one).
    std::string text;
    for (char c : raw) {
        const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
        if (!space) {
            text += c;
        } else if (!text.empty() && text.back() != ' ') {
            text += ' ';
        }
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '.')) {
        text.pop_back();
    }
    return text.empty() ? "unknown libtorch error" : text;
}

} // namespace tl::runners
