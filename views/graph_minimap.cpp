#include "views/graph_minimap.h"

#include <QGraphicsScene>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace tl::views {
namespace {

constexpr int kBorder = 4;

} // namespace

GraphMinimap::GraphMinimap(QGraphicsView &view, QWidget *parent) : QWidget(parent), m_view(view)
{
    setObjectName(QStringLiteral("graphMinimap"));
    setCursor(Qt::OpenHandCursor);
    setToolTip(tr("Click or drag to move the view"));
    hide();
}

void GraphMinimap::rebuild(const QRectF &sceneRect)
{
    m_sceneRect = sceneRect;
    if (sceneRect.isEmpty() || m_view.scene() == nullptr) {
        m_thumbnail = QImage();
        hide();
        return;
    }
    m_scale = std::min(kMaxWidth / sceneRect.width(), kMaxHeight / sceneRect.height());
    const QSize size(std::max(1, static_cast<int>(sceneRect.width() * m_scale)),
                     std::max(1, static_cast<int>(sceneRect.height() * m_scale)));
    m_thumbnail = QImage(size, QImage::Format_ARGB32_Premultiplied);
    m_thumbnail.fill(QColor(250, 250, 252));
    QPainter painter(&m_thumbnail);
    // At this scale the cards draw as coloured blocks (their level of detail), so even a
    // 2,000-card graph renders in a few milliseconds.
    m_view.scene()->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), sceneRect);
    painter.end();
    resize(sizeHint());
    show();
    update();
}

QSize GraphMinimap::sizeHint() const
{
    if (m_thumbnail.isNull()) {
        return {0, 0};
    }
    return m_thumbnail.size() + QSize(2 * kBorder, 2 * kBorder);
}

QRectF GraphMinimap::thumbnailRect() const
{
    return {QPointF(kBorder, kBorder), QSizeF(m_thumbnail.size())};
}

QPointF GraphMinimap::toScene(const QPointF &widgetPoint) const
{
    const QPointF inThumb = widgetPoint - thumbnailRect().topLeft();
    return m_sceneRect.topLeft() + inThumb / m_scale;
}

void GraphMinimap::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setPen(QColor(0x90, 0x9a, 0xa4));
    painter.setBrush(QColor(255, 255, 255, 235));
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    painter.drawImage(thumbnailRect().topLeft(), m_thumbnail);
    // The part of the scene the view shows, clipped to the thumbnail.
    const QRectF shown =
        m_view.mapToScene(m_view.viewport()->rect()).boundingRect().intersected(m_sceneRect);
    if (shown.isEmpty()) {
        return;
    }
    const QRectF box((shown.topLeft() - m_sceneRect.topLeft()) * m_scale
                         + thumbnailRect().topLeft(),
                     shown.size() * m_scale);
    painter.setPen(QPen(QColor(0xe6, 0x51, 0x00), 1.5));
    painter.setBrush(QColor(0xe6, 0x51, 0x00, 30));
    painter.drawRect(box);
}

void GraphMinimap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_view.centerOn(toScene(event->position()));
        emit viewMoved();
        event->accept();
    }
}

void GraphMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        m_view.centerOn(toScene(event->position()));
        emit viewMoved();
        event->accept();
    }
}

} // namespace tl::views
