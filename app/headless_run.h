#pragma once
// `torchlight --headless`: trains one experiment in the terminal through the same
// TrainingSession the window uses (store lane, worker process, ingest), printing a one-line
// progress bar (\r-updated on a tty, one line per epoch otherwise), then the final test
// accuracy and the run directory. Lives on the main thread of a QCoreApplication.

#include "app/store_lane.h"
#include "app/training_session.h"

#include <QObject>

#include <cstdio>
#include <filesystem>

namespace tl::app {

class HeadlessRun : public QObject
{
    Q_OBJECT

public:
    // out receives progress and results, err the log and errors; both stay open.
    HeadlessRun(std::filesystem::path dataDir,
                QString workerPath,
                std::FILE *out,
                std::FILE *err,
                QObject *parent = nullptr);

    // Opens the store and starts training spec; quits the application with exitCode() when
    // the run ends.
    void start(const proto::ExperimentSpec &spec);
    // 0 when the run completed; 1 otherwise.
    int exitCode() const { return m_exitCode; }

signals:
    void done(int exitCode);

private:
    void onProgress(const proto::ProgressEvent &progress);
    void onFinished(proto::RunState state, const QString &message);
    void onLog(proto::LogLevel level, const QString &text);

    std::filesystem::path m_dataDir;
    StoreLane m_lane;
    TrainingSession m_session;
    std::FILE *m_out;
    std::FILE *m_err;
    bool m_isTty = false;
    bool m_lineOpen = false; // a \r-updated line is on screen
    proto::ProgressEvent m_lastProgress;
    int m_exitCode = 1;
};

} // namespace tl::app
