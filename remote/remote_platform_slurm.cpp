// RemotePlatform's Slurm backend: runs submitted with sbatch (a sweep as job arrays, split at
// the cluster's MaxArraySize), one squeue per poll, and Slurm's absence said plainly
// (remote/remote_platform.h).

#include "remote/remote_platform.h"
#include "remote/remote_platform_private.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"

#include <algorithm>
#include <map>

namespace tl::remote {

using base::ErrorCode;
using base::makeError;

base::Error
slurmMissing(const std::string &command, const std::string &said, const std::string &where)
{
    std::string text = trimmedEnd(said);
    return makeError(ErrorCode::NotFound,
                     "Slurm is not installed on the host, or " + command
                         + " is not on the PATH of a non-interactive ssh login there"
                         + (text.empty() ? std::string() : " (the shell said: " + text + ")")
                         + ". Install Slurm's client commands on the host, add their folder to "
                           "PATH for ssh logins, or choose the SSH backend.",
                     where);
}

base::Result<int> RemotePlatform::maxArraySize()
{
    base::Result<CommandOutput> out = ssh().run("scontrol show config");
    if (!out) {
        return out.error();
    }
    if (out.value().exitStatus == kCommandNotFound) {
        return slurmMissing("scontrol", out.value().err, ssh().where());
    }
    if (out.value().exitStatus != 0) {
        return commandError("could not read Slurm's configuration", out.value().err);
    }
    for (const std::string &line : lines(out.value().out)) {
        if (line.starts_with("MaxArraySize")) {
            std::size_t eq = line.find('=');
            if (eq != std::string::npos) {
                return std::max(1, std::atoi(line.c_str() + eq + 1));
            }
        }
    }
    return 1001; // Slurm's default
}

base::Result<std::vector<RemoteRun>>
RemotePlatform::submitToSlurm(const std::vector<RemoteRun> &runs,
                              const std::string &sweepDir,
                              const std::vector<std::string> &devices)
{
    const SlurmSettings &slurm = m_profile.slurm;
    std::vector<std::string> options = {"sbatch", "--parsable",
                                        "--job-name=" + jobName(runs.front().name)};
    if (!slurm.partition.empty()) {
        options.push_back("--partition=" + slurm.partition);
    }
    if (!slurm.account.empty()) {
        options.push_back("--account=" + slurm.account);
    }
    if (slurm.gpusPerJob > 0) {
        options.push_back("--gres=gpu:" + std::to_string(slurm.gpusPerJob));
    }
    if (!slurm.timeLimit.empty()) {
        options.push_back("--time=" + slurm.timeLimit);
    }
    std::string header = "#!/bin/bash\n";
    for (const std::string &line : slurm.extraSbatch) {
        header += "#SBATCH " + line + "\n";
    }
    std::string device = devices.front();
    if (slurm.gpusPerJob > 0 && device.empty()) {
        device = "cuda";
    }
    std::vector<RemoteRun> submitted = runs;
    if (runs.size() == 1) {
        options.push_back("--output=" + runs.front().runDir + "/slurm-%j.out");
        std::string script = header + "RUN=" + shellQuote(runs.front().runDir) + "\n"
                             + workerScript(m_profile, "\"$RUN\"", device);
        base::Result<CommandOutput> out =
            ssh().run(shellCommand(options), std::chrono::seconds(60), {}, script);
        if (!out) {
            return out.error();
        }
        if (out.value().exitStatus == kCommandNotFound) {
            return slurmMissing("sbatch", out.value().err, ssh().where());
        }
        if (out.value().exitStatus != 0) {
            return commandError("Slurm refused the job", out.value().err);
        }
        submitted.front().jobId = firstLine(out.value().out).substr(0, out.value().out.find(';'));
        return submitted;
    }
    // A sweep: job arrays, each at most MaxArraySize tasks (task ids must stay below it).
    base::Result<int> limit = maxArraySize();
    if (!limit) {
        return limit.error();
    }
    options.push_back("--output=" + sweepDir + "/slurm-%A_%a.out");
    std::size_t chunk = static_cast<std::size_t>(limit.value());
    for (std::size_t first = 0; first < runs.size(); first += chunk) {
        std::size_t count = std::min(chunk, runs.size() - first);
        std::string dirs = "dirs=(";
        for (std::size_t i = first; i < first + count; ++i) {
            if (i != first) {
                dirs += ' ';
            }
            dirs += shellQuote(runs[i].runDir);
        }
        dirs += ")\n";
        std::string script = header + dirs + "RUN=${dirs[$SLURM_ARRAY_TASK_ID]}\n"
                             + workerScript(m_profile, "\"$RUN\"", device);
        std::vector<std::string> argv = options;
        argv.push_back("--array=0-" + std::to_string(count - 1));
        base::Result<CommandOutput> out =
            ssh().run(shellCommand(argv), std::chrono::seconds(60), {}, script);
        if (!out) {
            return out.error();
        }
        if (out.value().exitStatus == kCommandNotFound) {
            return slurmMissing("sbatch", out.value().err, ssh().where());
        }
        if (out.value().exitStatus != 0) {
            return commandError("Slurm refused the job array", out.value().err);
        }
        std::string arrayId = firstLine(out.value().out);
        arrayId = arrayId.substr(0, arrayId.find(';'));
        for (std::size_t i = 0; i < count; ++i) {
            submitted[first + i].jobId = arrayId + "_" + std::to_string(i);
        }
    }
    return submitted;
}

base::Result<std::vector<JobStatus>> RemotePlatform::pollSlurm(const std::vector<RemoteRun> &runs)
{
    std::string ids;
    for (const RemoteRun &run : runs) {
        ids += (ids.empty() ? "" : ",") + run.jobId;
    }
    // One squeue for every job; exit codes of jobs that left the queue in the same command.
    // squeue's errors go to stdout, before the separator; its exit status follows it.
    std::string command =
        shellCommand({"squeue", "-h", "-r", "--states=all", "-o", "%i|%T|%r", "-j", ids})
        + " 2>&1; echo \"-- $?\"; ";
    for (const RemoteRun &run : runs) {
        std::string dir = shellQuote(run.runDir);
        command += "cat " + dir + "/exit_code 2>/dev/null || echo -; ";
    }
    base::Result<CommandOutput> out = ssh().run(command);
    if (!out) {
        return out.error();
    }
    std::vector<std::string> all = lines(out.value().out);
    auto separator = std::find_if(all.begin(), all.end(),
                                  [](const std::string &line) { return line.starts_with("-- "); });
    if (separator == all.end() || all.end() - separator - 1 != static_cast<long>(runs.size())) {
        return commandError("could not read Slurm's queue", out.value().out + out.value().err);
    }
    if (*separator == "-- " + std::to_string(kCommandNotFound)) {
        std::string said = separator == all.begin() ? std::string() : all.front();
        return slurmMissing("squeue", said, ssh().where());
    }
    std::map<std::string, SchedulerState> queue;
    for (auto it = all.begin(); it != separator; ++it) {
        std::size_t a = it->find('|');
        std::size_t b = it->find('|', a + 1);
        if (a == std::string::npos || b == std::string::npos) {
            // "Invalid job id specified" when every job has left the queue: not an error.
            if (it->find("Invalid job id") != std::string::npos) {
                continue;
            }
            return commandError("squeue failed", *it);
        }
        queue[it->substr(0, a)] = slurmState(it->substr(a + 1, b - a - 1), it->substr(b + 1));
    }
    std::vector<JobStatus> statuses;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        JobStatus status;
        const std::string &code = *(separator + 1 + static_cast<long>(i));
        if (code != "-") {
            status.exitCode = std::atoi(code.c_str());
        }
        auto found = queue.find(runs[i].jobId);
        if (found != queue.end()) {
            status.scheduler = found->second;
        } else if (status.exitCode) {
            status = statusFromProbe("exit " + code);
        } else {
            status.scheduler = {proto::RUN_STATE_FAILED, true,
                                "the job left Slurm's queue without an exit code"};
        }
        statuses.push_back(status);
    }
    return statuses;
}

} // namespace tl::remote
