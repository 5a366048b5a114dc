#include "views/models/jobs_table_model.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace tl::views {
namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

QColor stateColor(const JobRow &job)
{
    if (job.state == proto::RUN_STATE_FAILED || job.state == proto::RUN_STATE_INTERRUPTED) {
        return QColor(0xc6, 0x28, 0x28);
    }
    if (job.state == proto::RUN_STATE_COMPLETED) {
        return QColor(0x2e, 0x7d, 0x32);
    }
    if (!job.ended && job.state == proto::RUN_STATE_RUNNING) {
        return QColor(0x15, 0x65, 0xc0);
    }
    return QColor(0x61, 0x61, 0x61);
}

} // namespace

JobsTableModel::JobsTableModel(QObject *parent) : QAbstractTableModel(parent)
{}

void JobsTableModel::upsertJob(const JobRow &job)
{
    const int row = rowOf(job.runId);
    if (row >= 0) {
        m_jobs[static_cast<std::size_t>(row)] = job;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    // Newest first: run ids only grow.
    const auto at = std::find_if(m_jobs.begin(), m_jobs.end(),
                                 [&job](const JobRow &other) { return other.runId < job.runId; });
    const int position = static_cast<int>(at - m_jobs.begin());
    beginInsertRows({}, position, position);
    m_jobs.insert(at, job);
    endInsertRows();
}

int JobsTableModel::rowOf(std::int64_t runId) const
{
    for (std::size_t i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs[i].runId == runId) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

const JobRow *JobsTableModel::jobAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_jobs.size())
               ? &m_jobs[static_cast<std::size_t>(row)]
               : nullptr;
}

int JobsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int JobsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant JobsTableModel::data(const QModelIndex &index, int role) const
{
    const JobRow *job = jobAt(index.row());
    if (job == nullptr) {
        return {};
    }
    if (role == kRunIdRole) {
        return QVariant::fromValue<qint64>(job->runId);
    }
    if (role == Qt::ForegroundRole && index.column() == State) {
        return QBrush(stateColor(*job));
    }
    if (role == Qt::ToolTipRole) {
        return QObject::tr("%1 on %2\n%3").arg(qs(job->jobId), qs(job->host), qs(job->remoteDir));
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case Run:
        return qs(job->runName);
    case Profile:
        return QStringLiteral("%1 (%2)").arg(qs(job->profile), qs(job->backend));
    case Job:
        return qs(job->jobId);
    case State:
        if (job->paused && !job->ended) {
            return QObject::tr("paused");
        }
        return qs(job->schedulerState.empty() ? std::string("submitted") : job->schedulerState);
    case Reason:
        return qs(job->reason);
    case Folder:
        return qs(job->remoteDir);
    default:
        return {};
    }
}

QVariant JobsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Run:
        return tr("Run");
    case Profile:
        return tr("Profile");
    case Job:
        return tr("Job");
    case State:
        return tr("State");
    case Reason:
        return tr("Reason");
    case Folder:
        return tr("Folder on the host");
    default:
        return {};
    }
}

} // namespace tl::views
