#pragma once
// The Remote Jobs panel: a table over JobsTableModel and the actions on the selected job:
// stop (after the current step), pause and resume, cancel (now), its remote logs, and downloading
// its outputs. It only reports what the user asked for; the remote runs controller does it. UI
// thread.

#include <QWidget>

#include <cstdint>

class QTableView;
class QToolButton;

namespace tl::views {

class JobsTableModel;

class JobsPanel : public QWidget
{
    Q_OBJECT

public:
    // Observes model; the caller keeps it alive longer than the panel.
    explicit JobsPanel(JobsTableModel *model, QWidget *parent = nullptr);

    std::int64_t selectedRunId() const; // 0 when none
    bool selectRun(std::int64_t runId);
    QTableView *table() const { return m_table; }

signals:
    void runSelected(std::int64_t runId);
    void stopRequested(std::int64_t runId);
    void pauseRequested(std::int64_t runId);
    void resumeRequested(std::int64_t runId);
    void cancelRequested(std::int64_t runId);
    void logsRequested(std::int64_t runId);
    void downloadRequested(std::int64_t runId);

private:
    void updateButtons();

    JobsTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QToolButton *m_stop = nullptr;
    QToolButton *m_pause = nullptr;
    QToolButton *m_cancel = nullptr;
    QToolButton *m_logs = nullptr;
    QToolButton *m_download = nullptr;
};

} // namespace tl::views
