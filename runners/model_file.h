#pragma once
// Model files the worker runs outside training: ONNX (.onnx), TorchScript (.pt / .pth, what
// torch.jit.trace/script save) and Torchlight's own .tlmodel (a ModelGraph with its trained
// weights, written at the end of a run). Each loads into one forward function and a ViewGraph.
// Private to runners/ (includes libtorch); one thread at a time.

#include "base/result.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"
#include "runners/graph_module.h"
#include "runners/onnx_module.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace tl::runners {

struct LoadedModel
{
    proto::ViewGraph view;
    // The batch of inputs in, the first output out; the module is in eval mode on `device`.
    std::function<torch::Tensor(const torch::Tensor &)> forward;
    std::shared_ptr<void> owner; // keeps the module alive
};

enum class ModelFileKind { Onnx, TorchScript, TlModel };

// By extension; errors name the file and the extensions known.
base::Result<ModelFileKind> modelFileKind(const std::filesystem::path &file);

// modelFileKind of a file that exists: a missing one is a NotFound error, "The <what> does not
// exist.", naming its path.
base::Result<ModelFileKind> existingModelFileKind(const std::filesystem::path &file,
                                                  const std::string &what);

base::Result<LoadedModel> loadModelFile(const std::filesystem::path &file,
                                        const torch::Device &device);

// Only the description (no weights moved to a device): inspect-model.
base::Result<proto::ViewGraph> describeModelFile(const std::filesystem::path &file);

// The pieces loadModelFile builds on, which fine-tuning (runners/trainable_model.h) uses too.
// An ONNX file as a module on the CPU, and its description in `view`; a model with ops
// Torchlight cannot run is an error naming them.
base::Result<OnnxModule> readOnnxModule(const std::filesystem::path &file, proto::ViewGraph &view);

// A .tlmodel: "graph" (the ModelGraph's bytes as a uint8 tensor) and "model" (the module).
struct TlModel
{
    proto::ModelGraph graph;
    model::GraphAnalysis analysis;
    GraphModule module{nullptr}; // on the CPU, with the file's weights
};
base::Result<TlModel> readTlModel(const std::filesystem::path &file);

// Torchlight's model file: the graph and the module's parameters and buffers.
base::Status saveTlModel(const std::filesystem::path &file,
                         const proto::ModelGraph &graph,
                         const torch::nn::Module &module);

} // namespace tl::runners
