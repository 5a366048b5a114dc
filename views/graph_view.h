#pragma once
// The model graph view (DESIGN.md, views/): a Graphviz layout of a ViewGraph drawn as cards and
// splines, with zoom, pan, fit, a minimap, search with next/previous and selection. It only
// shows: app/ lays the graph out on its Graphviz lane and hands the result in. UI thread.

#include "graphviz/graph_layout.h"
#include "proto/torchlight.pb.h"

#include <QByteArray>
#include <QImage>
#include <QRectF>
#include <QWidget>

#include <memory>
#include <set>
#include <string>

namespace tl::views {

class GraphView : public QWidget
{
    Q_OBJECT

public:
    explicit GraphView(QWidget *parent = nullptr);
    ~GraphView() override;

    // Card sizes for graphviz::layoutGraph, measured with this view's fonts. The returned
    // function owns copies of what it needs and may run on any thread.
    graphviz::CardSizer cardSizer(std::shared_ptr<const proto::ViewGraph> graph) const;

    // Shows a new layout of `graph` (with `expanded` open). Keeps the selection and, when the
    // graph is the same one re-laid out, the view centred on the group that was toggled.
    void setGraph(std::shared_ptr<const proto::ViewGraph> graph,
                  graphviz::GraphLayout layout,
                  std::set<std::string> expanded);
    // Empties the view and shows `message` ("Drop an .onnx or .pt file here").
    void clear(const QString &message);

    std::shared_ptr<const proto::ViewGraph> graph() const;
    const std::set<std::string> &expandedGroups() const;
    // The layout shown (empty when cleared) and the text shown by clear().
    const graphviz::GraphLayout &layout() const;
    QString message() const;
    // What the whole graph occupies in scene points (layout plus a margin).
    QRectF graphRect() const;

    void zoomIn();
    void zoomOut();
    void fitToView();
    double zoom() const; // 1 = one point per pixel

    // Search by node name or op (case-insensitive substring); returns how many cards match and
    // selects the first. next/previous cycle through the matches.
    int search(const QString &text);
    void findNext();
    void findPrevious();
    int matchCount() const;
    int currentMatch() const; // index among the matches, -1 when none

    // Selects (and centres on) a node by its index in graph()->nodes(); -1 clears.
    void selectNode(int node);
    int selectedNode() const;
    // Any card: node, collapsed group, graph input or output. Index into layout().boxes, or -1.
    void selectBox(int box);
    int selectedBox() const;

    // The whole graph drawn at scale 1: SVG document bytes, or a PNG-ready image at `scale`.
    QByteArray renderSvg() const;
    QImage renderImage(double scale = 2.0) const;

signals:
    // A group card or frame was double-clicked: the controller lays out again with it toggled.
    void groupToggleRequested(const QString &group);
    // The selection changed (-1: none, or a card that is not a node).
    void nodeSelected(int node);
    // Any card was selected or the selection was cleared: see selectedBox().
    void selectionChanged();
    // setGraph() or clear() finished: a new layout (or none) is on screen.
    void graphShown();

private:
    class Canvas;
    class Private;
    std::unique_ptr<Private> m_d;
};

} // namespace tl::views
