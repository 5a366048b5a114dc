// Real training runs on the test bed, through its sshd: started detached over ssh and through
// Slurm, their events mirrored by byte offset into a real SQLite store while they run.

#include "remote/connection_check.h"
#include "tests/remote/remote_runs.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace tl::testing;
using tl::remote::BackendKind;
using tl::remote::JobStatus;
using tl::remote::RemotePlatform;
using tl::remote::RemoteRun;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("A run started over ssh streams its losses into the store while it runs, and STOP "
          "ends it",
          "[remote][runs]")
{
    auto dir = tl::testing::scratchDir("ssh-run");
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Ssh));
    RemoteCleanup cleanup{platform};
    auto spec = bandSpec(dir / "data", 100000);
    auto submitted = platform.submit({spec}, "ssh run; $(touch x) 'quoted'");
    INFO((submitted ? std::string() : submitted.error().describe()));
    REQUIRE(submitted.ok());
    RemoteRun run = submitted.value().front();
    CHECK_THAT(run.runDir, Catch::EndsWith("/runs/ssh run; $(touch x) 'quoted'"));

    auto store = openStore(dir);
    Mirror mirror(store, spec, dir / "local-run");
    // Losses arrive while the job is still running.
    REQUIRE(waitUntil([&] { return mirror.sync(platform, run) >= 5; }, 60s));
    CHECK(pollOne(platform, run).scheduler.state == tl::proto::RUN_STATE_RUNNING);
    CHECK(mirror.record().state == tl::proto::RUN_STATE_RUNNING);

    REQUIRE(platform.requestStop(run).ok());
    REQUIRE(waitUntil([&] { return pollOne(platform, run).scheduler.ended; }, 60s));
    JobStatus ended = pollOne(platform, run);
    CHECK(ended.exitCode == 0);
    mirror.sync(platform, run);
    CHECK(mirror.record().state == tl::proto::RUN_STATE_STOPPED);
    CHECK(localFile(mirror.events) == remoteFile(platform, run.runDir + "/events.tlog"));
    // The worker's own log is readable from here.
    auto log = platform.readLog(run, "worker.log", 0);
    REQUIRE(log.ok());
    CHECK_THAT(log.value(), Catch::Contains("stopped"));
    CHECK_FALSE(platform.ssh().run("test -e x || test -e ~/x").value().exitStatus == 0);
}

TEST_CASE("A worker killed mid-run leaves a failed run with every event it wrote", "[remote][runs]")
{
    auto dir = tl::testing::scratchDir("killed-run");
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Ssh));
    RemoteCleanup cleanup{platform};
    auto spec = bandSpec(dir / "data", 100000);
    auto submitted = platform.submit({spec}, "killed");
    REQUIRE(submitted.ok());
    RemoteRun run = submitted.value().front();
    auto store = openStore(dir);
    Mirror mirror(store, spec, dir / "local-run");
    REQUIRE(waitUntil([&] { return mirror.sync(platform, run) >= 3; }, 60s));

    auto killed = platform.ssh().run("kill -KILL -- -" + run.jobId);
    REQUIRE(killed.ok());
    REQUIRE(killed.value().exitStatus == 0);
    REQUIRE(waitUntil([&] { return pollOne(platform, run).scheduler.ended; }, 30s));
    JobStatus status = pollOne(platform, run);
    CHECK(status.scheduler.state == tl::proto::RUN_STATE_FAILED);
    CHECK_FALSE(status.exitCode.has_value());
    CHECK_THAT(status.scheduler.reason, Catch::Contains("killed"));

    std::uint64_t losses = mirror.sync(platform, run);
    // No final state in the events: the run is failed with the backend's reason.
    REQUIRE(mirror.record().state == tl::proto::RUN_STATE_RUNNING);
    REQUIRE(store.setState(mirror.runId, status.scheduler.state, status.scheduler.reason).ok());
    CHECK(mirror.record().state == tl::proto::RUN_STATE_FAILED);
    std::string remote = remoteFile(platform, run.runDir + "/events.tlog");
    CHECK(localFile(mirror.events) == remote);
    std::uint64_t remoteLosses = 0;
    auto scan = tl::proto::scanRecordFile(mirror.events, 0, [&](std::string_view payload, auto) {
        tl::proto::RunEvent event;
        if (event.ParseFromString(std::string(payload)) && event.has_scalar()
            && event.scalar().tag() == "train/loss") {
            ++remoteLosses;
        }
        return tl::base::okStatus();
    });
    REQUIRE(scan.ok());
    CHECK(losses == remoteLosses);
}

