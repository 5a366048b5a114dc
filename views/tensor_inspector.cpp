#include "views/tensor_inspector.h"

#include "base/number_text.h"
#include "views/view_colours.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStringList>
#include <QTableView>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

const QColor kBarColour(0x1f, 0x77, 0xb4);

QString grouped(std::uint64_t value)
{
    return QString::fromStdString(base::groupedDigits(static_cast<std::int64_t>(value)));
}

QString statistic(double value)
{
    return QString::number(value, 'g', 6);
}

// "3 (0.04%)": a count and its share of all elements.
QString countText(std::uint64_t count, std::uint64_t total)
{
    if (count == 0 || total == 0) {
        return grouped(count);
    }
    const double percent = 100.0 * static_cast<double>(count) / static_cast<double>(total);
    return QStringLiteral("%1 (%2%)")
        .arg(grouped(count), QString::number(percent, 'f', percent < 1 ? 2 : 1));
}

void showCount(QLabel *label, std::uint64_t count, std::uint64_t total, bool alert)
{
    label->setText(countText(count, total));
    label->setStyleSheet(
        alert && count > 0 ? errorTextStyle() + QStringLiteral(" font-weight: bold;") : QString());
}

// "[0, 3]": the leading indices of row `row` of a rank >= 3 tensor laid out by its last dimension.
QString rowIndexText(const proto::TensorSnapshot &snapshot, std::int64_t row)
{
    const int leading = snapshot.shape_size() - 1;
    QStringList parts;
    for (int d = leading - 1; d >= 0; --d) {
        const std::int64_t extent = std::max<std::int64_t>(snapshot.shape(d), 1);
        parts.prepend(QString::number(row % extent));
        row /= extent;
    }
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QStandardItem *valueItem(float value)
{
    auto *item = new QStandardItem(QString::number(static_cast<double>(value), 'g', 4));
    item->setEditable(false);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(QString::number(static_cast<double>(value), 'g', 9));
    if (!std::isfinite(value)) {
        item->setForeground(kErrorColour);
    }
    return item;
}

QLabel *valueLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

QString shapeText(const proto::TensorSnapshot &snapshot)
{
    QStringList dims;
    for (const std::int64_t d : snapshot.shape()) {
        dims.append(QString::number(d));
    }
    return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

TensorInspector::TensorInspector(QWidget *parent)
    : QWidget(parent)
    , m_name(new QLabel(this))
    , m_header(new QLabel(this))
    , m_plot(new QCustomPlot(this))
    , m_note(new QLabel(this))
    , m_values(new QStandardItemModel(this))
    , m_table(new QTableView(this))
{
    m_name->setObjectName(QStringLiteral("tensorName"));
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setObjectName(QStringLiteral("tensorHeader"));
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_plot->setObjectName(QStringLiteral("tensorHistogram"));
    m_plot->setMinimumHeight(90);
    // No axis titles: the dock is narrow, and value across, count up needs no saying.
    m_plot->setToolTip(tr("How many finite values fall in each bin between min and max"));
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->xAxis->ticker()->setTickCount(5);
    m_plot->yAxis->ticker()->setTickCount(3);
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setName(tr("finite values"));
    m_bars->setPen(QPen(kBarColour.darker(130)));
    m_bars->setBrush(QColor(kBarColour.red(), kBarColour.green(), kBarColour.blue(), 200));

    m_note->setObjectName(QStringLiteral("tensorValuesNote"));
    m_table->setObjectName(QStringLiteral("tensorValues"));
    m_table->setModel(m_values);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setMinimumHeight(70);
    // Fixed columns wide enough for the longest forms of 4 significant digits ("-0.0001234",
    // "-1.234e-05"): resizing to contents would measure 4096 cells.
    const QFontMetrics metrics(m_table->font());
    int widest = 0;
    for (const QString &sample : {QStringLiteral("-0.0008888"), QStringLiteral("-8.888e-88")}) {
        widest = std::max(widest, metrics.horizontalAdvance(sample));
    }
    m_table->horizontalHeader()->setDefaultSectionSize(widest + 14);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(metrics.height() + 6);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);

    auto *valuesBox = new QWidget(this);
    auto *valuesLayout = new QVBoxLayout(valuesBox);
    valuesLayout->setContentsMargins(0, 0, 0, 0);
    valuesLayout->addWidget(m_note);
    valuesLayout->addWidget(m_table, 1);
    // Histogram and values share the height; the user moves the line between them.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("tensorSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_plot);
    split->addWidget(valuesBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({1, 1}); // weights: half each, whatever the size hints say

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_name);
    layout->addWidget(m_header);
    layout->addWidget(createStatistics());
    layout->addWidget(split, 1);
    clear();
}

QWidget *TensorInspector::createStatistics()
{
    auto *box = new QWidget(this);
    box->setObjectName(QStringLiteral("tensorStatistics"));
    m_min = valueLabel(box, QStringLiteral("tensorMin"));
    m_max = valueLabel(box, QStringLiteral("tensorMax"));
    m_mean = valueLabel(box, QStringLiteral("tensorMean"));
    m_std = valueLabel(box, QStringLiteral("tensorStd"));
    m_nan = valueLabel(box, QStringLiteral("tensorNanCount"));
    m_inf = valueLabel(box, QStringLiteral("tensorInfCount"));
    m_zero = valueLabel(box, QStringLiteral("tensorZeroCount"));
    // Two columns of label and value: the finite statistics left, the counts right.
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 4, 0, 4);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    const auto row = [&](int r, int c, const QString &label, QLabel *value) {
        grid->addWidget(new QLabel(label, box), r, c * 2);
        grid->addWidget(value, r, c * 2 + 1);
    };
    row(0, 0, tr("min"), m_min);
    row(1, 0, tr("max"), m_max);
    row(2, 0, tr("mean"), m_mean);
    row(3, 0, tr("std"), m_std);
    row(0, 1, tr("NaN"), m_nan);
    row(1, 1, tr("Inf"), m_inf);
    row(2, 1, tr("zeros"), m_zero);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    return box;
}

