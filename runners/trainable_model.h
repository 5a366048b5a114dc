#pragma once
// The model a run trains, whatever it came from: the spec's graph (a GraphModule) or a model
// file to fine-tune (spec.model_file: an ONNX graph run by OnnxModule, a TorchScript module, a
// .tlmodel). The training loop sees one module, one forward function and one way to write the
// trained model. Private to runners/ (includes libtorch); one thread at a time.

#include "base/result.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"
#include "runners/node_observer.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tl::runners {

struct TrainableModel
{
    // What trains: its parameters go to the optimizer; train(), eval(), to() and the
    // checkpoints reach the whole model through it.
    std::shared_ptr<torch::nn::Module> module;
    // [batch, ...sample shape] in, [batch, ...output shape] out.
    std::function<torch::Tensor(const torch::Tensor &)> forward;
    // The step debugger's view: the nodes forward() runs, in order, and a way to be told of
    // each one's output (null: stop telling). Empty for a module run whole (TorchScript).
    std::vector<ForwardNode> nodes;
    std::function<void(NodeObserver *)> observe;
    std::string name;           // the graph's name or the file's, for the log
    bool convolutional = false; // has 2-d convolutions: channels-last pays on CUDA
    bool capturable = true;     // a whole step may be captured as one CUDA graph
    // Where the trained model goes in the run directory ("model.tlmodel", "model.onnx",
    // "model.pt"), and how it is written there (atomically).
    std::string savedName;
    std::function<base::Status(const std::filesystem::path &file)> save;
};

// The spec's graph as a fresh module (weights from the seed already set).
TrainableModel graphModel(const proto::ModelGraph &graph, const model::GraphAnalysis &analysis);

} // namespace tl::runners
