#pragma once
// RemoteRunsController: the app's side of remote runs (issue #6). It pushes a run or a sweep to
// a connection profile (a local run folder and store row per run first, then staging and the
// backend's submit on the profile's RemoteLane, with progress and Cancel), then follows every
// job: one batched poll per profile (one squeue for Slurm), the new bytes of each events.tlog
// pulled into the local run folder and ingested into the store by byte offset, so the runs
// table, the chart and the jobs panel update live. Stop (control.tlog, then cancel after a
// grace period), cancel, remote logs and output downloads go through the same lane; the final
// model is fetched when a job ends. Each job is kept in the store (remote_jobs), so a restarted
// app resumes following it where its mirror stopped. Lives on the UI thread and never waits on
// the network: each profile's connection lives on its lane's thread.

#include "app/run_ingest.h"
#include "app/store_lane.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "remote/connection_profile.h"
#include "remote/remote_lane.h"
#include "remote/remote_platform.h"
#include "remote/ssh_session.h"
#include "store/run_records.h"
#include "views/models/jobs_table_model.h"
#include "views/scalar_chart.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::app {

class RemoteRunsController : public QObject
{
    Q_OBJECT

public:
    // A profile by its name, as the user saved it; nullopt when there is none any more.
    using ProfileLookup =
        std::function<std::optional<remote::ConnectionProfile>(const std::string &name)>;
    template<typename T>
    using Done = std::function<void(base::Result<T>)>;

    static constexpr int kPollMs = 500;        // while a profile has a job that is not queued
    static constexpr int kQueuedPollMs = 1500; // while all of its jobs wait in a queue
    static constexpr int kMaxRetryMs = 30000;  // failed polls double the wait up to this
    static constexpr int kStopGraceMs = 20000; // after Stop, a job still running is cancelled
    // The files a job's end brings home: what a user trains for.
    static constexpr const char *kFinalOutputs[] = {"checkpoints/last.pt", "checkpoints/best.pt"};

    // Observes lane; the caller keeps it alive longer than the controller. Local run folders
    // go below runsRoot. Login questions go through prompts.
    RemoteRunsController(StoreLane &lane,
                         std::filesystem::path runsRoot,
                         ProfileLookup profiles,
                         remote::LoginPrompts prompts,
                         QObject *parent = nullptr);
    // Stops following (the jobs go on on their hosts; the next start resumes them) and joins
    // every profile's thread; a login question still open is answered "no".
    ~RemoteRunsController() override;

    // Stages and starts specs on profile: one spec is a run, several a sweep (a Slurm job
    // array), in <root>/runs/<runName> on the host (empty: remoteRunName(specs)).
    // submitted() or submitFailed() follows; one submission at a time.
    void submit(const remote::ConnectionProfile &profile,
                std::vector<proto::ExperimentSpec> specs,
                std::string runName = {});
    // Stops the submission's uploads; its runs are removed again, nothing was started.
    void cancelSubmit();
    bool isSubmitting() const { return m_submission != nullptr; }

    // The Kubernetes Job manifests submit(profile, specs, runName) would apply (shown first).
    void kubernetesManifests(const remote::ConnectionProfile &profile,
                             std::vector<proto::ExperimentSpec> specs,
                             const std::string &runName,
                             Done<std::vector<std::string>> done);

    // Lists every remote job of the store and resumes following those not yet over. Call once,
    // at start.
    void recover();

    // Asks the job's worker to stop after its current step; cancels it kStopGraceMs later if it
    // is still running.
    void stop(std::int64_t runId);
    // Asks the job's worker to hold the run after its current step (PAUSE in control.tlog), or
    // to go on (RESUME). The job row's paused flag follows once the worker says so.
    void pause(std::int64_t runId);
    void resume(std::int64_t runId);
    // Sends a step-debugger command (DEBUG_*) to the job's worker through control.tlog; its
    // DebugEvents come back with the run's events (debugEventsArrived).
    void sendDebugCommand(std::int64_t runId, const proto::ControlCommand &command);
    // Ends the job now (SIGTERM to its process group, scancel, kubectl delete).
    void cancel(std::int64_t runId);
    // Copies every checkpoint and TensorBoard file of the run into its local folder, with
    // progress (transferProgress) and cancelTransfer().
    void downloadOutputs(std::int64_t runId);
    void cancelTransfer();

