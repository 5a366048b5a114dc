// Fuzz target: the ONNX importer must never crash, hang or over-allocate, whatever the bytes
// (issue #5); a refusal names the file; what it accepts describes into a ViewGraph that survives
// a protobuf round trip (proto3 strings must be UTF-8) and whose JSON summary is UTF-8.
#include "model/onnx_model.h"
#include "model/view_graph.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool condition)
{
    if (!condition) {
        std::abort();
    }
}

void checkView(const tl::model::OnnxModel &model)
{
    const tl::proto::ViewGraph view = tl::model::describeOnnxModel(model);
    require(view.format() == "onnx");
    require(view.nodes_size() == model.proto().graph().node_size());
    require(view.parameter_count() >= 0);
    std::string wire;
    require(view.SerializeToString(&wire));
    tl::proto::ViewGraph back;
    require(back.ParseFromString(wire));
    const std::string json = tl::model::viewGraphSummaryJson(view);
    require(tl::model::validUtf8(json) == json);
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto model = tl::model::parseOnnxModel(bytes, "fuzz.onnx");
    if (!model) {
        require(!model.error().message.empty());
        require(model.error().context.rfind("fuzz.onnx", 0) == 0);
        return 0;
    }
    require(!model.value().isNull());
    checkView(model.value());
    return 0;
}
