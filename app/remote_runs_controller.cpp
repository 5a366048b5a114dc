#include "app/remote_runs_controller.h"

#include "app/remote_runs_private.h"
#include "app/run_directory.h"
#include "proto/run_state.h"

#include <QElapsedTimer>
#include <QPointer>

#include <algorithm>
#include <system_error>

namespace tl::app {

namespace fs = std::filesystem;

namespace {

const char *backendName(remote::BackendKind backend)
{
    switch (backend) {
    case remote::BackendKind::Slurm:
        return "slurm";
    case remote::BackendKind::Kubernetes:
        return "kubernetes";
    case remote::BackendKind::Ssh:
        break;
    }
    return "ssh";
}

// What the jobs table's State column says for a scheduler state.
std::string stateWord(const remote::SchedulerState &state)
{
    if (!state.ended && state.state == proto::RUN_STATE_STARTING) {
        return "queued";
    }
    return proto::runStateName(state.state);
}

// Whether a job state stored by stateWord() means the job is over.
bool jobEnded(const std::string &word)
{
    for (proto::RunState state : {proto::RUN_STATE_COMPLETED, proto::RUN_STATE_FAILED,
                                  proto::RUN_STATE_STOPPED, proto::RUN_STATE_INTERRUPTED}) {
        if (word == proto::runStateName(state)) {
            return true;
        }
    }
    return false;
}

} // namespace

// The submission under way: its profile, specs, and the runs prepared for them.
struct RemoteRunsController::Submission
{
    remote::ConnectionProfile profile;
    std::vector<proto::ExperimentSpec> specs;
    std::vector<store::RunRecord> prepared;
    std::string runName;
};

struct RemoteRunsController::PollReply
{
    struct Run
    {
        std::int64_t runId = 0;
        remote::JobStatus status;
        std::uint64_t pulled = 0;
    };
    std::vector<Run> runs;
};

RemoteRunsController::RemoteRunsController(StoreLane &lane,
                                           fs::path runsRoot,
                                           ProfileLookup profiles,
                                           remote::LoginPrompts prompts,
                                           QObject *parent)
    : QObject(parent)
    , m_lane(lane)
    , m_runsRoot(std::move(runsRoot))
    , m_profiles(std::move(profiles))
    , m_prompts(std::move(prompts))
{}

RemoteRunsController::~RemoteRunsController()
{
    m_closing->store(true);
    m_transferStop.request_stop();
    m_links.clear(); // joins each lane after its current task
}

RemoteRunsController::Link &RemoteRunsController::link(const remote::ConnectionProfile &profile)
{
    std::unique_ptr<Link> &slot = m_links[profile.name];
    const bool busy =
        slot
        && (slot->tasksInFlight > 0
            || std::any_of(m_runs.begin(), m_runs.end(), [&](const auto &run) {
                   return run.second->row.profile == profile.name && !run.second->row.ended;
               }));
    if (slot && busy) {
        return *slot; // its jobs keep the connection they were started with
    }
    // A new connection, so edits to the profile take effect.
    slot = std::make_unique<Link>();
    slot->profile = profile;
    slot->timer.setSingleShot(true);
    const std::string name = profile.name;
    connect(&slot->timer, &QTimer::timeout, this, [this, name] { poll(name); });
    auto onState = [this, name](remote::LinkState state, const std::string &detail) {
        QString text = state == remote::LinkState::Connecting ? tr("connecting")
                       : state == remote::LinkState::Connected
                           ? tr("connected to %1").arg(qs(detail))
                           : tr("lost: %1").arg(qs(detail));
        QMetaObject::invokeMethod(
            this, [this, name, text] { emit linkChanged(qs(name), text); }, Qt::QueuedConnection);
    };
    slot->lane = std::make_unique<remote::RemoteLane>(profile, m_prompts, onState);
    return *slot;
}

RemoteRunsController::Link *RemoteRunsController::linkOf(std::int64_t runId)
{
    auto run = m_runs.find(runId);
    if (run == m_runs.end()) {
        return nullptr;
    }
    auto found = m_links.find(run->second->row.profile);
    return found == m_links.end() ? nullptr : found->second.get();
}

// --- submitting -------------------------------------------------------------------------------

void RemoteRunsController::submit(const remote::ConnectionProfile &profile,
                                  std::vector<proto::ExperimentSpec> specs,
                                  std::string runName)
{
    if (m_submission) {
        emit submitFailed(tr("A submission is still under way; wait for it or cancel it."));
        return;
    }
    if (specs.empty()) {
        emit submitFailed(tr("There is nothing to submit."));
        return;
    }
    m_submission = std::make_unique<Submission>();
    m_submission->profile = profile;
    m_submission->specs = std::move(specs);
    m_submission->runName = runName.empty() ? remoteRunName(m_submission->specs) : runName;
    m_transferStop = std::stop_source();
    const std::string stamp = runStamp();
    m_lane.call<std::vector<store::RunRecord>>(
        this,
        [specs = m_submission->specs, root = m_runsRoot,
         stamp](store::RunStore &store,
                std::stop_token) -> base::Result<std::vector<store::RunRecord>> {
            std::vector<store::RunRecord> records;
            for (const proto::ExperimentSpec &spec : specs) {
                base::Result<PreparedRun> prepared = prepareRun(store, spec, root, stamp);
                if (!prepared) {
                    for (const store::RunRecord &made : records) {
                        (void)store.deleteRun(made.id);
                    }
                    return prepared.error();
                }
                base::Result<store::RunRecord> record = store.run(prepared.value().runId);
                if (!record) {
                    return record.error();
                }
                records.push_back(std::move(record).value());
            }
            return records;
        },
        [this](base::Result<std::vector<store::RunRecord>> prepared) {
            onPrepared(std::move(prepared));
        });
}

void RemoteRunsController::onPrepared(base::Result<std::vector<store::RunRecord>> prepared)
{
    if (!prepared) {
        m_submission.reset();
        emit submitFailed(
            tr("The runs could not be created: %1").arg(qs(prepared.error().describe())));
        return;
    }
    Submission &submission = *m_submission;
    submission.prepared = std::move(prepared).value();
    for (const store::RunRecord &record : submission.prepared) {
        emit runUpdated(record, std::nullopt);
    }
    Link &lane = link(submission.profile);
    std::stop_token stop = m_transferStop.get_token();
    // Progress from the lane's thread, at most every 50 ms, as queued signals.
    auto progress = [this, since = std::make_shared<QElapsedTimer>()](
                        std::uint64_t done, std::uint64_t total, std::string_view what) {
        if (since->isValid() && since->elapsed() < 50 && done < total) {
            return;
        }
        since->start();
        const QString file = qs(std::string(what));
        QMetaObject::invokeMethod(
            this,
            [this, done, total, file] {
                emit transferProgress(static_cast<qint64>(done), static_cast<qint64>(total), file);
            },
            Qt::QueuedConnection);
    };
    onLane<std::vector<remote::RemoteRun>>(
        lane,
        [specs = submission.specs, name = submission.runName, stop,
         progress](remote::RemotePlatform &platform) {
            return platform.submit(specs, name, stop, progress);
        },
        [this](base::Result<std::vector<remote::RemoteRun>> runs) {
            onSubmitted(std::move(runs));
        });
}

void RemoteRunsController::cancelSubmit()
{
    m_transferStop.request_stop();
}

void RemoteRunsController::dropPrepared(const QString &why)
{
    // Nothing ran: the runs and their (empty) folders go again.
    std::vector<std::int64_t> ids;
    std::vector<fs::path> dirs;
    for (const store::RunRecord &record : m_submission->prepared) {
        ids.push_back(record.id);
        dirs.push_back(record.runDir);
    }
    m_submission.reset();
    m_lane.call<bool>(
        this,
        [ids, dirs](store::RunStore &store, std::stop_token) -> base::Result<bool> {
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (base::Status removed = store.deleteRun(ids[i]); !removed) {
                    return removed.error();
                }
                std::error_code ec;
                fs::remove_all(dirs[i], ec);
            }
            return true;
        },
        [this, why](base::Result<bool> removed) {
            if (!removed) {
                emit logged(proto::LOG_LEVEL_ERROR, qs(removed.error().describe()));
            }
            emit transferFinished(false, why);
            emit submitFailed(why);
        });
}

