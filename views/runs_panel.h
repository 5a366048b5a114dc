#pragma once
// The runs list: a table over RunsTableModel; selecting a row reports the run id so a
// controller can redraw its curves. A UI-thread widget.

#include <QWidget>

#include <cstdint>

class QTableView;

namespace tl::views {

class RunsTableModel;

class RunsPanel : public QWidget
{
    Q_OBJECT

public:
    // The panel observes model; the caller keeps it alive longer than the panel.
    explicit RunsPanel(RunsTableModel *model, QWidget *parent = nullptr);

    // Selects the row of runId without emitting runSelected; false when it is not listed.
    bool selectRun(std::int64_t runId);
    // The selected run's id, or 0.
    std::int64_t selectedRunId() const;
    QTableView *table() const { return m_table; }

signals:
    void runSelected(std::int64_t runId);

private:
    void onCurrentRowChanged();

    RunsTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    bool m_quiet = false;
};

} // namespace tl::views