TEST_CASE("A connection cut while tailing resumes after reconnecting with no gap and no "
          "duplicate",
          "[remote][runs]")
{
    auto dir = tl::testing::scratchDir("cut-tail");
    auto profile = runProfile(BackendKind::Ssh);
    auto spec = bandSpec(dir / "data", 150);
    auto store = openStore(dir);
    Mirror mirror(store, spec, dir / "local-run");
    RemoteRun run;
    {
        RemotePlatform platform = connectPlatform(profile);
        auto submitted = platform.submit({spec}, "cut");
        REQUIRE(submitted.ok());
        run = submitted.value().front();
        REQUIRE(waitUntil([&] { return mirror.sync(platform, run) >= 3; }, 60s));
        // Cut the connection from the host's side: kill the sshd process serving it.
        auto sshd = platform.ssh().run("ps -o ppid= -p $$");
        REQUIRE(sshd.ok());
        std::string pid = sshd.value().out.substr(sshd.value().out.find_first_not_of(' '));
        pid = pid.substr(0, pid.find('\n'));
        tl::testing::localOutput("kill -KILL " + pid);
        auto broken = platform.pullEvents(run, mirror.events);
        CHECK_FALSE(broken.ok());
    }
    RemotePlatform again = connectPlatform(profile);
    RemoteCleanup cleanup{again};
    REQUIRE(waitUntil([&] { return pollOne(again, run).scheduler.ended; }, 120s));
    mirror.sync(again, run);
    while (mirror.sync(again, run) > 0 && again.pullEvents(run, mirror.events).value() > 0) {}
    CHECK(mirror.record().state == tl::proto::RUN_STATE_COMPLETED);
    CHECK(localFile(mirror.events) == remoteFile(again, run.runDir + "/events.tlog"));
    auto losses = store.scalars(mirror.runId, "train/loss");
    REQUIRE(losses.ok());
    // One loss per step, each step once: 150 epochs of 8 steps.
    REQUIRE(losses.value().size() == 150 * 8);
    for (std::size_t i = 0; i < losses.value().size(); ++i) {
        CHECK(losses.value()[i].step == static_cast<std::int64_t>(i + 1));
    }
}

TEST_CASE("A missing worker on the host is one clear error naming the host", "[remote][runs]")
{
    auto dir = tl::testing::scratchDir("no-worker");
    auto profile = runProfile(BackendKind::Ssh);
    profile.workerCommand = "/opt/nowhere/torchlight-worker";
    RemotePlatform platform = connectPlatform(profile);
    auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "no worker");
    REQUIRE_FALSE(submitted.ok());
    CHECK(submitted.error().code == tl::base::ErrorCode::NotFound);
    CHECK_THAT(submitted.error().message, Catch::Contains("/opt/nowhere/torchlight-worker"));
    CHECK_THAT(submitted.error().context, Catch::Contains("127.0.0.1"));
}

TEST_CASE("Test connection reports the login, the worker, its devices and Slurm's partitions",
          "[remote][runs]")
{
    auto profile = runProfile(BackendKind::Slurm);
    auto lines = tl::remote::checkConnection(profile, {});
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].what == "login");
    CHECK(lines[0].ok);
    CHECK_THAT(lines[0].detail, Catch::Contains("SHA256:"));
    CHECK(lines[1].what == "worker");
    CHECK(lines[1].ok);
    CHECK_THAT(lines[1].detail, Catch::Contains("torchlight-worker"));
    CHECK(lines[2].what == "devices");
    CHECK(lines[2].ok);
    CHECK_THAT(lines[2].detail, Catch::Contains("cpu"));
    CHECK(lines[3].what == "slurm");
    CHECK(lines[3].ok);
    CHECK_THAT(lines[3].detail, Catch::Contains("debug"));

    profile.workerCommand = "/opt/nowhere/torchlight-worker";
    profile.port = 1;
    auto refused = tl::remote::checkConnection(profile, {});
    REQUIRE(refused.size() == 1);
    CHECK_FALSE(refused[0].ok);
    CHECK_THAT(refused[0].detail, Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("Test connection says what is missing on the host, line by line", "[remote][runs]")
{
    auto profile = runProfile(BackendKind::Kubernetes);
    profile.workerCommand = "/opt/nowhere/torchlight-worker";
    auto lines = tl::remote::checkConnection(profile, {});
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].ok);
    CHECK_FALSE(lines[1].ok);
    CHECK_THAT(lines[1].detail, Catch::Contains("is not installed on the host"));
    CHECK(lines[2].what == "kubernetes");
    CHECK_FALSE(lines[2].ok);
}

