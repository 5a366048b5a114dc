#include "runners/model_file.h"

#include "model/graph_analysis.h"
#include "model/onnx_model.h"
#include "model/view_graph.h"
#include "runners/checkpoint.h"
#include "runners/graph_module.h"
#include "runners/onnx_module.h"
#include "runners/torchscript_view.h"

#include <torch/script.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>

namespace tl::runners {
namespace {

using base::ErrorCode;

std::string lowerExtension(const std::filesystem::path &file)
{
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

base::Error loadError(const std::filesystem::path &file, const std::exception &error)
{
    return base::makeError(ErrorCode::InvalidInput,
                           "The model cannot be loaded: " + torchErrorText(error) + ".",
                           file.filename().string());
}

} // namespace

base::Result<TlModel> readTlModel(const std::filesystem::path &file)
{
    TlModel result;
    torch::serialize::InputArchive archive;
    torch::Tensor bytes;
    try {
        archive.load_from(file.string());
        archive.read("graph", bytes);
    } catch (const std::exception &error) {
        return loadError(file, error);
    }
    bytes = bytes.to(torch::kUInt8).contiguous();
    if (!result.graph.ParseFromArray(bytes.data_ptr(), static_cast<int>(bytes.numel()))) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The model file's graph record is not a Torchlight ModelGraph.",
                               file.filename().string());
    }
    auto analysis = model::analyzeGraph(result.graph);
    if (!analysis) {
        return base::makeError(ErrorCode::InvalidInput, analysis.error().describe(),
                               file.filename().string());
    }
    result.analysis = std::move(analysis).value();
    auto module = buildGraphModule(result.graph, result.analysis);
    if (!module) {
        return module.error();
    }
    result.module = module.value();
    try {
        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        result.module->load(weights);
    } catch (const std::exception &error) {
        return loadError(file, error);
    }
    return result;
}

base::Result<OnnxModule> readOnnxModule(const std::filesystem::path &file, proto::ViewGraph &view)
{
    auto onnx = model::readOnnxModel(file);
    if (!onnx) {
        return onnx.error();
    }
    view = model::describeOnnxModel(onnx.value());
    if (view.blocking_ops_size() > 0) {
        std::string ops;
        for (const std::string &op : view.blocking_ops()) {
            ops += (ops.empty() ? "" : ", ") + op;
        }
        return base::makeError(ErrorCode::InvalidInput,
                               "The model uses ops Torchlight cannot run yet: " + ops + ".",
                               file.filename().string());
    }
    return buildOnnxModule(onnx.value());
}

namespace {

base::Result<LoadedModel> loadOnnx(const std::filesystem::path &file, const torch::Device &device)
{
    LoadedModel loaded;
    auto module = readOnnxModule(file, loaded.view);
    if (!module) {
        return module.error();
    }
    OnnxModule onnxModule = module.value();
    onnxModule->to(device);
    onnxModule->eval();
    loaded.owner = onnxModule.ptr();
    loaded.forward = [onnxModule](const torch::Tensor &input) mutable {
        return onnxModule->forward({input}).at(0);
    };
    return loaded;
}

base::Result<LoadedModel> loadScript(const std::filesystem::path &file, const torch::Device &device)
{
    auto module = loadTorchScript(file);
    if (!module) {
        return module.error();
    }
    std::shared_ptr<torch::jit::Module> script = module.value();
    LoadedModel loaded;
    loaded.view = describeTorchScript(*script, file.filename().string());
    script->to(device);
    loaded.owner = script;
    loaded.forward = [script](const torch::Tensor &input) {
        c10::IValue output = script->forward({input});
        if (output.isTuple()) {
            output = output.toTupleRef().elements().at(0);
        }
        return output.toTensor();
    };
    return loaded;
}

base::Result<LoadedModel> loadTl(const std::filesystem::path &file, const torch::Device &device)
{
    auto model = readTlModel(file);
    if (!model) {
        return model.error();
    }
    LoadedModel loaded;
    loaded.view = model::describeModelGraph(model.value().graph, model.value().analysis);
    GraphModule module = model.value().module;
    module->to(device);
    module->eval();
    loaded.owner = module.ptr();
    loaded.forward = [module](const torch::Tensor &input) mutable {
        return module->forward(input);
    };
    return loaded;
}

} // namespace

base::Result<ModelFileKind> modelFileKind(const std::filesystem::path &file)
{
    const std::string extension = lowerExtension(file);
    if (extension == ".onnx") {
        return ModelFileKind::Onnx;
    }
    if (extension == ".pt" || extension == ".pth" || extension == ".torchscript") {
        return ModelFileKind::TorchScript;
    }
    if (extension == ".tlmodel") {
        return ModelFileKind::TlModel;
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "Unknown model file type '" + extension
                               + "'; expected .onnx, .pt (TorchScript) or .tlmodel.",
                           file.filename().string());
}

base::Result<ModelFileKind> existingModelFileKind(const std::filesystem::path &file,
                                                  const std::string &what)
{
    auto kind = modelFileKind(file);
    if (!kind) {
        return kind.error();
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return base::makeError(ErrorCode::NotFound, "The " + what + " does not exist.",
                               file.string());
    }
    return kind;
}

base::Result<LoadedModel> loadModelFile(const std::filesystem::path &file,
                                        const torch::Device &device)
{
    auto kind = existingModelFileKind(file, "model file");
    if (!kind) {
        return kind.error();
    }
    switch (kind.value()) {
    case ModelFileKind::Onnx:
        return loadOnnx(file, device);
    case ModelFileKind::TorchScript:
        return loadScript(file, device);
    case ModelFileKind::TlModel:
        return loadTl(file, device);
    }
    return kind.error();
}

base::Result<proto::ViewGraph> describeModelFile(const std::filesystem::path &file)
{
    auto kind = modelFileKind(file);
    if (!kind) {
        return kind.error();
    }
    if (kind.value() == ModelFileKind::Onnx) {
        auto onnx = model::readOnnxModel(file);
        if (!onnx) {
            return onnx.error();
        }
        return model::describeOnnxModel(onnx.value());
    }
    auto loaded = loadModelFile(file, torch::Device(torch::kCPU));
    if (!loaded) {
        return loaded.error();
    }
    return loaded.value().view;
}

base::Status saveTlModel(const std::filesystem::path &file,
                         const proto::ModelGraph &graph,
                         const torch::nn::Module &module)
{
    torch::serialize::OutputArchive archive;
    try {
        const std::string bytes = graph.SerializeAsString();
        archive.write("graph",
                      torch::from_blob(const_cast<char *>(bytes.data()),
                                       {static_cast<std::int64_t>(bytes.size())}, torch::kUInt8)
                          .clone());
        torch::serialize::OutputArchive weights;
        module.save(weights);
        archive.write("model", weights);
    } catch (const std::exception &error) {
        return base::makeError(ErrorCode::Io,
                               "The model file cannot be written: " + torchErrorText(error) + ".",
                               file.string());
    }
    return saveArchive(archive, file, "model file");
}

} // namespace tl::runners