void RemoteRunsController::onSubmitted(base::Result<std::vector<remote::RemoteRun>> runs)
{
    if (!runs) {
        const bool cancelled = runs.error().code == base::ErrorCode::Cancelled;
        dropPrepared(cancelled
                         ? tr("The submission was cancelled; nothing was started.")
                         : tr("Submitting to %1 failed: %2")
                               .arg(qs(m_submission->profile.name), qs(runs.error().describe())));
        return;
    }
    std::unique_ptr<Submission> submission = std::move(m_submission);
    std::vector<store::RemoteJobRecord> jobs;
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < runs.value().size() && i < submission->prepared.size(); ++i) {
        const remote::RemoteRun &run = runs.value()[i];
        store::RemoteJobRecord job;
        job.runId = submission->prepared[i].id;
        job.profile = submission->profile.name;
        job.backend = backendName(submission->profile.backend);
        job.host = submission->profile.user.empty()
                       ? submission->profile.host
                       : submission->profile.user + "@" + submission->profile.host;
        job.remoteDir = run.runDir;
        job.jobId = run.jobId;
        jobs.push_back(job);
        ids.push_back(job.runId);
        follow(submission->prepared[i], job);
    }
    m_lane.call<bool>(
        this,
        [jobs](store::RunStore &store, std::stop_token) -> base::Result<bool> {
            for (const store::RemoteJobRecord &job : jobs) {
                if (base::Status saved = store.setRemoteJob(job); !saved) {
                    return saved.error();
                }
            }
            return true;
        },
        [this](base::Result<bool> saved) {
            if (!saved) {
                emit logged(proto::LOG_LEVEL_ERROR,
                            tr("The remote job could not be recorded; it will not be followed "
                               "after a restart: %1")
                                .arg(qs(saved.error().describe())));
            }
        });
    const QString where = qs(jobs.front().host);
    emit logged(
        proto::LOG_LEVEL_INFO,
        tr("Submitted %n run(s) to %1 (%2): job %3 in %4", nullptr, static_cast<int>(jobs.size()))
            .arg(qs(submission->profile.name), where, qs(jobs.front().jobId),
                 qs(jobs.front().remoteDir)));
    emit transferFinished(true, QString());
    emit submitted(ids);
}

