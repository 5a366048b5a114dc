// GraphView's canvas and its state: items, selection, search matches and the opening view
// (views/graph_view_private.h).
#include "views/graph_view_private.h"

#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace tl::views {

using namespace graph_view;

namespace {

bool contains(const std::string &text, const QString &needle)
{
    return QString::fromStdString(text).contains(needle, Qt::CaseInsensitive);
}

} // namespace

GraphView::Canvas::Canvas(GraphView::Private &d, QGraphicsScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_d(d)
{
    setObjectName(QStringLiteral("graphCanvas"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setOptimizationFlag(QGraphicsView::DontAdjustForAntialiasing, true);
    setBackgroundBrush(QColor(0xf4, 0xf5, 0xf7));
    setFrameShape(QFrame::NoFrame);
}

void GraphView::Canvas::zoomTo(double zoom, QPoint anchor)
{
    m_d.autoView = false;
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    const QPointF sceneAnchor = mapToScene(anchor);
    setTransform(QTransform::fromScale(zoom, zoom));
    const QPoint moved = mapFromScene(sceneAnchor) - anchor;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + moved.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() + moved.y());
    m_d.minimap->update();
}

void GraphView::Canvas::wheelEvent(QWheelEvent *event)
{
    // Shift scrolls sideways; a touchpad's two-finger scroll (pixel deltas) pans; the wheel,
    // with or without Ctrl, zooms around the cursor.
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if ((event->modifiers() & Qt::ShiftModifier) || (!ctrl && !event->pixelDelta().isNull())) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const double factor = std::pow(kWheelBase, event->angleDelta().y());
    zoomTo(zoom() * factor, event->position().toPoint());
    event->accept();
}

void GraphView::Canvas::mousePressEvent(QMouseEvent *event)
{
    m_pressAt = event->pos();
    m_d.autoView = false;
    QGraphicsView::mousePressEvent(event);
}

void GraphView::Canvas::mouseReleaseEvent(QMouseEvent *event)
{
    QGraphicsView::mouseReleaseEvent(event);
    const bool click = (event->pos() - m_pressAt).manhattanLength() < kClickSlop;
    if (click && event->button() == Qt::LeftButton) {
        const QGraphicsItem *item = itemAt(event->pos());
        if (item == nullptr || item->type() != CardItem::kType) {
            m_d.q.selectBox(-1);
        }
    }
}

void GraphView::Canvas::drawForeground(QPainter *painter, const QRectF &)
{
    if (m_d.graph || m_d.message.isEmpty()) {
        return;
    }
    painter->save();
    painter->resetTransform();
    painter->setPen(QColor(0x78, 0x84, 0x8e));
    painter->drawText(viewport()->rect(), Qt::AlignCenter | Qt::TextWordWrap, m_d.message);
    painter->restore();
}

void GraphView::Canvas::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    if (m_d.minimap != nullptr) {
        m_d.minimap->update();
    }
}

bool GraphView::Canvas::viewportEvent(QEvent *event)
{
    const bool handled = QGraphicsView::viewportEvent(event);
    if (event->type() == QEvent::Resize) {
        m_d.placeMinimap(); // scroll bars come and go: the map keeps to the viewport's corner
        if (m_d.autoView && isVisible()) {
            m_d.showNewGraph(); // now the viewport has its real size
        }
    }
    return handled;
}

void GraphView::Canvas::showEvent(QShowEvent *event)
{
    QGraphicsView::showEvent(event);
    if (m_d.autoView) {
        m_d.showNewGraph(); // the graph arrived while its tab was in the background
    }
}

void GraphView::Private::removeItems()
{
    scene.clear(); // deletes the items
    cards.clear();
    edges.clear();
}

void GraphView::Private::rebuildItems()
{
    removeItems();
    cards.reserve(layout.boxes.size());
    for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
        const graphviz::Box &box = layout.boxes[i];
        auto *card = new CardItem(*this, static_cast<int>(i), box, content->text(box));
        scene.addItem(card);
        cards.push_back(card);
    }
    edges.reserve(layout.edges.size());
    for (const graphviz::Edge &edge : layout.edges) {
        auto *item = new EdgeItem(*this, edge);
        scene.addItem(item);
        edges.push_back(item);
    }
    for (const graphviz::Frame &frame : layout.frames) {
        scene.addItem(new FrameItem(*this, frame));
    }
    scene.setSceneRect(graphRect());
}

QRectF GraphView::Private::graphRect() const
{
    if (!graph) {
        return {};
    }
    return {-kMargin, -kMargin, layout.width + 2 * kMargin, layout.height + 2 * kMargin};
}

void GraphView::Private::markSelection(int box)
{
    selected = box;
    for (CardItem *card : cards) {
        card->setSelectedCard(card->box() == box);
    }
    for (EdgeItem *edge : edges) {
        edge->setHighlighted(box >= 0 && (edge->from() == box || edge->to() == box));
    }
}

