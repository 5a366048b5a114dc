#pragma once
// The graph view's minimap: a thumbnail of the whole graph, drawn once per layout, with the
// rectangle the view shows; a click or drag in it pans the view there. Floats over a corner of
// the graph view, which owns it. UI thread.

#include <QImage>
#include <QWidget>

class QGraphicsView;

namespace tl::views {

class GraphMinimap : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kMaxWidth = 180;
    static constexpr int kMaxHeight = 150;

    // view is observed and outlives this widget (both belong to the graph view).
    GraphMinimap(QGraphicsView &view, QWidget *parent);

    // Redraws the thumbnail of sceneRect (after a new layout); an empty rect hides the map.
    void rebuild(const QRectF &sceneRect);
    const QImage &thumbnail() const { return m_thumbnail; }
    // The scene point under a point of this widget.
    QPointF toScene(const QPointF &widgetPoint) const;

    QSize sizeHint() const override;

signals:
    // The user moved the view from the map.
    void viewMoved();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    QRectF thumbnailRect() const;

    QGraphicsView &m_view;
    QRectF m_sceneRect;
    QImage m_thumbnail;
    double m_scale = 1; // thumbnail pixels per scene point
};

} // namespace tl::views