void RemoteRunsController::kubernetesManifests(const remote::ConnectionProfile &profile,
                                               std::vector<proto::ExperimentSpec> specs,
                                               const std::string &runName,
                                               Done<std::vector<std::string>> done)
{
    onLane<std::vector<std::string>>(
        link(profile),
        [specs = std::move(specs), runName](remote::RemotePlatform &platform) {
            return platform.kubernetesManifests(specs, runName);
        },
        std::move(done));
}

// --- following --------------------------------------------------------------------------------

void RemoteRunsController::follow(const store::RunRecord &run, const store::RemoteJobRecord &job)
{
    auto tracked = std::make_unique<Tracked>();
    tracked->row.runId = run.id;
    tracked->row.runName = run.name;
    tracked->row.profile = job.profile;
    tracked->row.backend = job.backend;
    tracked->row.host = job.host;
    tracked->row.jobId = job.jobId;
    tracked->row.remoteDir = job.remoteDir;
    tracked->row.schedulerState = job.schedulerState;
    tracked->row.reason = job.reason;
    tracked->run = {run.name, job.remoteDir, job.jobId};
    tracked->localDir = run.runDir;
    tracked->outputsFetched = job.outputsFetched;
    tracked->row.ended = jobEnded(job.schedulerState);
    tracked->finished = tracked->row.ended && proto::isTerminal(run.state);
    tracked->row.state = run.state;
    tracked->stopGrace.setSingleShot(true);
    tracked->stopGrace.setInterval(kStopGraceMs);
    const std::int64_t id = run.id;
    connect(&tracked->stopGrace, &QTimer::timeout, this, [this, id] {
        if (const views::JobRow *row = this->job(id); row != nullptr && !row->ended) {
            emit logged(proto::LOG_LEVEL_WARNING,
                        tr("Run %1 did not stop within %2 s; cancelling its job.")
                            .arg(id)
                            .arg(kStopGraceMs / 1000));
            cancel(id);
        }
    });
    const views::JobRow row = tracked->row;
    const bool finished = tracked->finished;
    const bool fetched = tracked->outputsFetched;
    m_runs[id] = std::move(tracked);
    emit jobChanged(row);
    if (row.ended) {
        // An app that closed between the job's end and the run's last ingest (or its final
        // model) completes them now.
        if (!finished) {
            ingest(id);
        } else if (!fetched) {
            fetchOutputs(id, false);
        }
        return;
    }
    auto found = m_links.find(job.profile);
    if (found == m_links.end()) {
        std::optional<remote::ConnectionProfile> profile = m_profiles(job.profile);
        if (!profile) {
            Tracked &lost = *m_runs[id];
            lost.row.reason = "the connection profile \"" + job.profile
                              + "\" is gone; add it again to follow this job";
            emit jobChanged(lost.row);
            emit logged(proto::LOG_LEVEL_WARNING,
                        tr("Run %1 runs on %2, but there is no connection profile \"%3\" any "
                           "more: it is not followed.")
                            .arg(id)
                            .arg(qs(job.host), qs(job.profile)));
            return;
        }
        link(*profile);
    }
    schedulePoll(*m_links[job.profile], 0);
}

