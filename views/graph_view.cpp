#include "views/graph_view.h"

#include "views/graph_view_private.h"

#include <QBuffer>
#include <QPainter>
#include <QScrollBar>
#include <QShortcut>
#include <QSvgGenerator>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>

namespace tl::views {

using namespace graph_view;

namespace {

// Identifies a card across two layouts of one graph.
struct CardKey
{
    graphviz::BoxKind kind = graphviz::BoxKind::Node;
    int node = -1;
    std::string group;

    bool matches(const graphviz::Box &box) const
    {
        return box.kind == kind && box.node == node && box.group == group;
    }
};

CardKey keyOf(const graphviz::Box &box)
{
    return {box.kind, box.node, box.group};
}

// The group toggled between two expansions, or "" when they do not differ by one.
std::string toggledGroup(const std::set<std::string> &before, const std::set<std::string> &after)
{
    std::vector<std::string> diff;
    std::set_symmetric_difference(before.begin(), before.end(), after.begin(), after.end(),
                                  std::back_inserter(diff));
    return diff.size() == 1 ? diff.front() : std::string();
}
} // namespace

// ------------------------------------------------------------------------------- the widget

GraphView::GraphView(QWidget *parent) : QWidget(parent), m_d(std::make_unique<Private>(*this))
{
    m_d->cardFonts = CardFonts::from(font());
    m_d->canvas = new Canvas(*m_d, &m_d->scene, this);
    m_d->minimap = new GraphMinimap(*m_d->canvas, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_d->canvas);
    const auto shortcut = [this](const QKeySequence &keys, void (GraphView::*slot)()) {
        auto *s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_F), &GraphView::fitToView);
    shortcut(QKeySequence(QStringLiteral("Ctrl+0")), &GraphView::fitToView);
    shortcut(QKeySequence(QStringLiteral("Ctrl+=")), &GraphView::zoomIn);
    shortcut(QKeySequence(QStringLiteral("Ctrl++")), &GraphView::zoomIn);
    shortcut(QKeySequence(QStringLiteral("Ctrl+-")), &GraphView::zoomOut);
    connect(m_d->canvas->horizontalScrollBar(), &QScrollBar::rangeChanged, m_d->minimap,
            qOverload<>(&QWidget::update));
    connect(m_d->minimap, &GraphMinimap::viewMoved, this, [this] { m_d->autoView = false; });
    setFocusProxy(m_d->canvas);
}

GraphView::~GraphView()
{
    m_d->removeItems(); // the items call back into m_d while the scene deletes them
}

graphviz::CardSizer GraphView::cardSizer(std::shared_ptr<const proto::ViewGraph> graph) const
{
    auto content = std::make_shared<const CardContent>(std::move(graph));
    m_d->lastSized = content;
    // Fonts rebuilt from their description: a plain copy would share (and let two threads
    // update) the font's cached engine data with the fonts this view paints with.
    CardFonts fonts;
    for (auto [from, to] : {std::pair{&m_d->cardFonts.title, &fonts.title},
                            std::pair{&m_d->cardFonts.body, &fonts.body},
                            std::pair{&m_d->cardFonts.edge, &fonts.edge},
                            std::pair{&m_d->cardFonts.frame, &fonts.frame}}) {
        to->fromString(from->toString());
    }
    return [content, fonts](const graphviz::Box &box) {
        return content->size(content->text(box), fonts);
    };
}

void GraphView::setGraph(std::shared_ptr<const proto::ViewGraph> graph,
                         graphviz::GraphLayout layout,
                         std::set<std::string> expanded)
{
    if (!graph) {
        clear(m_d->message);
        return;
    }
    const bool sameGraph = graph == m_d->graph;
    const std::string toggled = sameGraph ? toggledGroup(m_d->expanded, expanded) : std::string();
    const QRectF toggledBefore = toggled.empty() ? QRectF() : m_d->groupRect(toggled);
    // Where the toggled group's top edge was on screen: it stays there.
    const QPoint anchor =
        m_d->canvas->mapFromScene(toggledBefore.center().x(), toggledBefore.top());
    const QPointF centreBefore = m_d->canvas->mapToScene(m_d->canvas->viewport()->rect().center());
    std::optional<CardKey> keep;
    if (sameGraph && m_d->selected >= 0) {
        keep = keyOf(m_d->layout.boxes[static_cast<std::size_t>(m_d->selected)]);
    }
    const int nodeBefore = selectedNode();

    m_d->content = m_d->lastSized && &m_d->lastSized->graph() == graph.get()
                       ? m_d->lastSized
                       : std::make_shared<const CardContent>(graph);
    m_d->graph = std::move(graph);
    m_d->layout = std::move(layout);
    m_d->expanded = std::move(expanded);
    m_d->selected = -1;
    m_d->rebuildItems();
    int select = -1;
    for (std::size_t i = 0; keep && i < m_d->layout.boxes.size(); ++i) {
        if (keep->matches(m_d->layout.boxes[i])) {
            select = static_cast<int>(i);
        }
    }
    m_d->markSelection(select);
    m_d->updateMatches();
    if (selectedNode() != nodeBefore) {
        emit nodeSelected(selectedNode());
    }
    if (!sameGraph || keep.has_value() != (select >= 0)) {
        emit selectionChanged(); // a different graph: its summary replaces the old one's
    }

    const QRectF toggledAfter = toggled.empty() ? QRectF() : m_d->groupRect(toggled);
    if (!toggledBefore.isNull() && !toggledAfter.isNull()) {
        const QPoint centre = m_d->canvas->viewport()->rect().center();
        const double zoom = m_d->canvas->zoom();
        m_d->canvas->centerOn(QPointF(toggledAfter.center().x(), toggledAfter.top())
                              + QPointF(centre - anchor) / zoom);
    } else if (sameGraph) {
        m_d->canvas->centerOn(centreBefore);
    } else {
        m_d->showNewGraph();
    }
    m_d->minimap->rebuild(m_d->graphRect());
    m_d->placeMinimap();
    m_d->canvas->viewport()->update();
    emit graphShown();
}

