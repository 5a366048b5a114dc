#pragma once
// The window's side of training: starts a TrainingSession for the assembled spec, and routes
// its live scalars to the chart, its progress to the train panel and its row to the runs
// table. One run at a time. Lives on the UI thread; owned by the main window.

#include "app/runs_controller.h"
#include "app/store_lane.h"
#include "app/training_session.h"

#include <QObject>

#include <filesystem>
#include <memory>

namespace tl::views {
class ScalarChart;
class TrainPanel;
} // namespace tl::views

namespace tl::app {

class TrainingController : public QObject
{
    Q_OBJECT

public:
    // Observes lane, runs, panel and chart; the caller keeps them alive longer than this.
    TrainingController(StoreLane &lane,
                       RunsController &runs,
                       views::TrainPanel &panel,
                       views::ScalarChart &chart,
                       QString workerPath,
                       std::filesystem::path runsRoot,
                       QObject *parent = nullptr);
    ~TrainingController() override;

    // Starts a run; ignored (with a log line) while one is training.
    void train(const proto::ExperimentSpec &spec);
    void stop();

    // The chart was redrawn for runId: live points go to it only when that is the live run.
    void chartShowsRun(std::int64_t runId);

    bool isTraining() const { return m_session && m_session->isActive(); }
    // The current run's session, or the last one's; nullptr before the first run.
    TrainingSession *session() const { return m_session.get(); }

signals:
    void runStarted(std::int64_t runId);
    // The live run's row is in the runs table now (it can be selected).
    void runListed(std::int64_t runId);
    void runFinished(std::int64_t runId, tl::proto::RunState state, const QString &message);
    void logged(tl::proto::LogLevel level, const QString &text);

private:
    void connectSession(TrainingSession &session);
    void onFinished(proto::RunState state, const QString &message);

    StoreLane &m_lane;
    RunsController &m_runs;
    views::TrainPanel &m_panel;
    views::ScalarChart &m_chart;
    QString m_workerPath;
    std::filesystem::path m_runsRoot;
    std::unique_ptr<TrainingSession> m_session;
    bool m_chartFollowsLive = true;
    bool m_listed = false;
};

} // namespace tl::app
