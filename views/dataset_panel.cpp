#include "views/dataset_panel.h"

#include "base/number_text.h"
#include "datasets/dataset_preview.h"
#include "views/class_histogram.h"
#include "views/dataset_header.h"
#include "views/dataset_options_widget.h"
#include "views/models/sample_table_model.h"
#include "views/sample_browser.h"
#include "views/view_colours.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tl::views {
namespace {

enum Tab { SamplesTab, RowsTab, ClassesTab, OptionsTab };

QTableWidgetItem *readOnlyItem(const QString &text, Qt::Alignment alignment = Qt::AlignLeft)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(alignment | Qt::AlignVCenter);
    return item;
}

// The train split's count of each class (none before a dataset is loaded).
std::vector<std::int64_t> trainCounts(const datasets::DatasetSummary &summary)
{
    for (const datasets::SplitSummary &split : summary.splits) {
        if (split.name == "train") {
            return split.classCounts;
        }
    }
    return {};
}

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent) : QWidget(parent)
{
    buildLayout();
    showIdle();
    showMessage({}, false);
}

void DatasetPanel::buildLayout()
{
    m_header = new DatasetHeader(this);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("datasetMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_progress = new QProgressBar(this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    auto *open = new QPushButton(tr("Open…"), this);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(open, 0, Qt::AlignTop);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetPanel::cancelClicked);
    connect(open, &QPushButton::clicked, this, &DatasetPanel::openClicked);

    m_samples = new SampleBrowser(this);
    m_rowsModel = new SampleTableModel(this);
    m_rows = new QTableView(this);
    m_rows->setObjectName(QStringLiteral("datasetRows"));
    m_rows->setModel(m_rowsModel);
    m_rows->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_rows->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_options = new DatasetOptionsWidget(this);
    connect(m_options, &DatasetOptionsWidget::optionsEdited, this, &DatasetPanel::optionsEdited);
    auto *optionsScroll = new QScrollArea(this);
    optionsScroll->setWidgetResizable(true);
    optionsScroll->setFrameShape(QFrame::NoFrame);
    optionsScroll->setWidget(m_options);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("datasetTabs"));
    m_tabs->insertTab(SamplesTab, m_samples, tr("Samples"));
    m_tabs->insertTab(RowsTab, m_rows, tr("Rows"));
    m_tabs->insertTab(ClassesTab, buildClassesTab(), tr("Classes"));
    m_tabs->insertTab(OptionsTab, optionsScroll, tr("Options"));
    m_tabs->setTabVisible(RowsTab, false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(headerRow);
    layout->addWidget(m_message);
    layout->addLayout(progressRow);
    layout->addWidget(m_tabs, 1);
}

QWidget *DatasetPanel::buildClassesTab()
{
    auto *tab = new QWidget(this);
    m_histogram = new ClassHistogram(tab);
    m_classes = new QTableWidget(0, 3, tab);
    m_classes->setObjectName(QStringLiteral("datasetClasses"));
    m_classes->setHorizontalHeaderLabels({tr("Class"), tr("Train samples"), tr("Share")});
    m_classes->verticalHeader()->setVisible(false);
    m_classes->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_classes->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_classes->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_classes->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_classes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto *layout = new QVBoxLayout(tab);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_histogram, 3);
    layout->addWidget(m_classes, 2);
    return tab;
}

SampleGrid *DatasetPanel::sampleGrid() const
{
    return m_samples->grid();
}

void DatasetPanel::showDataset(const proto::DatasetSpec &spec,
                               const datasets::DatasetPreview &preview)
{
    const datasets::DatasetSummary &summary = preview.summary;
    m_header->setDataset(spec, summary);
    const bool images = summary.sampleShape.size() == 3;
    m_samples->setSamples(preview.samples, summary.sampleShape, summary.classNames);
    m_rowsModel->setRows(preview.rows, summary.featureNames, summary.classNames);
    // Hiding the current tab makes another one current: ask which was shown first.
    const bool showedData =
        m_tabs->currentIndex() == SamplesTab || m_tabs->currentIndex() == RowsTab;
    m_tabs->setTabVisible(images ? SamplesTab : RowsTab, true);
    if (showedData) {
        m_tabs->setCurrentIndex(images ? SamplesTab : RowsTab);
    }
    m_tabs->setTabVisible(images ? RowsTab : SamplesTab, false);
    showClasses(preview);
    m_options->setDataset(spec, summary);
}

void DatasetPanel::showClasses(const datasets::DatasetPreview &preview)
{
    const std::vector<std::string> &names = preview.summary.classNames;
    const std::vector<std::int64_t> counts = trainCounts(preview.summary);
    m_histogram->setCounts(names, counts);
    std::int64_t total = 0;
    for (std::int64_t count : counts) {
        total += count;
    }
    const std::size_t rows = std::max(names.size(), counts.size());
    m_classes->setRowCount(static_cast<int>(rows));
    for (std::size_t i = 0; i < rows; ++i) {
        const QString name =
            i < names.size() ? QString::fromStdString(names[i]) : QString::number(i);
        const std::int64_t count = i < counts.size() ? counts[i] : 0;
        const QString share =
            total > 0 ? QStringLiteral("%1 %").arg(
                100.0 * static_cast<double>(count) / static_cast<double>(total), 0, 'f', 1)
                      : QString();
        const auto row = static_cast<int>(i);
        m_classes->setItem(row, 0, readOnlyItem(QStringLiteral("%1  %2").arg(i).arg(name)));
        m_classes->setItem(
            row, 1,
            readOnlyItem(QString::fromStdString(base::groupedDigits(count)), Qt::AlignRight));
        m_classes->setItem(row, 2, readOnlyItem(share, Qt::AlignRight));
    }
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
    m_message->setStyleSheet(isError ? errorTextStyle() : QString());
    m_message->setVisible(!text.isEmpty());
}

QString DatasetPanel::message() const
{
    return m_message->text();
}

} // namespace tl::views
