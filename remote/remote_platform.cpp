#include "remote/remote_platform.h"

#include "proto/record_io.h"
#include "remote/file_staging.h"
#include "remote/kubernetes_job.h"
#include "remote/remote_platform_private.h"
#include "remote/sftp_session.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace tl::remote {

namespace fs = std::filesystem;
using base::ErrorCode;
using base::makeError;

struct RemotePlatform::Connection
{
    SshSession ssh;
    SftpSession sftp;
    FileStager stager;

    Connection(SshSession s, SftpSession f, const std::string &root)
        : ssh(std::move(s))
        , sftp(std::move(f))
        , stager(ssh, sftp, root)
    {}
};

namespace {

constexpr std::size_t kEventChunk = 8 << 20;    // one pull reads at most this much
constexpr std::size_t kDownloadChunk = 4 << 20; // one read request of a download

} // namespace

RemotePlatform::RemotePlatform(ConnectionProfile profile, std::unique_ptr<Connection> connection)
    : m_profile(std::move(profile))
    , m_connection(std::move(connection))
{}

RemotePlatform::RemotePlatform(RemotePlatform &&) noexcept = default;
RemotePlatform &RemotePlatform::operator=(RemotePlatform &&) noexcept = default;
RemotePlatform::~RemotePlatform() = default;

base::Result<RemotePlatform> RemotePlatform::connect(const ConnectionProfile &profile,
                                                     const LoginPrompts &prompts)
{
    base::Result<SshSession> ssh = SshSession::connect(profile, prompts);
    if (!ssh) {
        return ssh.error();
    }
    base::Result<SftpSession> sftp = ssh.value().openSftp();
    if (!sftp) {
        return sftp.error();
    }
    // The SFTP session keeps a pointer to libssh's session, which moves with its handle.
    auto connection = std::make_unique<Connection>(std::move(ssh).value(), std::move(sftp).value(),
                                                   profile.remoteRoot);
    return RemotePlatform(profile, std::move(connection));
}

SshSession &RemotePlatform::ssh()
{
    return m_connection->ssh;
}

SftpSession &RemotePlatform::sftp()
{
    return m_connection->sftp;
}

base::Error RemotePlatform::commandError(const std::string &what, const std::string &err) const
{
    // The host's own words, verbatim: Slurm's and the shell's messages are what users search.
    std::string text = trimmedEnd(err);
    return makeError(ErrorCode::Remote, what + ": " + (text.empty() ? "no message" : text),
                     m_connection->ssh.where());
}

base::Result<std::string> RemotePlatform::absoluteRoot()
{
    return m_connection->stager.absoluteRoot();
}

std::string RemotePlatform::workerScript(const ConnectionProfile &profile,
                                         const std::string &runDir,
                                         const std::string &device)
{
    std::vector<std::string> argv = {"train", "--spec", "experiment.pb", "--run-dir"};
    std::string command = profile.workerPrefix.empty() ? std::string() : profile.workerPrefix + " ";
    command += shellQuote(profile.workerCommand) + " " + shellCommand(argv) + " " + runDir;
    if (!device.empty()) {
        command += " --device " + shellQuote(device);
    }
    std::string script = "cd " + runDir + " || exit 1\n";
    script += command + " </dev/null >/dev/null 2>>worker.stderr\n";
    script += "echo $? >exit_code.part && mv exit_code.part exit_code\n";
    return script;
}

base::Status RemotePlatform::checkWorker()
{
    std::string probe =
        m_profile.workerPrefix.empty() ? std::string() : m_profile.workerPrefix + " ";
    probe += "command -v " + shellQuote(m_profile.workerCommand);
    base::Result<CommandOutput> found = ssh().run(probe);
    if (!found) {
        return found.error();
    }
    if (found.value().exitStatus != 0) {
        return makeError(ErrorCode::NotFound,
                         m_profile.workerCommand
                             + " was not found on the host: install torchlight-worker there, or "
                               "set the profile's worker command (or its prefix, such as "
                               "\"module load ...\").",
                         ssh().where());
    }
    return base::okStatus();
}

base::Result<std::string> RemotePlatform::stageRun(const proto::ExperimentSpec &spec,
                                                   const std::string &runDir,
                                                   std::stop_token stop,
                                                   const base::ProgressFn &progress)
{
    proto::ExperimentSpec staged = spec;
    base::Result<proto::DatasetSpec> dataset =
        m_connection->stager.stageDataset(spec.dataset(), stop, progress);
    if (!dataset) {
        return dataset.error();
    }
    *staged.mutable_dataset() = std::move(dataset).value();
    if (!spec.model_file().empty()) {
        base::Result<StagedFile> model =
            m_connection->stager.stageFile(spec.model_file(), stop, progress);
        if (!model) {
            return model.error();
        }
        staged.set_model_file(model.value().remote);
    }
    if (base::Status made = sftp().makeDirectories(runDir); !made) {
        return made.error();
    }
    if (base::Status written =
            sftp().writeFile(runDir + "/experiment.pb", staged.SerializeAsString());
        !written) {
        return written.error();
    }
    return runDir;
}

