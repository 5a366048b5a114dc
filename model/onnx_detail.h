#pragma once
// Internal to tl_model: what the ONNX importer's files share: tensor type facts, how a node is
// named in errors and views, the error wording, and the structural checks that run before
// libonnx's checker. Pure functions; any thread. Includes libonnx, so it stays out of public
// headers.

#include "base/result.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace tl::model::onnxdetail {

// "float32", "int64", ... for a TensorProto::DataType value; "undefined" for 0 and unknown ones.
std::string dtypeName(std::int32_t dataType);
// Bytes of one element in raw_data; 0 for strings, undefined and unknown types.
std::int64_t elementBytes(std::int32_t dataType);
bool isFloatingType(std::int32_t dataType);

// Product of a tensor's dims, or nullopt when one is negative or the product overflows int64.
std::optional<std::int64_t> elementCount(const onnx::TensorProto &tensor);

// "[6, 1, 5, 5]"
std::string dimsText(const google::protobuf::RepeatedField<std::int64_t> &dims);

// The node's name, or "<op>_<index>" for an unnamed one (index: position in its graph).
std::string nodeDisplayName(const onnx::NodeProto &node, int index);

// Whether `domain` names ONNX's default operator set ("" or "ai.onnx").
bool isDefaultDomain(std::string_view domain);

// InvalidInput errors with context "<file>" and "<file>, node '<name>'".
base::Error fileError(const std::string &fileName, std::string message);
base::Error nodeFault(const std::string &fileName, const std::string &node, std::string message);
base::Error cancelledError(const std::string &fileName);

// libonnx's exception text on one line, without the "==> Context:" tail it appends.
std::string oneLine(std::string_view text);

// Where protobuf's wire format breaks at the top level of `bytes`: a sentence fragment and
// the byte offset of the field that cannot be read, or nullopt when the top level is intact.
struct WireError
{
    std::size_t offset = 0;
    std::string what;
};
std::optional<WireError> findWireError(std::string_view bytes);

// ir_version, the graph, and every imported opset against what libonnx knows.
base::Status checkHeader(const onnx::ModelProto &model, const std::string &fileName);
// Every tensor input of every node is produced somewhere, and the nodes form no cycle; sorts
// the nodes topologically (keeping the file's order where it already was one).
base::Status
sortGraph(onnx::GraphProto &graph, const std::string &fileName, const std::stop_token &stop);
// Every initializer and attribute tensor holds exactly the data its dims and type need and
// keeps it inside the file.
base::Status checkTensors(const onnx::GraphProto &graph,
                          const std::string &fileName,
                          const std::stop_token &stop);
// libonnx's checker, its verdict worded as our error naming the node.
base::Status runChecker(const onnx::ModelProto &model, const std::string &fileName);

} // namespace tl::model::onnxdetail