TEST_CASE("A context this machine's kubectl has runs kubectl here, and its refusal names it",
          "[remote][kubernetes]")
{
    // A kubeconfig of this process only: one context whose API server listens nowhere. The
    // host's kubectl (over ssh) does not see it, so an error naming it came from kubectl here.
    auto dir = scratchDir("k8s-local");
    std::ofstream(dir / "kubeconfig") << R"(apiVersion: v1
kind: Config
clusters:
- {name: nowhere, cluster: {server: "https://127.0.0.1:9"}}
contexts:
- {name: tl-nowhere, context: {cluster: nowhere, user: tl}}
users:
- {name: tl, user: {token: tl-test-token}}
)";
    const std::string previous = bedVariable("KUBECONFIG");
    ::setenv("KUBECONFIG", (dir / "kubeconfig").c_str(), 1);
    struct Restore
    {
        std::string value;
        ~Restore()
        {
            value.empty() ? ::unsetenv("KUBECONFIG") : ::setenv("KUBECONFIG", value.c_str(), 1);
        }
    } restore{previous};

    auto profile = runProfile(BackendKind::Kubernetes);
    profile.kubernetes.image = "registry.example/torchlight:0.1";
    profile.kubernetes.context = "tl-nowhere";
    RemotePlatform platform = connectPlatform(profile);
    RemoteCleanup cleanup{platform};
    auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "k8s local");
    REQUIRE_FALSE(submitted.ok());
    CHECK_THAT(submitted.error().message, Catch::StartsWith("Kubernetes refused the job: "));
    CHECK_THAT(submitted.error().message, Catch::Contains("127.0.0.1:9"));
    CHECK(submitted.error().context == "kubectl on this machine (context tl-nowhere)");

    // The pod's log comes through the same kubectl; with no cluster it is not there yet.
    auto log = platform.readLog(RemoteRun{"k8s local", "/nowhere", "torchlight-job"},
                                RemotePlatform::kPodLog, 0, 4096);
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().code == tl::base::ErrorCode::NotFound);
    CHECK_THAT(log.error().message, Catch::StartsWith("kubectl could not read the pod's log: "));
    CHECK(log.error().context == "kubectl on this machine (context tl-nowhere)");

    auto lines = tl::remote::checkHost(platform.ssh(), profile);
    REQUIRE(lines.back().what == "kubernetes");
    CHECK_FALSE(lines.back().ok);
    CHECK_THAT(lines.back().detail,
               Catch::StartsWith("kubectl on this machine, context tl-nowhere"));
    CHECK_THAT(lines.back().detail, Catch::Contains("127.0.0.1:9"));

    // A context this machine does not have: kubectl runs on the host, and says so.
    profile.kubernetes.context = "tl-elsewhere";
    RemotePlatform onHost = connectPlatform(profile);
    auto refused = onHost.submit({bandSpec(dir / "data", 1)}, "k8s on host");
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().context, Catch::Contains("127.0.0.1"));
    CHECK_THAT(refused.error().message, Catch::Contains("tl-elsewhere"));
}

TEST_CASE("A Kubernetes job is staged with its manifest, and kubectl's refusal reaches the user",
          "[remote][kubernetes]")
{
    // No cluster runs on these machines: the host's kubectl has no context, so applying fails,
    // and its own message must say so.
    auto dir = scratchDir("k8s-run");
    auto profile = runProfile(BackendKind::Kubernetes);
    profile.kubernetes.image = "registry.example/torchlight:0.1";
    RemotePlatform platform = connectPlatform(profile);
    RemoteCleanup cleanup{platform};
    auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "k8s run");
    REQUIRE_FALSE(submitted.ok());
    CHECK_THAT(submitted.error().message, Catch::StartsWith("Kubernetes refused the job: "));
    CHECK_THAT(submitted.error().context, Catch::Contains("127.0.0.1"));
    auto manifest = platform.ssh().run("cat " + tl::remote::shellPath(profile.remoteRoot)
                                       + "/runs/'k8s run'/job.yaml");
    REQUIRE(manifest.ok());
    CHECK_THAT(manifest.value().out, Catch::Contains("image: \"registry.example/torchlight:0.1\""));
}