base::Result<std::vector<RemoteRun>>
RemotePlatform::submit(const std::vector<proto::ExperimentSpec> &specs,
                       const std::string &runName,
                       std::stop_token stop,
                       const base::ProgressFn &progress)
{
    if (specs.empty()) {
        return makeError(ErrorCode::InvalidInput, "there is nothing to submit.", runName);
    }
    if (base::Status worker = checkWorker(); !worker) {
        return worker.error();
    }
    base::Result<std::string> root = absoluteRoot();
    if (!root) {
        return root.error();
    }
    const std::string base = root.value() + "/runs/" + runName;
    const std::vector<RemoteRun> runs = plannedRuns(specs, runName, root.value());
    std::vector<std::string> devices;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        base::Result<std::string> staged = stageRun(specs[i], runs[i].runDir, stop, progress);
        if (!staged) {
            return staged.error();
        }
        devices.push_back(specs[i].device());
    }
    if (m_profile.backend == BackendKind::Slurm) {
        return submitToSlurm(runs, base, devices);
    }
    if (m_profile.backend == BackendKind::Kubernetes) {
        return applyKubernetesJobs(runs, root.value(), devices);
    }
    return startDetached(runs, devices);
}

std::vector<RemoteRun> RemotePlatform::plannedRuns(const std::vector<proto::ExperimentSpec> &specs,
                                                   const std::string &runName,
                                                   const std::string &root) const
{
    const std::string base = root + "/runs/" + runName;
    std::vector<RemoteRun> runs;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        RemoteRun run;
        run.name = specs[i].name().empty() ? runName : specs[i].name();
        run.runDir = specs.size() == 1 ? base : base + "/" + std::to_string(i);
        runs.push_back(std::move(run));
    }
    return runs;
}

base::Result<std::vector<std::string>>
RemotePlatform::kubernetesManifests(const std::vector<proto::ExperimentSpec> &specs,
                                    const std::string &runName)
{
    base::Result<std::string> root = absoluteRoot();
    if (!root) {
        return root.error();
    }
    const std::vector<RemoteRun> runs = plannedRuns(specs, runName, root.value());
    std::vector<std::string> manifests;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        manifests.push_back(
            kubernetesJob(m_profile, runs[i].name, runs[i].runDir, root.value(), specs[i].device())
                .manifest);
    }
    return manifests;
}

base::Result<std::vector<RemoteRun>>
RemotePlatform::startDetached(const std::vector<RemoteRun> &runs,
                              const std::vector<std::string> &devices)
{
    std::vector<RemoteRun> started = runs;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        // setsid: a process group of its own, which outlives this connection and which cancel
        // signals as a whole. In a non-interactive shell the background job is no group
        // leader, so setsid does not fork and $! is the group's PID.
        std::string script = workerScript(m_profile, shellQuote(runs[i].runDir), devices[i]);
        std::string command = "cd " + shellQuote(runs[i].runDir) + " || exit 1; setsid sh -c "
                              + shellQuote(script) + " </dev/null >/dev/null 2>&1 & echo $!";
        base::Result<CommandOutput> out = ssh().run(command);
        if (!out) {
            return out.error();
        }
        std::string pid = firstLine(out.value().out);
        if (out.value().exitStatus != 0
            || pid.find_first_not_of("0123456789") != std::string::npos) {
            return commandError("could not start the worker in " + runs[i].runDir, out.value().err);
        }
        started[i].jobId = pid;
    }
    return started;
}

base::Result<std::vector<JobStatus>> RemotePlatform::poll(const std::vector<RemoteRun> &runs)
{
    if (runs.empty()) {
        return std::vector<JobStatus>();
    }
    switch (m_profile.backend) {
    case BackendKind::Slurm:
        return pollSlurm(runs);
    case BackendKind::Kubernetes:
        return pollKubernetes(runs);
    case BackendKind::Ssh:
        break;
    }
    return pollDetached(runs);
}