void GraphView::clear(const QString &message)
{
    m_d->message = message;
    const bool hadSelection = m_d->selected >= 0;
    const int nodeBefore = selectedNode();
    m_d->removeItems();
    m_d->graph.reset();
    m_d->content.reset();
    m_d->layout = {};
    m_d->expanded.clear();
    m_d->matches.clear();
    m_d->current = -1;
    m_d->selected = -1;
    m_d->scene.setSceneRect(QRectF());
    m_d->minimap->rebuild(QRectF());
    m_d->canvas->viewport()->update();
    if (nodeBefore >= 0) {
        emit nodeSelected(-1);
    }
    if (hadSelection) {
        emit selectionChanged();
    }
    emit graphShown();
}

std::shared_ptr<const proto::ViewGraph> GraphView::graph() const
{
    return m_d->graph;
}

const std::set<std::string> &GraphView::expandedGroups() const
{
    return m_d->expanded;
}

const graphviz::GraphLayout &GraphView::layout() const
{
    return m_d->layout;
}

QString GraphView::message() const
{
    return m_d->message;
}

QRectF GraphView::graphRect() const
{
    return m_d->graphRect();
}

void GraphView::zoomIn()
{
    m_d->canvas->zoomTo(zoom() * kZoomStep, m_d->canvas->viewport()->rect().center());
}

void GraphView::zoomOut()
{
    m_d->canvas->zoomTo(zoom() / kZoomStep, m_d->canvas->viewport()->rect().center());
}

void GraphView::fitToView()
{
    m_d->autoView = false;
    m_d->fit();
}

double GraphView::zoom() const
{
    return m_d->canvas->zoom();
}

int GraphView::search(const QString &text)
{
    m_d->searchText = text.trimmed();
    m_d->updateMatches();
    if (!m_d->matches.empty()) {
        m_d->current = 0;
        m_d->applySelection(m_d->matches.front(), true);
    }
    return matchCount();
}

void GraphView::findNext()
{
    const int count = matchCount();
    if (count == 0) {
        return;
    }
    m_d->current = (m_d->current + 1) % count;
    m_d->applySelection(m_d->matches[static_cast<std::size_t>(m_d->current)], true);
}

void GraphView::findPrevious()
{
    const int count = matchCount();
    if (count == 0) {
        return;
    }
    m_d->current = (m_d->current - 1 + count) % count;
    m_d->applySelection(m_d->matches[static_cast<std::size_t>(m_d->current)], true);
}

int GraphView::matchCount() const
{
    return static_cast<int>(m_d->matches.size());
}

int GraphView::currentMatch() const
{
    return m_d->current;
}

void GraphView::selectNode(int node)
{
    if (node < 0 || !m_d->graph || node >= m_d->graph->nodes_size()) {
        selectBox(-1);
        return;
    }
    // The node's own card, or the innermost collapsed group that hides it.
    int found = -1;
    std::size_t depth = 0;
    for (std::size_t i = 0; i < m_d->layout.boxes.size(); ++i) {
        const graphviz::Box &box = m_d->layout.boxes[i];
        if (box.kind == graphviz::BoxKind::Node && box.node == node) {
            found = static_cast<int>(i);
            break;
        }
        if (box.kind == graphviz::BoxKind::Group && box.group.size() >= depth
            && CardContent::inGroup(m_d->graph->nodes(node), box.group)) {
            found = static_cast<int>(i);
            depth = box.group.size();
        }
    }
    m_d->applySelection(found, true);
}

int GraphView::selectedNode() const
{
    if (m_d->selected < 0) {
        return -1;
    }
    const graphviz::Box &box = m_d->layout.boxes[static_cast<std::size_t>(m_d->selected)];
    return box.kind == graphviz::BoxKind::Node ? box.node : -1;
}

void GraphView::selectBox(int box)
{
    m_d->applySelection(box, false);
    m_d->current = -1;
    for (std::size_t k = 0; k < m_d->matches.size(); ++k) {
        if (m_d->matches[k] == m_d->selected) {
            m_d->current = static_cast<int>(k);
        }
    }
}

int GraphView::selectedBox() const
{
    return m_d->selected;
}

QByteArray GraphView::renderSvg() const
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const QRectF source = m_d->graphRect();
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    generator.setTitle(m_d->graph ? QString::fromStdString(m_d->graph->name()) : QString());
    generator.setDescription(tr("Model graph drawn by Torchlight"));
    QPainter painter(&generator);
    m_d->exporting = true;
    m_d->scene.render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    m_d->exporting = false;
    painter.end();
    return buffer.data();
}

QImage GraphView::renderImage(double scale) const
{
    const QRectF source = m_d->graphRect();
    if (source.isEmpty() || scale <= 0) {
        return {};
    }
    // A huge graph is drawn smaller rather than not at all (QPainter's and memory's limits).
    scale = std::min({scale, kMaxImageSide / source.width(), kMaxImageSide / source.height(),
                      std::sqrt(kMaxImagePixels / (source.width() * source.height()))});
    const QSize size(static_cast<int>(std::ceil(source.width() * scale)),
                     static_cast<int>(std::ceil(source.height() * scale)));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    m_d->exporting = true;
    m_d->scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source);
    m_d->exporting = false;
    painter.end();
    return image;
}

} // namespace tl::views
