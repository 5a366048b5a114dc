#pragma once
// Paints a ConfusionMatrix as a heat map: true classes down the left, predictions along the
// bottom, each cell coloured by its share of the row, with its count written in when the
// number fits, and a tooltip per cell. Scales from 2 classes to thousands (cells are drawn
// from one image, one pixel per cell). A UI-thread widget fed by EvaluationView.

#include "views/confusion_matrix.h"

#include <QImage>
#include <QWidget>

#include <optional>
#include <utility>

namespace tl::views {

class ConfusionMatrixView : public QWidget
{
    Q_OBJECT

public:
    explicit ConfusionMatrixView(QWidget *parent = nullptr);

    void setMatrix(ConfusionMatrix matrix);
    const ConfusionMatrix &matrix() const { return m_matrix; }
    // Shown instead of the matrix while it is empty ("No evaluation yet.").
    void setEmptyMessage(const QString &text);
    QString emptyMessage() const { return m_emptyMessage; }

    // Where cell (trueClass, predicted) is drawn at the current size.
    QRectF cellRect(int trueClass, int predicted) const;
    // The cell under pos, if any.
    std::optional<std::pair<int, int>> cellAt(const QPointF &pos) const;
    // The count written in a cell: empty when it is 0 or does not fit the cell.
    QString cellText(int trueClass, int predicted) const;
    // Every non-zero count fits its cell at the current size.
    bool showsCounts() const;
    // Every n-th class is labelled when the cells are smaller than a line of text.
    int labelStride() const;
    QString cellToolTip(int trueClass, int predicted) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Geometry
    {
        QRectF grid;
        double cell = 0;
        double rowLabelWidth = 0;
        double columnLabelHeight = 0;
    };

    Geometry geometry() const;
    bool fits(const QString &text, double cell) const;
    void paintLabels(QPainter &painter, const Geometry &g) const;
    void paintCounts(QPainter &painter, const Geometry &g) const;

    ConfusionMatrix m_matrix;
    QImage m_cells; // one pixel per cell, its colour
    QString m_emptyMessage;
    double m_widestLabel = 0; // pixels, of the longest class name
};

} // namespace tl::views
