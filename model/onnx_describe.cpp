// describeOnnxModel(): an imported ONNX model in the display form every viewer shares.
#include "model/onnx_detail.h"
#include "model/onnx_model.h"
#include "model/view_graph.h"

#include <cstdio>
#include <filesystem>
#include <set>
#include <unordered_map>

namespace tl::model {
namespace {

using namespace onnxdetail;
using Initializers = std::unordered_map<std::string, const onnx::TensorProto *>;

// Lists and strings longer than this are cut in attribute texts: the view shows a summary,
// never megabytes.
constexpr int kMaxListItems = 16;
constexpr std::size_t kMaxStringBytes = 200;

std::string floatText(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

std::string clipped(const std::string &text)
{
    if (text.size() <= kMaxStringBytes) {
        return validUtf8(text);
    }
    return validUtf8(std::string_view(text).substr(0, kMaxStringBytes)) + "…";
}

template<typename List, typename Text>
std::string listText(const List &list, Text text)
{
    std::string result = "[";
    const int shown = std::min(list.size(), kMaxListItems);
    for (int i = 0; i < shown; ++i) {
        result += (i == 0 ? "" : ", ") + text(list[i]);
    }
    if (shown < list.size()) {
        result += ", … (" + std::to_string(list.size()) + " values)";
    }
    return result + "]";
}

std::string tensorText(const onnx::TensorProto &tensor, const char *kind = "tensor")
{
    return std::string(kind) + " " + dtypeName(tensor.data_type()) + " " + dimsText(tensor.dims());
}

onnx::AttributeProto::AttributeType attributeType(const onnx::AttributeProto &attr)
{
    if (attr.type() != onnx::AttributeProto::UNDEFINED) {
        return attr.type();
    }
    // Old exporters leave `type` unset; the field that holds a value says it.
    if (attr.ints_size() > 0) {
        return onnx::AttributeProto::INTS;
    }
    if (attr.floats_size() > 0) {
        return onnx::AttributeProto::FLOATS;
    }
    if (attr.strings_size() > 0) {
        return onnx::AttributeProto::STRINGS;
    }
    if (attr.has_f()) {
        return onnx::AttributeProto::FLOAT;
    }
    if (attr.has_s()) {
        return onnx::AttributeProto::STRING;
    }
    if (attr.has_t()) {
        return onnx::AttributeProto::TENSOR;
    }
    if (attr.has_g()) {
        return onnx::AttributeProto::GRAPH;
    }
    return onnx::AttributeProto::INT;
}

std::string attributeText(const onnx::AttributeProto &attr)
{
    if (!attr.ref_attr_name().empty()) {
        std::string text = "@"; // not "@" + ...: GCC 12 warns falsely (-Wrestrict)
        return text + clipped(attr.ref_attr_name());
    }
    switch (attributeType(attr)) {
    case onnx::AttributeProto::FLOAT:
        return floatText(attr.f());
    case onnx::AttributeProto::INT:
        return std::to_string(attr.i());
    case onnx::AttributeProto::STRING:
        return clipped(attr.s());
    case onnx::AttributeProto::TENSOR:
        return tensorText(attr.t());
    case onnx::AttributeProto::GRAPH:
        return "subgraph (" + std::to_string(attr.g().node_size()) + " nodes)";
    case onnx::AttributeProto::SPARSE_TENSOR:
        return "sparse tensor " + dimsText(attr.sparse_tensor().dims());
    case onnx::AttributeProto::TYPE_PROTO:
        return "type";
    case onnx::AttributeProto::FLOATS:
        return listText(attr.floats(), [](float value) { return floatText(value); });
    case onnx::AttributeProto::INTS:
        return listText(attr.ints(), [](std::int64_t value) { return std::to_string(value); });
    case onnx::AttributeProto::STRINGS:
        return listText(attr.strings(), [](const std::string &value) { return clipped(value); });
    case onnx::AttributeProto::TENSORS:
        return std::to_string(attr.tensors_size()) + " tensors";
    case onnx::AttributeProto::GRAPHS:
        return std::to_string(attr.graphs_size()) + " subgraphs";
    case onnx::AttributeProto::SPARSE_TENSORS:
        return std::to_string(attr.sparse_tensors_size()) + " sparse tensors";
    case onnx::AttributeProto::TYPE_PROTOS:
        return std::to_string(attr.type_protos_size()) + " types";
    default:
        return "?";
    }
}

void setShape(proto::TensorInfo &info, const onnx::TensorShapeProto &shape)
{
    info.set_shape_known(true);
    bool named = false;
    for (const auto &dim : shape.dim()) {
        named = named || !dim.dim_param().empty();
    }
    for (const auto &dim : shape.dim()) {
        const bool known = dim.has_dim_value() && dim.dim_value() >= 0;
        info.add_dims(known ? dim.dim_value() : -1);
        if (named) {
            info.add_dim_names(known ? "" : validUtf8(dim.dim_param()));
        }
    }
}

proto::TensorInfo valueInfo(const onnx::ValueInfoProto &value)
{
    proto::TensorInfo info;
    info.set_name(validUtf8(value.name()));
    const onnx::TypeProto &type = value.type();
    switch (type.value_case()) {
    case onnx::TypeProto::kTensorType:
        info.set_dtype(dtypeName(type.tensor_type().elem_type()));
        if (type.tensor_type().has_shape()) {
            setShape(info, type.tensor_type().shape());
        }
        break;
    case onnx::TypeProto::kSparseTensorType:
        info.set_dtype("sparse " + dtypeName(type.sparse_tensor_type().elem_type()));
        if (type.sparse_tensor_type().has_shape()) {
            setShape(info, type.sparse_tensor_type().shape());
        }
        break;
    case onnx::TypeProto::kSequenceType:
        info.set_dtype("sequence");
        break;
    case onnx::TypeProto::kMapType:
        info.set_dtype("map");
        break;
    case onnx::TypeProto::kOptionalType:
        info.set_dtype("optional");
        break;
    default:
        info.set_dtype("unknown");
        break;
    }
    return info;
}

proto::TensorInfo initializerInfo(const onnx::TensorProto &tensor)
{
    proto::TensorInfo info;
    info.set_name(validUtf8(tensor.name()));
    info.set_dtype(dtypeName(tensor.data_type()));
    info.set_shape_known(true);
    for (std::int64_t dim : tensor.dims()) {
        info.add_dims(dim);
    }
    return info;
}

proto::ViewNode describeNode(const onnx::NodeProto &node, int index, const Initializers &inits)
{
    proto::ViewNode view;
    const std::string name = validUtf8(nodeDisplayName(node, index));
    view.set_name(name);
    view.set_op(validUtf8(node.op_type()));
    view.set_domain(isDefaultDomain(node.domain()) ? "" : validUtf8(node.domain()));
    std::set<std::string> folded;
    for (const std::string &input : node.input()) {
        if (input.empty()) {
            continue; // an optional input left out
        }
        view.add_inputs(validUtf8(input));
        auto init = inits.find(input);
        if (init != inits.end() && folded.insert(input).second) {
            *view.add_parameters() = initializerInfo(*init->second);
        }
    }
    for (const std::string &output : node.output()) {
        if (!output.empty()) {
            view.add_outputs(validUtf8(output));
        }
    }
    for (const onnx::AttributeProto &attr : node.attribute()) {
        proto::ViewAttr *viewAttr = view.add_attrs();
        viewAttr->set_name(validUtf8(attr.name()));
        viewAttr->set_text(attributeText(attr));
    }
    for (std::string &part : scopeOfNodeName(name)) {
        view.add_scope(std::move(part));
    }
    return view;
}

std::int64_t floatParameterCount(const onnx::GraphProto &graph)
{
    std::int64_t total = 0;
    for (const onnx::TensorProto &init : graph.initializer()) {
        auto count = elementCount(init);
        if (isFloatingType(init.data_type()) && count) {
            total = *count > INT64_MAX - total ? INT64_MAX : total + *count;
        }
    }
    return total;
}

void describeInterface(const onnx::GraphProto &graph,
                       const Initializers &inits,
                       proto::ViewGraph &view)
{
    for (const onnx::ValueInfoProto &input : graph.input()) {
        if (!inits.contains(input.name())) { // old exporters list initializers as inputs
            *view.add_inputs() = valueInfo(input);
        }
    }
    for (const onnx::ValueInfoProto &output : graph.output()) {
        *view.add_outputs() = valueInfo(output);
    }
    for (const onnx::ValueInfoProto &value : graph.value_info()) {
        *view.add_values() = valueInfo(value);
    }
}

void describeHeader(const OnnxModel &model, proto::ViewGraph &view)
{
    const onnx::ModelProto &proto = model.proto();
    const std::string &graphName = proto.graph().name();
    view.set_name(validUtf8(
        !graphName.empty() ? graphName : std::filesystem::path(model.fileName()).stem().string()));
    view.set_format("onnx");
    std::string producer = proto.producer_name();
    if (!proto.producer_version().empty()) {
        producer += (producer.empty() ? "" : " ") + proto.producer_version();
    }
    view.set_producer(clipped(producer));
    for (const auto &opset : proto.opset_import()) {
        if (isDefaultDomain(opset.domain())) {
            view.set_opset(opset.version());
        }
    }
    view.set_ir_version(proto.ir_version());
}

} // namespace

proto::ViewGraph describeOnnxModel(const OnnxModel &model)
{
    proto::ViewGraph view;
    if (model.isNull()) {
        view.set_format("onnx");
        return view;
    }
    describeHeader(model, view);
    const onnx::GraphProto &graph = model.proto().graph();
    Initializers inits;
    for (const onnx::TensorProto &init : graph.initializer()) {
        inits.emplace(init.name(), &init);
    }
    describeInterface(graph, inits, view);
    std::set<std::string> blocking;
    for (int i = 0; i < graph.node_size(); ++i) {
        const onnx::NodeProto &node = graph.node(i);
        *view.add_nodes() = describeNode(node, i, inits);
        if (!isRunnableOnnxOp(node.domain(), node.op_type())) {
            const std::string domain = isDefaultDomain(node.domain()) ? "" : node.domain() + ".";
            blocking.insert(validUtf8(domain + node.op_type()));
        }
    }
    view.set_parameter_count(floatParameterCount(graph));
    for (const std::string &op : blocking) {
        view.add_blocking_ops(op);
    }
    for (const std::string &warning : model.warnings()) {
        view.add_warnings(validUtf8(warning));
    }
    return view;
}

} // namespace tl::model
