#include "views/train_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

QSpinBox *spinBox(QWidget *parent, int minimum, int maximum, const QString &name)
{
    auto *box = new QSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setObjectName(name);
    box->setGroupSeparatorShown(true);
    return box;
}

} // namespace

TrainPanel::TrainPanel(QWidget *parent) : QWidget(parent)
{
    buildForm();
    setSettings(TrainSettings{});
    setRunning(false);
}

void TrainPanel::buildForm()
{
    m_optimizer = new QComboBox(this);
    m_optimizer->setObjectName(QStringLiteral("trainOptimizer"));
    m_optimizer->addItem(QStringLiteral("SGD"), static_cast<int>(proto::OPTIMIZER_SGD));
    m_optimizer->addItem(QStringLiteral("Adam"), static_cast<int>(proto::OPTIMIZER_ADAM));
    m_learningRate = new QDoubleSpinBox(this);
    m_learningRate->setObjectName(QStringLiteral("trainLearningRate"));
    m_learningRate->setDecimals(5);
    m_learningRate->setRange(0.00001, 10.0);
    m_learningRate->setSingleStep(0.001);
    m_batchSize = spinBox(this, 1, 65536, QStringLiteral("trainBatchSize"));
    m_epochs = spinBox(this, 1, 10000, QStringLiteral("trainEpochs"));
    m_trainLimit = spinBox(this, 0, 1'000'000'000, QStringLiteral("trainLimit"));
    m_trainLimit->setSpecialValueText(tr("all"));
    m_trainLimit->setSingleStep(1000);
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("trainDevice"));

    m_train = new QPushButton(tr("Train"), this);
    m_train->setObjectName(QStringLiteral("trainButton"));
    m_train->setToolTip(tr("Start training (Ctrl+Return)"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(tr("Stop the run after the current step (Ctrl+.)"));
    connect(m_train, &QPushButton::clicked, this, &TrainPanel::trainClicked);
    connect(m_stop, &QPushButton::clicked, this, &TrainPanel::stopClicked);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("trainProgressText"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("trainStatus"));
    m_status->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Optimizer:"), m_optimizer);
    form->addRow(tr("Learning rate:"), m_learningRate);
    form->addRow(tr("Batch size:"), m_batchSize);
    form->addRow(tr("Epochs:"), m_epochs);
    form->addRow(tr("Train samples:"), m_trainLimit);
    form->addRow(tr("Device:"), m_device);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressText);
    layout->addWidget(m_status);
    layout->addStretch();
}

TrainSettings TrainPanel::settings() const
{
    TrainSettings s;
    s.optimizer = static_cast<proto::Optimizer>(m_optimizer->currentData().toInt());
    s.learningRate = m_learningRate->value();
    s.batchSize = static_cast<std::uint32_t>(m_batchSize->value());
    s.epochs = static_cast<std::uint32_t>(m_epochs->value());
    s.trainLimit = static_cast<std::uint64_t>(m_trainLimit->value());
    s.device = m_device->currentData().toString().toStdString();
    return s;
}

void TrainPanel::setSettings(const TrainSettings &settings)
{
    const int optimizer = m_optimizer->findData(static_cast<int>(settings.optimizer));
    m_optimizer->setCurrentIndex(std::max(0, optimizer));
    m_learningRate->setValue(settings.learningRate);
    m_batchSize->setValue(static_cast<int>(std::min<std::uint32_t>(settings.batchSize, 65536)));
    m_epochs->setValue(static_cast<int>(std::min<std::uint32_t>(settings.epochs, 10000)));
    m_trainLimit->setValue(
        static_cast<int>(std::min<std::uint64_t>(settings.trainLimit, 1'000'000'000)));
    const QString device =
        QString::fromStdString(settings.device.empty() ? "cpu" : settings.device);
    int index = m_device->findData(device);
    if (index < 0) {
        // A device from the experiment file that no probe has confirmed yet.
        m_device->addItem(device, device);
        index = m_device->count() - 1;
    }
    m_device->setCurrentIndex(index);
}

void TrainPanel::setDevices(const proto::DeviceList &devices)
{
    const QString current = m_device->currentData().toString();
    m_device->clear();
    for (const proto::DeviceInfo &info : devices.devices()) {
        QString label = QString::fromStdString(info.name().empty() ? info.id() : info.name());
        if (info.memory_bytes() > 0) {
            label += QStringLiteral(" (%1 GiB)")
                         .arg(static_cast<double>(info.memory_bytes()) / (1024.0 * 1024.0 * 1024.0),
                              0, 'f', 1);
        }
        m_device->addItem(QStringLiteral("%1 — %2").arg(QString::fromStdString(info.id()), label),
                          QString::fromStdString(info.id()));
    }
    if (m_device->findData(QStringLiteral("cpu")) < 0) {
        m_device->insertItem(0, QStringLiteral("cpu"), QStringLiteral("cpu"));
    }
    const int index = m_device->findData(current);
    m_device->setCurrentIndex(index >= 0 ? index : 0);
}

int TrainPanel::deviceCount() const
{
    return m_device->count();
}

void TrainPanel::setRunning(bool running)
{
    m_running = running;
    m_train->setEnabled(!running);
    m_stop->setEnabled(running);
    for (QWidget *w : std::initializer_list<QWidget *>{m_optimizer, m_learningRate, m_batchSize,
                                                       m_epochs, m_trainLimit, m_device}) {
        w->setEnabled(!running);
    }
    if (running) {
        m_progress->setValue(0);
        m_progressText->clear();
    }
}

void TrainPanel::showProgress(const proto::ProgressEvent &progress)
{
    if (progress.total_steps() > 0) {
        const std::uint64_t step = std::min(progress.step(), progress.total_steps());
        m_progress->setValue(static_cast<int>(step * 1000 / progress.total_steps()));
    }
    m_progressText->setText(tr("epoch %1/%2 · step %3/%4 · loss %5\n%6 samples/s · ETA %7")
                                .arg(progress.epoch())
                                .arg(progress.epochs())
                                .arg(progress.step())
                                .arg(progress.total_steps())
                                .arg(progress.loss(), 0, 'f', 4)
                                .arg(std::llround(progress.samples_per_second()))
                                .arg(formatDuration(progress.eta_seconds())));
}

void TrainPanel::showStatus(const QString &text)
{
    m_status->setText(text);
}

QString TrainPanel::progressText() const
{
    return m_progressText->text();
}

QString TrainPanel::statusText() const
{
    return m_status->text();
}

QString TrainPanel::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) {
        return QStringLiteral("–");
    }
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    if (h > 0) {
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

} // namespace tl::views
