#include "views/graph_items.h"

#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace tl::views {
namespace {

// Below these zoom levels a card drops its text: it would be unreadable, and skipping it keeps
// a 2,000-card overview fluid.
constexpr double kLodTitleOnly = 0.5;
constexpr double kLodBlocksOnly = 0.25;
constexpr double kLodEdgeLabels = 0.45;
constexpr double kArrowLength = 8;
constexpr double kArrowHalfWidth = 3.5;

const QColor kBodyFill(0xff, 0xff, 0xff);
const QColor kBodyText(0x26, 0x32, 0x38);
const QColor kDetailText(0x54, 0x63, 0x6e);
const QColor kMatchFill(0xff, 0xd5, 0x4f);
const QColor kSelectedPen(0xe6, 0x51, 0x00);
const QColor kEdgePen(0x8a, 0x96, 0xa0);
const QColor kEdgeHighlight(0xe6, 0x51, 0x00);
const QColor kEdgeLabel(0x5f, 0x6b, 0x75);

QPointF toQt(const graphviz::Point &p)
{
    return {p.x, p.y};
}

QString elided(const QString &text, const QFont &font, double width, Qt::TextElideMode mode)
{
    return QFontMetricsF(font).elidedText(text, mode, width);
}

} // namespace

// ------------------------------------------------------------------------------------ cards

CardItem::CardItem(GraphItemHost &host,
                   int box,
                   const graphviz::Box &layoutBox,
                   const CardText &text)
    : m_host(host)
    , m_box(box)
    , m_size(layoutBox.rect.width, layoutBox.rect.height)
    , m_text(text)
{
    if (layoutBox.kind == graphviz::BoxKind::Group) {
        m_group = layoutBox.group;
    }
    setPos(layoutBox.rect.x, layoutBox.rect.y);
    setZValue(200);
    setAcceptedMouseButtons(Qt::LeftButton);
    setCursor(Qt::PointingHandCursor);
    const CardFonts &fonts = m_host.fonts();
    const double inner = cardRect().width() - 2 * CardMetrics::kPadding;
    m_text.title = elided(m_text.title, fonts.title, inner, Qt::ElideRight);
    m_text.name = elided(m_text.name, fonts.body, inner, Qt::ElideMiddle);
    for (QString &line : m_text.details) {
        line = elided(line, fonts.body, inner, Qt::ElideRight);
    }
    setToolTip(text.name.isEmpty() ? text.title : text.title + QLatin1Char('\n') + text.name);
}

void CardItem::setMatch(bool match)
{
    if (m_match != match) {
        m_match = match;
        update();
    }
}

void CardItem::setSelectedCard(bool selected)
{
    if (m_selected != selected) {
        m_selected = selected;
        update();
    }
}

QRectF CardItem::cardRect() const
{
    const double stack = isGroup() ? 2 * CardMetrics::kStackOffset : 0;
    return {0, 0, m_size.width() - stack, m_size.height() - stack};
}

QRectF CardItem::boundingRect() const
{
    constexpr double kHalo = 5; // the match and selection marks drawn around the card
    return QRectF(QPointF(0, 0), m_size).adjusted(-kHalo, -kHalo, kHalo, kHalo);
}

void CardItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF card = cardRect();
    const QColor accent = familyColor(m_text.family);
    const bool marks = !m_host.isExporting();
    painter->setRenderHint(QPainter::Antialiasing, lod >= kLodBlocksOnly);
    if (marks && m_match) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(kMatchFill);
        painter->drawRoundedRect(QRectF(QPointF(0, 0), m_size).adjusted(-4, -4, 4, 4),
                                 CardMetrics::kRadius + 3, CardMetrics::kRadius + 3);
    }
    if (isGroup()) {
        // Two cards peeking out behind: this one holds several.
        painter->setPen(QPen(accent.darker(130), 1));
        painter->setBrush(accent.lighter(170));
        for (int i = 2; i >= 1; --i) {
            const double off = i * CardMetrics::kStackOffset;
            painter->drawRoundedRect(card.translated(off, off), CardMetrics::kRadius,
                                     CardMetrics::kRadius);
        }
    }
    if (lod < kLodBlocksOnly) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(accent);
        painter->drawRect(card);
    } else {
        paintBody(painter, card, lod);
    }
    if (marks && m_selected) {
        painter->setPen(QPen(kSelectedPen, 2.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(card.adjusted(-1.5, -1.5, 1.5, 1.5), CardMetrics::kRadius + 1,
                                 CardMetrics::kRadius + 1);
    }
}

void CardItem::paintBody(QPainter *painter, const QRectF &card, double lod) const
{
    const CardFonts &fonts = m_host.fonts();
    const QColor accent = familyColor(m_text.family);
    const bool dark = m_text.family == OpFamily::Io;
    const double titleHeight = QFontMetricsF(fonts.title).height() + 2 * CardMetrics::kPadding;
    const double lineHeight = QFontMetricsF(fonts.body).height();

    painter->setPen(QPen(accent.darker(125), 1));
    painter->setBrush(dark ? accent : kBodyFill);
    painter->drawRoundedRect(card, CardMetrics::kRadius, CardMetrics::kRadius);
    // The coloured header: rounded at the top only, so it is a rounded rect clipped square.
    QPainterPath header;
    header.addRoundedRect(card, CardMetrics::kRadius, CardMetrics::kRadius);
    QPainterPath top;
    top.addRect(
        QRectF(card.left(), card.top(), card.width(), std::min(titleHeight, card.height())));
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawPath(header.intersected(top));

    const double left = card.left() + CardMetrics::kPadding;
    const double width = card.width() - 2 * CardMetrics::kPadding;
    painter->setFont(fonts.title);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(left, card.top(), width, titleHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, m_text.title);
    if (lod < kLodTitleOnly) {
        return;
    }
    painter->setFont(fonts.body);
    double y = card.top() + titleHeight + CardMetrics::kPadding / 2;
    if (!m_text.name.isEmpty()) {
        painter->setPen(dark ? QColor(0xcf, 0xd8, 0xdc) : kBodyText);
        painter->drawText(QRectF(left, y, width, lineHeight), Qt::AlignLeft | Qt::AlignVCenter,
                          m_text.name);
        y += lineHeight;
    }
    painter->setPen(dark ? QColor(0xe0, 0xe6, 0xea) : kDetailText);
    for (const QString &line : m_text.details) {
        painter->drawText(QRectF(left, y, width, lineHeight), Qt::AlignLeft | Qt::AlignVCenter,
                          line);
        y += lineHeight;
    }
}

void CardItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        event->ignore();
        return;
    }
    m_host.cardClicked(m_box);
    event->accept();
}

void CardItem::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    if (isGroup() && event->button() == Qt::LeftButton) {
        m_host.groupActivated(m_group);
        event->accept();
        return;
    }
    QGraphicsItem::mouseDoubleClickEvent(event);
}

// ------------------------------------------------------------------------------------ edges

EdgeItem::EdgeItem(GraphItemHost &host, const graphviz::Edge &edge)
    : m_host(host)
    , m_from(edge.from)
    , m_to(edge.to)
{
    setZValue(100);
    setAcceptedMouseButtons(Qt::NoButton);
    const std::vector<graphviz::Point> &points = edge.points;
    if (!points.empty()) {
        m_path.moveTo(toQt(points.front()));
        std::size_t i = 1;
        for (; i + 2 < points.size(); i += 3) {
            m_path.cubicTo(toQt(points[i]), toQt(points[i + 1]), toQt(points[i + 2]));
        }
        for (; i < points.size(); ++i) {
            m_path.lineTo(toQt(points[i])); // a malformed tail: straight segments
        }
    }
    if (points.size() >= 2) {
        // The arrow points along the last segment that has a length.
        const QPointF tip = toQt(points.back());
        QPointF from = tip;
        for (std::size_t k = points.size() - 1; k-- > 0 && from == tip;) {
            from = toQt(points[k]);
        }
        const QPointF d = tip - from;
        const double length = std::hypot(d.x(), d.y());
        if (length > 0) {
            const QPointF u = d / length;
            const QPointF n(-u.y(), u.x());
            const QPointF base = tip - u * kArrowLength;
            m_arrow << tip << base + n * kArrowHalfWidth << base - n * kArrowHalfWidth;
        }
    }
    m_label = QString::fromStdString(edge.label);
    if (!m_label.isEmpty()) {
        const QFontMetricsF metrics(m_host.fonts().edge);
        const QSizeF size(metrics.horizontalAdvance(m_label) + 6, metrics.height() + 2);
        m_labelRect = QRectF(QPointF(edge.labelAt.x, edge.labelAt.y)
                                 - QPointF(size.width() / 2, size.height() / 2),
                             size);
    }
    m_bounds = m_path.boundingRect().united(m_arrow.boundingRect()).adjusted(-2, -2, 2, 2);
    if (!m_label.isEmpty()) {
        m_bounds = m_bounds.united(m_labelRect);
    }
}

