#include "views/train_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

QPushButton *button(QWidget *parent, const QString &text, const QString &name, const QString &tip)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

} // namespace

TrainPanel::TrainPanel(QWidget *parent) : QWidget(parent), m_form(new TrainSettingsForm(this))
{
    // The settings scroll; buttons and progress stay in sight below them.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("trainSettingsScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(m_form);

    m_train = button(this, tr("Train"), QStringLiteral("trainButton"),
                     tr("Start training (Ctrl+Return)"));
    m_stop = button(this, tr("Stop"), QStringLiteral("stopButton"),
                    tr("Stop the run after the current step (Ctrl+.)"));
    m_pause = button(this, tr("Pause"), QStringLiteral("pauseButton"),
                     tr("Hold the run after the current step, or resume it (Ctrl+Shift+P)"));
    m_checkpoint = button(this, tr("Checkpoint"), QStringLiteral("checkpointButton"),
                          tr("Write a checkpoint after the current step (Ctrl+Shift+S)"));
    connect(m_train, &QPushButton::clicked, this, &TrainPanel::trainClicked);
    connect(m_stop, &QPushButton::clicked, this, &TrainPanel::stopClicked);
    connect(m_pause, &QPushButton::clicked, this, &TrainPanel::pauseClicked);
    connect(m_checkpoint, &QPushButton::clicked, this, &TrainPanel::checkpointClicked);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("trainProgressText"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("trainStatus"));
    m_status->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_checkpoint);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressText);
    layout->addWidget(m_status);
    setRunning(false);
}

TrainSettings TrainPanel::settings() const
{
    return m_form->settings();
}

void TrainPanel::setSettings(const TrainSettings &settings)
{
    m_form->setSettings(settings);
}

void TrainPanel::setDevices(const proto::DeviceList &devices)
{
    m_form->setDevices(devices);
}

int TrainPanel::deviceCount() const
{
    return m_form->deviceCount();
}

void TrainPanel::setRunning(bool running)
{
    m_running = running;
    m_train->setEnabled(!running);
    m_stop->setEnabled(running);
    m_pause->setEnabled(running);
    m_checkpoint->setEnabled(running);
    m_form->setLocked(running);
    if (!running) {
        setPaused(false);
    }
    if (running) {
        m_progress->setValue(0);
        m_progressText->clear();
    }
}

void TrainPanel::setPaused(bool paused)
{
    m_paused = paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
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
