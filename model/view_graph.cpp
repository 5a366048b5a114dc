#include "model/view_graph.h"

#include "model/onnx_export.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace tl::model {
namespace {

proto::TensorInfo batchTensor(const std::string &name, const Shape &shape)
{
    proto::TensorInfo info;
    info.set_name(validUtf8(name));
    info.set_dtype("float32");
    info.set_shape_known(true);
    info.add_dims(-1);
    info.add_dim_names("batch");
    for (std::int64_t dim : shape) {
        info.add_dims(dim);
    }
    return info;
}

std::string attrValueText(const proto::AttrValue &value)
{
    switch (value.value_case()) {
    case proto::AttrValue::kI:
        return std::to_string(value.i());
    case proto::AttrValue::kF: {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", value.f());
        return buffer;
    }
    case proto::AttrValue::kS:
        return validUtf8(value.s());
    case proto::AttrValue::kInts: {
        std::string text = "[";
        for (int i = 0; i < value.ints().values_size(); ++i) {
            text += (i == 0 ? "" : ", ") + std::to_string(value.ints().values(i));
        }
        return text + "]";
    }
    case proto::AttrValue::VALUE_NOT_SET:
        break;
    }
    return "";
}

void addAttrs(const proto::Node &node, proto::ViewNode &view)
{
    std::vector<std::string> names; // sorted: a map's order is unspecified
    for (const auto &[key, value] : node.attrs()) {
        names.push_back(key);
    }
    std::sort(names.begin(), names.end());
    for (const std::string &name : names) {
        proto::ViewAttr *attr = view.add_attrs();
        attr->set_name(validUtf8(name));
        attr->set_text(attrValueText(node.attrs().at(name)));
    }
}

proto::ViewNode describeNode(const proto::Node &node, const Shape &input)
{
    proto::ViewNode view;
    view.set_name(validUtf8(node.name()));
    view.set_op(validUtf8(node.op()));
    for (const std::string &name : node.inputs()) {
        view.add_inputs(validUtf8(name));
    }
    for (const ParameterSpec &param : nodeParameters(node, input)) {
        proto::TensorInfo *info = view.add_parameters();
        info->set_name(validUtf8(node.name() + "." + param.name));
        info->set_dtype("float32");
        info->set_shape_known(true);
        for (std::int64_t dim : param.shape) {
            info->add_dims(dim);
        }
        view.add_inputs(info->name());
    }
    view.add_outputs(validUtf8(node.name()));
    addAttrs(node, view);
    for (std::string &part : scopeOfNodeName(view.name())) {
        view.add_scope(std::move(part));
    }
    return view;
}

// Length of the UTF-8 sequence starting at text[pos], or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8Length(std::string_view text, std::size_t pos)
{
    const auto byte = [&](std::size_t i) {
        return static_cast<unsigned char>(text[pos + i]);
    };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;
        high = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;
        high = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (text.size() - pos < length) {
        return 0;
    }
    if (byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) {
            return 0;
        }
    }
    return length;
}

} // namespace

proto::ViewGraph describeModelGraph(const proto::ModelGraph &graph, const GraphAnalysis &analysis)
{
    proto::ViewGraph view;
    view.set_name(validUtf8(graph.name()));
    view.set_format("torchlight");
    view.set_producer("torchlight");
    std::unordered_map<std::string, const proto::Node *> byName;
    for (const proto::Node &node : graph.nodes()) {
        byName.emplace(node.name(), &node);
    }
    for (const NodeAnalysis &analysed : analysis.nodes) {
        auto found = byName.find(analysed.name);
        if (found == byName.end()) {
            continue; // an analysis of another graph: show what matches
        }
        const proto::Node &node = *found->second;
        if (node.op() == "Input") {
            *view.add_inputs() = batchTensor(node.name(), analysed.outputShape);
            continue;
        }
        const NodeAnalysis *input =
            analysed.inputs.empty() ? nullptr : analysis.node(analysed.inputs.front());
        *view.add_nodes() = describeNode(node, input ? input->outputShape : Shape{});
        *view.add_values() = batchTensor(node.name(), analysed.outputShape);
    }
    if (!analysis.output.empty()) {
        *view.add_outputs() = batchTensor(analysis.output, analysis.outputShape);
    }
    view.set_parameter_count(analysis.parameters);
    return view;
}

std::vector<std::string> scopeOfNodeName(std::string_view name)
{
    std::vector<std::string> parts;
    if (name.find('/') == std::string_view::npos) {
        return parts;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos) {
            end = name.size();
        }
        if (end > start) {
            parts.emplace_back(name.substr(start, end - start));
        }
        start = end + 1;
    }
    if (!parts.empty()) {
        parts.pop_back(); // the op's own name
    }
    return parts;
}

std::string validUtf8(std::string_view text)
{
    std::string result;
    result.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t length = utf8Length(text, pos);
        if (length == 0) {
            result += "\xef\xbf\xbd"; // U+FFFD REPLACEMENT CHARACTER
            ++pos;
            continue;
        }
        result.append(text.substr(pos, length));
        pos += length;
    }
    return result;
}

} // namespace tl::model
