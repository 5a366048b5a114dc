#include "views/runs_panel.h"

#include "views/models/runs_table_model.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>
#include <QVBoxLayout>

namespace tl::views {

RunsPanel::RunsPanel(RunsTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_table(new QTableView(this))
{
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(RunsTableModel::Name, 220);
    m_table->horizontalHeader()->resizeSection(RunsTableModel::Created, 150);
    m_table->horizontalHeader()->resizeSection(RunsTableModel::Progress, 170);
    m_table->setAlternatingRowColors(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RunsPanel::onCurrentRowChanged);
}

bool RunsPanel::selectRun(std::int64_t runId)
{
    const int row = m_model->rowOf(runId);
    if (row < 0) {
        return false;
    }
    m_quiet = true;
    m_table->selectRow(row);
    m_quiet = false;
    return true;
}

std::int64_t RunsPanel::selectedRunId() const
{
    const RunRow *run = m_model->runAt(m_table->selectionModel()->currentIndex().row());
    return run ? run->id : 0;
}

void RunsPanel::onCurrentRowChanged()
{
    if (m_quiet) {
        return;
    }
    if (const std::int64_t id = selectedRunId(); id != 0) {
        emit runSelected(id);
    }
}

} // namespace tl::views
