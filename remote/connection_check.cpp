#include "remote/connection_check.h"

#include "remote/local_command.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"

namespace tl::remote {

namespace {

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

// Runs command; ok when it exits 0, with its output (or its errors) as the detail.
CheckLine
probe(SshSession &ssh, std::string what, const std::string &command, const std::string &whenMissing)
{
    CheckLine line{std::move(what), false, {}};
    base::Result<CommandOutput> out = ssh.run(command, std::chrono::seconds(30));
    if (!out) {
        line.detail = out.error().message;
        return line;
    }
    line.ok = out.value().exitStatus == 0;
    if (out.value().exitStatus == 127) {
        line.detail = whenMissing;
    } else {
        line.detail = trimmed(line.ok ? out.value().out : out.value().err + out.value().out);
    }
    return line;
}

// Where kubectl will run and whether it reaches its cluster: this machine's kubectl when it has
// the profile's context, else the login host's.
CheckLine kubernetesLine(SshSession &ssh, const std::string &context)
{
    std::vector<std::string> argv = {"kubectl"};
    if (!context.empty()) {
        argv.push_back("--context=" + context);
    }
    argv.insert(argv.end(), {"version", "--request-timeout=10s"});
    if (localKubectlHas(context)) {
        CheckLine line{"kubernetes", false, {}};
        base::Result<CommandOutput> out = runLocalCommand(argv, {}, std::chrono::seconds(30));
        if (!out) {
            line.detail = out.error().message;
            return line;
        }
        line.ok = out.value().exitStatus == 0;
        line.detail = "kubectl on this machine, context " + context + ": "
                      + trimmed(line.ok ? out.value().out : out.value().err);
        return line;
    }
    std::string missing = "kubectl is not installed on the host";
    if (!context.empty()) {
        missing += ", and this machine's kubectl has no context \"" + context + "\"";
    }
    CheckLine line = probe(ssh, "kubernetes", shellCommand(argv), missing);
    line.detail = "kubectl on the host: " + line.detail;
    return line;
}

std::string workerInvocation(const ConnectionProfile &profile)
{
    std::string command = profile.workerPrefix.empty() ? std::string() : profile.workerPrefix + " ";
    return command + shellQuote(profile.workerCommand);
}

} // namespace

std::vector<CheckLine> checkHost(SshSession &ssh, const ConnectionProfile &profile)
{
    std::vector<CheckLine> lines;
    std::string worker = workerInvocation(profile);
    lines.push_back(probe(ssh, "worker", worker + " --version",
                          profile.workerCommand
                              + " is not installed on the host (or not on "
                                "PATH): install it or set the worker command"));
    if (lines.back().ok) {
        lines.push_back(
            probe(ssh, "devices", worker + " devices", "the worker could not list its devices"));
    }
    switch (profile.backend) {
    case BackendKind::Ssh:
        break;
    case BackendKind::Slurm:
        lines.push_back(probe(ssh, "slurm", "sinfo -h -o '%P %a %D nodes %G'",
                              "Slurm is not installed on the host, or sinfo is not on the "
                              "PATH of a non-interactive ssh login there"));
        break;
    case BackendKind::Kubernetes:
        lines.push_back(kubernetesLine(ssh, profile.kubernetes.context));
        break;
    }
    return lines;
}

std::vector<CheckLine> checkConnection(const ConnectionProfile &profile,
                                       const LoginPrompts &prompts)
{
    base::Result<SshSession> ssh = SshSession::connect(profile, prompts);
    if (!ssh) {
        return {CheckLine{"login", false, ssh.error().describe()}};
    }
    std::vector<CheckLine> lines = {CheckLine{
        "login", true, ssh.value().where() + ", host key " + ssh.value().hostKey().fingerprint}};
    for (CheckLine &line : checkHost(ssh.value(), profile)) {
        lines.push_back(std::move(line));
    }
    return lines;
}

} // namespace tl::remote
