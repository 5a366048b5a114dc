#include "views/confusion_matrix_view.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

constexpr double kMargin = 6;
constexpr double kLabelGap = 4;

} // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget *parent)
    : QWidget(parent)
    , m_emptyMessage(tr("No evaluation yet."))
{
    setObjectName(QStringLiteral("confusionMatrix"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionMatrixView::setMatrix(ConfusionMatrix matrix)
{
    m_matrix = std::move(matrix);
    const int n = m_matrix.classCount();
    m_cells = QImage(std::max(n, 1), std::max(n, 1), QImage::Format_RGB32);
    m_cells.fill(Qt::white);
    for (int i = 0; i < n; ++i) {
        auto *line = reinterpret_cast<QRgb *>(m_cells.scanLine(i));
        for (int j = 0; j < n; ++j) {
            line[j] = ConfusionMatrix::cellColour(m_matrix.rowFraction(i, j), i == j).rgb();
        }
    }
    m_widestLabel = 0;
    for (const QString &label : m_matrix.labels()) {
        m_widestLabel = std::max(m_widestLabel, double(fontMetrics().horizontalAdvance(label)));
    }
    update();
}

void ConfusionMatrixView::setEmptyMessage(const QString &text)
{
    m_emptyMessage = text;
    update();
}

QSize ConfusionMatrixView::sizeHint() const
{
    return {420, 420};
}

QSize ConfusionMatrixView::minimumSizeHint() const
{
    return {160, 160};
}

ConfusionMatrixView::Geometry ConfusionMatrixView::geometry() const
{
    Geometry g;
    const int n = m_matrix.classCount();
    if (n == 0) {
        return g;
    }
    const double line = fontMetrics().height();
    g.rowLabelWidth = std::min(m_widestLabel + kLabelGap, width() / 4.0);
    g.columnLabelHeight = std::min(m_widestLabel + kLabelGap, height() / 4.0);
    // Axis titles take a line each: "true class" on the left, "predicted" at the bottom.
    const double left = kMargin + line + g.rowLabelWidth;
    const double bottom = g.columnLabelHeight + line + kMargin;
    const double side = std::min(width() - left - kMargin, height() - kMargin - bottom);
    g.cell = std::max(side, 0.0) / n;
    if (g.cell >= 2) {
        g.cell = std::floor(g.cell); // whole pixels keep the grid lines crisp
    }
    const double extra = std::max(0.0, width() - left - kMargin - g.cell * n);
    g.grid = QRectF(left + extra / 2, kMargin, g.cell * n, g.cell * n);
    return g;
}

QRectF ConfusionMatrixView::cellRect(int trueClass, int predicted) const
{
    const Geometry g = geometry();
    return {g.grid.left() + predicted * g.cell, g.grid.top() + trueClass * g.cell, g.cell, g.cell};
}

std::optional<std::pair<int, int>> ConfusionMatrixView::cellAt(const QPointF &pos) const
{
    const Geometry g = geometry();
    if (g.cell <= 0 || !g.grid.contains(pos)) {
        return std::nullopt;
    }
    const int n = m_matrix.classCount();
    const int row = std::min(n - 1, static_cast<int>((pos.y() - g.grid.top()) / g.cell));
    const int column = std::min(n - 1, static_cast<int>((pos.x() - g.grid.left()) / g.cell));
    return std::make_pair(row, column);
}

bool ConfusionMatrixView::fits(const QString &text, double cell) const
{
    return fontMetrics().horizontalAdvance(text) + 4 <= cell && fontMetrics().height() <= cell;
}

QString ConfusionMatrixView::cellText(int trueClass, int predicted) const
{
    const std::uint64_t count = m_matrix.count(trueClass, predicted);
    const QString text = QString::number(count);
    return count > 0 && fits(text, geometry().cell) ? text : QString();
}

bool ConfusionMatrixView::showsCounts() const
{
    std::uint64_t largest = 0;
    for (int i = 0; i < m_matrix.classCount(); ++i) {
        largest = std::max(largest, m_matrix.rowTotal(i)); // no cell exceeds its row's total
    }
    return !m_matrix.isEmpty() && fits(QString::number(largest), geometry().cell);
}

int ConfusionMatrixView::labelStride() const
{
    const double cell = geometry().cell;
    if (cell <= 0) {
        return 1;
    }
    return std::max(1, static_cast<int>(std::ceil(fontMetrics().height() / cell)));
}

QString ConfusionMatrixView::cellToolTip(int trueClass, int predicted) const
{
    const QStringList &labels = m_matrix.labels();
    if (trueClass < 0 || predicted < 0 || trueClass >= labels.size()
        || predicted >= labels.size()) {
        return {};
    }
    return tr("true %1, predicted %2\n%3 of %4 (%5%)")
        .arg(labels[trueClass], labels[predicted])
        .arg(m_matrix.count(trueClass, predicted))
        .arg(m_matrix.rowTotal(trueClass))
        .arg(m_matrix.rowFraction(trueClass, predicted) * 100.0, 0, 'f', 1);
}

void ConfusionMatrixView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_matrix.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        const QString text = m_matrix.problem().isEmpty() ? m_emptyMessage : m_matrix.problem();
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                         text);
        return;
    }
    const Geometry g = geometry();
    if (g.cell <= 0) {
        return;
    }
    painter.drawImage(g.grid, m_cells);
    if (g.cell >= 8) {
        painter.setPen(QPen(palette().color(QPalette::Base), 1));
        for (int i = 1; i < m_matrix.classCount(); ++i) {
            const double x = g.grid.left() + i * g.cell;
            const double y = g.grid.top() + i * g.cell;
            painter.drawLine(QPointF(x, g.grid.top()), QPointF(x, g.grid.bottom()));
            painter.drawLine(QPointF(g.grid.left(), y), QPointF(g.grid.right(), y));
        }
    }
    paintCounts(painter, g);
    paintLabels(painter, g);
}

