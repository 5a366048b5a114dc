#pragma once
// ONNX model files (DESIGN.md, model/): reading and validating them with libonnx, describing
// them for the graph view, and the list of ONNX ops the worker can run. Pure functions over
// immutable data; any thread. Errors name the file, the node or the tensor and what was expected.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace onnx {
class ModelProto;
}

namespace tl::model {

// A parsed and validated ONNX model: the libonnx checker passed, the graph is acyclic and
// topologically sorted, every initializer's data matches its shape, the opset is one libonnx
// knows, and shape inference has filled value_info where it could. Cheap to copy (shared).
class OnnxModel
{
public:
    OnnxModel() = default;
    explicit OnnxModel(std::shared_ptr<const onnx::ModelProto> proto,
                       std::string fileName,
                       std::vector<std::string> warnings = {});

    const onnx::ModelProto &proto() const { return *m_proto; }
    bool isNull() const { return !m_proto; }
    // The file's name as errors cite it ("lenet.onnx").
    const std::string &fileName() const { return m_fileName; }
    // What the import noticed but let pass ("Shape inference failed, ..."); describeOnnxModel()
    // copies them into ViewGraph.warnings.
    const std::vector<std::string> &warnings() const { return m_warnings; }

private:
    std::shared_ptr<const onnx::ModelProto> m_proto;
    std::string m_fileName;
    std::vector<std::string> m_warnings;
};

// Reads, parses and validates an ONNX file (see OnnxModel). Refuses files larger than 2 GiB
// (protobuf's limit) and tensors whose data lives in external files (not read yet).
base::Result<OnnxModel> readOnnxModel(const std::filesystem::path &file, std::stop_token stop = {});
// The same over bytes in memory; `fileName` is what errors cite. Both check `stop` between
// stages (the protobuf parse itself cannot be interrupted) and return ErrorCode::Cancelled.
base::Result<OnnxModel>
parseOnnxModel(std::string_view bytes, const std::string &fileName, std::stop_token stop = {});

// The model as the graph view and `inspect-model` show it: every node with its attributes,
// initializers folded into the nodes that read them, inputs, outputs and inferred shapes, opset,
// and the ops the worker cannot run (ViewGraph.blocking_ops).
proto::ViewGraph describeOnnxModel(const OnnxModel &model);

// ONNX ops (default domain) the worker runs: the one list both the importer's blocking_ops and
// runners' executor use (a test checks the executor implements each).
const std::vector<std::string> &runnableOnnxOps();
bool isRunnableOnnxOp(std::string_view domain, std::string_view op);

} // namespace tl::model
