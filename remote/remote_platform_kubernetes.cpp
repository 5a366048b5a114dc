// RemotePlatform's Kubernetes backend: Jobs applied, polled with their pods, logged and deleted
// through kubectl, which runs on the login host, or on this machine when the profile names a
// context this machine's kubectl has (remote/remote_platform.h).

#include "remote/kubernetes_job.h"
#include "remote/local_command.h"
#include "remote/remote_platform.h"
#include "remote/remote_platform_private.h"
#include "remote/sftp_session.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"

#include <algorithm>

namespace tl::remote {

using base::ErrorCode;
using base::makeError;

namespace {

constexpr auto kKubectlTimeout = std::chrono::seconds(60);

} // namespace

bool RemotePlatform::kubectlIsLocal()
{
    if (!m_localKubectl) {
        m_localKubectl = localKubectlHas(m_profile.kubernetes.context);
    }
    return *m_localKubectl;
}

std::string RemotePlatform::kubectlWhere()
{
    return kubectlIsLocal()
               ? "kubectl on this machine (context " + m_profile.kubernetes.context + ")"
               : ssh().where();
}

base::Result<CommandOutput> RemotePlatform::kubectl(std::vector<std::string> args,
                                                    std::string_view input)
{
    std::vector<std::string> argv = {"kubectl"};
    if (!m_profile.kubernetes.context.empty()) {
        argv.push_back("--context=" + m_profile.kubernetes.context);
    }
    argv.push_back("--namespace=" + m_profile.kubernetes.namespaceName);
    argv.insert(argv.end(), std::make_move_iterator(args.begin()),
                std::make_move_iterator(args.end()));
    if (kubectlIsLocal()) {
        return runLocalCommand(argv, input, kKubectlTimeout);
    }
    base::Result<CommandOutput> out = ssh().run(shellCommand(argv), kKubectlTimeout, {}, input);
    if (out && out.value().exitStatus == kCommandNotFound) {
        return makeError(ErrorCode::NotFound,
                         "kubectl is not installed on the host, or not on the login shell's "
                         "PATH; install it there, or name in the profile a context this "
                         "machine's kubectl has.",
                         ssh().where());
    }
    return out;
}

base::Error RemotePlatform::kubectlError(const std::string &what, const std::string &err)
{
    base::Error error = commandError(what, err);
    error.context = kubectlWhere();
    return error;
}

base::Result<std::vector<RemoteRun>>
RemotePlatform::applyKubernetesJobs(const std::vector<RemoteRun> &runs,
                                    const std::string &root,
                                    const std::vector<std::string> &devices)
{
    std::vector<RemoteRun> submitted = runs;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        KubernetesJob job =
            kubernetesJob(m_profile, runs[i].name, runs[i].runDir, root, devices[i]);
        // The manifest that is applied is kept in the run folder, as the user saw it.
        if (base::Status kept = sftp().writeFile(runs[i].runDir + "/job.yaml", job.manifest);
            !kept) {
            return kept.error();
        }
        base::Result<CommandOutput> out = kubectl({"apply", "-f", "-"}, job.manifest);
        if (!out) {
            return out.error();
        }
        if (out.value().exitStatus != 0) {
            return kubectlError("Kubernetes refused the job", out.value().err);
        }
        submitted[i].jobId = job.name;
    }
    return submitted;
}

base::Result<std::vector<JobStatus>>
RemotePlatform::pollKubernetes(const std::vector<RemoteRun> &runs)
{
    // One kubectl for every Torchlight Job of the namespace and its pods.
    base::Result<CommandOutput> out =
        kubectl({"get", "jobs,pods", "--selector=app.kubernetes.io/name=torchlight",
                 std::string("--output=") + kKubernetesStatusJsonPath});
    if (!out) {
        return out.error();
    }
    if (out.value().exitStatus != 0) {
        return kubectlError("kubectl could not list the jobs", out.value().err);
    }
    const std::map<std::string, SchedulerState> states = kubernetesStates(out.value().out);
    std::vector<JobStatus> statuses;
    for (const RemoteRun &run : runs) {
        JobStatus status;
        auto found = states.find(run.jobId);
        status.scheduler = found != states.end() ? found->second
                                                 : SchedulerState{proto::RUN_STATE_FAILED, true,
                                                                  "the Kubernetes job was deleted"};
        statuses.push_back(status);
    }
    return statuses;
}

base::Status RemotePlatform::deleteKubernetesJob(const RemoteRun &run)
{
    base::Result<CommandOutput> out =
        kubectl({"delete", "job", run.jobId, "--ignore-not-found", "--wait=false"});
    if (!out) {
        return out.error();
    }
    if (out.value().exitStatus != 0) {
        return kubectlError("could not delete the job of " + run.name, out.value().err);
    }
    return base::okStatus();
}

base::Result<std::string>
RemotePlatform::readPodLog(const RemoteRun &run, std::uint64_t offset, std::size_t maxBytes)
{
    // kubectl has no byte offset: the whole log is read and cut here.
    base::Result<CommandOutput> out = kubectl({"logs", "job/" + run.jobId, "--all-containers"});
    if (!out) {
        return out.error();
    }
    if (out.value().exitStatus != 0) {
        base::Error error = kubectlError("kubectl could not read the pod's log", out.value().err);
        error.code = ErrorCode::NotFound; // no pod yet: the log viewer asks again later
        return error;
    }
    const std::string &log = out.value().out;
    if (offset >= log.size()) {
        return std::string();
    }
    return log.substr(static_cast<std::size_t>(offset), maxBytes);
}

} // namespace tl::remote
