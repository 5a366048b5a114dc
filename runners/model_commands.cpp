#include "runners/model_commands.h"

#include "datasets/npy_format.h"
#include "datasets/npy_writer.h"
#include "model/graph_analysis.h"
#include "model/onnx_export.h"
#include "model/view_graph.h"
#include "proto/spec_io.h"
#include "runners/checkpoint.h"
#include "runners/devices.h"
#include "runners/exit_codes.h"
#include "runners/graph_module.h"
#include "runners/model_file.h"

#include <cstdio>
#include <fstream>
#include <map>

namespace tl::runners {
namespace {

int fail(const base::Error &error, ExitCode code = ExitCode::InvalidInput)
{
    std::fprintf(stderr, "torchlight-worker: %s\n", error.describe().c_str());
    return toInt(code);
}

// The .npy's values as a tensor of its shape: integers as int64 (token ids), the rest float32.
base::Result<torch::Tensor> readInput(const std::filesystem::path &file)
{
    auto array = datasets::readNpyFile(file);
    if (!array) {
        return array.error();
    }
    const datasets::NpyArray &npy = array.value();
    std::vector<std::int64_t> shape(npy.header.shape.begin(), npy.header.shape.end());
    const std::string source = file.filename().string();
    if (npy.header.dtype.kind == datasets::NpyKind::Int
        || npy.header.dtype.kind == datasets::NpyKind::UInt) {
        auto ids = datasets::npyToLabels(npy, source);
        if (!ids) {
            return ids.error();
        }
        return torch::tensor(ids.value(), torch::kInt64).reshape(shape);
    }
    auto values = datasets::npyToFloat32(npy, source);
    if (!values) {
        return values.error();
    }
    return torch::tensor(values.value(), torch::kFloat32).reshape(shape);
}

base::Status writeOutput(const std::filesystem::path &file, torch::Tensor output)
{
    output = output.detach().to(torch::kCPU).contiguous();
    std::string descr = "<f4";
    if (output.scalar_type() == torch::kInt64) {
        descr = "<i8";
    } else if (output.scalar_type() == torch::kBool) {
        descr = "|b1";
    } else {
        output = output.to(torch::kFloat32);
    }
    const std::vector<std::int64_t> shape(output.sizes().begin(), output.sizes().end());
    return datasets::writeNpy(file, descr, shape, output.data_ptr(),
                              static_cast<std::size_t>(output.numel()) * output.element_size());
}

// The parameters of every node of a GraphModule, keyed by (node, parameter name).
std::map<std::pair<std::string, std::string>, model::ParameterData>
collectParameters(GraphModuleImpl &module, const model::GraphAnalysis &analysis)
{
    std::map<std::pair<std::string, std::string>, model::ParameterData> out;
    std::map<std::string, torch::Tensor> named;
    for (const auto &item : module.named_parameters(true)) {
        named[item.key()] = item.value();
    }
    for (const auto &item : module.named_buffers(true)) {
        named[item.key()] = item.value();
    }
    for (const model::NodeAnalysis &node : analysis.nodes) {
        const std::string prefix = module.submoduleOf(node.name) + ".";
        for (const char *param : {"weight", "bias", "running_mean", "running_var"}) {
            auto it = named.find(prefix + param);
            if (it == named.end()) {
                continue;
            }
            torch::Tensor value = it->second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
            model::ParameterData data;
            data.shape.assign(value.sizes().begin(), value.sizes().end());
            const float *begin = value.data_ptr<float>();
            data.values.assign(begin, begin + value.numel());
            out[{node.name, param}] = std::move(data);
        }
    }
    return out;
}

} // namespace

int runEval(const EvalArgs &args)
{
    auto device = parseDevice(args.device);
    if (!device) {
        return fail(device.error(), ExitCode::UsageError);
    }
    if (auto available = checkDeviceAvailable(device.value()); !available) {
        return fail(available.error(), ExitCode::DeviceUnavailable);
    }
    auto input = readInput(args.input);
    if (!input) {
        return fail(input.error());
    }
    const torch::Device torchDevice(device.value().id());
    auto loaded = loadModelFile(args.model, torchDevice);
    if (!loaded) {
        return fail(loaded.error());
    }
    torch::Tensor output;
    try {
        torch::NoGradGuard noGrad;
        output = loaded.value().forward(input.value().to(torchDevice));
    } catch (const std::exception &error) {
        return fail(base::makeError(base::ErrorCode::InvalidInput,
                                    "The model failed on the input: " + torchErrorText(error) + ".",
                                    args.model.filename().string()),
                    ExitCode::TrainingFailed);
    }
    if (auto written = writeOutput(args.output, output); !written) {
        return fail(written.error(), ExitCode::RunDirNotWritable);
    }
    return toInt(ExitCode::Success);
}

int runInspectModel(const InspectModelArgs &args)
{
    auto view = describeModelFile(args.model);
    if (!view) {
        return fail(view.error());
    }
    if (!args.view.empty()) {
        std::ofstream out(args.view, std::ios::binary | std::ios::trunc);
        if (!view.value().SerializeToOstream(&out) || !out.flush()) {
            return fail(base::makeError(base::ErrorCode::Io, "The graph file cannot be written.",
                                        args.view.string()),
                        ExitCode::RunDirNotWritable);
        }
    }
    std::fputs(model::viewGraphSummaryJson(view.value()).c_str(), stdout);
    std::fputs("\n", stdout);
    return toInt(ExitCode::Success);
}

int runExportOnnx(const ExportOnnxArgs &args)
{
    auto spec = proto::readExperimentSpec(args.spec);
    if (!spec) {
        return fail(spec.error());
    }
    auto analysis = model::analyzeGraph(spec.value().model());
    if (!analysis) {
        return fail(analysis.error());
    }
    torch::manual_seed(spec.value().train().seed());
    auto module = buildGraphModule(spec.value().model(), analysis.value());
    if (!module) {
        return fail(module.error());
    }
    if (!args.checkpoint.empty()) {
        if (auto loaded = loadCheckpoint(args.checkpoint, *module.value(), nullptr); !loaded) {
            return fail(loaded.error());
        }
    }
    const auto parameters = collectParameters(*module.value(), analysis.value());
    auto bytes = model::exportOnnx(
        spec.value().model(), analysis.value(),
        [&](const std::string &node, const std::string &param) -> const model::ParameterData * {
            auto it = parameters.find({node, param});
            return it == parameters.end() ? nullptr : &it->second;
        });
    if (!bytes) {
        return fail(bytes.error());
    }
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out.write(bytes.value().data(), static_cast<std::streamsize>(bytes.value().size()));
    if (!out.flush()) {
        return fail(base::makeError(base::ErrorCode::Io, "The ONNX file cannot be written.",
                                    args.output.string()),
                    ExitCode::RunDirNotWritable);
    }
    return toInt(ExitCode::Success);
}

} // namespace tl::runners
