#include "app/training_controller.h"

#include "proto/run_state.h"
#include "views/evaluation_view.h"
#include "views/models/run_row.h"
#include "views/scalar_chart.h"
#include "views/train_panel.h"

namespace tl::app {

TrainingController::TrainingController(StoreLane &lane,
                                       RunsController &runs,
                                       views::TrainPanel &panel,
                                       views::ScalarChart &chart,
                                       views::EvaluationView &evaluation,
                                       QString workerPath,
                                       std::filesystem::path runsRoot,
                                       QObject *parent)
    : QObject(parent)
    , m_lane(lane)
    , m_runs(runs)
    , m_panel(panel)
    , m_chart(chart)
    , m_evaluation(evaluation)
    , m_workerPath(std::move(workerPath))
    , m_runsRoot(std::move(runsRoot))
{}

TrainingController::~TrainingController() = default;

void TrainingController::train(const proto::ExperimentSpec &spec)
{
    if (isTraining()) {
        emit logged(proto::LOG_LEVEL_WARNING,
                    tr("A run is already training; stop it before starting another."));
        return;
    }
    m_session = std::make_unique<TrainingSession>(m_lane, m_workerPath);
    connectSession(*m_session);
    m_runs.cancelRedraw();
    m_chartFollowsLive = true;
    m_listed = false;
    m_chart.clear();
    m_chart.setTitle(QString::fromStdString(spec.name()));
    m_evaluation.clear();
    m_panel.setRunning(true);
    m_panel.showStatus(tr("Starting…"));
    emit trainingChanged(true);
    m_session->start(spec, m_runsRoot);
}

void TrainingController::stop()
{
    if (isTraining()) {
        m_panel.showStatus(tr("Stopping…"));
        m_session->stop();
    }
}

void TrainingController::checkpoint()
{
    if (isTraining() && !m_session->requestCheckpoint()) {
        emit logged(proto::LOG_LEVEL_WARNING,
                    tr("The worker is not running yet; no checkpoint was requested."));
    }
}

bool TrainingController::sendDebugCommand(const proto::ControlCommand &command)
{
    return isTraining() && m_session->sendCommand(command);
}

void TrainingController::togglePause()
{
    if (!isTraining()) {
        return;
    }
    const bool asked = m_session->isPaused() ? m_session->resume() : m_session->pause();
    if (!asked) {
        emit logged(proto::LOG_LEVEL_WARNING,
                    tr("The worker is not running yet; it cannot be paused."));
    }
}

void TrainingController::onCheckpointWritten(const proto::CheckpointEvent &checkpoint)
{
    // The checkpoints a user asked for, or may want to resume from, are told; the periodic
    // ones are in the run's directory.
    const QString path = QString::fromStdString(checkpoint.path());
    if (checkpoint.kind() == proto::CHECKPOINT_REQUESTED) {
        emit logged(proto::LOG_LEVEL_INFO,
                    tr("Checkpoint written at step %1: %2").arg(checkpoint.step()).arg(path));
    } else if (checkpoint.kind() == proto::CHECKPOINT_BEST) {
        emit logged(proto::LOG_LEVEL_INFO, tr("Best checkpoint so far at step %1 (%2 %3): %4")
                                               .arg(checkpoint.step())
                                               .arg(QString::fromStdString(checkpoint.metric()))
                                               .arg(checkpoint.value(), 0, 'g', 4)
                                               .arg(path));
    }
}

void TrainingController::chartShowsRun(std::int64_t runId)
{
    // Redraws read the store on the lane after every earlier ingest, so from here on the live
    // points continue exactly where the redraw ended.
    m_chartFollowsLive = isTraining() && runId == m_session->runId();
}

void TrainingController::connectSession(TrainingSession &session)
{
    connect(&session, &TrainingSession::runCreated, this, [this](std::int64_t runId) {
        m_panel.showStatus(tr("Run %1 is training.").arg(runId));
        emit runStarted(runId);
    });
    connect(&session, &TrainingSession::scalarsArrived, this,
            [this](const std::vector<views::ChartPoint> &points) {
                if (m_chartFollowsLive) {
                    m_chart.appendPoints(points);
                }
            });
    connect(&session, &TrainingSession::evaluationsArrived, this,
            [this](const std::vector<proto::EvaluationEvent> &evaluations) {
                if (m_chartFollowsLive) {
                    for (const proto::EvaluationEvent &evaluation : evaluations) {
                        m_evaluation.addEvaluation(evaluation);
                    }
                }
            });
    connect(&session, &TrainingSession::checkpointWritten, this,
            &TrainingController::onCheckpointWritten);
    connect(&session, &TrainingSession::progressed, &m_panel, &views::TrainPanel::showProgress);
    connect(&session, &TrainingSession::logged, this, &TrainingController::logged);
    connect(&session, &TrainingSession::runUpdated, this,
            [this, s = &session](const store::RunRecord &record) {
                m_runs.updateRun(record, s->testAccuracy());
                if (!m_listed) {
                    m_listed = true;
                    emit runListed(record.id);
                }
            });
    connect(&session, &TrainingSession::pausedChanged, this, [this, s = &session](bool paused) {
        m_panel.setPaused(paused);
        m_panel.showStatus(
            paused ? tr("Run %1 is paused: Resume (Ctrl+Shift+P) goes on.").arg(s->runId())
                   : tr("Run %1 is training.").arg(s->runId()));
        emit pausedChanged(paused);
    });
    connect(&session, &TrainingSession::debugEventsArrived, this,
            [this, s = &session](const std::vector<proto::DebugEvent> &events) {
                emit debugEventsArrived(s->runId(), events);
            });
    connect(&session, &TrainingSession::finished, this, &TrainingController::onFinished);
}

void TrainingController::onFinished(proto::RunState state, const QString &message)
{
    m_panel.setRunning(false);
    QString text = QString::fromLatin1(proto::runStateName(state));
    if (const std::optional<double> accuracy = m_session->testAccuracy()) {
        text += tr(": test accuracy %1%").arg(*accuracy * 100.0, 0, 'f', 2);
    }
    if (!message.isEmpty() && state != proto::RUN_STATE_COMPLETED) {
        text += QStringLiteral(" — ") + message; // why it did not complete
    }
    m_panel.showStatus(text);
    const proto::LogLevel level =
        state == proto::RUN_STATE_COMPLETED || state == proto::RUN_STATE_STOPPED
            ? proto::LOG_LEVEL_INFO
            : proto::LOG_LEVEL_ERROR;
    emit logged(level, tr("Run %1 %2").arg(m_session->runId()).arg(text));
    emit trainingChanged(false);
    emit runFinished(m_session->runId(), state, message);
}

} // namespace tl::app