    // The remote logs of a run, by the names readLog() takes.
    std::vector<std::string> logNames(std::int64_t runId) const;
    // Up to maxBytes of a remote log from offset.
    void readLog(std::int64_t runId,
                 const std::string &name,
                 std::uint64_t offset,
                 Done<std::string> done,
                 std::size_t maxBytes = 256 << 10);

    const views::JobRow *job(std::int64_t runId) const;
    // The run's job is being followed (submitted or recovered, not yet over).
    bool follows(std::int64_t runId) const;
    bool isRemote(std::int64_t runId) const { return m_runs.contains(runId); }

signals:
    void submitted(const std::vector<std::int64_t> &runIds);
    void submitFailed(const QString &message);
    // Bytes of an upload (submission) or download; what names the file.
    void transferProgress(qint64 done, qint64 total, const QString &what);
    void transferFinished(bool ok, const QString &message);
    void jobChanged(const tl::views::JobRow &job);
    void runUpdated(const tl::store::RunRecord &record, std::optional<double> testAccuracy);
    void scalarsArrived(std::int64_t runId, const std::vector<tl::views::ChartPoint> &points);
    void evaluationsArrived(std::int64_t runId,
                            const std::vector<tl::proto::EvaluationEvent> &evaluations);
    // The run's step debugger stopped, answered or let the run go (in order).
    void debugEventsArrived(std::int64_t runId, const std::vector<tl::proto::DebugEvent> &events);
    // The job is over and its run has its final state in the store.
    void runFinished(std::int64_t runId, tl::proto::RunState state, const QString &message);
    void outputsFetched(std::int64_t runId, const QString &localDir, int files);
    // A profile's connection: "connecting", "connected", "lost: why".
    void linkChanged(const QString &profile, const QString &state);
    void logged(tl::proto::LogLevel level, const QString &text);

private:
    struct Tracked;
    struct Link;
    struct Submission;
    struct PollReply;

    Link &link(const remote::ConnectionProfile &profile);
    Link *linkOf(std::int64_t runId);
    // Runs task on the run's lane and reply(result) back on the UI thread.
    template<typename T>
    void onLane(Link &link,
                std::function<base::Result<T>(remote::RemotePlatform &)> task,
                Done<T> reply);

    void onPrepared(base::Result<std::vector<store::RunRecord>> prepared);
    void onSubmitted(base::Result<std::vector<remote::RemoteRun>> runs);
    void dropPrepared(const QString &why);
    void follow(const store::RunRecord &run, const store::RemoteJobRecord &job);
    void schedulePoll(Link &link, int delayMs);
    void poll(const std::string &profile);
    void onPolled(const std::string &profile, const PollReply &reply);
    void ingest(std::int64_t runId);
    void onIngested(std::int64_t runId, base::Result<IngestBatch> batch);
    void finishRun(std::int64_t runId, const store::RunRecord &record);
    void saveJob(const Tracked &run);
    void fetchOutputs(std::int64_t runId, bool everything);
    // Appends a control record to the run's control.tlog; told says what was asked.
    // told: the log line once the command is in control.tlog (none when empty).
    void sendControl(std::int64_t runId, const proto::ControlCommand &command, QString told);

    StoreLane &m_lane;
    std::filesystem::path m_runsRoot;
    ProfileLookup m_profiles;
    remote::LoginPrompts m_prompts;
    std::shared_ptr<std::atomic_bool> m_closing = std::make_shared<std::atomic_bool>(false);
    std::map<std::int64_t, std::unique_ptr<Tracked>> m_runs;
    std::unique_ptr<Submission> m_submission;
    std::stop_source m_transferStop;
    bool m_downloading = false;
    // Last: destroyed first, joining the lanes' threads before anything they report to.
    std::map<std::string, std::unique_ptr<Link>> m_links;
};

} // namespace tl::app
