#pragma once
// Every setting of a training run a user edits before starting it: device, epochs, batch size
// and train-subset size on top, then folding sections for the optimizer, the learning-rate
// schedule, loss and metrics (evaluation, early stopping), checkpoints (periodic, resume) and
// advanced options (clipping, accumulation, precision, seed, threads). settings() returns what
// setSettings() was given, field for field, plus the user's edits. A UI-thread widget inside
// TrainPanel; it opens no files (Browse only asks for a path).

#include "proto/torchlight.pb.h"

#include <QWidget>

#include <cstdint>
#include <string>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace tl::views {

class CollapsibleSection;
class ExactSpinBox;
class OptimizerFields;
class ScheduleFields;

// The settings a fresh panel offers, the ones the Fashion-MNIST bar is measured with: SGD with
// momentum 0.9 at 0.01, a cosine schedule, batch 64, 10 epochs, cross-entropy, no early stop.
proto::TrainConfig defaultTrainConfig();

struct TrainSettings
{
    proto::TrainConfig train = defaultTrainConfig();
    std::uint64_t trainLimit = 0; // 0 = the whole training split
    std::string device = "cpu";
};

class TrainSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit TrainSettingsForm(QWidget *parent = nullptr);

    TrainSettings settings() const;
    void setSettings(const TrainSettings &settings);

    // Replaces the device choices; keeps the current device when it is still listed.
    void setDevices(const proto::DeviceList &devices);
    int deviceCount() const;

    // Locked while a run trains: no field can be edited, but sections still fold and unfold.
    void setLocked(bool locked);
    bool isLocked() const { return m_locked; }

    // The sections in order: Optimizer, Schedule, Loss & metrics, Checkpoints, Advanced.
    QList<CollapsibleSection *> sections() const;

signals:
    // Any field changed (by the user or by setSettings()).
    void edited();

private:
    QWidget *buildGeneral();
    QWidget *buildLoss();
    QWidget *buildCheckpoints();
    QWidget *buildAdvanced();
    void addSection(const QString &title, const QString &name, QWidget *body, bool expanded);
    void readLoss(proto::TrainConfig &train) const;
    void writeLoss(const proto::TrainConfig &train);
    void readRest(proto::TrainConfig &train) const;
    void writeRest(const proto::TrainConfig &train);
    void onEdited();
    void updateFields();
    void updateSummaries();
    void onDeviceChosen();
    void browseCheckpoint();
    bool isCudaDevice() const;

    QComboBox *m_device = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_trainLimit = nullptr;
    OptimizerFields *m_optimizer = nullptr;
    ScheduleFields *m_schedule = nullptr;

    QFormLayout *m_lossForm = nullptr;
    QComboBox *m_loss = nullptr;
    ExactSpinBox *m_labelSmoothing = nullptr;
    QSpinBox *m_evalEvery = nullptr;
    QComboBox *m_goalMetric = nullptr;
    QCheckBox *m_goalMaximize = nullptr;
    QSpinBox *m_patience = nullptr;
    ExactSpinBox *m_minDelta = nullptr;

    QSpinBox *m_checkpointEvery = nullptr;
    QSpinBox *m_keepCheckpoints = nullptr;
    QLineEdit *m_resumeFrom = nullptr;

    ExactSpinBox *m_gradClip = nullptr;
    QSpinBox *m_accumulation = nullptr;
    QComboBox *m_precision = nullptr;
    QCheckBox *m_plainLoop = nullptr;
    QLineEdit *m_seed = nullptr;
    QSpinBox *m_threads = nullptr;
    QSpinBox *m_logEvery = nullptr;

    QWidget *m_general = nullptr;
    QList<CollapsibleSection *> m_sections;
    bool m_locked = false;
    bool m_writing = false; // setSettings() is filling the fields: one edited() at its end
};

} // namespace tl::views
