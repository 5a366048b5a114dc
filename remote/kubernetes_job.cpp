#include "remote/kubernetes_job.h"

#include "base/json_string.h"
#include "remote/file_digest.h"
#include "remote/remote_platform.h"
#include "remote/shell_quote.h"

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

} // namespace tl::remote
