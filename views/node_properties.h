#pragma once
// The properties of what is selected in the graph view: a node (name, op, domain, scope,
// attributes, inputs and outputs with their shapes, parameters with shape, dtype and element
// count), a collapsed group (its path, member count and ops), a graph input or output, or, with
// nothing selected, the model's summary. A UI-thread widget; it reads the ViewGraph it is given.

#include "proto/torchlight.pb.h"

#include <QWidget>

#include <string>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace tl::views {

class GraphView;

class NodeProperties : public QWidget
{
    Q_OBJECT

public:
    explicit NodeProperties(QWidget *parent = nullptr);

    // Shows whatever `view` has selected, or its graph's summary, or nothing.
    void showSelectionOf(const GraphView &view);

    void showNode(const proto::ViewGraph &graph, int node);
    void showGroup(const proto::ViewGraph &graph, const std::string &group, int members);
    void showTensor(const proto::ViewGraph &graph, const proto::TensorInfo &tensor, bool isInput);
    void showGraph(const proto::ViewGraph &graph);
    void clear();

    QString title() const;
    QString subtitle() const;
    // The value shown for `property` in `section` ("Attributes", "kernel_shape"); empty when
    // there is no such row.
    QString value(const QString &section, const QString &property) const;
    int rowCount(const QString &section) const;

private:
    void begin(const QString &title, const QString &subtitle);
    QTreeWidgetItem *section(const QString &name);
    void addRow(QTreeWidgetItem *section, const QString &property, const QString &value);
    void addTensorRows(QTreeWidgetItem *section,
                       const proto::ViewGraph &graph,
                       const proto::ViewNode &node,
                       const google::protobuf::RepeatedPtrField<std::string> &names);
    void finish();

    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QTreeWidget *m_tree = nullptr;
};

} // namespace tl::views
