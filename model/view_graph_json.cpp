// viewGraphSummaryJson(): the summary `inspect-model` prints, written by hand (the model module
// takes no JSON library) in the layout Python's json.dumps(indent=2) gives, except that shapes
// stay on one line.
#include "model/view_graph.h"

#include <cstdio>
#include <map>

namespace tl::model {
namespace {

std::string quoted(std::string_view raw)
{
    const std::string text = validUtf8(raw);
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(byte));
            out += escape;
        } else {
            out += c; // UTF-8 passes through
        }
    }
    return out + "\"";
}

std::string indent(int level)
{
    return std::string(static_cast<std::size_t>(level) * 2, ' ');
}

// `items` already rendered, one per line at `level` + 1, or "[]".
std::string block(const std::vector<std::string> &items, int level, char open, char close)
{
    if (items.empty()) {
        return std::string{open, close};
    }
    std::string out(1, open);
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += '\n';
        out += indent(level + 1);
        out += items[i];
        out += i + 1 < items.size() ? "," : "";
    }
    out += '\n';
    out += indent(level);
    return out + close;
}

std::string shapeJson(const proto::TensorInfo &info)
{
    if (!info.shape_known()) {
        return "null";
    }
    std::string out = "[";
    for (int i = 0; i < info.dims_size(); ++i) {
        out += i == 0 ? "" : ", ";
        if (info.dims(i) >= 0) {
            out += std::to_string(info.dims(i));
        } else if (i < info.dim_names_size() && !info.dim_names(i).empty()) {
            out += quoted(info.dim_names(i));
        } else {
            out += "null";
        }
    }
    return out + "]";
}

std::string tensorsJson(const google::protobuf::RepeatedPtrField<proto::TensorInfo> &tensors,
                        int level)
{
    std::vector<std::string> items;
    for (const proto::TensorInfo &info : tensors) {
        items.push_back(block({"\"name\": " + quoted(info.name()), "\"shape\": " + shapeJson(info),
                               "\"dtype\": " + quoted(info.dtype())},
                              level + 1, '{', '}'));
    }
    return block(items, level, '[', ']');
}

std::string stringsJson(const google::protobuf::RepeatedPtrField<std::string> &strings, int level)
{
    std::vector<std::string> items;
    for (const std::string &text : strings) {
        items.push_back(quoted(text));
    }
    return block(items, level, '[', ']');
}

std::string opsJson(const proto::ViewGraph &view, int level)
{
    std::map<std::string, int> counts;
    for (const proto::ViewNode &node : view.nodes()) {
        ++counts[node.domain().empty() ? node.op() : node.domain() + "." + node.op()];
    }
    std::vector<std::string> items;
    items.reserve(counts.size());
    for (const auto &[op, count] : counts) {
        items.push_back(quoted(op) + ": " + std::to_string(count));
    }
    return block(items, level, '{', '}');
}

} // namespace

std::string viewGraphSummaryJson(const proto::ViewGraph &view)
{
    const std::vector<std::string> fields{
        "\"name\": " + quoted(view.name()),
        "\"format\": " + quoted(view.format()),
        "\"producer\": " + quoted(view.producer()),
        "\"opset\": " + std::to_string(view.opset()),
        "\"inputs\": " + tensorsJson(view.inputs(), 1),
        "\"outputs\": " + tensorsJson(view.outputs(), 1),
        "\"nodes\": " + std::to_string(view.nodes_size()),
        "\"ops\": " + opsJson(view, 1),
        "\"parameters\": " + std::to_string(view.parameter_count()),
        "\"blocking_ops\": " + stringsJson(view.blocking_ops(), 1),
        std::string("\"trainable\": ") + (view.blocking_ops().empty() ? "true" : "false"),
        "\"warnings\": " + stringsJson(view.warnings(), 1),
    };
    return block(fields, 0, '{', '}') + "\n";
}

} // namespace tl::model
