#include "views/jobs_panel.h"

#include "views/models/jobs_table_model.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace tl::views {

JobsPanel::JobsPanel(JobsTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_table(new QTableView(this))
{
    m_table->setObjectName(QStringLiteral("jobsTable"));
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(JobsTableModel::Run, 200);
    m_table->horizontalHeader()->resizeSection(JobsTableModel::Profile, 150);
    m_table->horizontalHeader()->resizeSection(JobsTableModel::Reason, 220);
    m_table->setAlternatingRowColors(true);

    auto button = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        return b;
    };
    m_stop = button(QStringLiteral("stopJobButton"), tr("Stop"),
                    tr("Ask the worker to stop after its current step"));
    m_pause = button(QStringLiteral("pauseJobButton"), tr("Pause"),
                     tr("Hold the worker after its current step, or let it go on"));
    m_cancel = button(QStringLiteral("cancelJobButton"), tr("Cancel Job"),
                      tr("End the job now (signal, scancel or kubectl delete)"));
    m_logs = button(QStringLiteral("jobLogsButton"), tr("Logs…"),
                    tr("Follow the job's worker.log, stderr and scheduler output"));
    m_download = button(QStringLiteral("downloadOutputsButton"), tr("Download Outputs"),
                        tr("Copy the job's checkpoints and TensorBoard files to this machine"));

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 2, 4, 2);
    for (QToolButton *b : {m_stop, m_pause, m_cancel, m_logs, m_download}) {
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(buttons);
    layout->addWidget(m_table);

    connect(m_stop, &QToolButton::clicked, this, [this] { emit stopRequested(selectedRunId()); });
    connect(m_pause, &QToolButton::clicked, this, [this] {
        const JobRow *job = m_model->jobAt(m_table->selectionModel()->currentIndex().row());
        if (job == nullptr) {
            return;
        }
        if (job->paused) {
            emit resumeRequested(job->runId);
        } else {
            emit pauseRequested(job->runId);
        }
    });
    connect(m_cancel, &QToolButton::clicked, this,
            [this] { emit cancelRequested(selectedRunId()); });
    connect(m_logs, &QToolButton::clicked, this, [this] { emit logsRequested(selectedRunId()); });
    connect(m_download, &QToolButton::clicked, this,
            [this] { emit downloadRequested(selectedRunId()); });
    connect(m_table, &QTableView::doubleClicked, this,
            [this] { emit logsRequested(selectedRunId()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateButtons();
        if (const std::int64_t id = selectedRunId(); id != 0) {
            emit runSelected(id);
        }
    });
    connect(model, &QAbstractItemModel::dataChanged, this, &JobsPanel::updateButtons);
    connect(model, &QAbstractItemModel::rowsInserted, this, &JobsPanel::updateButtons);
    updateButtons();
}

std::int64_t JobsPanel::selectedRunId() const
{
    const JobRow *job = m_model->jobAt(m_table->selectionModel()->currentIndex().row());
    return job ? job->runId : 0;
}

bool JobsPanel::selectRun(std::int64_t runId)
{
    const int row = m_model->rowOf(runId);
    if (row < 0) {
        return false;
    }
    m_table->selectRow(row);
    return true;
}

void JobsPanel::updateButtons()
{
    const JobRow *job = m_model->jobAt(m_table->selectionModel()->currentIndex().row());
    const bool live = job != nullptr && !job->ended;
    m_stop->setEnabled(live);
    // The worker reads PAUSE between steps: only a job whose worker runs can take it.
    m_pause->setEnabled(live && job->state == proto::RUN_STATE_RUNNING);
    m_pause->setText(live && job->paused ? tr("Resume") : tr("Pause"));
    m_cancel->setEnabled(live);
    m_logs->setEnabled(job != nullptr);
    m_download->setEnabled(job != nullptr);
}

} // namespace tl::views