void GraphView::Private::applySelection(int box, bool centre)
{
    if (box < 0 || box >= static_cast<int>(cards.size())) {
        box = -1;
    }
    const int before = selected;
    const int nodeBefore = q.selectedNode();
    markSelection(box);
    if (centre && box >= 0) {
        autoView = false;
        canvas->centerOn(cards[static_cast<std::size_t>(box)]);
    }
    if (before != box) {
        if (q.selectedNode() != nodeBefore) {
            emit q.nodeSelected(q.selectedNode());
        }
        emit q.selectionChanged();
    }
}

bool GraphView::Private::boxMatches(const graphviz::Box &box,
                                    const std::vector<bool> &nodeMatches) const
{
    switch (box.kind) {
    case graphviz::BoxKind::Node:
        return box.node >= 0 && box.node < static_cast<int>(nodeMatches.size())
               && nodeMatches[static_cast<std::size_t>(box.node)];
    case graphviz::BoxKind::Group:
        // A collapsed group matches by its path or by any node it hides.
        if (contains(box.group, searchText)) {
            return true;
        }
        for (int n = 0; n < graph->nodes_size(); ++n) {
            if (nodeMatches[static_cast<std::size_t>(n)]
                && CardContent::inGroup(graph->nodes(n), box.group)) {
                return true;
            }
        }
        return false;
    case graphviz::BoxKind::Input:
        return box.node >= 0 && box.node < graph->inputs_size()
               && contains(graph->inputs(box.node).name(), searchText);
    case graphviz::BoxKind::Output:
        return box.node >= 0 && box.node < graph->outputs_size()
               && contains(graph->outputs(box.node).name(), searchText);
    }
    return false;
}

void GraphView::Private::updateMatches()
{
    matches.clear();
    current = -1;
    if (graph && !searchText.isEmpty()) {
        std::vector<bool> nodeMatches(static_cast<std::size_t>(graph->nodes_size()));
        for (int n = 0; n < graph->nodes_size(); ++n) {
            nodeMatches[static_cast<std::size_t>(n)] =
                contains(graph->nodes(n).name(), searchText)
                || contains(graph->nodes(n).op(), searchText);
        }
        for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
            if (boxMatches(layout.boxes[i], nodeMatches)) {
                matches.push_back(static_cast<int>(i));
            }
        }
        // Reading order: top to bottom, then left to right.
        std::stable_sort(matches.begin(), matches.end(), [this](int a, int b) {
            const graphviz::Rect &ra = layout.boxes[static_cast<std::size_t>(a)].rect;
            const graphviz::Rect &rb = layout.boxes[static_cast<std::size_t>(b)].rect;
            return std::tie(ra.y, ra.x) < std::tie(rb.y, rb.x);
        });
    }
    std::vector<bool> marked(cards.size());
    for (std::size_t k = 0; k < matches.size(); ++k) {
        marked[static_cast<std::size_t>(matches[k])] = true;
        if (matches[k] == selected) {
            current = static_cast<int>(k);
        }
    }
    for (std::size_t i = 0; i < cards.size(); ++i) {
        cards[i]->setMatch(marked[i]);
    }
}

QRectF GraphView::Private::groupRect(const std::string &group) const
{
    for (const graphviz::Frame &frame : layout.frames) {
        if (frame.group == group) {
            return {frame.rect.x, frame.rect.y, frame.rect.width, frame.rect.height};
        }
    }
    for (const graphviz::Box &box : layout.boxes) {
        if (box.kind == graphviz::BoxKind::Group && box.group == group) {
            return {box.rect.x, box.rect.y, box.rect.width, box.rect.height};
        }
    }
    return {};
}

void GraphView::Private::placeMinimap()
{
    if (minimap == nullptr) {
        return; // the canvas is resized before the map exists
    }
    const QRect viewport = canvas->viewport()->geometry().translated(canvas->pos());
    const QSize size = minimap->sizeHint();
    minimap->setGeometry(QRect(viewport.bottomRight() - QPoint(size.width(), size.height())
                                   - QPoint(kMinimapInset, kMinimapInset),
                               size));
    minimap->raise();
}

void GraphView::Private::showNewGraph()
{
    autoView = true;
    if (!canvas->isVisible()) {
        return; // a hidden view's viewport has no meaningful size yet
    }
    // Readable first: fit when that is not too small, else open at the inputs (the top).
    const QRectF rect = graphRect();
    const QSizeF view = canvas->viewport()->size();
    const double fit = std::min(view.width() / rect.width(), view.height() / rect.height());
    if (fit >= kOpenMinZoom) {
        this->fit();
        return;
    }
    canvas->setTransform(QTransform::fromScale(kOpenMinZoom, kOpenMinZoom));
    canvas->centerOn(QPointF(rect.center().x(), rect.top() + view.height() / kOpenMinZoom / 2));
    minimap->update();
}

void GraphView::Private::fit()
{
    if (!graph) {
        return;
    }
    const QRectF rect = graphRect();
    canvas->fitInView(rect, Qt::KeepAspectRatio);
    const double zoom = std::clamp(canvas->zoom(), kMinZoom, kFitMaxZoom);
    canvas->setTransform(QTransform::fromScale(zoom, zoom));
    canvas->centerOn(rect.center());
    minimap->update();
}

} // namespace tl::views
