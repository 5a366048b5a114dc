#pragma once
// GraphView's insides (views/graph_view.h): the QGraphicsView that shows the scene and the
// state behind the widget. Included only by graph_view.cpp and graph_canvas.cpp; UI thread.

#include "views/graph_cards.h"
#include "views/graph_items.h"
#include "views/graph_minimap.h"
#include "views/graph_view.h"

#include <QGraphicsScene>
#include <QGraphicsView>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tl::views {
namespace graph_view {

inline constexpr double kMargin = 24; // around the graph, in scene points
inline constexpr double kZoomStep = 1.25;
inline constexpr double kMinZoom = 0.02;
inline constexpr double kMaxZoom = 4.0;
inline constexpr double kFitMaxZoom = 1.5;   // fitting a tiny graph does not blow it up further
inline constexpr double kOpenMinZoom = 0.75; // a tall graph opens readable, at its inputs
inline constexpr double kWheelBase = 1.0015; // per eighth of a degree: one notch (120) is ~1.2x
inline constexpr int kMinimapInset = 12;
inline constexpr int kClickSlop = 4; // a press and release closer than this is a click
inline constexpr double kMaxImageSide = 32000;
inline constexpr double kMaxImagePixels = 100e6;

} // namespace graph_view

// ----------------------------------------------------------------------------------- canvas

// The QGraphicsView that shows the scene: wheel zoom around the cursor, drag to pan, a click on
// empty space clears the selection, and the "nothing open" message.
class GraphView::Canvas : public QGraphicsView
{
public:
    Canvas(GraphView::Private &d, QGraphicsScene *scene, QWidget *parent);

    // Sets the zoom, keeping the scene point under `anchor` (viewport pixels) where it is.
    void zoomTo(double zoom, QPoint anchor);
    double zoom() const { return transform().m11(); }

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    GraphView::Private &m_d;
    QPoint m_pressAt;
};

// ---------------------------------------------------------------------------------- private

class GraphView::Private : public GraphItemHost
{
public:
    explicit Private(GraphView &owner) : q(owner) {}

    const CardFonts &fonts() const override { return cardFonts; }
    bool isExporting() const override { return exporting; }
    void cardClicked(int box) override { q.selectBox(box); }
    void groupActivated(const std::string &group) override
    {
        emit q.groupToggleRequested(QString::fromStdString(group));
    }

    void rebuildItems();
    void removeItems();
    // Marks box as selected (or none); applySelection() also tells listeners when it changed.
    void markSelection(int box);
    void applySelection(int box, bool centre);
    void updateMatches();
    bool boxMatches(const graphviz::Box &box, const std::vector<bool> &nodeMatches) const;
    // Where a group is drawn: its frame when expanded, its card when collapsed.
    QRectF groupRect(const std::string &group) const;
    void placeMinimap();
    void showNewGraph();
    void fit();
    QRectF graphRect() const;

    GraphView &q;
    QGraphicsScene scene;
    Canvas *canvas = nullptr;
    GraphMinimap *minimap = nullptr;
    CardFonts cardFonts;
    bool exporting = false;
    // The view shows a new graph's opening view: it is redone when the viewport changes size
    // (the window still settling, a hidden tab shown) until the user zooms, pans or selects.
    bool autoView = false;
    QString message;

    std::shared_ptr<const proto::ViewGraph> graph;
    std::shared_ptr<const CardContent> content;
    std::shared_ptr<const CardContent> lastSized; // made by cardSizer(), reused by setGraph()
    graphviz::GraphLayout layout;
    std::set<std::string> expanded;
    std::vector<CardItem *> cards; // one per layout box, owned by the scene
    std::vector<EdgeItem *> edges;

    int selected = -1;
    QString searchText;
    std::vector<int> matches; // box indices in reading order
    int current = -1;
};

} // namespace tl::views
