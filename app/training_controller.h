#pragma once
// The window's side of training: starts a TrainingSession for the assembled spec, and routes
// its live scalars to the chart, its evaluations to the evaluation view, its progress to the
// train panel and its row to the runs table; passes the user's stop, pause and checkpoint
// requests on. One run at a time. Lives on the UI thread; owned by the main window.

#include "app/runs_controller.h"
#include "app/store_lane.h"
#include "app/training_session.h"

#include <QObject>

#include <filesystem>
#include <memory>
#include <vector>

namespace tl::views {
class EvaluationView;
class ScalarChart;
class TrainPanel;
} // namespace tl::views

namespace tl::app {

class TrainingController : public QObject
{
    Q_OBJECT

public:
    // Observes lane, runs, panel, chart and evaluation; the caller keeps them alive longer
    // than this.
    TrainingController(StoreLane &lane,
                       RunsController &runs,
                       views::TrainPanel &panel,
                       views::ScalarChart &chart,
                       views::EvaluationView &evaluation,
                       QString workerPath,
                       std::filesystem::path runsRoot,
                       QObject *parent = nullptr);
    ~TrainingController() override;

    // Starts a run; ignored (with a log line) while one is training.
    void train(const proto::ExperimentSpec &spec);
    void stop();
    // Asks the running worker for a checkpoint after its current step; ignored when idle.
    void checkpoint();
    // Pauses the running worker after its current step, or resumes it when it is paused.
    void togglePause();
    // Sends a step-debugger command to the live run's worker; false when none is running.
    bool sendDebugCommand(const proto::ControlCommand &command);

    // The chart was redrawn for runId: live points and evaluations go to the views only when
    // that is the live run.
    void chartShowsRun(std::int64_t runId);

    bool isTraining() const { return m_session && m_session->isActive(); }
    // The current run's session, or the last one's; nullptr before the first run.
    TrainingSession *session() const { return m_session.get(); }

signals:
    // A run began (true) or ended (false): stop and checkpoint apply only in between.
    void trainingChanged(bool training);
    void runStarted(std::int64_t runId);
    // The worker paused (true) or resumed (false) the live run.
    void pausedChanged(bool paused);
    // The live run's step debugger stopped, answered or let the run go (in order).
    void debugEventsArrived(std::int64_t runId, const std::vector<tl::proto::DebugEvent> &events);
    // The live run's row is in the runs table now (it can be selected).
    void runListed(std::int64_t runId);
    void runFinished(std::int64_t runId, tl::proto::RunState state, const QString &message);
    void logged(tl::proto::LogLevel level, const QString &text);

private:
    void connectSession(TrainingSession &session);
    void onFinished(proto::RunState state, const QString &message);
    void onCheckpointWritten(const proto::CheckpointEvent &checkpoint);

    StoreLane &m_lane;
    RunsController &m_runs;
    views::TrainPanel &m_panel;
    views::ScalarChart &m_chart;
    views::EvaluationView &m_evaluation;
    QString m_workerPath;
    std::filesystem::path m_runsRoot;
    std::unique_ptr<TrainingSession> m_session;
    bool m_chartFollowsLive = true;
    bool m_listed = false;
};

} // namespace tl::app
