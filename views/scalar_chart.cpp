#include "views/scalar_chart.h"

#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace tl::views {
namespace {

// ~30 Hz: fast enough to look live, slow enough that a burst of points costs one repaint.
constexpr int kReplotIntervalMs = 33;

bool startsWith(const std::string &tag, const char *prefix)
{
    return tag.rfind(prefix, 0) == 0;
}

QPen penFor(const std::string &tag, std::size_t ordinal)
{
    static const std::array<QColor, 6> kPalette = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
        QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b)};
    // The standard tags keep fixed colours so runs look alike from one to the next; a split's
    // loss, accuracy and top-5 share its colour (accuracy dashed, top-5 dotted).
    QColor colour = kPalette[ordinal % kPalette.size()];
    if (ScalarChart::isLearningRateTag(tag)) {
        colour = kPalette[4];
    } else if (startsWith(tag, "train/")) {
        colour = kPalette[0];
    } else if (startsWith(tag, "test/")) {
        colour = kPalette[1];
    } else if (startsWith(tag, "val/")) {
        colour = kPalette[2];
    }
    QPen pen(colour, 2.0);
    if (ScalarChart::isLearningRateTag(tag)) {
        pen.setStyle(Qt::DashDotLine);
        pen.setWidthF(1.5);
    } else if (tag.find("top5") != std::string::npos) {
        pen.setStyle(Qt::DotLine);
    } else if (ScalarChart::isAccuracyTag(tag)) {
        pen.setStyle(Qt::DashLine);
    }
    return pen;
}

// Leaves a margin above and below the data so curves do not touch the frame; an axis with no
// data yet shows [0, 1] (the accuracy range) rather than QCustomPlot's arbitrary default.
void padRange(QCPAxis *axis)
{
    bool hasData = false;
    for (QCPGraph *graph : axis->graphs()) {
        hasData = hasData || !graph->data()->isEmpty();
    }
    if (!hasData) {
        axis->setRange(0.0, 1.0);
        return;
    }
    QCPRange range = axis->range();
    const double span = range.size() > 0 ? range.size() : std::max(1.0, std::abs(range.upper));
    axis->setRange(range.lower - span * 0.05, range.upper + span * 0.05);
}

} // namespace

ScalarChart::ScalarChart(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(QStringLiteral("scalarPlot"));
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setLabel(tr("accuracy"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setTickLabels(true);
    m_plot->yAxis2->setRange(0.0, 1.0);
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignVCenter | Qt::AlignRight);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_plot, QString(), QFont(font().family(), 10, QFont::Bold)));

    m_replotTimer.setSingleShot(true);
    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &ScalarChart::replotIfDirty);
}

bool ScalarChart::isAccuracyTag(const std::string &tag)
{
    return tag.find("acc") != std::string::npos || tag.find("top5") != std::string::npos;
}

bool ScalarChart::isLearningRateTag(const std::string &tag)
{
    return tag == "lr" || (tag.size() > 3 && tag.compare(tag.size() - 3, 3, "/lr") == 0);
}

QCPAxis *ScalarChart::axisFor(const std::string &tag)
{
    if (isAccuracyTag(tag)) {
        return m_plot->yAxis2;
    }
    if (!isLearningRateTag(tag)) {
        return m_plot->yAxis;
    }
    // A rate of 0.01 beside a loss of 2 would be a flat line at zero: it gets its own axis, at
    // the far right, made when the first rate arrives.
    if (!m_rateAxis) {
        m_rateAxis = m_plot->axisRect()->addAxis(QCPAxis::atRight);
        m_rateAxis->setLabel(tr("learning rate"));
        m_rateAxis->setTickLabelColor(penFor(tag, 0).color());
        m_rateAxis->setLabelColor(penFor(tag, 0).color());
    }
    return m_rateAxis;
}

QCPGraph *ScalarChart::graphFor(const std::string &tag)
{
    if (auto it = m_graphs.find(tag); it != m_graphs.end()) {
        return it->second;
    }
    QCPGraph *graph = m_plot->addGraph(m_plot->xAxis, axisFor(tag));
    graph->setName(QString::fromStdString(tag));
    graph->setPen(penFor(tag, m_graphs.size()));
    // Per-epoch tags have a point or two: without markers a single point would not show.
    if (isAccuracyTag(tag) || tag.rfind("test/", 0) == 0 || tag.rfind("val/", 0) == 0) {
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    }
    m_graphs.emplace(tag, graph);
    return graph;
}

void ScalarChart::appendPoints(const std::vector<ChartPoint> &points)
{
    for (const ChartPoint &point : points) {
        graphFor(point.tag)->addData(static_cast<double>(point.step), point.value);
    }
    if (points.empty()) {
        return;
    }
    m_dirty = true;
    if (!m_replotTimer.isActive()) {
        m_replotTimer.start();
    }
}

void ScalarChart::clear()
{
    m_plot->clearGraphs();
    m_graphs.clear();
    if (m_rateAxis) {
        m_plot->axisRect()->removeAxis(m_rateAxis); // the next run may have no rate
        m_rateAxis = nullptr;
    }
    m_dirty = true;
    if (!m_replotTimer.isActive()) {
        m_replotTimer.start();
    }
}

void ScalarChart::setTitle(const QString &title)
{
    if (auto *text = qobject_cast<QCPTextElement *>(m_plot->plotLayout()->element(0, 0))) {
        text->setText(title);
    }
    m_dirty = true;
    if (!m_replotTimer.isActive()) {
        m_replotTimer.start();
    }
}

int ScalarChart::pointCount(const std::string &tag) const
{
    auto it = m_graphs.find(tag);
    return it == m_graphs.end() ? 0 : it->second->dataCount();
}

void ScalarChart::replotIfDirty()
{
    if (!m_dirty) {
        return;
    }
    m_dirty = false;
    if (!m_graphs.empty()) {
        m_plot->rescaleAxes();
        // A little room right of the last step, so end-of-epoch markers are not cut in half.
        const QCPRange steps = m_plot->xAxis->range();
        m_plot->xAxis->setRange(steps.lower, steps.upper + std::max(1.0, steps.size() * 0.02));
        padRange(m_plot->yAxis);
        padRange(m_plot->yAxis2);
        if (m_rateAxis) {
            // Rates are positive and their schedule reads against zero (warmup from 0, decay
            // towards it), so the axis starts there.
            double top = 0;
            for (QCPGraph *graph : m_rateAxis->graphs()) {
                bool found = false;
                const QCPRange values = graph->data()->valueRange(found);
                top = found ? std::max(top, values.upper) : top;
            }
            m_rateAxis->setRange(0.0, top > 0 ? top * 1.1 : 1.0);
        }
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace tl::views
