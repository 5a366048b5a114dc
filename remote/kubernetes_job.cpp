#include "remote/kubernetes_job.h"

#include "base/json_string.h"
#include "remote/file_digest.h"
#include "remote/remote_platform.h"
#include "remote/shell_quote.h"

#include <vector>

namespace tl::remote {

namespace {

// A YAML double-quoted scalar: JSON's escapes are valid YAML.
std::string yamlString(std::string_view text)
{
    return base::jsonString(text);
}

std::string labels(const std::string &indent, const std::string &runName)
{
    return indent + "labels:\n" + indent + "  app.kubernetes.io/name: \"torchlight\"\n" + indent
           + "  app.kubernetes.io/component: \"worker\"\n" + indent
           + "  torchlight/run: " + yamlString(kubernetesName(runName)) + "\n";
}

std::string podSpec(const ConnectionProfile &profile,
                    const std::string &runDir,
                    const std::string &rootDir,
                    const std::string &device)
{
    const KubernetesSettings &k8s = profile.kubernetes;
    std::string spec = "    spec:\n      restartPolicy: \"Never\"\n";
    if (!k8s.nodeSelector.empty()) {
        spec += "      nodeSelector:\n";
        for (const std::string &pair : k8s.nodeSelector) {
            std::size_t eq = pair.find('=');
            spec += "        " + yamlString(pair.substr(0, eq)) + ": "
                    + yamlString(eq == std::string::npos ? std::string() : pair.substr(eq + 1))
                    + "\n";
        }
    }
    std::string script = RemotePlatform::workerScript(profile, shellQuote(runDir), device);
    spec += "      containers:\n";
    spec += "        - name: \"worker\"\n";
    spec += "          image: " + yamlString(k8s.image) + "\n";
    spec += "          workingDir: " + yamlString(runDir) + "\n";
    spec += "          command: [\"sh\", \"-c\", " + yamlString(script) + "]\n";
    if (k8s.gpus > 0) {
        spec += "          resources:\n            limits:\n              "
                + yamlString(k8s.gpuResource) + ": " + yamlString(std::to_string(k8s.gpus)) + "\n";
    }
    spec += "          volumeMounts:\n            - name: \"runs\"\n              mountPath: "
            + yamlString(rootDir) + "\n";
    spec += "      volumes:\n        - name: \"runs\"\n";
    if (k8s.runVolumeClaim.empty()) {
        spec += "          hostPath:\n            path: " + yamlString(rootDir)
                + "\n            type: \"DirectoryOrCreate\"\n";
    } else {
        spec += "          persistentVolumeClaim:\n            claimName: "
                + yamlString(k8s.runVolumeClaim) + "\n";
    }
    return spec;
}

} // namespace

std::string kubernetesName(std::string_view text, std::size_t limit)
{
    std::string name;
    for (char c : text) {
        char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        bool plain = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
        if (plain) {
            name += lower;
        } else if (!name.empty() && name.back() != '-') {
            name += '-';
        }
    }
    if (name.size() > limit) {
        name.resize(limit);
    }
    while (!name.empty() && name.back() == '-') {
        name.pop_back();
    }
    return name.empty() ? std::string("run") : name;
}

KubernetesJob kubernetesJob(const ConnectionProfile &profile,
                            const std::string &runName,
                            const std::string &runDir,
                            const std::string &rootDir,
                            const std::string &device)
{
    // "tl-<name>-<8 hex of the run folder>": readable, and unique per run folder.
    std::string name = "tl-" + kubernetesName(runName, 50) + "-" + sha256Of(runDir).substr(0, 8);
    std::string yaml = "apiVersion: \"batch/v1\"\nkind: \"Job\"\nmetadata:\n";
    yaml += "  name: " + yamlString(name) + "\n";
    yaml += "  namespace: " + yamlString(profile.kubernetes.namespaceName) + "\n";
    yaml += labels("  ", runName);
    yaml += "spec:\n  backoffLimit: 0\n  ttlSecondsAfterFinished: 604800\n  template:\n";
    yaml += "    metadata:\n" + labels("      ", runName);
    yaml += podSpec(profile, runDir, rootDir, device);
    return KubernetesJob{name, yaml};
}

const char *const kKubernetesStatusJsonPath =
    "jsonpath={range .items[*]}{.kind}|{.metadata.name}|{.metadata.labels.job-name}|"
    "{.status.active}|{.status.succeeded}|{.status.failed}|{.status.conditions[-1:].reason}|"
    "{.status.phase}|{.status.conditions[?(@.type==\"PodScheduled\")].reason}|"
    "{.status.containerStatuses[0].state.waiting.reason}|"
    "{.status.containerStatuses[0].state.terminated.reason}{\"\\n\"}{end}";

namespace {

struct KubernetesLine
{
    std::string kind, name, jobName, active, succeeded, failed, condition, phase, scheduled,
        waiting, terminated;
};

KubernetesLine kubernetesLine(std::string_view line)
{
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t bar = line.find('|', start);
        fields.emplace_back(
            line.substr(start, bar == std::string_view::npos ? line.npos : bar - start));
        if (bar == std::string_view::npos) {
            break;
        }
        start = bar + 1;
    }
    fields.resize(11);
    return {fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
            fields[6], fields[7], fields[8], fields[9], fields[10]};
}

bool positive(const std::string &count)
{
    return !count.empty() && count != "0";
}

} // namespace

std::map<std::string, SchedulerState> kubernetesStates(std::string_view listing)
{
    std::map<std::string, KubernetesLine> jobs;
    std::map<std::string, KubernetesLine> pods; // by job name: the last pod listed
    std::size_t start = 0;
    while (start < listing.size()) {
        std::size_t end = listing.find('\n', start);
        if (end == std::string_view::npos) {
            end = listing.size();
        }
        KubernetesLine line = kubernetesLine(listing.substr(start, end - start));
        start = end + 1;
        if (line.kind == "Job" && !line.name.empty()) {
            jobs[line.name] = line;
        } else if (line.kind == "Pod" && !line.jobName.empty()) {
            pods[line.jobName] = line;
        }
    }
    std::map<std::string, SchedulerState> states;
    for (const auto &[name, job] : jobs) {
        const KubernetesLine *pod = pods.contains(name) ? &pods[name] : nullptr;
        SchedulerState &state = states[name];
        if (positive(job.succeeded)) {
            state = {proto::RUN_STATE_COMPLETED, true, ""};
        } else if (positive(job.failed)) {
            std::string why =
                pod != nullptr && !pod->terminated.empty() ? pod->terminated : job.condition;
            state = {proto::RUN_STATE_FAILED, true,
                     "the pod failed" + (why.empty() ? std::string() : ": " + why)};
        } else if (pod != nullptr
                   && (pod->phase == "Running" || pod->phase == "Succeeded"
                       || pod->phase == "Failed")) {
            // An ended pod whose Job has not counted it yet: the next poll says how it ended.
            state = {proto::RUN_STATE_RUNNING, false, ""};
        } else if (pod != nullptr) {
            // Pending: not scheduled yet, or its container cannot start (image, volume).
            std::string why = !pod->waiting.empty()               ? pod->waiting
                              : pod->scheduled == "Unschedulable" ? pod->scheduled
                              : pod->phase.empty()                ? std::string("Pending")
                                                                  : pod->phase;
            state = {proto::RUN_STATE_STARTING, false, "waiting for the pod: " + why};
        } else if (positive(job.active)) {
            state = {proto::RUN_STATE_RUNNING, false, ""};
        } else {
            state = {proto::RUN_STATE_STARTING, false, "waiting for a pod"};
        }
    }
    return states;
}

} // namespace tl::remote
