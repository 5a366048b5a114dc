#include "model/templates.h"

#include "model/graph_analysis.h"

#include <initializer_list>
#include <utility>

namespace tl::model {
namespace {

// The smallest height and width the cnn template takes.
constexpr std::int64_t kCnnMinSide = 8;

// Appends nodes to a graph as a chain: each new node takes the previous one as its input.
class ChainBuilder
{
public:
    explicit ChainBuilder(std::string graphName) { m_graph.set_name(std::move(graphName)); }

    ChainBuilder &add(std::string name,
                      std::string op,
                      std::initializer_list<std::pair<const char *, std::int64_t>> attrs = {})
    {
        proto::Node *node = append(std::move(name), std::move(op));
        for (const auto &[key, value] : attrs) {
            (*node->mutable_attrs())[key].set_i(value);
        }
        return *this;
    }

    // Sets a float attribute of the last node added.
    ChainBuilder &withFloat(const char *key, double value)
    {
        (*m_graph.mutable_nodes(m_graph.nodes_size() - 1)->mutable_attrs())[key].set_f(value);
        return *this;
    }

    ChainBuilder &input(const Shape &shape)
    {
        proto::Node *node = append("input", "Input");
        auto *values = (*node->mutable_attrs())["shape"].mutable_ints();
        for (std::int64_t dim : shape) {
            values->add_values(dim);
        }
        return *this;
    }

    // The graph, its output set to the last node added.
    proto::ModelGraph finish()
    {
        m_graph.set_output(m_last);
        return std::move(m_graph);
    }

private:
    proto::Node *append(std::string name, std::string op)
    {
        proto::Node *node = m_graph.add_nodes();
        if (!m_last.empty()) {
            node->add_inputs(m_last);
        }
        node->set_name(name);
        node->set_op(std::move(op));
        m_last = std::move(name);
        return node;
    }

    proto::ModelGraph m_graph;
    std::string m_last;
};

proto::ModelGraph mlp(const Shape &inputShape, std::int64_t classes)
{
    return ChainBuilder("mlp")
        .input(inputShape)
        .add("flatten", "Flatten")
        .add("fc1", "Linear", {{"out_features", 128}})
        .add("relu1", "ReLU")
        .add("fc2", "Linear", {{"out_features", classes}})
        .finish();
}

// LeCun et al. 1998 as PyTorch tutorials write it: the first convolution pads by 2 so a 28×28
// MNIST image gives the paper's 32×32 geometry.
proto::ModelGraph lenet(const Shape &inputShape, std::int64_t classes)
{
    return ChainBuilder("lenet")
        .input(inputShape)
        .add("conv1", "Conv2d", {{"out_channels", 6}, {"kernel_size", 5}, {"padding", 2}})
        .add("relu1", "ReLU")
        .add("pool1", "MaxPool2d", {{"kernel_size", 2}})
        .add("conv2", "Conv2d", {{"out_channels", 16}, {"kernel_size", 5}})
        .add("relu2", "ReLU")
        .add("pool2", "MaxPool2d", {{"kernel_size", 2}})
        .add("flatten", "Flatten")
        .add("fc1", "Linear", {{"out_features", 120}})
        .add("relu3", "ReLU")
        .add("fc2", "Linear", {{"out_features", 84}})
        .add("relu4", "ReLU")
        .add("fc3", "Linear", {{"out_features", classes}})
        .finish();
}

// Two stages of a bias-free 3×3 convolution (BatchNorm's shift makes a bias redundant),
// BatchNorm, ReLU and 2×2 max pooling, then a dropout-regularized hidden layer: a small
// network that reaches about 92% on Fashion-MNIST within a few epochs.
proto::ModelGraph cnn(const Shape &inputShape, std::int64_t classes)
{
    return ChainBuilder("cnn")
        .input(inputShape)
        .add("conv1", "Conv2d",
             {{"out_channels", 32}, {"kernel_size", 3}, {"padding", 1}, {"bias", 0}})
        .add("bn1", "BatchNorm2d")
        .add("relu1", "ReLU")
        .add("pool1", "MaxPool2d", {{"kernel_size", 2}})
        .add("conv2", "Conv2d",
             {{"out_channels", 64}, {"kernel_size", 3}, {"padding", 1}, {"bias", 0}})
        .add("bn2", "BatchNorm2d")
        .add("relu2", "ReLU")
        .add("pool2", "MaxPool2d", {{"kernel_size", 2}})
        .add("flatten", "Flatten")
        .add("fc1", "Linear", {{"out_features", 128}})
        .add("relu3", "ReLU")
        .add("drop1", "Dropout")
        .withFloat("p", 0.25)
        .add("fc2", "Linear", {{"out_features", classes}})
        .finish();
}

base::Error templateError(std::string_view id, const Shape &inputShape, const std::string &why)
{
    return base::makeError(base::ErrorCode::InvalidInput,
                           "the " + std::string(id) + " template cannot take input "
                               + shapeText(inputShape) + ": " + why,
                           std::string(id));
}

} // namespace

std::vector<ModelTemplate> modelTemplates()
{
    return {
        {"mlp", "MLP",
         "A multilayer perceptron: the input flattened, one hidden layer of 128 ReLU units, "
         "then one output per class."},
        {"lenet", "LeNet-5",
         "LeCun's convolutional network: two convolution and max-pooling stages, then three "
         "fully connected layers. Takes [C, H, W] images of at least 12×12."},
        {"cnn", "CNN (BatchNorm)",
         "Two stages of 3×3 convolution, batch normalization, ReLU and max pooling (32 and 64 "
         "channels), then 128 hidden units with dropout. Takes [C, H, W] images of at least "
         "8×8."},
    };
}

base::Result<proto::ModelGraph>
makeTemplate(std::string_view id, const Shape &inputShape, std::int64_t classes)
{
    if (classes < 1 || classes > kMaxDimension) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "the class count must be from 1 to " + std::to_string(kMaxDimension)
                                   + ", got " + std::to_string(classes),
                               std::string(id));
    }
    proto::ModelGraph graph;
    if (id == "mlp") {
        graph = mlp(inputShape, classes);
    } else if (id == "lenet") {
        if (inputShape.size() != 3) {
            return templateError(id, inputShape, "it expects a 3-D input [C, H, W]");
        }
        graph = lenet(inputShape, classes);
    } else if (id == "cnn") {
        // Smaller images would leave the second stage maps under 4×4: too little to learn from.
        if (inputShape.size() != 3 || inputShape[1] < kCnnMinSide || inputShape[2] < kCnnMinSide) {
            return templateError(id, inputShape,
                                 "it expects a 3-D input [C, H, W] with H and W of at least "
                                     + std::to_string(kCnnMinSide));
        }
        graph = cnn(inputShape, classes);
    } else {
        std::string known;
        for (const ModelTemplate &entry : modelTemplates()) {
            known += (known.empty() ? "" : ", ") + entry.id;
        }
        return base::makeError(base::ErrorCode::NotFound,
                               "unknown model template '" + std::string(id)
                                   + "'; known templates: " + known,
                               std::string(id));
    }
    // The registry is the judge of what fits: a too-small image fails in pool2 or conv2.
    if (auto analysis = analyzeGraph(graph); !analysis) {
        return templateError(id, inputShape, analysis.error().message);
    }
    return graph;
}

} // namespace tl::model
