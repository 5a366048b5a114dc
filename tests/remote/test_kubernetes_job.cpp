// The Kubernetes Job manifests, checked offline: kubectl's own typed decoding (no cluster:
// --local, KUBECONFIG=/dev/null) must accept them and keep every field, and the decoded Job must
// say what the run needs. No Kubernetes cluster runs on these machines.

#include "remote/kubernetes_job.h"
#include "remote/remote_platform.h"
#include "remote/shell_quote.h"
#include "tests/remote/test_bed.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <regex>
#include <set>

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

bool haveKubectl()
{
    return !tl::testing::localOutput("command -v kubectl").empty();
}

// kubectl's reading of a manifest as JSON, offline. label --local keeps every field as
// written (untyped); set env --local decodes it into the typed Job, dropping unknown fields.
Struct kubectlJson(const std::filesystem::path &file, const std::string &verb)
{
    std::string out =
        tl::testing::localOutput("KUBECONFIG=/dev/null kubectl " + verb + " --local -f '"
                                 + file.string() + "' -o json 2>&1");
    Struct parsed;
    auto status = google::protobuf::util::JsonStringToMessage(out, &parsed);
    INFO(out);
    REQUIRE(status.ok());
    return parsed;
}

void leafPaths(const Value &value, const std::string &path, std::set<std::string> &out)
{
    if (value.has_struct_value()) {
        for (const auto &[key, child] : value.struct_value().fields()) {
            leafPaths(child, path + "." + key, out);
        }
    } else if (value.has_list_value()) {
        for (int i = 0; i < value.list_value().values_size(); ++i) {
            leafPaths(value.list_value().values(i), path + "[" + std::to_string(i) + "]", out);
        }
    } else {
        out.insert(path);
    }
}

// Fields kubectl's typed decoding dropped: misspelled or misplaced ones.
std::set<std::string> unknownFields(const std::filesystem::path &file)
{
    Value raw;
    *raw.mutable_struct_value() = kubectlJson(file, "label tl-noop-");
    Value typed;
    *typed.mutable_struct_value() = kubectlJson(file, "set env TL_NOOP=1");
    std::set<std::string> rawPaths;
    std::set<std::string> typedPaths;
    leafPaths(raw, "", rawPaths);
    leafPaths(typed, "", typedPaths);
    std::set<std::string> unknown;
    for (const std::string &path : rawPaths) {
        if (!typedPaths.contains(path)) {
            unknown.insert(path);
        }
    }
    return unknown;
}

const Value &at(const Struct &object, std::initializer_list<std::string> keys)
{
    const Struct *current = &object;
    const Value *value = nullptr;
    for (const std::string &key : keys) {
        INFO(key);
        REQUIRE(current->fields().contains(key));
        value = &current->fields().at(key);
        current = &value->struct_value();
    }
    return *value;
}

tl::remote::ConnectionProfile gpuProfile()
{
    tl::remote::ConnectionProfile profile;
    profile.backend = tl::remote::BackendKind::Kubernetes;
    profile.workerCommand = "/usr/bin/torchlight-worker";
    profile.kubernetes.namespaceName = "ml-team";
    profile.kubernetes.image = "registry.example/torchlight:0.1";
    profile.kubernetes.gpus = 2;
    profile.kubernetes.nodeSelector = {"gpu=h100", "zone=a"};
    profile.kubernetes.runVolumeClaim = "torchlight-runs";
    return profile;
}

} // namespace

TEST_CASE("Kubernetes names are DNS-1123 labels", "[remote][kubernetes]")
{
    CHECK(tl::remote::kubernetesName("My Run; $(x) \"q\"") == "my-run-x-q");
    CHECK(tl::remote::kubernetesName("---") == "run");
    CHECK(tl::remote::kubernetesName(std::string(100, 'a')).size() == 63);
}

