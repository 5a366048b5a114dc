#include "app/debugger_controller.h"

#include "app/remote_runs_controller.h"
#include "app/training_controller.h"
#include "proto/run_state.h"
#include "views/debugger_panel.h"

namespace tl::app {
namespace {

bool isStop(const proto::DebugEvent &event)
{
    return event.reason() != proto::DebugEvent::REASON_INSPECTED
           && event.reason() != proto::DebugEvent::REASON_LEFT;
}

} // namespace

DebuggerController::DebuggerController(views::DebuggerPanel &panel,
                                       TrainingController &local,
                                       RemoteRunsController &remote,
                                       QObject *parent)
    : QObject(parent)
    , m_panel(panel)
    , m_local(local)
    , m_remote(remote)
{
    connect(&panel, &views::DebuggerPanel::breakClicked, this, &DebuggerController::breakRun);
    connect(&panel, &views::DebuggerPanel::stepClicked, this, &DebuggerController::step);
    connect(&panel, &views::DebuggerPanel::continueClicked, this, &DebuggerController::continueRun);
    connect(&panel, &views::DebuggerPanel::inspectRequested, this, &DebuggerController::inspect);
    connect(&panel, &views::DebuggerPanel::settingsChanged, this,
            &DebuggerController::applySettings);
    connect(&local, &TrainingController::debugEventsArrived, this, &DebuggerController::onEvents);
    connect(&remote, &RemoteRunsController::debugEventsArrived, this,
            &DebuggerController::onEvents);
    connect(&local, &TrainingController::trainingChanged, this, &DebuggerController::refresh);
    connect(&remote, &RemoteRunsController::runFinished, this, &DebuggerController::refresh);
    refresh();
}

void DebuggerController::breakRun()
{
    send(proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_BREAK));
}

void DebuggerController::step()
{
    send(proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_STEP));
}

void DebuggerController::continueRun()
{
    if (m_stopped) {
        send(proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_CONTINUE));
    }
}

void DebuggerController::inspect(const QString &tensor)
{
    proto::ControlCommand command =
        proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_INSPECT);
    command.set_tensor(tensor.toStdString());
    send(std::move(command));
}

void DebuggerController::applySettings(const proto::DebugSettings &settings)
{
    proto::ControlCommand command =
        proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_SETTINGS);
    *command.mutable_debug() = settings;
    send(std::move(command));
}

void DebuggerController::followRemoteRun(std::int64_t runId)
{
    m_remoteRun = runId;
    refresh();
}

proto::DebugSettings DebuggerController::startSettings(bool breakAtStart) const
{
    proto::DebugSettings settings = m_panel.settings();
    settings.set_break_at_start(breakAtStart);
    return settings;
}

std::int64_t DebuggerController::targetRun() const
{
    if (m_local.isTraining() && m_local.session() != nullptr) {
        return m_local.session()->runId();
    }
    if (m_remoteRun != 0 && m_remote.follows(m_remoteRun)) {
        return m_remoteRun;
    }
    return 0;
}

bool DebuggerController::isStopped() const
{
    return m_stopped;
}

void DebuggerController::send(proto::ControlCommand command)
{
    // The local run while one trains (sendDebugCommand is false otherwise), else the job.
    if (m_local.sendDebugCommand(command)) {
        return;
    }
    if (const std::int64_t run = targetRun(); run != 0) {
        m_remote.sendDebugCommand(run, command);
    } // else nothing runs: the panel's settings wait for the next run
}

void DebuggerController::onEvents(std::int64_t runId, const std::vector<proto::DebugEvent> &events)
{
    if (runId != targetRun()) {
        return; // another remote job's debugger: shown when the user selects that job
    }
    m_shownRun = runId;
    for (const proto::DebugEvent &event : events) {
        m_panel.showDebugEvent(event);
        if (isStop(event)) {
            emit stoppedAtNode(QString::fromStdString(event.node()));
        }
        if (isStop(event) != m_stopped && event.reason() != proto::DebugEvent::REASON_INSPECTED) {
            m_stopped = isStop(event);
            emit stoppedChanged(m_stopped);
        }
    }
}

// The debugged run changed, started or ended: the panel follows.
void DebuggerController::refresh()
{
    const std::int64_t run = targetRun();
    if (run != m_shownRun && m_stopped) {
        m_stopped = false;
        emit stoppedChanged(false);
    }
    m_shownRun = run;
    m_panel.setAttached(run != 0, !m_stopped);
}

} // namespace tl::app
