#include "views/class_histogram.h"

#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>

namespace tl::views {
namespace {

// Past this many classes (CIFAR-100) only every n-th name is written, upright.
constexpr int kMaxTickLabels = 40;
// Negative: a name ends at its tick and rises to the right, so the last one is not clipped at
// the widget's right border (QCustomPlot drops a label it would clip).
constexpr double kSlanted = -45;
constexpr double kUpright = -90;
constexpr int kLabelGap = 8; // pixels between two names written side by side

} // namespace

ClassHistogram::ClassHistogram(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(QStringLiteral("classHistogramPlot"));
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setName(tr("train samples"));
    m_bars->setPen(QPen(QColor(0x1f, 0x77, 0xb4).darker(130)));
    m_bars->setBrush(QColor(0x1f, 0x77, 0xb4, 200));
    m_bars->setWidth(0.7);
    m_plot->yAxis->setLabel(tr("train samples"));
    m_plot->xAxis->setTickLength(0, 3);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->setMinimumHeight(160);
    clear();
}

void ClassHistogram::setCounts(const std::vector<std::string> &classNames,
                               const std::vector<std::int64_t> &counts)
{
    const std::size_t classes = std::max(classNames.size(), counts.size());
    const std::size_t every = (classes + kMaxTickLabels - 1) / kMaxTickLabels;
    QVector<double> keys;
    QVector<double> values;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double highest = 0;
    for (std::size_t i = 0; i < classes; ++i) {
        keys.push_back(static_cast<double>(i));
        values.push_back(i < counts.size() ? static_cast<double>(counts[i]) : 0.0);
        highest = std::max(highest, values.back());
        if (i % std::max<std::size_t>(every, 1) == 0) {
            ticker->addTick(static_cast<double>(i), i < classNames.size()
                                                        ? QString::fromStdString(classNames[i])
                                                        : QString::number(i));
        }
    }
    m_bars->setData(keys, values, true);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.6, static_cast<double>(classes) - 0.4);
    m_plot->yAxis->setRange(0, highest > 0 ? highest * 1.1 : 1.0);
    fitTickLabels();
}

void ClassHistogram::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTickLabels();
}

void ClassHistogram::fitTickLabels()
{
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    const int bars = barCount();
    double rotation = 0;
    if (ticker && bars > 0) {
        const QFontMetrics metrics(m_plot->xAxis->tickLabelFont());
        int widest = 0;
        for (const QString &label : ticker->ticks()) {
            widest = std::max(widest, metrics.horizontalAdvance(label));
        }
        // The axis spans about the plot's width less the value axis' labels.
        const int perBar = std::max(1, m_plot->width() - 60) / bars;
        rotation = bars > kMaxTickLabels ? kUpright : widest + kLabelGap > perBar ? kSlanted : 0;
    }
    m_plot->xAxis->setTickLabelRotation(rotation);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double ClassHistogram::tickLabelRotation() const
{
    return m_plot->xAxis->tickLabelRotation();
}

void ClassHistogram::clear()
{
    setCounts({}, {});
}

int ClassHistogram::barCount() const
{
    return m_bars->data()->size();
}

double ClassHistogram::barValue(int i) const
{
    if (i < 0 || i >= barCount()) {
        return 0;
    }
    return (m_bars->data()->constBegin() + i)->value;
}

QString ClassHistogram::tickLabel(int i) const
{
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    return ticker ? ticker->ticks().value(static_cast<double>(i)) : QString();
}

} // namespace tl::views
