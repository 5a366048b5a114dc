#include "app/training_session.h"

#include "app/run_directory.h"
#include "proto/record_io.h"
#include "proto/run_state.h"

#include <system_error>

namespace tl::app {
namespace {

namespace fs = std::filesystem;

QString qtString(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

TrainingSession::TrainingSession(StoreLane &lane, QString workerPath, QObject *parent)
    : QObject(parent)
    , m_lane(lane)
    , m_workerPath(std::move(workerPath))
{
    m_ingestTimer.setSingleShot(true);
    m_killTimer.setSingleShot(true);
    m_killTimer.setInterval(kStopGraceMs);
    connect(&m_ingestTimer, &QTimer::timeout, this, &TrainingSession::runIngest);
    connect(&m_killTimer, &QTimer::timeout, this, &TrainingSession::killWorker);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &TrainingSession::onStdout);
    connect(&m_process, &QProcess::readyReadStandardError, this, &TrainingSession::onStderr);
    connect(&m_process, &QProcess::errorOccurred, this, &TrainingSession::onProcessError);
    connect(&m_process, &QProcess::finished, this, &TrainingSession::onProcessFinished);
    connect(&m_process, &QProcess::started, this,
            [this] { emit workerStarted(m_process.processId()); });
}

TrainingSession::~TrainingSession()
{
    // No more slots: the run is left non-terminal and the next start marks it interrupted.
    m_process.disconnect(this);
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
    }
}

void TrainingSession::start(const proto::ExperimentSpec &spec, const fs::path &runsRoot)
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_active = true;
    m_spec = spec;
    const std::string stamp = runStamp();
    m_lane.call<PreparedRun>(
        this,
        [spec, runsRoot, stamp](store::RunStore &store, std::stop_token) {
            return prepareRun(store, spec, runsRoot, stamp);
        },
        [this](base::Result<PreparedRun> prepared) {
            if (!prepared) {
                finish(proto::RUN_STATE_FAILED, tr("The run could not be created: %1")
                                                    .arg(qtString(prepared.error().describe())));
                return;
            }
            m_runDir = prepared.value().runDir;
            onRunCreated(prepared.value().runId);
        });
}

void TrainingSession::onRunCreated(std::int64_t runId)
{
    m_runId = runId;
    emit runCreated(runId, qtString(m_runDir.string()));
    startWorker();
}

void TrainingSession::startWorker()
{
    m_process.setProgram(m_workerPath);
    // Arguments, never a shell: paths with spaces or quotes stay intact.
    m_process.setArguments({QStringLiteral("train"), QStringLiteral("--spec"),
                            qtString((m_runDir / "experiment.pb").string()),
                            QStringLiteral("--run-dir"), qtString(m_runDir.string())});
    m_sinceIngest.start();
    m_process.start();
    emit logged(proto::LOG_LEVEL_INFO, tr("Started %1 for run %2 in %3")
                                           .arg(m_workerPath)
                                           .arg(m_runId)
                                           .arg(qtString(m_runDir.string())));
}

bool TrainingSession::sendCommand(const proto::ControlCommand &command)
{
    if (m_process.state() != QProcess::Running) {
        return false;
    }
    const std::string record = proto::framedRecord(command.SerializeAsString());
    return m_process.write(record.data(), static_cast<qint64>(record.size()))
           == static_cast<qint64>(record.size());
}

void TrainingSession::stop()
{
    if (!sendCommand(proto::controlCommand(proto::ControlCommand::ACTION_STOP))) {
        return;
    }
    emit logged(proto::LOG_LEVEL_INFO, tr("Asked the worker to stop run %1.").arg(m_runId));
    m_killTimer.start();
}

bool TrainingSession::requestCheckpoint()
{
    if (!sendCommand(proto::controlCommand(proto::ControlCommand::ACTION_CHECKPOINT))) {
        return false;
    }
    emit logged(proto::LOG_LEVEL_INFO,
                tr("Asked the worker to write a checkpoint of run %1.").arg(m_runId));
    return true;
}

bool TrainingSession::pause()
{
    if (!sendCommand(proto::controlCommand(proto::ControlCommand::ACTION_PAUSE))) {
        return false;
    }
    emit logged(proto::LOG_LEVEL_INFO,
                tr("Asked the worker to pause run %1 after its current step.").arg(m_runId));
    return true;
}

bool TrainingSession::resume()
{
    if (!sendCommand(proto::controlCommand(proto::ControlCommand::ACTION_RESUME))) {
        return false;
    }
    emit logged(proto::LOG_LEVEL_INFO, tr("Asked the worker to resume run %1.").arg(m_runId));
    return true;
}

void TrainingSession::killWorker()
{
    if (m_process.state() == QProcess::NotRunning) {
        return;
    }
    emit logged(proto::LOG_LEVEL_WARNING, tr("Killing the worker of run %1.").arg(m_runId));
    m_process.kill();
}

void TrainingSession::onStdout()
{
    // The records on stdout are the ones in events.tlog; their arrival is the cue to ingest.
    m_process.readAllStandardOutput();
    requestIngest();
}

void TrainingSession::onStderr()
{
    const QString text = QString::fromUtf8(m_process.readAllStandardError());
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        m_lastStderrLine = line.trimmed();
        emit logged(proto::LOG_LEVEL_INFO, QStringLiteral("worker: ") + line);
    }
}

