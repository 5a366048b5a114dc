#pragma once
// RemoteLogDialog: a remote job's logs, followed live (issue #6): worker.log, worker.stderr and,
// on Slurm, the job's output file, read by byte offset through the remote runs controller
// about once a second while the dialog is open. Non-modal; UI thread.

#include <QDialog>
#include <QTimer>

#include <cstdint>

class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace tl::app {

class RemoteRunsController;

class RemoteLogDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int kFollowMs = 1000;

    // Observes controller; the caller keeps it alive longer than the dialog.
    RemoteLogDialog(RemoteRunsController &controller,
                    std::int64_t runId,
                    QWidget *parent = nullptr);

    QPlainTextEdit *text() const { return m_text; }
    QComboBox *fileBox() const { return m_file; }

private:
    void restart();
    void readMore();

    RemoteRunsController &m_controller;
    std::int64_t m_runId = 0;
    std::uint64_t m_offset = 0;
    int m_generation = 0;
    bool m_reading = false;
    QComboBox *m_file = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QTimer m_follow;
};

} // namespace tl::app