void RemoteRunsController::recover()
{
    struct Stored
    {
        store::RunRecord run;
        store::RemoteJobRecord job;
    };
    m_lane.call<std::vector<Stored>>(
        this,
        [](store::RunStore &store, std::stop_token) -> base::Result<std::vector<Stored>> {
            base::Result<std::vector<store::RemoteJobRecord>> jobs = store.remoteJobs();
            if (!jobs) {
                return jobs.error();
            }
            std::vector<Stored> out;
            for (store::RemoteJobRecord &job : jobs.value()) {
                base::Result<store::RunRecord> run = store.run(job.runId);
                if (!run) {
                    return run.error();
                }
                out.push_back({std::move(run).value(), std::move(job)});
            }
            return out;
        },
        [this](base::Result<std::vector<Stored>> stored) {
            if (!stored) {
                emit logged(
                    proto::LOG_LEVEL_ERROR,
                    tr("The remote jobs could not be read: %1").arg(qs(stored.error().describe())));
                return;
            }
            // Oldest first, so the jobs table ends newest on top.
            for (auto it = stored.value().rbegin(); it != stored.value().rend(); ++it) {
                if (!m_runs.contains(it->run.id)) {
                    follow(it->run, it->job);
                }
            }
        });
}

void RemoteRunsController::schedulePoll(Link &link, int delayMs)
{
    if (!link.pollInFlight && (!link.timer.isActive() || link.timer.remainingTime() > delayMs)) {
        link.timer.start(delayMs);
    }
}

