#include "views/dataset_panel.h"

#include "datasets/dataset_preview.h"
#include "views/sample_grid.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tl::views {
namespace {

QString shapeText(const datasets::DatasetPreview &preview)
{
    return QStringLiteral("%1×%2×%3").arg(preview.channels).arg(preview.height).arg(preview.width);
}

QTableWidgetItem *readOnlyItem(const QString &text, Qt::Alignment alignment = Qt::AlignLeft)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(alignment | Qt::AlignVCenter);
    return item;
}

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent) : QWidget(parent)
{
    buildLayout();
    showIdle();
    showMessage({}, false);
    m_title->setText(tr("No dataset loaded"));
    m_summary->setText(
        tr("Drop an MNIST-style folder or its four idx files here, or use File ▸ Open Dataset…"));
}

void DatasetPanel::buildLayout()
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("datasetTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("datasetMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_progress = new QProgressBar(this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    auto *open = new QPushButton(tr("Open…"), this);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    progressRow->addStretch();
    progressRow->addWidget(open);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetPanel::cancelClicked);
    connect(open, &QPushButton::clicked, this, &DatasetPanel::openClicked);

    m_classes = new QTableWidget(0, 2, this);
    m_classes->setObjectName(QStringLiteral("datasetClasses"));
    m_classes->setHorizontalHeaderLabels({tr("Class"), tr("Train samples")});
    m_classes->verticalHeader()->setVisible(false);
    m_classes->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_classes->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_classes->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_classes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_grid = new SampleGrid(this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_message);
    layout->addLayout(progressRow);
    layout->addWidget(m_classes, 2);
    layout->addWidget(m_grid, 3);
}

void DatasetPanel::showPreview(const datasets::DatasetPreview &preview)
{
    m_title->setText(QString::fromStdString(preview.name));
    m_summary->setText(tr("Train: %1 · Test: %2 · Sample shape: %3\nPixel mean %4 · std %5 "
                          "(scaled to [0, 1])")
                           .arg(preview.trainCount)
                           .arg(preview.testCount)
                           .arg(shapeText(preview))
                           .arg(preview.pixelMean, 0, 'f', 4)
                           .arg(preview.pixelStd, 0, 'f', 4));
    const std::size_t rows = std::max(preview.classNames.size(), preview.trainClassCounts.size());
    m_classes->setRowCount(static_cast<int>(rows));
    for (std::size_t i = 0; i < rows; ++i) {
        const QString name = i < preview.classNames.size()
                                 ? QString::fromStdString(preview.classNames[i])
                                 : QString::number(i);
        const QString count = i < preview.trainClassCounts.size()
                                  ? QString::number(preview.trainClassCounts[i])
                                  : QString();
        m_classes->setItem(static_cast<int>(i), 0,
                           readOnlyItem(QStringLiteral("%1  %2").arg(i).arg(name)));
        m_classes->setItem(static_cast<int>(i), 1, readOnlyItem(count, Qt::AlignRight));
    }
    m_grid->setPreview(preview);
}

void DatasetPanel::showLoading(const QString &what)
{
    m_progress->setRange(0, 0);
    m_progress->setFormat(what);
    m_progress->setTextVisible(true);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
}

void DatasetPanel::showProgress(quint64 done, quint64 total, const QString &what)
{
    // QProgressBar holds ints: scale to per mille so byte counts never overflow it.
    if (total == 0) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(std::min<quint64>(done, total) * 1000 / total));
    }
    m_progress->setFormat(what.isEmpty() ? QStringLiteral("%p%") : what + QStringLiteral(" %p%"));
}

void DatasetPanel::showIdle()
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
}

void DatasetPanel::showMessage(const QString &text, bool isError)
{
    m_message->setText(text);
    m_message->setStyleSheet(isError ? QStringLiteral("color: #c62828;") : QString());
    m_message->setVisible(!text.isEmpty());
}

QString DatasetPanel::message() const
{
    return m_message->text();
}

} // namespace tl::views
