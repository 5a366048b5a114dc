#pragma once
// RemotePlatform: one connection to a profile's host and what a run needs there (issue #6):
// stage a run (dataset content-addressed, spec, run folder), start it with the profile's
// backend (ssh: a detached process group; slurm: sbatch, sweeps as job arrays; kubernetes: a
// batch/v1 Job applied with the host's kubectl, kept as job.yaml in the run folder), poll the jobs
// in one command per call, mirror events.tlog by byte offset, ask for a stop through
// control.tlog, cancel with signals or scancel, read the remote logs.
// Not thread-safe: it owns an SshSession, so it lives on one thread (the app gives it its own).

#include "base/progress.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "remote/connection_profile.h"
#include "remote/slurm_state.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace tl::remote {

class SshSession;
class SftpSession;
struct CommandOutput;
struct LoginPrompts;

struct RemoteRun
{
    std::string name;
    std::string runDir; // absolute, on the host
    std::string jobId;  // ssh: the PID leading the run's process group; slurm: "123" or "123_4"
};

// A file a run left on the host, relative to its run folder ("checkpoints/last.pt").
struct RemoteOutput
{
    std::string path;
    std::uint64_t size = 0;
};

struct JobStatus
{
    SchedulerState scheduler;    // the state as the backend sees it
    std::optional<int> exitCode; // the worker's exit code once it has ended
};

class RemotePlatform
{
public:
    static base::Result<RemotePlatform> connect(const ConnectionProfile &profile,
                                                const LoginPrompts &prompts);
    RemotePlatform(RemotePlatform &&) noexcept;
    RemotePlatform &operator=(RemotePlatform &&) noexcept;
    ~RemotePlatform();

    const ConnectionProfile &profile() const { return m_profile; }
    SshSession &ssh();
    SftpSession &sftp();

    // Stages and starts runs: one spec is one run; several are a sweep (a job array on Slurm,
    // that many processes over ssh). runName names the run folder (below <root>/runs/) and,
    // for a sweep, the folder whose 0, 1, ... subfolders hold the runs.
    base::Result<std::vector<RemoteRun>> submit(const std::vector<proto::ExperimentSpec> &specs,
                                                const std::string &runName,
                                                std::stop_token stop = {},
                                                const base::ProgressFn &progress = {});

    // The Kubernetes Job manifests submit() would apply for these specs, in order, without
    // staging or applying anything: what the user is shown before submitting.
    base::Result<std::vector<std::string>>
    kubernetesManifests(const std::vector<proto::ExperimentSpec> &specs,
                        const std::string &runName);

    // The jobs' states, in one remote command (one squeue for Slurm), in the order given.
    base::Result<std::vector<JobStatus>> poll(const std::vector<RemoteRun> &runs);

    // Appends the bytes of the run's events.tlog past localEvents' size to localEvents, so
    // the local copy grows exactly as the remote one did: after any interruption the next
    // call resumes at the same byte. Returns the bytes appended (0 before the file exists).
    base::Result<std::uint64_t> pullEvents(const RemoteRun &run,
                                           const std::filesystem::path &localEvents);

    // Asks the worker to stop after its current step (a STOP record in control.tlog).
    base::Status requestStop(const RemoteRun &run);
    // Appends one control record (PAUSE, RESUME, STOP, CHECKPOINT) to the run's control.tlog,
    // which the worker reads between steps.
    base::Status sendControl(const RemoteRun &run, proto::ControlCommand::Action action);
    // Appends any command, the step debugger's (DEBUG_*) included.
    base::Status sendControl(const RemoteRun &run, const proto::ControlCommand &command);
    // Ends the job now: SIGTERM to the process group (ssh), scancel (slurm).
    base::Status cancel(const RemoteRun &run);

    // The name readLog() gives Slurm's output file of the run, wherever Slurm put it.
    static constexpr const char *kSchedulerLog = "slurm";
    // The name readLog() gives the logs of a Kubernetes job's pod (kubectl logs).
    static constexpr const char *kPodLog = "pod";

    // Up to maxBytes of a remote log of the run from offset: "worker.log", "worker.stderr", or
    // kSchedulerLog. NotFound until the file exists.
    base::Result<std::string> readLog(const RemoteRun &run,
                                      const std::string &file,
                                      std::uint64_t offset,
                                      std::size_t maxBytes = 1 << 20);

    // The run's checkpoints and TensorBoard files (below checkpoints/ and tb/), in one command.
    base::Result<std::vector<RemoteOutput>> listOutputs(const RemoteRun &run);
    // Copies one output into localRunDir at the same relative path, through "<file>.part" and a
    // rename, so an interrupted copy never looks finished. Progress counts the file's bytes.
    base::Status download(const RemoteRun &run,
                          const RemoteOutput &output,
                          const std::filesystem::path &localRunDir,
                          std::stop_token stop = {},
                          const base::ProgressFn &progress = {});

    // The shell lines that run the worker in runDir (a shell expression: a quoted path or
    // "$RUN") and leave its exit code in runDir/exit_code.
    static std::string workerScript(const ConnectionProfile &profile,
                                    const std::string &runDir,
                                    const std::string &device);

private:
    struct Connection;
    explicit RemotePlatform(ConnectionProfile profile, std::unique_ptr<Connection> connection);

    base::Result<std::string> absoluteRoot();
    // The runs submit() makes for these specs below root: names and folders, no job yet.
    std::vector<RemoteRun> plannedRuns(const std::vector<proto::ExperimentSpec> &specs,
                                       const std::string &runName,
                                       const std::string &root) const;
    base::Status checkWorker();
    base::Result<std::string> stageRun(const proto::ExperimentSpec &spec,
                                       const std::string &runDir,
                                       std::stop_token stop,
                                       const base::ProgressFn &progress);
    base::Result<std::vector<RemoteRun>> startDetached(const std::vector<RemoteRun> &runs,
                                                       const std::vector<std::string> &devices);
    base::Result<std::vector<RemoteRun>> submitToSlurm(const std::vector<RemoteRun> &runs,
                                                       const std::string &sweepDir,
                                                       const std::vector<std::string> &devices);
    base::Result<std::vector<RemoteRun>>
    applyKubernetesJobs(const std::vector<RemoteRun> &runs,
                        const std::string &root,
                        const std::vector<std::string> &devices);
    base::Result<int> maxArraySize();
    base::Result<std::vector<JobStatus>> pollDetached(const std::vector<RemoteRun> &runs);
    base::Result<std::vector<JobStatus>> pollSlurm(const std::vector<RemoteRun> &runs);
    base::Result<std::vector<JobStatus>> pollKubernetes(const std::vector<RemoteRun> &runs);
    base::Result<std::optional<int>> exitCode(const RemoteRun &run);
    base::Error commandError(const std::string &what, const std::string &err) const;
    // kubectl runs on this machine when the profile names a context its kubectl has, else on
    // the login host; decided once per connection.
    bool kubectlIsLocal();
    std::string kubectlWhere();
    // kubectl with the profile's context and namespace, then args; input on its stdin.
    base::Result<CommandOutput> kubectl(std::vector<std::string> args, std::string_view input = {});
    base::Error kubectlError(const std::string &what, const std::string &err);
    base::Status deleteKubernetesJob(const RemoteRun &run);
    base::Result<std::string>
    readPodLog(const RemoteRun &run, std::uint64_t offset, std::size_t maxBytes);

    ConnectionProfile m_profile;
    std::unique_ptr<Connection> m_connection;
    std::optional<bool> m_localKubectl;
};

} // namespace tl::remote
