#include "model/onnx_model.h"

#include "model/onnx_detail.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <climits>
#include <fstream>

namespace tl::model {
namespace {

using namespace onnxdetail;

// protobuf reads one message of at most INT_MAX bytes.
constexpr std::uintmax_t kMaxModelBytes = INT_MAX;
// Reading in chunks lets a cancel stop a large read within ~100 ms.
constexpr std::size_t kReadChunk = 8u << 20;

base::Error tooLarge(const std::string &fileName, std::uintmax_t size)
{
    return fileError(fileName, fileName + " is " + std::to_string(size)
                                   + " bytes; an ONNX model file must be smaller than 2 GiB "
                                     "(protobuf's limit), larger models keep their weights in "
                                     "external data, which Torchlight cannot read yet.");
}

base::Error parseError(std::string_view bytes, const std::string &fileName)
{
    const std::string message = fileName + " is not an ONNX model (protobuf parse failed)";
    auto wire = findWireError(bytes);
    if (!wire) {
        return fileError(fileName, message + ".");
    }
    return base::makeError(base::ErrorCode::InvalidInput, message + ": " + wire->what + ".",
                           fileName + ", byte " + std::to_string(wire->offset));
}

// Fills value_info where libonnx can infer shapes; a failure only costs edge labels, so it is a
// warning.
std::vector<std::string> inferShapes(onnx::ModelProto &model)
{
    // error_mode 0: a node whose shapes cannot be inferred is skipped, not fatal.
    const onnx::ShapeInferenceOptions options(false, 0, true);
    try {
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &error) {
        return {"Shape inference failed, so some tensor shapes are unknown: "
                + oneLine(error.what())};
    }
    return {};
}

base::Result<OnnxModel> validate(std::shared_ptr<onnx::ModelProto> model,
                                 const std::string &fileName,
                                 const std::stop_token &stop)
{
    if (auto status = checkHeader(*model, fileName); !status) {
        return status.error();
    }
    if (auto status = sortGraph(*model->mutable_graph(), fileName, stop); !status) {
        return status.error();
    }
    if (auto status = checkTensors(model->graph(), fileName, stop); !status) {
        return status.error();
    }
    if (stop.stop_requested()) {
        return cancelledError(fileName);
    }
    if (auto status = runChecker(*model, fileName); !status) {
        return status.error();
    }
    if (stop.stop_requested()) {
        return cancelledError(fileName);
    }
    std::vector<std::string> warnings = inferShapes(*model);
    return OnnxModel(std::move(model), fileName, std::move(warnings));
}

std::vector<std::string> buildRunnableOps()
{
    std::vector<std::string> ops{
        "Abs",
        "Add",
        "And",
        "ArgMax",
        "AveragePool",
        "BatchNormalization",
        "Cast",
        "Ceil",
        "Clip",
        "Concat",
        "Constant",
        "ConstantOfShape",
        "Conv",
        "Cos",
        "Div",
        "Dropout",
        "Elu",
        "Equal",
        "Erf",
        "Exp",
        "Expand",
        "Flatten",
        "Floor",
        "Gather",
        "Gelu",
        "Gemm",
        "GlobalAveragePool",
        "Greater",
        "HardSigmoid",
        "HardSwish",
        "Identity",
        "LayerNormalization",
        "LeakyRelu",
        "Less",
        "Log",
        "LogSoftmax",
        "MatMul",
        "Max",
        "MaxPool",
        "Min",
        "Mul",
        "Neg",
        "Not",
        "Or",
        "Pad",
        "Pow",
        "Range",
        "Reciprocal",
        "ReduceMax",
        "ReduceMean",
        "ReduceSum",
        "Relu",
        "Reshape",
        "Shape",
        "Sigmoid",
        "Sin",
        "Slice",
        "Softmax",
        "Softplus",
        "Split",
        "Sqrt",
        "Squeeze",
        "Sub",
        "Sum",
        "Tanh",
        "Tile",
        "Transpose",
        "Unsqueeze",
        "Where",
    };
    std::sort(ops.begin(), ops.end());
    return ops;
}

} // namespace

OnnxModel::OnnxModel(std::shared_ptr<const onnx::ModelProto> proto,
                     std::string fileName,
                     std::vector<std::string> warnings)
    : m_proto(std::move(proto))
    , m_fileName(std::move(fileName))
    , m_warnings(std::move(warnings))
{}

base::Result<OnnxModel> readOnnxModel(const std::filesystem::path &file, std::stop_token stop)
{
    const std::string fileName = file.filename().string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) {
        const bool missing = !std::filesystem::exists(file);
        return base::makeError(missing ? base::ErrorCode::NotFound : base::ErrorCode::Io,
                               "Cannot open " + fileName + ": " + ec.message() + ".",
                               file.string());
    }
    if (size > kMaxModelBytes) {
        return tooLarge(fileName, size);
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    std::size_t done = 0;
    while (in && done < bytes.size()) {
        if (stop.stop_requested()) {
            return cancelledError(fileName);
        }
        const std::size_t chunk = std::min(kReadChunk, bytes.size() - done);
        in.read(bytes.data() + done, static_cast<std::streamsize>(chunk));
        done += static_cast<std::size_t>(in.gcount());
    }
    if (!in.is_open() || (done < bytes.size() && in.bad())) {
        return base::makeError(base::ErrorCode::Io, "Cannot read " + fileName + ".", file.string());
    }
    bytes.resize(done); // the file shrank while we read it: parse what is there
    return parseOnnxModel(bytes, fileName, stop);
}

base::Result<OnnxModel>
parseOnnxModel(std::string_view bytes, const std::string &fileName, std::stop_token stop)
{
    if (bytes.size() > kMaxModelBytes) {
        return tooLarge(fileName, bytes.size());
    }
    if (stop.stop_requested()) {
        return cancelledError(fileName);
    }
    auto model = std::make_shared<onnx::ModelProto>();
    if (!model->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return parseError(bytes, fileName);
    }
    return validate(std::move(model), fileName, stop);
}

const std::vector<std::string> &runnableOnnxOps()
{
    static const std::vector<std::string> ops = buildRunnableOps();
    return ops;
}

bool isRunnableOnnxOp(std::string_view domain, std::string_view op)
{
    const auto &ops = runnableOnnxOps();
    return isDefaultDomain(domain) && std::binary_search(ops.begin(), ops.end(), op);
}

} // namespace tl::model