void EdgeItem::setHighlighted(bool highlighted)
{
    if (m_highlighted != highlighted) {
        m_highlighted = highlighted;
        setZValue(highlighted ? 150 : 100);
        update();
    }
}

void EdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const bool highlight = m_highlighted && !m_host.isExporting();
    const QColor color = highlight ? kEdgeHighlight : kEdgePen;
    painter->setRenderHint(QPainter::Antialiasing, lod >= kLodBlocksOnly);
    painter->setPen(QPen(color, highlight ? 2.0 : 1.2));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawPolygon(m_arrow);
    if (m_label.isEmpty() || lod < kLodEdgeLabels) {
        return;
    }
    painter->setBrush(QColor(255, 255, 255, 220));
    painter->drawRoundedRect(m_labelRect, 3, 3);
    painter->setPen(highlight ? kEdgeHighlight : kEdgeLabel);
    painter->setFont(m_host.fonts().edge);
    painter->drawText(m_labelRect, Qt::AlignCenter, m_label);
}

// ----------------------------------------------------------------------------------- frames

FrameItem::FrameItem(GraphItemHost &host, const graphviz::Frame &frame)
    : m_host(host)
    , m_group(frame.group)
    , m_title(QStringLiteral("▾ ") + QString::fromStdString(frame.group))
    , m_size(frame.rect.width, frame.rect.height)
    , m_depth(frame.depth)
{
    setPos(frame.rect.x, frame.rect.y);
    setZValue(m_depth); // nested frames above their parents, all below edges and cards
    setAcceptedMouseButtons(Qt::LeftButton);
    setToolTip(QObject::tr("%1: double-click the title to collapse").arg(m_title.mid(2)));
}

QRectF FrameItem::headerRect() const
{
    return {0, 0, m_size.width(), std::min(CardMetrics::kFrameHeader, m_size.height())};
}

QRectF FrameItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size).adjusted(-1, -1, 1, 1);
}

void FrameItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF rect(QPointF(0, 0), m_size);
    const int tint = std::min(m_depth, 4);
    painter->setRenderHint(QPainter::Antialiasing, lod >= kLodBlocksOnly);
    painter->setPen(QPen(QColor(0x90, 0x8e, 0xb8), 1, Qt::DashLine));
    painter->setBrush(QColor(0x5c, 0x5a, 0x8f, 10 + 8 * tint));
    painter->drawRoundedRect(rect, 8, 8);
    if (lod < kLodTitleOnly) {
        return;
    }
    const QRectF header = headerRect().adjusted(8, 0, -8, 0);
    painter->setFont(m_host.fonts().frame);
    painter->setPen(QColor(0x4a, 0x48, 0x78));
    painter->drawText(header, Qt::AlignLeft | Qt::AlignVCenter,
                      elided(m_title, m_host.fonts().frame, header.width(), Qt::ElideMiddle));
}

void FrameItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    event->ignore(); // a drag on a frame pans the view
}

void FrameItem::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && headerRect().contains(event->pos())) {
        m_host.groupActivated(m_group);
        event->accept();
        return;
    }
    event->ignore();
}

} // namespace tl::views