void TensorInspector::setSnapshot(const proto::TensorSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_empty = false;
    m_name->setText(QString::fromStdString(snapshot.name()));
    m_header->setText(tr("%1 · %2 · %3 elements")
                          .arg(shapeText(snapshot),
                               QString::fromStdString(snapshot.dtype()).isEmpty()
                                   ? tr("unknown type")
                                   : QString::fromStdString(snapshot.dtype()),
                               grouped(snapshot.count())));
    showStatistics();
    showHistogram();
    showValues();
}

void TensorInspector::clear()
{
    m_snapshot.Clear();
    m_empty = true;
    m_name->setText(tr("No tensor"));
    m_header->setText(tr("A stop of the step debugger shows its tensor here."));
    for (QLabel *label : {m_min, m_max, m_mean, m_std, m_nan, m_inf, m_zero}) {
        label->setText(QStringLiteral("–"));
        label->setStyleSheet(QString());
    }
    m_bars->data()->clear();
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_values->clear();
    m_note->clear();
}

void TensorInspector::showStatistics()
{
    const proto::TensorSnapshot &s = m_snapshot;
    // min .. std cover the finite values only; with none they are 0 and mean nothing.
    const bool anyFinite = s.count() > s.nan_count() + s.inf_count();
    m_min->setText(anyFinite ? statistic(s.min()) : QStringLiteral("–"));
    m_max->setText(anyFinite ? statistic(s.max()) : QStringLiteral("–"));
    m_mean->setText(anyFinite ? statistic(s.mean()) : QStringLiteral("–"));
    m_std->setText(anyFinite ? statistic(s.std()) : QStringLiteral("–"));
    showCount(m_nan, s.nan_count(), s.count(), true);
    showCount(m_inf, s.inf_count(), s.count(), true);
    showCount(m_zero, s.zero_count(), s.count(), false);
}

void TensorInspector::showHistogram()
{
    const proto::TensorSnapshot &s = m_snapshot;
    const int bins = s.histogram_size();
    double lower = s.min();
    double upper = s.max();
    if (!(upper > lower)) {
        // One value only (or none): a unit-wide range around it, so the bar has a width.
        lower -= 0.5;
        upper += 0.5;
    }
    const double width = bins > 0 ? (upper - lower) / bins : 1.0;
    QVector<double> keys;
    QVector<double> counts;
    double highest = 0;
    for (int i = 0; i < bins; ++i) {
        keys.push_back(lower + (i + 0.5) * width);
        counts.push_back(static_cast<double>(s.histogram(i)));
        highest = std::max(highest, counts.back());
    }
    m_bars->setWidth(width);
    m_bars->setData(keys, counts, true);
    const double pad = (upper - lower) * 0.02;
    m_plot->xAxis->setRange(lower - pad, upper + pad);
    m_plot->yAxis->setRange(0, highest > 0 ? highest * 1.1 : 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TensorInspector::showValues()
{
    const proto::TensorSnapshot &s = m_snapshot;
    m_values->clear();
    const int rank = s.shape_size();
    const std::int64_t rowLength = rank >= 2 ? s.shape(rank - 1) : 1;
    const std::int64_t shown = s.values_size();
    if (rowLength <= 0 || shown == 0) {
        m_note->setText(s.count() == 0 ? tr("no values") : tr("no values sent"));
        return;
    }
    const std::int64_t rows = (shown + rowLength - 1) / rowLength;
    const std::int64_t columns = std::min<std::int64_t>(rowLength, kMaxColumns);
    m_values->setRowCount(static_cast<int>(rows));
    m_values->setColumnCount(static_cast<int>(columns));
    // Indices are 0-based like the tensor's own (the model would number from 1).
    QStringList columnLabels;
    for (std::int64_t c = 0; c < columns; ++c) {
        columnLabels.append(rank < 2 ? tr("value") : QString::number(c));
    }
    m_values->setHorizontalHeaderLabels(columnLabels);
    for (std::int64_t r = 0; r < rows; ++r) {
        m_values->setVerticalHeaderItem(
            static_cast<int>(r),
            new QStandardItem(rank >= 3 ? rowIndexText(s, r) : QString::number(r)));
        for (std::int64_t c = 0; c < columns && r * rowLength + c < shown; ++c) {
            m_values->setItem(static_cast<int>(r), static_cast<int>(c),
                              valueItem(s.values(static_cast<int>(r * rowLength + c))));
        }
    }
    QStringList note;
    if (static_cast<std::uint64_t>(shown) < s.count()) {
        note.append(tr("first %1 of %2 values")
                        .arg(grouped(static_cast<std::uint64_t>(shown)), grouped(s.count())));
    } else {
        note.append(tr("all %1 values").arg(grouped(static_cast<std::uint64_t>(shown))));
    }
    if (rowLength > columns) {
        note.append(tr("first %1 of %2 columns")
                        .arg(columns)
                        .arg(grouped(static_cast<std::uint64_t>(rowLength))));
    }
    m_note->setText(note.join(QStringLiteral(" · ")));
}

QString TensorInspector::name() const
{
    return m_empty ? QString() : m_name->text();
}

QString TensorInspector::headerText() const
{
    return m_empty ? QString() : m_header->text();
}

const QAbstractItemModel *TensorInspector::valuesModel() const
{
    return m_values;
}

QString TensorInspector::valuesNote() const
{
    return m_note->text();
}

int TensorInspector::histogramBinCount() const
{
    return m_bars->data()->size();
}

} // namespace tl::views
