#pragma once
// Training settings (optimizer, learning rate, batch size, epochs, train-subset limit, device),
// Train / Stop buttons, and the live progress line of the current run. A UI-thread widget;
// the training controller reads settings() and feeds it progress.

#include "proto/torchlight.pb.h"

#include <QWidget>

#include <cstdint>
#include <string>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace tl::views {

struct TrainSettings
{
    proto::Optimizer optimizer = proto::OPTIMIZER_SGD;
    double learningRate = 0.01;
    std::uint32_t batchSize = 64;
    std::uint32_t epochs = 2;
    std::uint64_t trainLimit = 0; // 0 = the whole training split
    std::string device = "cpu";
};

class TrainPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrainPanel(QWidget *parent = nullptr);

    TrainSettings settings() const;
    void setSettings(const TrainSettings &settings);

    // Replaces the device choices; keeps the current device when it is still listed.
    void setDevices(const proto::DeviceList &devices);
    int deviceCount() const;

    // Running: Train disabled, Stop enabled, settings locked.
    void setRunning(bool running);
    bool isRunning() const { return m_running; }
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

private:
    void buildForm();

    QComboBox *m_optimizer = nullptr;
    QDoubleSpinBox *m_learningRate = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_trainLimit = nullptr;
    QComboBox *m_device = nullptr;
    QPushButton *m_train = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressText = nullptr;
    QLabel *m_status = nullptr;
    bool m_running = false;
};

} // namespace tl::views