namespace {

// A shell test that holds while the PID still leads the run: its working folder is the run
// folder (PIDs are reused; setsid started it there).
std::string leadsRun(const RemoteRun &run)
{
    std::string dir = shellQuote(run.runDir);
    return "[ \"$(readlink /proc/" + shellQuote(run.jobId) + "/cwd 2>/dev/null)\" = \"$(cd " + dir
           + " 2>/dev/null && pwd -P)\" ]";
}

// One line per run: "running", "exit N" or "gone".
std::string statusProbe(const RemoteRun &run)
{
    std::string dir = shellQuote(run.runDir);
    return "if " + leadsRun(run) + "; then echo running; elif test -f " + dir
           + "/exit_code; then echo \"exit $(cat " + dir + "/exit_code)\"; else echo gone; fi; ";
}

} // namespace

base::Result<std::vector<JobStatus>>
RemotePlatform::pollDetached(const std::vector<RemoteRun> &runs)
{
    std::string command;
    for (const RemoteRun &run : runs) {
        command += statusProbe(run);
    }
    base::Result<CommandOutput> out = ssh().run(command);
    if (!out) {
        return out.error();
    }
    std::vector<std::string> answers = lines(out.value().out);
    if (answers.size() != runs.size()) {
        return commandError("could not read the state of the runs", out.value().err);
    }
    std::vector<JobStatus> statuses;
    for (const std::string &answer : answers) {
        statuses.push_back(statusFromProbe(answer));
    }
    return statuses;
}

base::Result<std::uint64_t> RemotePlatform::pullEvents(const RemoteRun &run,
                                                       const fs::path &localEvents)
{
    std::error_code ec;
    std::uint64_t have = fs::exists(localEvents, ec) ? fs::file_size(localEvents, ec) : 0;
    if (ec) {
        return makeError(ErrorCode::Io, "could not read " + localEvents.string() + ".",
                         localEvents.string());
    }
    std::string remote = run.runDir + "/events.tlog";
    base::Result<std::optional<std::uint64_t>> size = sftp().fileSize(remote);
    if (!size) {
        return size.error();
    }
    if (!size.value() || *size.value() == have) {
        return std::uint64_t{0};
    }
    if (*size.value() < have) {
        return makeError(ErrorCode::InvalidInput,
                         remote + " is shorter (" + std::to_string(*size.value())
                             + " bytes) than the local copy " + localEvents.string() + " ("
                             + std::to_string(have) + " bytes): it was replaced.",
                         ssh().where());
    }
    base::Result<std::string> bytes = sftp().readFrom(remote, have, kEventChunk);
    if (!bytes) {
        return bytes.error();
    }
    fs::create_directories(localEvents.parent_path(), ec);
    std::ofstream out(localEvents, std::ios::binary | std::ios::app);
    out.write(bytes.value().data(), static_cast<std::streamsize>(bytes.value().size()));
    out.flush();
    if (!out) {
        return makeError(ErrorCode::Io, "could not append to " + localEvents.string() + ".",
                         localEvents.string());
    }
    return static_cast<std::uint64_t>(bytes.value().size());
}

base::Result<std::vector<RemoteOutput>> RemotePlatform::listOutputs(const RemoteRun &run)
{
    // GNU find: "<relative path>\t<size>" per file; a missing folder is no output yet.
    base::Result<CommandOutput> out =
        ssh().run("cd " + shellQuote(run.runDir)
                  + " || exit 1; find checkpoints tb -type f ! -name '*.part' ! -name '*.partial' "
                    "-printf '%p\\t%s\\n' 2>/dev/null; true");
    if (!out) {
        return out.error();
    }
    if (out.value().exitStatus != 0) {
        return commandError("could not list the outputs of " + run.runDir, out.value().err);
    }
    std::vector<RemoteOutput> outputs;
    for (const std::string &line : lines(out.value().out)) {
        const std::size_t tab = line.rfind('\t');
        if (tab == std::string::npos || tab == 0) {
            continue;
        }
        outputs.push_back(
            {line.substr(0, tab), std::strtoull(line.c_str() + tab + 1, nullptr, 10)});
    }
    std::sort(outputs.begin(), outputs.end(),
              [](const RemoteOutput &a, const RemoteOutput &b) { return a.path < b.path; });
    return outputs;
}

