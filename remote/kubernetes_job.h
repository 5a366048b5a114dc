#pragma once
// The batch/v1 Job that runs a remote run's worker on Kubernetes (issue #6): the profile's
// image, the worker script on the run folder, GPU limits, node selector and a volume holding
// the remote root at the same path. Written as YAML whose strings are all double-quoted with
// JSON escapes, so no name or path can change its structure. Pure functions.

#include "remote/connection_profile.h"
#include "remote/slurm_state.h"

#include <map>
#include <string>
#include <string_view>

namespace tl::remote {

struct KubernetesJob
{
    std::string name;     // a DNS-1123 label, unique per run folder
    std::string manifest; // YAML, shown to the user before it is applied
};

// runDir and rootDir are absolute paths on the volume; device as the worker's --device.
KubernetesJob kubernetesJob(const ConnectionProfile &profile,
                            const std::string &runName,
                            const std::string &runDir,
                            const std::string &rootDir,
                            const std::string &device);

// A DNS-1123 label from any text: lower case, [a-z0-9-], starting and ending with an
// alphanumeric, at most `limit` characters.
std::string kubernetesName(std::string_view text, std::size_t limit = 63);

// The jsonpath for `kubectl get jobs,pods`: one line per Job or Pod, fields split by '|':
// kind|name|job-name label|active|succeeded|failed|last condition reason|phase|
// PodScheduled reason|waiting reason|terminated reason.
extern const char *const kKubernetesStatusJsonPath;

// Each Job's state in such a listing, by Job name, from the Job's counts and its pod's phase
// and reasons: "waiting for a pod: ImagePullBackOff", "pod failed: OOMKilled". Jobs absent from
// the listing are absent from the map.
std::map<std::string, SchedulerState> kubernetesStates(std::string_view listing);

} // namespace tl::remote
