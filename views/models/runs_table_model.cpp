#include "views/models/runs_table_model.h"

#include "proto/run_state.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace tl::views {
namespace {

// Newest first; the id breaks ties so the order is total and stable.
bool shownBefore(const RunRow &a, const RunRow &b)
{
    if (a.createdAt != b.createdAt) {
        return a.createdAt > b.createdAt;
    }
    return a.id > b.id;
}

QString progressText(const RunRow &run)
{
    if (run.totalSteps == 0) {
        return run.step == 0 ? QString() : QStringLiteral("step %1").arg(run.step);
    }
    return QStringLiteral("epoch %1 · %2/%3").arg(run.epoch).arg(run.step).arg(run.totalSteps);
}

QColor stateColor(proto::RunState state)
{
    switch (state) {
    case proto::RUN_STATE_COMPLETED:
        return QColor(0x2e, 0x7d, 0x32);
    case proto::RUN_STATE_FAILED:
    case proto::RUN_STATE_INTERRUPTED:
        return QColor(0xc6, 0x28, 0x28);
    case proto::RUN_STATE_RUNNING:
    case proto::RUN_STATE_STARTING:
        return QColor(0x15, 0x65, 0xc0);
    default:
        return QColor(0x61, 0x61, 0x61);
    }
}

} // namespace

RunsTableModel::RunsTableModel(QObject *parent) : QAbstractTableModel(parent)
{}

void RunsTableModel::setRuns(std::vector<RunRow> runs)
{
    std::stable_sort(runs.begin(), runs.end(), shownBefore);
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

void RunsTableModel::upsertRun(const RunRow &run)
{
    const int existing = rowOf(run.id);
    if (existing >= 0 && m_runs[static_cast<std::size_t>(existing)].createdAt == run.createdAt) {
        m_runs[static_cast<std::size_t>(existing)] = run;
        emit dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
        return;
    }
    if (existing >= 0) {
        // Its sort key changed: remove and insert again at the right place.
        beginRemoveRows({}, existing, existing);
        m_runs.erase(m_runs.begin() + existing);
        endRemoveRows();
    }
    const std::size_t at = insertPosition(run);
    beginInsertRows({}, static_cast<int>(at), static_cast<int>(at));
    m_runs.insert(m_runs.begin() + static_cast<std::ptrdiff_t>(at), run);
    endInsertRows();
}

std::size_t RunsTableModel::insertPosition(const RunRow &run) const
{
    auto it = std::lower_bound(m_runs.begin(), m_runs.end(), run, shownBefore);
    return static_cast<std::size_t>(it - m_runs.begin());
}

int RunsTableModel::rowOf(std::int64_t runId) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].id == runId) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

const RunRow *RunsTableModel::runAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_runs.size())) {
        return nullptr;
    }
    return &m_runs[static_cast<std::size_t>(row)];
}

int RunsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const RunRow &run = m_runs[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return displayText(run, index.column());
    case kRunIdRole:
        return QVariant::fromValue<qint64>(run.id);
    case Qt::ToolTipRole:
        return run.statusMessage.empty() ? QVariant() : QString::fromStdString(run.statusMessage);
    case Qt::ForegroundRole:
        if (index.column() == State) {
            return QBrush(stateColor(run.state));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == TestAccuracy) {
            return QVariant::fromValue<int>(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    default:
        return {};
    }
}

QVariant RunsTableModel::displayText(const RunRow &run, int column) const
{
    switch (column) {
    case Name:
        return QString::fromStdString(run.name);
    case State:
        return QString::fromLatin1(proto::runStateName(run.state));
    case Created:
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(run.createdAt * 1000.0))
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Progress:
        return progressText(run);
    case TestAccuracy:
        return run.testAccuracy ? QStringLiteral("%1%").arg(*run.testAccuracy * 100.0, 0, 'f', 2)
                                : QString();
    case Device:
        return QString::fromStdString(run.device);
    default:
        return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case Name:
        return tr("Run");
    case State:
        return tr("State");
    case Created:
        return tr("Created");
    case Progress:
        return tr("Progress");
    case TestAccuracy:
        return tr("Test accuracy");
    case Device:
        return tr("Device");
    default:
        return {};
    }
}

} // namespace tl::views
