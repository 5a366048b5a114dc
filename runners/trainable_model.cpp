#include "runners/trainable_model.h"

#include "runners/checkpoint.h"
#include "runners/graph_module.h"
#include "runners/model_file.h"
#include "runners/onnx_module.h"
#include "runners/torchscript_view.h"
#include "runners/trainer.h"

#include <torch/script.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>

namespace tl::runners {
namespace {

using base::ErrorCode;

// A TorchScript module as a torch::nn::Module: the script's parameters and buffers registered
// again (the same tensors, so the optimizer, the checkpoints and the script all see one set of
// weights), train() and to() passed on to the script.
class ScriptModuleImpl : public torch::nn::Module
{
public:
    explicit ScriptModuleImpl(std::shared_ptr<torch::jit::Module> script)
        : m_script(std::move(script))
    {
        std::set<std::string> taken;
        const auto unique = [&taken](std::string name) {
            std::replace(name.begin(), name.end(), '.', '_'); // libtorch's submodule separator
            while (!taken.insert(name).second) {
                name += '_';
            }
            return name;
        };
        for (const auto &parameter : m_script->named_parameters(/*recurse=*/true)) {
            register_parameter(unique(parameter.name), parameter.value);
        }
        for (const auto &buffer : m_script->named_buffers(/*recurse=*/true)) {
            register_buffer(unique(buffer.name), buffer.value);
        }
    }

    using torch::nn::Module::to;
    // The script moves its tensors with set_data(), so the handles registered here follow.
    void to(torch::Device device, bool nonBlocking) override { m_script->to(device, nonBlocking); }
    void train(bool on) override
    {
        torch::nn::Module::train(on);
        m_script->train(on);
    }

    torch::Tensor forward(const torch::Tensor &input)
    {
        c10::IValue output = m_script->forward({input});
        if (output.isTuple()) {
            output = output.toTupleRef().elements().at(0);
        }
        if (!output.isTensor()) {
            throw std::invalid_argument("the module's forward returns " + output.tagKind()
                                        + ", not a tensor");
        }
        return output.toTensor();
    }

    torch::jit::Module &script() { return *m_script; }

private:
    std::shared_ptr<torch::jit::Module> m_script;
};

base::Error fileError(const std::filesystem::path &file, const std::string &message)
{
    return base::makeError(ErrorCode::InvalidInput, message, file.filename().string());
}

// The op of the node that yields the view's first output, in the names the loss checks use.
std::string outputOpOf(const proto::ViewGraph &view)
{
    if (view.outputs_size() == 0) {
        return {};
    }
    const std::string &output = view.outputs(0).name();
    for (const proto::ViewNode &node : view.nodes()) {
        if (std::find(node.outputs().begin(), node.outputs().end(), output)
            != node.outputs().end()) {
            return node.op() == "aten::log_softmax" ? "LogSoftmax" : node.op();
        }
    }
    return {};
}

bool hasOp(const proto::ViewGraph &view, const std::string &op)
{
    return std::any_of(view.nodes().begin(), view.nodes().end(),
                       [&op](const proto::ViewNode &node) { return node.op() == op; });
}

// The two-node analysis of a model file: its input and its output, named as in the file.
model::GraphAnalysis fileAnalysis(const std::string &input,
                                  const model::Shape &inputShape,
                                  const std::string &output,
                                  const std::string &outputOp,
                                  torch::nn::Module &module)
{
    model::GraphAnalysis analysis;
    analysis.nodes.push_back({input, "Input", {}, inputShape, 0, 0});
    analysis.nodes.push_back({output, outputOp, {input}, {}, 0, 0});
    analysis.output = output;
    analysis.inputShape = inputShape;
    analysis.parameters = parameterCount(module);
    return analysis;
}

base::Status writeBytes(const std::filesystem::path &file, const std::string &bytes)
{
    return saveAtomically(file, "model file", [&bytes](const std::filesystem::path &partial) {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) {
            throw std::runtime_error("writing failed");
        }
    });
}

base::Result<TrainableModel> onnxModel(const std::filesystem::path &file,
                                       model::GraphAnalysis &analysis)
{
    proto::ViewGraph view;
    auto built = readOnnxModule(file, view);
    if (!built) {
        return built.error();
    }
    OnnxModule module = built.value();
    if (module->inputNames().size() != 1) {
        return fileError(file, "The model takes " + std::to_string(module->inputNames().size())
                                   + " inputs; fine-tuning feeds one, the dataset's samples.");
    }
    const std::string &input = module->inputNames().front();
    model::Shape declared;
    for (const proto::TensorInfo &info : view.inputs()) {
        if (info.name() != input) {
            continue;
        }
        if (info.dtype() != "float32") {
            return fileError(file, "The model's input '" + input + "' is " + info.dtype()
                                       + "; fine-tuning feeds float32 samples.");
        }
        // The first axis is the batch, whatever size the exporter wrote there.
        if (info.shape_known() && info.dims_size() > 1
            && std::all_of(info.dims().begin() + 1, info.dims().end(),
                           [](std::int64_t d) { return d > 0; })) {
            declared.assign(info.dims().begin() + 1, info.dims().end());
        }
    }
    const std::string output = view.outputs_size() > 0 ? view.outputs(0).name() : "output";
    analysis = fileAnalysis(input, declared, output, outputOpOf(view), *module);
    TrainableModel trainable;
    trainable.module = module.ptr();
    trainable.forward = [module, declared](const torch::Tensor &x) mutable {
        if (declared.empty()) {
            return module->forward({x}).at(0);
        }
        std::vector<std::int64_t> shape{x.size(0)};
        shape.insert(shape.end(), declared.begin(), declared.end());
        return module->forward({x.reshape(shape)}).at(0);
    };
    trainable.nodes = module->forwardNodes();
    trainable.observe = [module](NodeObserver *observer) mutable {
        module->setObserver(observer);
    };
    trainable.convolutional = hasOp(view, "Conv");
    trainable.capturable = false; // shape subgraphs read sizes on the host
    trainable.savedName = "model.onnx";
    trainable.save = [module](const std::filesystem::path &target) {
        return writeBytes(target, module->serializeWithCurrentWeights());
    };
    return trainable;
}

base::Result<TrainableModel> scriptModel(const std::filesystem::path &file,
                                         model::GraphAnalysis &analysis)
{
    auto loaded = loadTorchScript(file);
    if (!loaded) {
        return loaded.error();
    }
    const proto::ViewGraph view = describeTorchScript(*loaded.value(), file.filename().string());
    auto module = std::make_shared<ScriptModuleImpl>(loaded.value());
    const std::string input = view.inputs_size() > 0 ? view.inputs(0).name() : "input";
    const std::string output = view.outputs_size() > 0 ? view.outputs(0).name() : "output";
    // A script declares no sample shape: the dataset's is taken (probeModelOutput).
    analysis = fileAnalysis(input, {}, output, outputOpOf(view), *module);
    TrainableModel trainable;
    trainable.module = module;
    trainable.forward = [module](const torch::Tensor &x) {
        return module->forward(x);
    };
    trainable.convolutional = hasOp(view, "aten::_convolution") || hasOp(view, "aten::conv2d");
    trainable.capturable = false; // a script may synchronise with the host anywhere
    trainable.savedName = "model.pt";
    trainable.save = [module](const std::filesystem::path &target) {
        return saveAtomically(target, "model file",
                              [&module](const std::filesystem::path &partial) {
                                  module->script().save(partial.string());
                              });
    };
    return trainable;
}

TrainableModel graphModule(const proto::ModelGraph &graph, GraphModule module)
{
    TrainableModel trainable;
    trainable.module = module.ptr();
    trainable.forward = [module](const torch::Tensor &x) mutable {
        return module->forward(x);
    };
    trainable.nodes = module->forwardNodes();
    trainable.observe = [module](NodeObserver *observer) mutable {
        module->setObserver(observer);
    };
    trainable.name = graph.name().empty() ? "the model" : graph.name();
    trainable.convolutional =
        std::any_of(graph.nodes().begin(), graph.nodes().end(),
                    [](const proto::Node &node) { return node.op() == "Conv2d"; });
    trainable.savedName = "model.tlmodel";
    trainable.save = [graph, module](const std::filesystem::path &target) {
        return saveTlModel(target, graph, *module);
    };
    return trainable;
}

base::Result<TrainableModel>
trainableFile(ModelFileKind kind, const std::filesystem::path &file, model::GraphAnalysis &analysis)
{
    switch (kind) {
    case ModelFileKind::Onnx:
        return onnxModel(file, analysis);
    case ModelFileKind::TorchScript:
        return scriptModel(file, analysis);
    case ModelFileKind::TlModel:
        break;
    }
    auto read = readTlModel(file);
    if (!read) {
        return read.error();
    }
    analysis = read.value().analysis;
    return graphModule(read.value().graph, read.value().module);
}

} // namespace