void RemoteRunsController::poll(const std::string &profile)
{
    Link &link = *m_links[profile];
    std::vector<std::int64_t> ids;
    std::vector<remote::RemoteRun> runs;
    std::vector<fs::path> mirrors;
    for (const auto &[id, run] : m_runs) {
        if (run->row.profile == profile && !run->row.ended) {
            ids.push_back(id);
            runs.push_back(run->run);
            mirrors.push_back(run->localDir / "events.tlog");
        }
    }
    if (ids.empty()) {
        return;
    }
    link.pollInFlight = true;
    onLane<PollReply>(
        link,
        [ids, runs, mirrors](remote::RemotePlatform &platform) -> base::Result<PollReply> {
            // One command for every job of the profile, then the new bytes of each log that
            // can have grown.
            base::Result<std::vector<remote::JobStatus>> statuses = platform.poll(runs);
            if (!statuses) {
                return statuses.error();
            }
            PollReply reply;
            for (std::size_t i = 0; i < runs.size(); ++i) {
                PollReply::Run polled{ids[i], statuses.value()[i], 0};
                const remote::SchedulerState &state = polled.status.scheduler;
                if (state.ended || state.state != proto::RUN_STATE_STARTING) {
                    for (;;) {
                        base::Result<std::uint64_t> pulled =
                            platform.pullEvents(runs[i], mirrors[i]);
                        if (!pulled) {
                            return pulled.error();
                        }
                        if (pulled.value() == 0) {
                            break;
                        }
                        polled.pulled += pulled.value();
                    }
                }
                reply.runs.push_back(std::move(polled));
            }
            return reply;
        },
        [this, profile](base::Result<PollReply> reply) {
            Link &polled = *m_links[profile];
            polled.pollInFlight = false;
            if (!reply) {
                // Backoff: the lane reconnects; the jobs keep running on the host meanwhile.
                polled.failures = std::min(polled.failures + 1, 16);
                const int wait = static_cast<int>(
                    std::min<qint64>(qint64(kPollMs) << polled.failures, kMaxRetryMs));
                const QString why = qs(reply.error().describe());
                for (auto &[id, run] : m_runs) {
                    if (run->row.profile == profile && !run->row.ended) {
                        run->row.reason = tr("cannot reach the host: %1 (retrying in %2 s)")
                                              .arg(why)
                                              .arg(wait / 1000.0, 0, 'f', 1)
                                              .toStdString();
                        emit jobChanged(run->row);
                    }
                }
                schedulePoll(polled, wait);
                return;
            }
            polled.failures = 0;
            onPolled(profile, reply.value());
        });
}

void RemoteRunsController::onPolled(const std::string &profile, const PollReply &reply)
{
    bool queuedOnly = true;
    for (const PollReply::Run &polled : reply.runs) {
        auto found = m_runs.find(polled.runId);
        if (found == m_runs.end()) {
            continue;
        }
        Tracked &run = *found->second;
        const remote::SchedulerState &state = polled.status.scheduler;
        const std::string word = stateWord(state);
        const bool changed = word != run.row.schedulerState || state.reason != run.row.reason
                             || state.ended != run.row.ended;
        run.row.schedulerState = word;
        run.row.reason = state.reason;
        run.row.ended = state.ended;
        run.row.state = state.state;
        queuedOnly = queuedOnly && !state.ended && state.state == proto::RUN_STATE_STARTING;
        if (changed) {
            emit jobChanged(run.row);
            saveJob(run);
        }
        if (polled.pulled > 0 || state.ended) {
            ingest(polled.runId);
        }
    }
    Link &link = *m_links[profile];
    schedulePoll(link, queuedOnly ? kQueuedPollMs : kPollMs);
}

void RemoteRunsController::ingest(std::int64_t runId)
{
    Tracked &run = *m_runs[runId];
    if (run.ingesting) {
        run.ingestAgain = true;
        return;
    }
    run.ingesting = true;
    run.ingestAgain = false;
    m_lane.call<IngestBatch>(
        this,
        [runId, events = run.localDir / "events.tlog"](store::RunStore &store,
                                                       std::stop_token stop) {
            return ingestRunEvents(store, runId, events, std::move(stop));
        },
        [this, runId](base::Result<IngestBatch> batch) { onIngested(runId, std::move(batch)); });
}