void ConfusionMatrixView::paintCounts(QPainter &painter, const Geometry &g) const
{
    if (!showsCounts()) {
        return;
    }
    const int n = m_matrix.classCount();
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const std::uint64_t count = m_matrix.count(i, j);
            if (count == 0) {
                continue;
            }
            const QColor background =
                ConfusionMatrix::cellColour(m_matrix.rowFraction(i, j), i == j);
            painter.setPen(ConfusionMatrix::textColour(background));
            const QRectF cell(g.grid.left() + j * g.cell, g.grid.top() + i * g.cell, g.cell,
                              g.cell);
            painter.drawText(cell, Qt::AlignCenter, QString::number(count));
        }
    }
}

void ConfusionMatrixView::paintLabels(QPainter &painter, const Geometry &g) const
{
    const QStringList &labels = m_matrix.labels();
    const int stride = labelStride();
    const QFontMetrics fm = fontMetrics();
    painter.setPen(palette().color(QPalette::Text));
    for (int i = 0; i < labels.size(); i += stride) {
        const QString row =
            fm.elidedText(labels[i], Qt::ElideRight, int(g.rowLabelWidth - kLabelGap));
        const QRectF rowRect(g.grid.left() - g.rowLabelWidth, g.grid.top() + i * g.cell,
                             g.rowLabelWidth - kLabelGap, g.cell);
        painter.drawText(rowRect, Qt::AlignRight | Qt::AlignVCenter, row);
        // Column labels run upwards below the grid, ending at it.
        const QString column =
            fm.elidedText(labels[i], Qt::ElideRight, int(g.columnLabelHeight - kLabelGap));
        painter.save();
        painter.translate(g.grid.left() + (i + 0.5) * g.cell, g.grid.bottom() + kLabelGap);
        painter.rotate(-90);
        painter.drawText(QRectF(-(g.columnLabelHeight - kLabelGap), -g.cell / 2,
                                g.columnLabelHeight - kLabelGap, g.cell),
                         Qt::AlignRight | Qt::AlignVCenter, column);
        painter.restore();
    }
    QFont italic = painter.font();
    italic.setItalic(true);
    painter.setFont(italic);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const double line = fm.height();
    painter.drawText(
        QRectF(g.grid.left(), g.grid.bottom() + g.columnLabelHeight, g.grid.width(), line),
        Qt::AlignCenter, tr("predicted"));
    painter.save();
    painter.translate(g.grid.left() - g.rowLabelWidth - line, g.grid.bottom());
    painter.rotate(-90);
    painter.drawText(QRectF(0, 0, g.grid.height(), line), Qt::AlignCenter, tr("true class"));
    painter.restore();
}

bool ConfusionMatrixView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        if (const auto cell = cellAt(help->pos())) {
            QToolTip::showText(help->globalPos(), cellToolTip(cell->first, cell->second), this);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace tl::views
