#pragma once
// The Train dock: the training settings (TrainSettingsForm, scrollable), the Train / Stop /
// Checkpoint buttons, and the live progress line of the current run. A UI-thread widget; the
// training controller reads settings() and feeds it progress.

#include "proto/torchlight.pb.h"
#include "views/train_settings_form.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace tl::views {

class TrainPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrainPanel(QWidget *parent = nullptr);

    TrainSettings settings() const;
    void setSettings(const TrainSettings &settings);
    TrainSettingsForm &form() const { return *m_form; }

    // Replaces the device choices; keeps the current device when it is still listed.
    void setDevices(const proto::DeviceList &devices);
    int deviceCount() const;

    // Running: Train disabled, Stop, Pause and Checkpoint enabled, settings locked.
    void setRunning(bool running);
    bool isRunning() const { return m_running; }
    // The worker holds the run between steps: the Pause button reads "Resume".
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void showProgress(const proto::ProgressEvent &progress);
    // One line under the progress bar ("completed: test accuracy 86.1%").
    void showStatus(const QString &text);
    QString progressText() const;
    QString statusText() const;

    // 95 s -> "1:35"; 3725 s -> "1:02:05".
    static QString formatDuration(double seconds);

signals:
    void trainClicked();
    void stopClicked();
    void pauseClicked(); // Pause, or Resume while paused
    void checkpointClicked();

private:
    TrainSettingsForm *m_form = nullptr;
    QPushButton *m_train = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_checkpoint = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressText = nullptr;
    QLabel *m_status = nullptr;
    bool m_running = false;
    bool m_paused = false;
};

} // namespace tl::views
