#pragma once
// The step debugger's controller: sends the debugger panel's and the Debug menu's commands to
// the run being debugged, and shows that run's DebugEvents in the panel. The run debugged is
// the local one while it trains, else the remote job last selected in the jobs panel (its
// commands go through control.tlog, its events come back with the run's events.tlog). UI
// thread; the panel and both controllers outlive it.

#include "proto/torchlight.pb.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace tl::views {
class DebuggerPanel;
}

namespace tl::app {

class RemoteRunsController;
class TrainingController;

class DebuggerController : public QObject
{
    Q_OBJECT

public:
    DebuggerController(views::DebuggerPanel &panel,
                       TrainingController &local,
                       RemoteRunsController &remote,
                       QObject *parent = nullptr);

    // Stops the run at the start of its next step (or resumes a paused one into that stop).
    void breakRun();
    // Stopped: runs one node, forward or backward, and stops again; running: as breakRun().
    void step();
    // Stopped: runs on to the next stop the settings ask for.
    void continueRun();
    void inspect(const QString &tensor);
    // The panel's stops (NaN/Inf, node breakpoints) changed: the run gets them at once.
    void applySettings(const proto::DebugSettings &settings);

    // The remote job debugged while no local run trains (the jobs panel's selection).
    void followRemoteRun(std::int64_t runId);
    // The stops a new run starts with: the panel's, and a stop at the first node if asked.
    proto::DebugSettings startSettings(bool breakAtStart) const;

    // The run commands go to; 0 when none is running.
    std::int64_t targetRun() const;
    bool isStopped() const;

signals:
    // The debugged run stopped in the debugger (true) or went on or ended (false).
    void stoppedChanged(bool stopped);
    // The debugged run stopped at this node (forward or backward; "loss" for the loss).
    void stoppedAtNode(const QString &node);

private:
    void send(proto::ControlCommand command);
    void onEvents(std::int64_t runId, const std::vector<proto::DebugEvent> &events);
    void refresh();

    views::DebuggerPanel &m_panel;
    TrainingController &m_local;
    RemoteRunsController &m_remote;
    std::int64_t m_remoteRun = 0;
    std::int64_t m_shownRun = 0; // the run the panel shows
    bool m_stopped = false;
};

} // namespace tl::app