void RemoteRunsController::onIngested(std::int64_t runId, base::Result<IngestBatch> result)
{
    Tracked &run = *m_runs[runId];
    run.ingesting = false;
    if (!result) {
        emit logged(proto::LOG_LEVEL_ERROR, qs(result.error().describe()));
        return;
    }
    IngestBatch &batch = result.value();
    for (const auto &[level, text] : batch.logs) {
        emit logged(level, tr("run %1: %2").arg(runId).arg(qs(text)));
    }
    if (!batch.problem.empty()) {
        emit logged(proto::LOG_LEVEL_ERROR, qs(batch.problem));
    }
    for (const views::ChartPoint &point : batch.points) {
        if (point.tag == "test/accuracy") {
            run.testAccuracy = point.value;
        }
    }
    if (!batch.points.empty()) {
        emit scalarsArrived(runId, batch.points);
    }
    if (!batch.evaluations.empty()) {
        emit evaluationsArrived(runId, batch.evaluations);
    }
    if (!batch.debug.empty()) {
        emit debugEventsArrived(runId, batch.debug);
    }
    emit runUpdated(batch.record, run.testAccuracy);
    if (const bool paused = batch.record.state == proto::RUN_STATE_PAUSED;
        paused != run.row.paused) {
        run.row.paused = paused;
        emit jobChanged(run.row);
    }
    if (run.ingestAgain) {
        ingest(runId);
    } else if (run.row.ended && !run.finished) {
        finishRun(runId, batch.record);
    }
}

void RemoteRunsController::finishRun(std::int64_t runId, const store::RunRecord &record)
{
    Tracked &run = *m_runs[runId];
    run.finished = true;
    run.stopGrace.stop();
    // A worker that ended without saying so (killed, out of memory, out of time) leaves the
    // scheduler's word as the run's end, with every event it wrote kept.
    const bool told = proto::isTerminal(record.state);
    const proto::RunState state = told                               ? record.state
                                  : proto::isTerminal(run.row.state) ? run.row.state
                                                                     : proto::RUN_STATE_FAILED;
    const std::string message = told ? record.statusMessage
                                     : "the job ended on " + run.row.host
                                           + " without the worker "
                                             "finishing the run: "
                                           + run.row.reason;
    m_lane.call<store::RunRecord>(
        this,
        [runId, told, state, message](store::RunStore &store,
                                      std::stop_token) -> base::Result<store::RunRecord> {
            if (!told) {
                if (base::Status set = store.setState(runId, state, message); !set) {
                    return set.error();
                }
            }
            return store.run(runId);
        },
        [this, runId](base::Result<store::RunRecord> final) {
            if (!final) {
                emit logged(proto::LOG_LEVEL_ERROR, qs(final.error().describe()));
                return;
            }
            const Tracked &ended = *m_runs[runId];
            emit runUpdated(final.value(), ended.testAccuracy);
            emit runFinished(runId, final.value().state, qs(final.value().statusMessage));
            if (!ended.outputsFetched) {
                fetchOutputs(runId, false);
            }
        });
}

void RemoteRunsController::saveJob(const Tracked &run)
{
    store::RemoteJobRecord job;
    job.runId = run.row.runId;
    job.profile = run.row.profile;
    job.backend = run.row.backend;
    job.host = run.row.host;
    job.remoteDir = run.row.remoteDir;
    job.jobId = run.row.jobId;
    job.schedulerState = run.row.schedulerState;
    job.reason = run.row.reason;
    job.outputsFetched = run.outputsFetched;
    m_lane.call<bool>(
        this,
        [job](store::RunStore &store, std::stop_token) -> base::Result<bool> {
            if (base::Status saved = store.setRemoteJob(job); !saved) {
                return saved.error();
            }
            return true;
        },
        [this](base::Result<bool> saved) {
            if (!saved) {
                emit logged(proto::LOG_LEVEL_ERROR, qs(saved.error().describe()));
            }
        });
}

} // namespace tl::app
