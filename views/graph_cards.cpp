#include "views/graph_cards.h"

#include <QFontMetricsF>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <utility>

namespace tl::views {
namespace {

constexpr int kMaxKeyAttributes = 2;
constexpr int kMaxFoldedParameters = 4; // BatchNorm: weight, bias, mean, var
constexpr int kMaxGroupOps = 3;

std::string lowered(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool isOneOf(const std::string &op, std::initializer_list<std::string_view> names)
{
    return std::find(names.begin(), names.end(), op) != names.end();
}

// Attributes worth a line on the card, most telling first (ONNX names, then Torchlight's).
constexpr std::array<std::string_view, 20> kKeyAttributes = {
    "kernel_shape", "strides",     "pads",   "dilations", "group", "axis",
    "axes",         "perm",        "to",     "alpha",     "ratio", "out_features",
    "out_channels", "kernel_size", "stride", "padding",   "p",     "output_size",
    "shape",        "mode"};

QString qt(const std::string &text)
{
    return QString::fromStdString(text);
}

// "weight" -> "W", "bias" -> "B", "conv1.running_mean" -> "mean"; ONNX's anonymous
// initializers ("onnx::Conv_12") are named by position: weight first, then bias.
QString parameterLabel(const std::string &name, int position)
{
    const std::size_t cut = name.find_last_of(".:/");
    const std::string last = cut == std::string::npos ? name : name.substr(cut + 1);
    if (last == "weight") {
        return QStringLiteral("W");
    }
    if (last == "bias") {
        return QStringLiteral("B");
    }
    if (last.rfind("running_", 0) == 0) {
        return qt(last.substr(8));
    }
    if (name.find("::") != std::string::npos || last.empty()) {
        return position == 0 ? QStringLiteral("W") : QStringLiteral("B");
    }
    return qt(last.size() > 8 ? last.substr(0, 8) : last);
}

QString foldedParameters(const proto::ViewNode &node)
{
    QStringList parts;
    for (int i = 0; i < node.parameters_size() && i < kMaxFoldedParameters; ++i) {
        const proto::TensorInfo &p = node.parameters(i);
        const QString shape = shapeText(p);
        parts << (parameterLabel(p.name(), i) + QLatin1Char(' ')
                  + (shape.isEmpty() ? QStringLiteral("?") : shape));
    }
    if (node.parameters_size() > kMaxFoldedParameters) {
        parts << QStringLiteral("+%1").arg(node.parameters_size() - kMaxFoldedParameters);
    }
    return parts.join(QStringLiteral(", "));
}

QStringList keyAttributes(const proto::ViewNode &node)
{
    QStringList lines;
    for (std::string_view key : kKeyAttributes) {
        for (const proto::ViewAttr &attr : node.attrs()) {
            if (attr.name() == key && lines.size() < kMaxKeyAttributes) {
                lines << (qt(attr.name()) + QStringLiteral(" ") + qt(attr.text()));
            }
        }
    }
    return lines;
}

} // namespace

OpFamily opFamily(std::string_view op)
{
    const std::string name = lowered(op);
    if (isOneOf(name, {"conv", "convtranspose", "gemm", "matmul", "linear", "conv2d", "conv1d",
                       "conv3d", "qlinearconv", "qlinearmatmul", "convinteger", "matmulinteger",
                       "einsum", "attention", "multiheadattention"})) {
        return OpFamily::Compute;
    }
    if (name.find("norm") != std::string::npos || name == "lrn") {
        return OpFamily::Norm;
    }
    if (name.find("pool") != std::string::npos) {
        return OpFamily::Pooling;
    }
    if (isOneOf(name, {"relu",
                       "leakyrelu",
                       "prelu",
                       "sigmoid",
                       "tanh",
                       "gelu",
                       "softmax",
                       "logsoftmax",
                       "elu",
                       "selu",
                       "celu",
                       "hardswish",
                       "hardsigmoid",
                       "clip",
                       "mish",
                       "silu",
                       "softplus",
                       "softsign",
                       "thresholdedrelu",
                       "relu6",
                       "hardtanh",
                       "swish"})) {
        return OpFamily::Activation;
    }
    if (isOneOf(name, {"reshape",
                       "flatten",
                       "transpose",
                       "concat",
                       "split",
                       "slice",
                       "gather",
                       "squeeze",
                       "unsqueeze",
                       "shape",
                       "expand",
                       "tile",
                       "pad",
                       "identity",
                       "constant",
                       "cast",
                       "constantofshape",
                       "range",
                       "gathernd",
                       "scatter",
                       "scatterelements",
                       "scatternd",
                       "view",
                       "permute",
                       "size",
                       "resize",
                       "upsample",
                       "depthtospace",
                       "spacetodepth"})) {
        return OpFamily::Shape;
    }
    if (name == "input" || name == "output") {
        return OpFamily::Io;
    }
    return OpFamily::Other;
}

QColor familyColor(OpFamily family)
{
    switch (family) {
    case OpFamily::Compute:
        return QColor(0x2f, 0x6f, 0xb3);
    case OpFamily::Norm:
        return QColor(0x1f, 0x8a, 0x87);
    case OpFamily::Activation:
        return QColor(0xd9, 0x7a, 0x1e);
    case OpFamily::Pooling:
        return QColor(0x3e, 0x8e, 0x4a);
    case OpFamily::Shape:
        return QColor(0x7b, 0x85, 0x8e);
    case OpFamily::Io:
        return QColor(0x33, 0x3b, 0x44);
    case OpFamily::Group:
        return QColor(0x5c, 0x5a, 0x8f);
    case OpFamily::Other:
        break;
    }
    return QColor(0x8d, 0x6e, 0x5a);
}

CardFonts CardFonts::from(const QFont &base)
{
    // Pixel sizes: a card measured on the Graphviz lane, painted on screen and written to SVG
    // or PNG must have the same text size on every device, whatever its DPI.
    CardFonts fonts;
    fonts.title = base;
    fonts.title.setPixelSize(13);
    fonts.title.setBold(true);
    fonts.body = base;
    fonts.body.setPixelSize(12);
    fonts.edge = base;
    fonts.edge.setPixelSize(11);
    fonts.frame = base;
    fonts.frame.setPixelSize(10);
    fonts.frame.setBold(true);
    return fonts;
}

QString shapeText(const proto::TensorInfo &tensor)
{
    if (!tensor.shape_known()) {
        return {};
    }
    if (tensor.dims_size() == 0) {
        return QStringLiteral("scalar");
    }
    QStringList dims;
    for (int i = 0; i < tensor.dims_size(); ++i) {
        if (tensor.dims(i) >= 0) {
            dims << QString::number(tensor.dims(i));
        } else if (i < tensor.dim_names_size() && !tensor.dim_names(i).empty()) {
            dims << qt(tensor.dim_names(i));
        } else {
            dims << QStringLiteral("?");
        }
    }
    return dims.join(QChar(0x00D7));
}

CardContent::CardContent(std::shared_ptr<const proto::ViewGraph> graph) : m_graph(std::move(graph))
{
    for (const auto *list : {&m_graph->values(), &m_graph->inputs(), &m_graph->outputs()}) {
        for (const proto::TensorInfo &tensor : *list) {
            m_tensors[tensor.name()] = &tensor; // inputs and outputs win: they come later
        }
    }
}

const proto::TensorInfo *CardContent::tensor(const std::string &name) const
{
    const auto found = m_tensors.find(name);
    return found == m_tensors.end() ? nullptr : found->second;
}

bool CardContent::inGroup(const proto::ViewNode &node, std::string_view group)
{
    std::size_t at = 0;
    for (const std::string &part : node.scope()) {
        if (at >= group.size()) {
            return true;
        }
        if (group.compare(at, part.size(), part) != 0) {
            return false;
        }
        at += part.size();
        if (at == group.size()) {
            return true;
        }
        if (group[at] != '/') {
            return false;
        }
        ++at;
    }
    return false;
}

CardText CardContent::text(const graphviz::Box &box) const
{
    switch (box.kind) {
    case graphviz::BoxKind::Node:
        if (box.node >= 0 && box.node < m_graph->nodes_size()) {
            return nodeText(m_graph->nodes(box.node));
        }
        break;
    case graphviz::BoxKind::Group:
        return groupText(box);
    case graphviz::BoxKind::Input:
        if (box.node >= 0 && box.node < m_graph->inputs_size()) {
            return tensorText(m_graph->inputs(box.node), true);
        }
        break;
    case graphviz::BoxKind::Output:
        if (box.node >= 0 && box.node < m_graph->outputs_size()) {
            return tensorText(m_graph->outputs(box.node), false);
        }
        break;
    }
    return CardText{OpFamily::Other, QStringLiteral("?"), {}, {}};
}

CardText CardContent::nodeText(const proto::ViewNode &node) const
{
    CardText text;
    text.family = opFamily(node.op());
    text.title = qt(node.op());
    text.name = qt(node.name());
    text.details = keyAttributes(node);
    if (node.parameters_size() > 0) {
        text.details << foldedParameters(node);
    }
    if (node.outputs_size() > 0) {
        const proto::TensorInfo *out = tensor(node.outputs(0));
        const QString shape = out ? shapeText(*out) : QString();
        if (!shape.isEmpty()) {
            text.details << (QStringLiteral("→ ") + shape);
        }
    }
    return text;
}

CardText CardContent::groupText(const graphviz::Box &box) const
{
    CardText text;
    text.family = OpFamily::Group;
    text.title = QStringLiteral("▸ %1 · %2 nodes").arg(qt(box.group)).arg(box.members);
    // The ops the group holds, most frequent first: "Conv ×2, Relu ×2, Add".
    std::map<std::string, int> counts;
    for (const proto::ViewNode &node : m_graph->nodes()) {
        if (inGroup(node, box.group)) {
            ++counts[node.op()];
        }
    }
    std::vector<std::pair<std::string, int>> ops(counts.begin(), counts.end());
    std::stable_sort(ops.begin(), ops.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    QStringList parts;
    for (std::size_t i = 0; i < ops.size() && i < kMaxGroupOps; ++i) {
        parts << (ops[i].second > 1
                      ? QStringLiteral("%1 ×%2").arg(qt(ops[i].first)).arg(ops[i].second)
                      : qt(ops[i].first));
    }
    if (ops.size() > kMaxGroupOps) {
        parts << QStringLiteral("…");
    }
    if (!parts.isEmpty()) {
        text.details << parts.join(QStringLiteral(", "));
    }
    return text;
}

CardText CardContent::tensorText(const proto::TensorInfo &tensor, bool isInput) const
{
    CardText text;
    text.family = OpFamily::Io;
    text.title = qt(tensor.name());
    text.name = isInput ? QStringLiteral("input") : QStringLiteral("output");
    const QString shape = shapeText(tensor);
    const QString dtype = qt(tensor.dtype());
    const QString line = (dtype + QLatin1Char(' ') + shape).trimmed();
    if (!line.isEmpty()) {
        text.details << line;
    }
    return text;
}

graphviz::Size CardContent::size(const CardText &text, const CardFonts &fonts) const
{
    const QFontMetricsF title(fonts.title);
    const QFontMetricsF body(fonts.body);
    double width = title.horizontalAdvance(text.title);
    double height = title.height() + 2 * CardMetrics::kPadding; // the coloured header
    if (!text.name.isEmpty()) {
        width = std::max(width, body.horizontalAdvance(text.name));
        height += body.height();
    }
    for (const QString &line : text.details) {
        width = std::max(width, body.horizontalAdvance(line));
        height += body.height();
    }
    if (!text.name.isEmpty() || !text.details.isEmpty()) {
        height += CardMetrics::kPadding; // the body's top and bottom margins
    }
    width = std::clamp(width + 2 * CardMetrics::kPadding, CardMetrics::kMinWidth,
                       CardMetrics::kMaxWidth);
    if (text.family == OpFamily::Group) {
        // The stacked cards behind a group stick out right and below.
        width += CardMetrics::kStackOffset * 2;
        height += CardMetrics::kStackOffset * 2;
    }
    return {std::ceil(width), std::ceil(height)};
}

} // namespace tl::views
