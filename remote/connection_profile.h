#pragma once
// ConnectionProfile: where a remote platform is and how to log in and start the worker there
// (issue #6). Plain value type, Qt-free; the app stores it in its settings and never stores a
// password or a passphrase with it.

#include <filesystem>
#include <string>
#include <vector>

namespace tl::remote {

enum class AuthMethod {
    Default,  // as ssh does: the agent, then the config's IdentityFile and the default keys
    KeyFile,  // keyFile, asking for its passphrase when it has one
    Password, // asked for at each login, never stored
};

enum class BackendKind { Ssh, Slurm, Kubernetes };

struct SlurmSettings
{
    std::string partition; // empty: the cluster's default partition
    std::string account;
    int gpusPerJob = 0;
    std::string timeLimit;                // Slurm's format, e.g. "02:00:00"; empty: the default
    std::vector<std::string> extraSbatch; // lines after "#SBATCH ", e.g. "--qos=short"
};

struct KubernetesSettings
{
    // kubectl's context. Named and known to this machine's kubectl: kubectl runs here. Else
    // kubectl runs on the login host, with this context when named (its current one if not).
    std::string context;
    std::string namespaceName = "default";
    std::string image;                          // the container image with torchlight-worker
    std::string gpuResource = "nvidia.com/gpu"; // the extended resource that counts GPUs
    int gpus = 0;                               // GPUs per job, as the resource's limit
    std::vector<std::string> nodeSelector;      // "key=value" pairs
    // The volume that holds the remote root inside the pod, mounted at the same path: a
    // PersistentVolumeClaim's name, or empty for a hostPath of the node (single-node clusters).
    std::string runVolumeClaim;
};

struct ConnectionProfile
{
    std::string name;
    std::string host; // a name, an address, or a Host alias of the user's ssh config
    int port = 0;     // 0: the ssh config's Port, else 22
    std::string user; // empty: the ssh config's User, else the local user
    AuthMethod auth = AuthMethod::Default;
    std::filesystem::path keyFile;
    std::string jumpHost;                    // "user@host:port", as ssh's ProxyJump; empty: none
    std::string remoteRoot = "~/torchlight"; // runs/ and datasets/ live below it
    std::string workerCommand = "torchlight-worker";
    std::string workerPrefix; // run before the worker, e.g. "module load cuda/12.4 &&"
    BackendKind backend = BackendKind::Ssh;
    SlurmSettings slurm;
    KubernetesSettings kubernetes;

    // Empty: ~/.ssh/config and ~/.ssh/known_hosts, as ssh uses them. Tests point these at
    // their own files.
    std::filesystem::path sshConfigFile;
    std::filesystem::path knownHostsFile;
    int connectTimeoutSeconds = 10;
};

} // namespace tl::remote
