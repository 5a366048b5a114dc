// RemoteRunsController's actions on a job: stop, pause and resume, cancel, output downloads and
// remote logs.

#include "app/remote_runs_controller.h"
#include "app/remote_runs_private.h"
#include "proto/run_state.h"

#include <algorithm>

namespace tl::app {

void RemoteRunsController::stop(std::int64_t runId)
{
    Link *lane = linkOf(runId);
    if (lane == nullptr || !follows(runId)) {
        return;
    }
    m_runs[runId]->stopGrace.start();
    sendControl(runId, proto::controlCommand(proto::ControlCommand::ACTION_STOP),
                tr("Asked the worker of run %1 to stop after its current step.").arg(runId));
}

void RemoteRunsController::pause(std::int64_t runId)
{
    sendControl(runId, proto::controlCommand(proto::ControlCommand::ACTION_PAUSE),
                tr("Asked the worker of run %1 to pause after its current step.").arg(runId));
}

void RemoteRunsController::resume(std::int64_t runId)
{
    sendControl(runId, proto::controlCommand(proto::ControlCommand::ACTION_RESUME),
                tr("Asked the worker of run %1 to resume.").arg(runId));
}

void RemoteRunsController::sendDebugCommand(std::int64_t runId,
                                            const proto::ControlCommand &command)
{
    sendControl(runId, command, QString());
}

void RemoteRunsController::sendControl(std::int64_t runId,
                                       const proto::ControlCommand &command,
                                       QString told)
{
    Link *lane = linkOf(runId);
    if (lane == nullptr || !follows(runId)) {
        return;
    }
    onLane<std::monostate>(
        *lane,
        [job = m_runs[runId]->run, command](remote::RemotePlatform &platform) {
            return platform.sendControl(job, command);
        },
        [this, runId, action = command.action(), told = std::move(told)](base::Status asked) {
            if (!asked) {
                emit logged(
                    proto::LOG_LEVEL_ERROR,
                    tr("Run %1 could not be sent %2: %3")
                        .arg(runId)
                        .arg(QString::fromStdString(proto::ControlCommand::Action_Name(action)))
                        .arg(qs(asked.error().describe())));
                return;
            }
            if (!told.isEmpty()) {
                emit logged(proto::LOG_LEVEL_INFO, told);
            }
        });
}

void RemoteRunsController::cancel(std::int64_t runId)
{
    Link *lane = linkOf(runId);
    if (lane == nullptr || !follows(runId)) {
        return;
    }
    onLane<std::monostate>(
        *lane,
        [job = m_runs[runId]->run](remote::RemotePlatform &platform) {
            return platform.cancel(job);
        },
        [this, runId](base::Status cancelled) {
            if (!cancelled) {
                emit logged(proto::LOG_LEVEL_ERROR,
                            tr("The job of run %1 could not be cancelled: %2")
                                .arg(runId)
                                .arg(qs(cancelled.error().describe())));
                return;
            }
            emit logged(proto::LOG_LEVEL_INFO, tr("Cancelled the job of run %1.").arg(runId));
            if (Link *again = linkOf(runId)) {
                schedulePoll(*again, 0);
            }
        });
}

void RemoteRunsController::downloadOutputs(std::int64_t runId)
{
    if (m_downloading || m_submission) {
        emit logged(proto::LOG_LEVEL_WARNING,
                    tr("A transfer is under way; wait for it or cancel it first."));
        return;
    }
    fetchOutputs(runId, true);
}

void RemoteRunsController::cancelTransfer()
{
    m_transferStop.request_stop();
}

void RemoteRunsController::fetchOutputs(std::int64_t runId, bool everything)
{
    auto found = m_runs.find(runId);
    if (found == m_runs.end()) {
        return;
    }
    Tracked &run = *found->second;
    Link *lane = linkOf(runId);
    if (lane == nullptr) {
        std::optional<remote::ConnectionProfile> profile = m_profiles(run.row.profile);
        if (!profile) {
            emit logged(proto::LOG_LEVEL_ERROR,
                        tr("There is no connection profile \"%1\" to download run %2's outputs "
                           "with.")
                            .arg(qs(run.row.profile))
                            .arg(runId));
            return;
        }
        lane = &link(*profile);
    }
    std::stop_token stop;
    base::ProgressFn progress;
    if (everything) {
        m_downloading = true;
        m_transferStop = std::stop_source();
        stop = m_transferStop.get_token();
        progress = [this](std::uint64_t done, std::uint64_t total, std::string_view what) {
            const QString file = qs(std::string(what));
            QMetaObject::invokeMethod(
                this,
                [this, done, total, file] {
                    emit transferProgress(static_cast<qint64>(done), static_cast<qint64>(total),
                                          file);
                },
                Qt::QueuedConnection);
        };
    }
    onLane<int>(
        *lane,
        [job = run.run, dir = run.localDir, everything, stop,
         progress](remote::RemotePlatform &platform) -> base::Result<int> {
            base::Result<std::vector<remote::RemoteOutput>> outputs = platform.listOutputs(job);
            if (!outputs) {
                return outputs.error();
            }
            int copied = 0;
            for (const remote::RemoteOutput &output : outputs.value()) {
                const bool wanted =
                    everything
                    || std::any_of(std::begin(kFinalOutputs), std::end(kFinalOutputs),
                                   [&output](const char *name) { return output.path == name; });
                if (!wanted) {
                    continue;
                }
                if (base::Status copiedOne = platform.download(job, output, dir, stop, progress);
                    !copiedOne) {
                    return copiedOne.error();
                }
                ++copied;
            }
            return copied;
        },
        [this, runId, everything](base::Result<int> copied) {
            if (everything) {
                m_downloading = false;
                emit transferFinished(copied.ok(),
                                      copied ? QString() : qs(copied.error().describe()));
            }
            auto it = m_runs.find(runId);
            if (it == m_runs.end()) {
                return;
            }
            Tracked &fetched = *it->second;
            if (!copied) {
                emit logged(proto::LOG_LEVEL_ERROR,
                            tr("The outputs of run %1 were not downloaded: %2")
                                .arg(runId)
                                .arg(qs(copied.error().describe())));
                return;
            }
            const QString dir = qs(fetched.localDir.string());
            emit logged(proto::LOG_LEVEL_INFO,
                        tr("Downloaded %n file(s) of run %1 to %2", nullptr, copied.value())
                            .arg(runId)
                            .arg(dir));
            if (fetched.row.ended && !fetched.outputsFetched) {
                fetched.outputsFetched = true;
                saveJob(fetched);
            }
            emit outputsFetched(runId, dir, copied.value());
        });
}

std::vector<std::string> RemoteRunsController::logNames(std::int64_t runId) const
{
    const views::JobRow *row = job(runId);
    std::vector<std::string> names = {"worker.log", "worker.stderr"};
    if (row != nullptr && row->backend == "slurm") {
        names.emplace_back(remote::RemotePlatform::kSchedulerLog);
    }
    if (row != nullptr && row->backend == "kubernetes") {
        names.emplace_back(remote::RemotePlatform::kPodLog);
    }
    return names;
}

void RemoteRunsController::readLog(std::int64_t runId,
                                   const std::string &name,
                                   std::uint64_t offset,
                                   Done<std::string> done,
                                   std::size_t maxBytes)
{
    Link *lane = linkOf(runId);
    auto found = m_runs.find(runId);
    if (found != m_runs.end() && lane == nullptr) {
        if (std::optional<remote::ConnectionProfile> profile =
                m_profiles(found->second->row.profile)) {
            lane = &link(*profile);
        }
    }
    if (lane == nullptr) {
        done(base::makeError(base::ErrorCode::NotFound,
                             "run " + std::to_string(runId)
                                 + " has no remote job to read logs of."));
        return;
    }
    onLane<std::string>(
        *lane,
        [job = found->second->run, name, offset, maxBytes](remote::RemotePlatform &platform) {
            return platform.readLog(job, name, offset, maxBytes);
        },
        std::move(done));
}

const views::JobRow *RemoteRunsController::job(std::int64_t runId) const
{
    auto found = m_runs.find(runId);
    return found == m_runs.end() ? nullptr : &found->second->row;
}

bool RemoteRunsController::follows(std::int64_t runId) const
{
    const views::JobRow *row = job(runId);
    return row != nullptr && !row->ended;
}

} // namespace tl::app