base::Status RemotePlatform::download(const RemoteRun &run,
                                      const RemoteOutput &output,
                                      const fs::path &localRunDir,
                                      std::stop_token stop,
                                      const base::ProgressFn &progress)
{
    const fs::path relative(output.path);
    if (relative.is_absolute() || output.path.find("..") != std::string::npos) {
        return makeError(ErrorCode::InvalidInput,
                         "the output path " + output.path + " leaves the run folder.",
                         ssh().where());
    }
    const fs::path target = localRunDir / relative;
    fs::path part = target;
    part += ".part";
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) {
        return makeError(ErrorCode::Io, "could not write " + part.string() + ".", part.string());
    }
    const std::string remote = run.runDir + "/" + output.path;
    std::uint64_t offset = 0;
    for (;;) {
        if (stop.stop_requested()) {
            out.close();
            fs::remove(part, ec);
            return makeError(ErrorCode::Cancelled, "the download was cancelled.", remote);
        }
        base::Result<std::string> bytes = sftp().readFrom(remote, offset, kDownloadChunk);
        if (!bytes) {
            out.close();
            fs::remove(part, ec);
            return bytes.error();
        }
        if (bytes.value().empty()) {
            break;
        }
        out.write(bytes.value().data(), static_cast<std::streamsize>(bytes.value().size()));
        offset += bytes.value().size();
        base::reportProgress(progress, offset, std::max(offset, output.size), output.path);
    }
    out.close();
    if (!out) {
        fs::remove(part, ec);
        return makeError(ErrorCode::Io, "could not write " + part.string() + ".", part.string());
    }
    fs::rename(part, target, ec);
    if (ec) {
        return makeError(ErrorCode::Io, "could not rename " + part.string() + ": " + ec.message(),
                         target.string());
    }
    return base::okStatus();
}

base::Status RemotePlatform::requestStop(const RemoteRun &run)
{
    return sendControl(run, proto::ControlCommand::ACTION_STOP);
}

base::Status RemotePlatform::sendControl(const RemoteRun &run, proto::ControlCommand::Action action)
{
    proto::ControlCommand command;
    command.set_action(action);
    return sendControl(run, command);
}

base::Status RemotePlatform::sendControl(const RemoteRun &run, const proto::ControlCommand &command)
{
    return sftp().append(run.runDir + "/control.tlog",
                         proto::framedRecord(command.SerializeAsString()));
}

base::Status RemotePlatform::cancel(const RemoteRun &run)
{
    if (m_profile.backend == BackendKind::Kubernetes) {
        return deleteKubernetesJob(run);
    }
    std::string command;
    if (m_profile.backend == BackendKind::Slurm) {
        command = shellCommand({"scancel", run.jobId});
    } else {
        command = "if " + leadsRun(run) + "; then kill -TERM -- -" + shellQuote(run.jobId) + "; fi";
    }
    base::Result<CommandOutput> out = ssh().run(command);
    if (!out) {
        return out.error();
    }
    if (m_profile.backend == BackendKind::Slurm && out.value().exitStatus == kCommandNotFound) {
        return slurmMissing("scancel", out.value().err, ssh().where());
    }
    if (out.value().exitStatus != 0) {
        return commandError("could not cancel " + run.name, out.value().err);
    }
    return base::okStatus();
}

base::Result<std::string> RemotePlatform::readLog(const RemoteRun &run,
                                                  const std::string &file,
                                                  std::uint64_t offset,
                                                  std::size_t maxBytes)
{
    if (file.find('/') != std::string::npos) {
        return makeError(ErrorCode::InvalidInput, "a log is a file of the run folder: " + file,
                         run.runDir);
    }
    if (file == kPodLog) {
        return readPodLog(run, offset, maxBytes);
    }
    if (file == kSchedulerLog) {
        // Slurm's --output: slurm-<job>.out in the run folder, or slurm-<array>_<task>.out in
        // the sweep's folder above it.
        const bool arrayTask = run.jobId.find('_') != std::string::npos;
        const std::string folder =
            arrayTask ? run.runDir.substr(0, run.runDir.find_last_of('/')) : run.runDir;
        return sftp().readFrom(folder + "/slurm-" + run.jobId + ".out", offset, maxBytes);
    }
    return sftp().readFrom(run.runDir + "/" + file, offset, maxBytes);
}

std::string jobName(const std::string &name)
{
    std::string clean;
    for (char c : name) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                     || c == '-' || c == '_' || c == '.';
        clean += plain ? c : '_';
    }
    return clean.empty() ? std::string("torchlight") : clean.substr(0, 64);
}

std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

std::string firstLine(const std::string &text)
{
    std::string line = text.substr(0, text.find('\n'));
    return line.empty() ? std::string("no message") : line;
}

std::string trimmedEnd(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

JobStatus statusFromProbe(const std::string &line)
{
    JobStatus status;
    if (line == "running") {
        status.scheduler = {proto::RUN_STATE_RUNNING, false, ""};
    } else if (line.starts_with("exit ")) {
        int code = std::atoi(line.c_str() + 5);
        status.exitCode = code;
        status.scheduler = {code == 0 ? proto::RUN_STATE_COMPLETED : proto::RUN_STATE_FAILED, true,
                            "the worker exited with code " + std::to_string(code)};
    } else {
        status.scheduler = {proto::RUN_STATE_FAILED, true,
                            "the worker's process group is gone and left no exit code (killed?)"};
    }
    return status;
}

} // namespace tl::remote