void TrainingSession::onProcessError(QProcess::ProcessError error)
{
    // Only a failed start has no finished() signal after it; other errors are handled there.
    if (error != QProcess::FailedToStart) {
        return;
    }
    m_workerExited = true;
    m_startFailed = true;
    m_workerEnd = tr("The worker %1 could not be started: %2 (set TL_WORKER to its path).")
                      .arg(m_workerPath, m_process.errorString());
    emit logged(proto::LOG_LEVEL_ERROR, m_workerEnd);
    requestIngest();
}

void TrainingSession::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    m_killTimer.stop();
    m_workerExited = true;
    m_workerEnd = status == QProcess::CrashExit
                      ? tr("The worker crashed or was killed before the run ended.")
                      : tr("The worker exited with code %1 before the run ended.").arg(exitCode);
    if (!m_lastStderrLine.isEmpty()) {
        m_workerEnd += tr(" Its last message: %1").arg(m_lastStderrLine);
    }
    // Whatever it wrote before it ended is ingested first.
    m_ingestTimer.stop();
    requestIngest();
}

void TrainingSession::requestIngest()
{
    if (m_ingestInFlight) {
        m_ingestPending = true;
        return;
    }
    const qint64 wait = kIngestIntervalMs - m_sinceIngest.elapsed();
    if (m_workerExited || wait <= 0) {
        runIngest();
        return;
    }
    if (!m_ingestTimer.isActive()) {
        m_ingestTimer.start(static_cast<int>(wait));
    }
}

void TrainingSession::runIngest()
{
    m_ingestTimer.stop();
    m_ingestInFlight = true;
    m_ingestPending = false;
    m_sinceIngest.restart();
    const fs::path events = m_runDir / "events.tlog";
    const std::int64_t runId = m_runId;
    m_lane.call<IngestBatch>(
        this,
        [events, runId](store::RunStore &store, std::stop_token stop) {
            return ingestRunEvents(store, runId, events, std::move(stop));
        },
        [this](base::Result<IngestBatch> batch) { onIngested(std::move(batch)); });
}

void TrainingSession::onIngested(base::Result<IngestBatch> result)
{
    m_ingestInFlight = false;
    if (!result) {
        emit logged(proto::LOG_LEVEL_ERROR, qtString(result.error().describe()));
    } else {
        IngestBatch &batch = result.value();
        for (const auto &[level, text] : batch.logs) {
            emit logged(level, qtString(text));
        }
        if (!batch.problem.empty() && qtString(batch.problem) != m_lastProblem) {
            m_lastProblem = qtString(batch.problem);
            emit logged(proto::LOG_LEVEL_ERROR, m_lastProblem);
        }
        for (const views::ChartPoint &point : batch.points) {
            if (point.tag == "test/accuracy") {
                m_testAccuracy = point.value;
            }
        }
        if (!batch.points.empty()) {
            emit scalarsArrived(batch.points);
        }
        if (!batch.evaluations.empty()) {
            emit evaluationsArrived(batch.evaluations);
        }
        for (const proto::CheckpointEvent &checkpoint : batch.checkpoints) {
            emit checkpointWritten(checkpoint);
        }
        for (const proto::ProgressEvent &progress : batch.progress) {
            emit progressed(progress);
        }
        if (!batch.debug.empty()) {
            emit debugEventsArrived(batch.debug);
        }
        emit runUpdated(batch.record);
        setPaused(batch.record.state == proto::RUN_STATE_PAUSED);
    }
    if (m_ingestPending) {
        requestIngest();
    } else if (m_workerExited) {
        finalize();
    }
}

void TrainingSession::finalize()
{
    if (m_finalizing) {
        return;
    }
    m_finalizing = true;
    // A worker that ended without a terminal state (crash, kill) leaves an interrupted run,
    // with every event it wrote kept.
    const std::int64_t runId = m_runId;
    const std::string message = m_workerEnd.toStdString();
    const bool startFailed = m_startFailed;
    m_lane.call<store::RunRecord>(
        this,
        [runId, message, startFailed](store::RunStore &store,
                                      std::stop_token) -> base::Result<store::RunRecord> {
            if (startFailed) {
                // No worker ever ran: the run failed rather than being interrupted.
                if (base::Status set = store.setState(runId, proto::RUN_STATE_FAILED, message);
                    !set) {
                    return set.error();
                }
            } else if (base::Result<bool> marked = store.markInterrupted(runId, message); !marked) {
                return marked.error();
            }
            return store.run(runId);
        },
        [this](base::Result<store::RunRecord> record) {
            if (!record) {
                finish(proto::RUN_STATE_INTERRUPTED, qtString(record.error().describe()));
                return;
            }
            emit runUpdated(record.value());
            finish(record.value().state, qtString(record.value().statusMessage));
        });
}

void TrainingSession::finish(proto::RunState state, const QString &message)
{
    m_active = false;
    m_killTimer.stop();
    setPaused(false);
    emit finished(state, message);
}

void TrainingSession::setPaused(bool paused)
{
    if (paused != m_paused) {
        m_paused = paused;
        emit pausedChanged(paused);
    }
}

} // namespace tl::app
