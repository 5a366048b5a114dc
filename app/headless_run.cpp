#include "app/headless_run.h"

#include "proto/run_state.h"
#include "views/models/run_row.h"
#include "views/train_panel.h"

#include <QCoreApplication>

#include <unistd.h>

#include <algorithm>
#include <string>

namespace tl::app {
namespace {

constexpr int kBarWidth = 24;

std::string progressLine(const proto::ProgressEvent &p)
{
    const double fraction =
        p.total_steps() > 0 ? static_cast<double>(p.step()) / static_cast<double>(p.total_steps())
                            : 0.0;
    const int filled = std::clamp(static_cast<int>(fraction * kBarWidth), 0, kBarWidth);
    const QString line =
        QStringLiteral("[%1%2] %3% epoch %4/%5 step %6/%7 loss %8 "
                       "%9 samples/s ETA %10")
            .arg(QString(filled, QLatin1Char('#')), QString(kBarWidth - filled, QLatin1Char('.')))
            .arg(static_cast<int>(fraction * 100.0), 3)
            .arg(p.epoch())
            .arg(p.epochs())
            .arg(p.step())
            .arg(p.total_steps())
            .arg(p.loss(), 0, 'f', 4)
            .arg(static_cast<long long>(p.samples_per_second()))
            .arg(views::TrainPanel::formatDuration(p.eta_seconds()));
    return line.toStdString();
}

} // namespace

HeadlessRun::HeadlessRun(std::filesystem::path dataDir,
                         QString workerPath,
                         std::FILE *out,
                         std::FILE *err,
                         QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_session(m_lane, std::move(workerPath))
    , m_out(out)
    , m_err(err)
    , m_isTty(::isatty(::fileno(out)) == 1)
{
    connect(&m_session, &TrainingSession::progressed, this, &HeadlessRun::onProgress);
    connect(&m_session, &TrainingSession::logged, this, &HeadlessRun::onLog);
    connect(&m_session, &TrainingSession::finished, this, &HeadlessRun::onFinished);
    connect(&m_lane, &StoreLane::openFailed, this,
            [this](const QString &message) { onLog(proto::LOG_LEVEL_ERROR, message); });
}

void HeadlessRun::start(const proto::ExperimentSpec &spec)
{
    m_lane.open(m_dataDir / "torchlight.db");
    std::fprintf(m_out, "Training %s on %s\n", spec.name().c_str(),
                 spec.device().empty() ? "cpu" : spec.device().c_str());
    std::fflush(m_out);
    m_session.start(spec, m_dataDir / "runs");
}

void HeadlessRun::onProgress(const proto::ProgressEvent &progress)
{
    if (m_isTty) {
        // Pad so a shorter line fully covers the previous one.
        std::fprintf(m_out, "\r%-110s", progressLine(progress).c_str());
        m_lineOpen = true;
    } else if (progress.epoch() > m_lastProgress.epoch() && m_lastProgress.step() > 0) {
        // Not a terminal: one line per epoch, with where the epoch ended.
        std::fprintf(m_out, "%s\n", progressLine(m_lastProgress).c_str());
    }
    m_lastProgress = progress;
    std::fflush(m_out);
}

void HeadlessRun::onLog(proto::LogLevel level, const QString &text)
{
    if (level == proto::LOG_LEVEL_INFO) {
        return; // the progress line says what matters; the run's worker.log keeps the rest
    }
    if (m_lineOpen) {
        std::fputc('\n', m_out);
        std::fflush(m_out);
        m_lineOpen = false;
    }
    std::fprintf(m_err, "%s: %s\n", level == proto::LOG_LEVEL_ERROR ? "error" : "warning",
                 text.toStdString().c_str());
    std::fflush(m_err);
}

void HeadlessRun::onFinished(proto::RunState state, const QString &message)
{
    if (m_lineOpen) {
        std::fputc('\n', m_out);
    } else if (!m_isTty && m_lastProgress.step() > 0) {
        std::fprintf(m_out, "%s\n", progressLine(m_lastProgress).c_str()); // where it ended
    }
    m_lineOpen = false;
    std::fprintf(m_out, "Run %lld %s", static_cast<long long>(m_session.runId()),
                 proto::runStateName(state));
    if (const std::optional<double> accuracy = m_session.testAccuracy()) {
        std::fprintf(m_out, ": test accuracy %.2f%%", *accuracy * 100.0);
    }
    std::fprintf(m_out, "\nRun directory: %s\n", m_session.runDir().string().c_str());
    std::fflush(m_out);
    m_exitCode = state == proto::RUN_STATE_COMPLETED ? 0 : 1;
    if (m_exitCode != 0) {
        std::fprintf(m_err, "error: %s\n",
                     message.isEmpty() ? "the run did not complete"
                                       : message.toStdString().c_str());
    }
    std::fflush(m_err);
    emit done(m_exitCode);
}

} // namespace tl::app