TEST_CASE("kubectl decodes the Job manifest offline and keeps every field, and the Job runs "
          "the worker on the run folder with its GPUs",
          "[remote][kubernetes]")
{
    INFO("kubectl is needed for the offline manifest checks: scripts/setup-debian.sh --tests "
         "installs kubernetes-client");
    REQUIRE(haveKubectl());
    auto dir = tl::testing::scratchDir("kubernetes");
    std::string root = "/runs";
    std::string runDir = root + "/runs/my run; $(rm -rf ~) \"q\" 'x'";
    auto profile = gpuProfile();
    auto job = tl::remote::kubernetesJob(profile, "My Run; $(rm -rf ~)", runDir, root, "cuda");
    std::ofstream(dir / "job.yaml") << job.manifest;

    CHECK(unknownFields(dir / "job.yaml").empty());
    Struct typed = kubectlJson(dir / "job.yaml", "set env TL_NOOP=1");
    CHECK(at(typed, {"kind"}).string_value() == "Job");
    CHECK(at(typed, {"apiVersion"}).string_value() == "batch/v1");
    std::string name = at(typed, {"metadata", "name"}).string_value();
    CHECK(name == job.name);
    CHECK(name.size() <= 63);
    CHECK(std::regex_match(name, std::regex("[a-z0-9]([-a-z0-9]*[a-z0-9])?")));
    CHECK(at(typed, {"metadata", "namespace"}).string_value() == "ml-team");
    CHECK(at(typed, {"spec", "backoffLimit"}).number_value() == 0);
    const Struct &pod = at(typed, {"spec", "template", "spec"}).struct_value();
    CHECK(at(pod, {"restartPolicy"}).string_value() == "Never");
    CHECK(at(pod, {"nodeSelector", "gpu"}).string_value() == "h100");
    CHECK(at(pod, {"volumes"})
              .list_value()
              .values(0)
              .struct_value()
              .fields()
              .at("persistentVolumeClaim")
              .struct_value()
              .fields()
              .at("claimName")
              .string_value()
          == "torchlight-runs");
    const Struct &container = at(pod, {"containers"}).list_value().values(0).struct_value();
    CHECK(at(container, {"image"}).string_value() == "registry.example/torchlight:0.1");
    CHECK(at(container, {"workingDir"}).string_value() == runDir);
    CHECK(at(container, {"resources", "limits", "nvidia.com/gpu"}).string_value() == "2");
    const auto &command = at(container, {"command"}).list_value();
    REQUIRE(command.values_size() == 3);
    // The hostile run folder survives YAML and the shell script exactly.
    CHECK(command.values(2).string_value()
          == tl::remote::RemotePlatform::workerScript(
              profile, "'/runs/runs/my run; $(rm -rf ~) \"q\" '\\''x'\\'''", "cuda"));
    CHECK(at(container, {"volumeMounts"})
              .list_value()
              .values(0)
              .struct_value()
              .fields()
              .at("mountPath")
              .string_value()
          == root);
}

TEST_CASE("The offline check catches a misspelled field and a malformed quantity",
          "[remote][kubernetes]")
{
    REQUIRE(haveKubectl());
    auto dir = tl::testing::scratchDir("kubernetes-bad");
    auto job = tl::remote::kubernetesJob(gpuProfile(), "run", "/runs/x", "/runs", "cuda");
    std::string misspelled = job.manifest;
    misspelled.replace(misspelled.find("restartPolicy"), 13, "restartPolcy");
    std::ofstream(dir / "misspelled.yaml") << misspelled;
    CHECK(unknownFields(dir / "misspelled.yaml")
          == std::set<std::string>{".spec.template.spec.restartPolcy"});

    std::string badQuantity = job.manifest;
    badQuantity.replace(badQuantity.find(": \"2\""), 5, ": \"two\"");
    std::ofstream(dir / "quantity.yaml") << badQuantity;
    std::string out = tl::testing::localOutput("KUBECONFIG=/dev/null kubectl set env --local -f '"
                                               + (dir / "quantity.yaml").string()
                                               + "' TL_NOOP=1 -o json 2>&1; echo \"rc=$?\"");
    CHECK_THAT(out, !Catch::EndsWith("rc=0\n"));
}