TrainableModel graphModel(const proto::ModelGraph &graph, const model::GraphAnalysis &analysis)
{
    return graphModule(graph, GraphModule(graph, analysis));
}

base::Result<std::shared_ptr<TrainableModel>> loadModelToTrain(const std::filesystem::path &file,
                                                               model::GraphAnalysis &analysis)
{
    auto kind = existingModelFileKind(file, "model file to fine-tune");
    if (!kind) {
        return kind.error();
    }
    auto trainable = trainableFile(kind.value(), file, analysis);
    if (!trainable) {
        return trainable.error();
    }
    trainable.value().name = file.filename().string();
    return std::make_shared<TrainableModel>(std::move(trainable).value());
}

base::Status probeModelOutput(TrainableModel &trainable,
                              model::GraphAnalysis &analysis,
                              const model::Shape &sampleShape,
                              const std::filesystem::path &file)
{
    const auto product = [](const model::Shape &shape) {
        return std::accumulate(shape.begin(), shape.end(), std::int64_t{1},
                               std::multiplies<std::int64_t>());
    };
    if (analysis.inputShape.empty()) {
        analysis.inputShape = sampleShape;
        analysis.nodes.front().outputShape = sampleShape;
    }
    if (!analysis.outputShape.empty() || product(analysis.inputShape) != product(sampleShape)) {
        return base::okStatus(); // known already, or checkDataFitsModel names the mismatch
    }
    constexpr std::int64_t kProbeBatch = 2;
    std::vector<std::int64_t> shape{kProbeBatch};
    shape.insert(shape.end(), sampleShape.begin(), sampleShape.end());
    torch::Tensor output;
    try {
        torch::NoGradGuard noGrad;
        trainable.module->eval();
        output = trainable.forward(torch::zeros(shape));
    } catch (const std::exception &error) {
        return fileError(file, "The model cannot take a batch of the dataset's samples of shape "
                                   + model::shapeText(sampleShape) + ": " + torchErrorText(error)
                                   + ".");
    }
    if (output.dim() < 1 || output.size(0) != kProbeBatch) {
        return fileError(file,
                         "The model gives an output of shape "
                             + model::shapeText({output.sizes().begin(), output.sizes().end()})
                             + " for a batch of " + std::to_string(kProbeBatch)
                             + " samples: it was saved with a fixed batch size. Export it "
                               "with a dynamic batch axis.");
    }
    analysis.outputShape.assign(output.sizes().begin() + 1, output.sizes().end());
    analysis.nodes.back().outputShape = analysis.outputShape;
    return base::okStatus();
}

} // namespace tl::runners
