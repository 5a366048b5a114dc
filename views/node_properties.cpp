#include "views/node_properties.h"

#include "base/number_text.h"
#include "views/graph_cards.h"
#include "views/graph_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace tl::views {
namespace {

QString qt(const std::string &text)
{
    return QString::fromStdString(text);
}

const proto::TensorInfo *findTensor(const proto::ViewGraph &graph, const std::string &name)
{
    for (const auto *list : {&graph.inputs(), &graph.outputs(), &graph.values()}) {
        for (const proto::TensorInfo &tensor : *list) {
            if (tensor.name() == name) {
                return &tensor;
            }
        }
    }
    return nullptr;
}

// "float32 1×6×28×28", or what is known of it.
QString typeAndShape(const proto::TensorInfo &tensor)
{
    const QString shape = shapeText(tensor);
    return (qt(tensor.dtype()) + QLatin1Char(' ') + (shape.isEmpty() ? QStringLiteral("?") : shape))
        .trimmed();
}

// "float32 6×1×5×5 · 150 elements"; the count only when every size is known.
QString parameterText(const proto::TensorInfo &tensor)
{
    QString text = typeAndShape(tensor);
    if (!tensor.shape_known()) {
        return text;
    }
    std::int64_t count = 1;
    for (std::int64_t d : tensor.dims()) {
        if (d < 0) {
            return text;
        }
        count *= d;
    }
    return text + QStringLiteral(" · ")
           + NodeProperties::tr("%1 elements").arg(qt(base::groupedDigits(count)));
}

QString scopePath(const proto::ViewNode &node)
{
    QStringList parts;
    for (const std::string &part : node.scope()) {
        parts << qt(part);
    }
    return parts.join(QLatin1Char('/'));
}

} // namespace

NodeProperties::NodeProperties(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("nodeProperties"));
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    m_title->setFont(big);
    m_subtitle->setWordWrap(true);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Property"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);
    layout->addWidget(m_tree, 1);
    clear();
}

void NodeProperties::showSelectionOf(const GraphView &view)
{
    const std::shared_ptr<const proto::ViewGraph> graph = view.graph();
    const int selected = view.selectedBox();
    if (!graph) {
        clear();
        return;
    }
    if (selected < 0) {
        showGraph(*graph);
        return;
    }
    const graphviz::Box &box = view.layout().boxes[static_cast<std::size_t>(selected)];
    switch (box.kind) {
    case graphviz::BoxKind::Node:
        showNode(*graph, box.node);
        return;
    case graphviz::BoxKind::Group:
        showGroup(*graph, box.group, box.members);
        return;
    case graphviz::BoxKind::Input:
    case graphviz::BoxKind::Output: {
        const bool input = box.kind == graphviz::BoxKind::Input;
        const auto &list = input ? graph->inputs() : graph->outputs();
        if (box.node >= 0 && box.node < list.size()) {
            showTensor(*graph, list.Get(box.node), input);
        }
        return;
    }
    }
}

void NodeProperties::showNode(const proto::ViewGraph &graph, int node)
{
    if (node < 0 || node >= graph.nodes_size()) {
        clear();
        return;
    }
    const proto::ViewNode &n = graph.nodes(node);
    begin(qt(n.op()), qt(n.name()));
    QTreeWidgetItem *general = section(tr("Node"));
    addRow(general, tr("Name"), qt(n.name()));
    addRow(general, tr("Op"), qt(n.op()));
    addRow(general, tr("Domain"), n.domain().empty() ? tr("ai.onnx (default)") : qt(n.domain()));
    addRow(general, tr("Scope"), n.scope().empty() ? tr("(top level)") : scopePath(n));
    if (n.attrs_size() > 0) {
        QTreeWidgetItem *attrs = section(tr("Attributes"));
        for (const proto::ViewAttr &attr : n.attrs()) {
            addRow(attrs, qt(attr.name()), qt(attr.text()));
        }
    }
    addTensorRows(section(tr("Inputs")), graph, n, n.inputs());
    addTensorRows(section(tr("Outputs")), graph, n, n.outputs());
    if (n.parameters_size() > 0) {
        QTreeWidgetItem *params = section(tr("Parameters"));
        for (const proto::TensorInfo &p : n.parameters()) {
            addRow(params, qt(p.name()), parameterText(p));
        }
    }
    finish();
}

void NodeProperties::showGroup(const proto::ViewGraph &graph, const std::string &group, int members)
{
    begin(tr("Group"), qt(group));
    QTreeWidgetItem *general = section(tr("Group"));
    addRow(general, tr("Path"), qt(group));
    addRow(general, tr("Members"), tr("%1 nodes").arg(members));
    std::map<std::string, int> ops;
    std::int64_t parameters = 0;
    for (const proto::ViewNode &node : graph.nodes()) {
        if (CardContent::inGroup(node, group)) {
            ++ops[node.op()];
            parameters += node.parameters_size();
        }
    }
    addRow(general, tr("Parameter tensors"), QString::number(parameters));
    QTreeWidgetItem *opSection = section(tr("Ops"));
    for (const auto &[op, count] : ops) {
        addRow(opSection, qt(op), QString::number(count));
    }
    finish();
}

