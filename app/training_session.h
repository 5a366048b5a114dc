#pragma once
// One training run on the local worker, from spec to final state: makes the run directory,
// writes the spec, records the run in the store, starts `torchlight-worker train` as a
// QProcess, ingests its events.tlog into the store (on the store lane, at most ~10 times a
// second, cued by the worker's stdout), and reports new scalars, evaluations, checkpoints,
// progress and log lines. Control commands (stop, pause, resume, checkpoint) go to the worker's
// stdin.
// Shared by the window and --headless. Lives on the UI (main) thread; never waits on the
// process or the disk.

#include "app/run_ingest.h"
#include "app/store_lane.h"
#include "proto/torchlight.pb.h"
#include "store/run_records.h"
#include "views/scalar_chart.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace tl::app {

class TrainingSession : public QObject
{
    Q_OBJECT

public:
    static constexpr int kIngestIntervalMs = 100; // at most ~10 ingests a second
    static constexpr int kStopGraceMs = 5000;     // after STOP, kill a worker still running

    TrainingSession(StoreLane &lane, QString workerPath, QObject *parent = nullptr);
    // Kills a worker that is still running; the next app start marks its run interrupted.
    ~TrainingSession() override;

    // Prepares runsRoot/<yyyyMMdd-HHmmss>-<name>/ with the spec and a store row on the lane,
    // then starts the worker. Ends with finished(), exactly once, whatever happens. A session
    // runs one run: later calls are ignored.
    void start(const proto::ExperimentSpec &spec, const std::filesystem::path &runsRoot);
    // Asks the worker to stop (a framed ControlCommand STOP on its stdin) and kills it when it
    // is still running kStopGraceMs later.
    void stop();
    // Asks the worker to write a checkpoint after its current step (ControlCommand
    // CHECKPOINT); checkpointWritten() follows when it has. False when no worker is running.
    bool requestCheckpoint();
    // Asks the worker to hold the run after its current step (PAUSE), or to go on (RESUME);
    // pausedChanged() follows when the worker says it has. False when no worker is running.
    bool pause();
    bool resume();
    // Sends any command, a step-debugger one (DEBUG_*) included, to the worker's stdin;
    // DebugEvents come back through debugEventsArrived(). False when no worker is running.
    bool sendCommand(const proto::ControlCommand &command);
    // Kills the worker at once (its run ends "interrupted").
    void killWorker();

    bool isActive() const { return m_active; }
    // The worker last said the run is paused.
    bool isPaused() const { return m_paused; }
    std::int64_t runId() const { return m_runId; }
    const std::filesystem::path &runDir() const { return m_runDir; }
    qint64 workerProcessId() const { return m_process.processId(); }
    // The last test/accuracy value seen, in [0, 1].
    std::optional<double> testAccuracy() const { return m_testAccuracy; }

signals:
    void runCreated(std::int64_t runId, const QString &runDir);
    void workerStarted(qint64 processId);
    void progressed(const proto::ProgressEvent &progress);
    void scalarsArrived(const std::vector<views::ChartPoint> &points);
    // Evaluations of val/test splits, in the order the worker reported them.
    void evaluationsArrived(const std::vector<proto::EvaluationEvent> &evaluations);
    void checkpointWritten(const proto::CheckpointEvent &checkpoint);
    void logged(proto::LogLevel level, const QString &text);
    // The run's row after each ingest.
    void runUpdated(const store::RunRecord &record);
    // The worker paused (true) or resumed (false) the run; false again when it ends paused.
    void pausedChanged(bool paused);
    // The step debugger's stops and answers, in the order the worker sent them.
    void debugEventsArrived(const std::vector<proto::DebugEvent> &events);
    // The run reached its final state (terminal, or the run could not even be created).
    void finished(proto::RunState state, const QString &message);

private:
    void onRunCreated(std::int64_t runId);

    void startWorker();
    void onStdout();
    void onStderr();
    void onProcessError(QProcess::ProcessError error);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void requestIngest();
    void runIngest();
    void onIngested(base::Result<IngestBatch> batch);
    void finalize();
    void finish(proto::RunState state, const QString &message);
    void setPaused(bool paused);

    StoreLane &m_lane;
    QString m_workerPath;
    QProcess m_process;
    QTimer m_ingestTimer;
    QTimer m_killTimer;
    QElapsedTimer m_sinceIngest;
    proto::ExperimentSpec m_spec;
    std::filesystem::path m_runDir;
    std::int64_t m_runId = 0;
    std::optional<double> m_testAccuracy;
    QString m_lastStderrLine;
    QString m_lastProblem; // the last ingest problem logged, so a corrupt tail is told once
    QString m_workerEnd;   // how the worker ended, set when it exits
    bool m_started = false;
    bool m_active = false;
    bool m_startFailed = false;
    bool m_ingestInFlight = false;
    bool m_ingestPending = false;
    bool m_workerExited = false;
    bool m_finalizing = false;
    bool m_paused = false;
};

} // namespace tl::app