namespace {

// One listing line per object, as kKubernetesStatusJsonPath prints them.
const char *const kListing = "Job|done|||1||Complete|||||\n"
                             "Pod|done-x1|done|||||Succeeded|||\n"
                             "Job|oom||||1|Failed|||||\n"
                             "Pod|oom-x2|oom|||||Failed|||OOMKilled\n"
                             "Job|gone||||1|BackoffLimitExceeded|||||\n"
                             "Job|pulling||1|||||||\n"
                             "Pod|pulling-x3|pulling|||||Pending||ImagePullBackOff|\n"
                             "Job|unplaced||1|||||||\n"
                             "Pod|unplaced-x4|unplaced|||||Pending|Unschedulable||\n"
                             "Job|busy||1|||||||\n"
                             "Pod|busy-x5|busy|||||Running|||\n"
                             "Job|new|||||||||\n";

void checkState(const std::map<std::string, tl::remote::SchedulerState> &states,
                const std::string &name,
                tl::proto::RunState state,
                bool ended,
                const std::string &reason)
{
    INFO("job " << name);
    REQUIRE(states.contains(name));
    CHECK(states.at(name).state == state);
    CHECK(states.at(name).ended == ended);
    CHECK(states.at(name).reason == reason);
}

} // namespace

TEST_CASE("Kubernetes jobs read as run states from their counts and their pod's reasons",
          "[remote][kubernetes]")
{
    using tl::proto::RunState;
    const auto states = tl::remote::kubernetesStates(kListing);
    CHECK(states.size() == 7);
    checkState(states, "done", RunState::RUN_STATE_COMPLETED, true, "");
    checkState(states, "oom", RunState::RUN_STATE_FAILED, true, "the pod failed: OOMKilled");
    checkState(states, "gone", RunState::RUN_STATE_FAILED, true,
               "the pod failed: BackoffLimitExceeded");
    checkState(states, "pulling", RunState::RUN_STATE_STARTING, false,
               "waiting for the pod: ImagePullBackOff");
    checkState(states, "unplaced", RunState::RUN_STATE_STARTING, false,
               "waiting for the pod: Unschedulable");
    checkState(states, "busy", RunState::RUN_STATE_RUNNING, false, "");
    checkState(states, "new", RunState::RUN_STATE_STARTING, false, "waiting for a pod");
    CHECK(tl::remote::kubernetesStates("no bars at all\n|||\n\n").empty());
}

TEST_CASE("kubectl's own jsonpath gives the fields the status reader expects",
          "[remote][kubernetes]")
{
    // Offline: kubectl evaluates the template (less its range over .items) on each object of a
    // local List, as a server's `get jobs,pods` would give them.
    REQUIRE(haveKubectl());
    auto dir = tl::testing::scratchDir("kubernetes-status");
    std::ofstream(dir / "objects.yaml") << R"(apiVersion: v1
kind: List
items:
- apiVersion: batch/v1
  kind: Job
  metadata: {name: pulling}
  spec: {template: {spec: {containers: [{name: w, image: i}], restartPolicy: Never}}}
  status: {active: 1}
- apiVersion: v1
  kind: Pod
  metadata: {name: pulling-x3, labels: {job-name: pulling}}
  spec: {containers: [{name: w, image: i}]}
  status:
    phase: Pending
    conditions: [{type: PodScheduled, status: "True"}]
    containerStatuses:
    - {name: w, ready: false, restartCount: 0, image: i, imageID: "",
       state: {waiting: {reason: ImagePullBackOff}}}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: oom}
  spec: {template: {spec: {containers: [{name: w, image: i}], restartPolicy: Never}}}
  status:
    failed: 1
    conditions: [{type: Failed, status: "True", reason: BackoffLimitExceeded}]
- apiVersion: v1
  kind: Pod
  metadata: {name: oom-x2, labels: {job-name: oom}}
  spec: {containers: [{name: w, image: i}]}
  status:
    phase: Failed
    containerStatuses:
    - {name: w, ready: false, restartCount: 0, image: i, imageID: "",
       state: {terminated: {exitCode: 137, reason: OOMKilled}}}
)";
    std::string perObject = tl::remote::kKubernetesStatusJsonPath;
    perObject.replace(perObject.find("{range .items[*]}"), 17, "");
    perObject.erase(perObject.rfind("{end}"));
    std::string out = tl::testing::localOutput("KUBECONFIG=/dev/null kubectl label --local -f '"
                                               + (dir / "objects.yaml").string() + "' tl-noop=1 -o "
                                               + tl::remote::shellQuote(perObject) + " 2>&1");
    INFO(out);
    const auto states = tl::remote::kubernetesStates(out);
    REQUIRE(states.size() == 2);
    checkState(states, "pulling", tl::proto::RUN_STATE_STARTING, false,
               "waiting for the pod: ImagePullBackOff");
    checkState(states, "oom", tl::proto::RUN_STATE_FAILED, true, "the pod failed: OOMKilled");
}