void NodeProperties::showTensor(const proto::ViewGraph &,
                                const proto::TensorInfo &tensor,
                                bool isInput)
{
    begin(isInput ? tr("Input") : tr("Output"), qt(tensor.name()));
    QTreeWidgetItem *general = section(isInput ? tr("Input") : tr("Output"));
    addRow(general, tr("Name"), qt(tensor.name()));
    addRow(general, tr("Type"), tensor.dtype().empty() ? tr("unknown") : qt(tensor.dtype()));
    const QString shape = shapeText(tensor);
    addRow(general, tr("Shape"), shape.isEmpty() ? tr("unknown") : shape);
    finish();
}

void NodeProperties::showGraph(const proto::ViewGraph &graph)
{
    begin(graph.name().empty() ? tr("Model") : qt(graph.name()),
          tr("Select a node to see its properties."));
    QTreeWidgetItem *general = section(tr("Model"));
    addRow(general, tr("Format"), qt(graph.format()));
    if (!graph.producer().empty()) {
        addRow(general, tr("Producer"), qt(graph.producer()));
    }
    if (graph.opset() > 0) {
        addRow(general, tr("Opset"), QString::number(graph.opset()));
    }
    if (graph.ir_version() > 0) {
        addRow(general, tr("IR version"), QString::number(graph.ir_version()));
    }
    addRow(general, tr("Nodes"), qt(base::groupedDigits(graph.nodes_size())));
    addRow(general, tr("Parameters"), qt(base::groupedDigits(graph.parameter_count())));
    QTreeWidgetItem *inputs = section(tr("Inputs"));
    for (const proto::TensorInfo &tensor : graph.inputs()) {
        addRow(inputs, qt(tensor.name()), typeAndShape(tensor));
    }
    QTreeWidgetItem *outputs = section(tr("Outputs"));
    for (const proto::TensorInfo &tensor : graph.outputs()) {
        addRow(outputs, qt(tensor.name()), typeAndShape(tensor));
    }
    if (graph.blocking_ops_size() > 0) {
        QTreeWidgetItem *blocking = section(tr("Viewing only"));
        for (const std::string &op : graph.blocking_ops()) {
            addRow(blocking, qt(op), tr("no Torchlight equivalent"));
        }
    }
    if (graph.warnings_size() > 0) {
        QTreeWidgetItem *warnings = section(tr("Warnings"));
        for (int i = 0; i < graph.warnings_size(); ++i) {
            addRow(warnings, QString::number(i + 1), qt(graph.warnings(i)));
        }
    }
    finish();
}

void NodeProperties::clear()
{
    begin(tr("No model"), tr("Open a model to see its graph."));
    finish();
}

QString NodeProperties::title() const
{
    return m_title->text();
}

QString NodeProperties::subtitle() const
{
    return m_subtitle->text();
}

QString NodeProperties::value(const QString &sectionName, const QString &property) const
{
    for (int s = 0; s < m_tree->topLevelItemCount(); ++s) {
        const QTreeWidgetItem *top = m_tree->topLevelItem(s);
        if (top->text(0) != sectionName) {
            continue;
        }
        for (int r = 0; r < top->childCount(); ++r) {
            if (top->child(r)->text(0) == property) {
                return top->child(r)->text(1);
            }
        }
    }
    return {};
}

int NodeProperties::rowCount(const QString &sectionName) const
{
    for (int s = 0; s < m_tree->topLevelItemCount(); ++s) {
        if (m_tree->topLevelItem(s)->text(0) == sectionName) {
            return m_tree->topLevelItem(s)->childCount();
        }
    }
    return 0;
}

void NodeProperties::begin(const QString &title, const QString &subtitle)
{
    m_tree->clear();
    m_title->setText(title);
    m_subtitle->setText(subtitle);
    m_subtitle->setVisible(!subtitle.isEmpty());
}

QTreeWidgetItem *NodeProperties::section(const QString &name)
{
    auto *item = new QTreeWidgetItem(m_tree, {name});
    QFont bold = item->font(0);
    bold.setBold(true);
    item->setFont(0, bold);
    item->setFirstColumnSpanned(true);
    return item;
}

void NodeProperties::addRow(QTreeWidgetItem *sectionItem,
                            const QString &property,
                            const QString &value)
{
    auto *row = new QTreeWidgetItem(sectionItem, {property, value});
    row->setToolTip(1, value);
}

void NodeProperties::addTensorRows(QTreeWidgetItem *sectionItem,
                                   const proto::ViewGraph &graph,
                                   const proto::ViewNode &node,
                                   const google::protobuf::RepeatedPtrField<std::string> &names)
{
    for (const std::string &name : names) {
        if (name.empty()) {
            addRow(sectionItem, tr("(none)"), tr("optional input left out"));
            continue;
        }
        if (const proto::TensorInfo *tensor = findTensor(graph, name)) {
            addRow(sectionItem, qt(name), typeAndShape(*tensor));
            continue;
        }
        const auto parameter =
            std::find_if(node.parameters().begin(), node.parameters().end(),
                         [&name](const proto::TensorInfo &p) { return p.name() == name; });
        addRow(sectionItem, qt(name),
               parameter != node.parameters().end()
                   ? tr("parameter %1").arg(typeAndShape(*parameter))
                   : tr("shape unknown"));
    }
}

void NodeProperties::finish()
{
    m_tree->expandAll();
}

} // namespace tl::views
