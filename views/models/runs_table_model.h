#pragma once
// The runs table: past and live runs as rows, fed RunRow structs by the runs controller.
// Lives on the UI thread; never reads the store.

#include "views/models/run_row.h"

#include <QAbstractTableModel>

#include <vector>

namespace tl::views {

class RunsTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, State, Created, Progress, TestAccuracy, Device, ColumnCount };
    // Qt::UserRole on any column gives the run id (qint64).
    static constexpr int kRunIdRole = Qt::UserRole;

    explicit RunsTableModel(QObject *parent = nullptr);

    // Replaces every row; rows are shown newest first (by createdAt, then id).
    void setRuns(std::vector<RunRow> runs);
    // Updates the row with run.id in place, or inserts it at its sorted place.
    void upsertRun(const RunRow &run);

    const std::vector<RunRow> &runs() const { return m_runs; }
    // The row holding runId, or -1.
    int rowOf(std::int64_t runId) const;
    // The run shown at row, or nullptr when row is out of range.
    const RunRow *runAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant displayText(const RunRow &run, int column) const;
    std::size_t insertPosition(const RunRow &run) const;

    std::vector<RunRow> m_runs;
};

} // namespace tl::views
