// Training runs submitted to the test bed's real Slurm through its sshd: sbatch with a
// generated batch script, squeue polls, job arrays, scancel, Slurm's own errors, and a host
// without Slurm.

#include "remote/connection_check.h"
#include "tests/remote/remote_runs.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

using namespace tl::testing;
using tl::remote::BackendKind;
using tl::remote::JobStatus;
using tl::remote::RemotePlatform;
using tl::remote::RemoteRun;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("A Slurm job's losses reach the store while it is RUNNING, and STOP ends it",
          "[remote][slurm]")
{
    auto dir = scratchDir("slurm-run");
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Slurm));
    RemoteCleanup cleanup{platform};
    auto spec = bandSpec(dir / "data", 100000);
    auto submitted = platform.submit({spec}, "slurm run 'one'");
    INFO((submitted ? std::string() : submitted.error().describe()));
    REQUIRE(submitted.ok());
    RemoteRun run = submitted.value().front();
    CHECK(run.jobId.find_first_not_of("0123456789") == std::string::npos);

    auto store = openStore(dir);
    Mirror mirror(store, spec, dir / "local-run");
    REQUIRE(waitUntil(
        [&] { return pollOne(platform, run).scheduler.state == tl::proto::RUN_STATE_RUNNING; },
        60s));
    REQUIRE(waitUntil([&] { return mirror.sync(platform, run) >= 5; }, 60s));
    CHECK(mirror.record().state == tl::proto::RUN_STATE_RUNNING);

    REQUIRE(platform.requestStop(run).ok());
    REQUIRE(waitUntil([&] { return pollOne(platform, run).scheduler.ended; }, 60s));
    JobStatus ended = pollOne(platform, run);
    CHECK(ended.scheduler.state == tl::proto::RUN_STATE_COMPLETED);
    CHECK(ended.exitCode == 0);
    mirror.sync(platform, run);
    CHECK(mirror.record().state == tl::proto::RUN_STATE_STOPPED);
    // Slurm's output file is in the run folder and readable from here.
    auto output = platform.readLog(run, "slurm-" + run.jobId + ".out", 0);
    CHECK(output.ok());
}

TEST_CASE("A 4-run sweep runs as one job array and all four land in the runs table",
          "[remote][slurm]")
{
    auto dir = scratchDir("slurm-sweep");
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Slurm));
    RemoteCleanup cleanup{platform};
    std::vector<tl::proto::ExperimentSpec> specs;
    for (double lr : {0.01, 0.02, 0.05, 0.1}) {
        specs.push_back(bandSpec(dir / "data", 3, lr));
        specs.back().set_name("sweep lr=" + std::to_string(lr));
    }
    auto submitted = platform.submit(specs, "sweep");
    INFO((submitted ? std::string() : submitted.error().describe()));
    REQUIRE(submitted.ok());
    const std::vector<RemoteRun> &runs = submitted.value();
    REQUIRE(runs.size() == 4);
    std::string arrayId = runs[0].jobId.substr(0, runs[0].jobId.find('_'));
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(runs[i].jobId == arrayId + "_" + std::to_string(i));
        CHECK(runs[i].runDir.ends_with("/runs/sweep/" + std::to_string(i)));
    }
    REQUIRE(waitUntil(
        [&] {
            auto statuses = platform.poll(runs);
            REQUIRE(statuses.ok());
            return std::all_of(statuses.value().begin(), statuses.value().end(),
                               [](const JobStatus &s) { return s.scheduler.ended; });
        },
        120s));
    auto store = openStore(dir);
    for (std::size_t i = 0; i < 4; ++i) {
        Mirror mirror(store, specs[i], dir / ("run-" + std::to_string(i)));
        CHECK(mirror.sync(platform, runs[i]) == 3 * 8);
        CHECK(mirror.record().state == tl::proto::RUN_STATE_COMPLETED);
    }
    auto table = store.runs();
    REQUIRE(table.ok());
    CHECK(table.value().size() == 4);
}

TEST_CASE("scancel ends a Slurm job, which reads as stopped", "[remote][slurm]")
{
    auto dir = scratchDir("slurm-cancel");
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Slurm));
    RemoteCleanup cleanup{platform};
    auto submitted = platform.submit({bandSpec(dir / "data", 100000)}, "cancelled");
    REQUIRE(submitted.ok());
    RemoteRun run = submitted.value().front();
    REQUIRE(waitUntil(
        [&] { return pollOne(platform, run).scheduler.state == tl::proto::RUN_STATE_RUNNING; },
        60s));
    REQUIRE(platform.cancel(run).ok());
    REQUIRE(waitUntil([&] { return pollOne(platform, run).scheduler.ended; }, 60s));
    JobStatus status = pollOne(platform, run);
    CHECK(status.scheduler.state == tl::proto::RUN_STATE_STOPPED);
    CHECK_THAT(status.scheduler.reason, Catch::Contains("cancelled"));
}

TEST_CASE("Slurm's own errors reach the user verbatim, naming the host", "[remote][slurm]")
{
    auto dir = scratchDir("slurm-errors");
    auto profile = runProfile(BackendKind::Slurm);
    SECTION("an unknown partition")
    {
        profile.slurm.partition = "no-such-partition";
        RemotePlatform platform = connectPlatform(profile);
        RemoteCleanup cleanup{platform};
        auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "bad partition");
        REQUIRE_FALSE(submitted.ok());
        CHECK_THAT(
            submitted.error().message,
            Catch::Contains("sbatch: error: invalid partition specified: no-such-partition"));
        CHECK_THAT(submitted.error().context, Catch::Contains("127.0.0.1"));
    }
    SECTION("a GPU asked of a node without GPUs")
    {
        profile.slurm.gpusPerJob = 1;
        RemotePlatform platform = connectPlatform(profile);
        RemoteCleanup cleanup{platform};
        auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "no gpu");
        REQUIRE_FALSE(submitted.ok());
        CHECK_THAT(submitted.error().message, Catch::Contains("Invalid generic resource"));
    }
}

TEST_CASE("A job that has left Slurm's memory reads by its exit code, or as failed with the "
          "reason, never as an error",
          "[remote][slurm]")
{
    RemotePlatform platform = connectPlatform(runProfile(BackendKind::Slurm));
    RemoteCleanup cleanup{platform};
    const std::string root = platform.profile().remoteRoot;
    // Ids Slurm never gave out (or forgot after MinJobAge): squeue says "Invalid job id".
    auto made = platform.ssh().run("mkdir -p " + tl::remote::shellPath(root + "/done") + " "
                                   + tl::remote::shellPath(root + "/lost") + " && echo 0 > "
                                   + tl::remote::shellPath(root + "/done/exit_code"));
    REQUIRE(made.ok());
    REQUIRE(made.value().exitStatus == 0);
    auto home = platform.ssh().run("cd && pwd");
    REQUIRE(home.ok());
    std::string base = home.value().out.substr(0, home.value().out.find('\n')) + "/"
                       + root.substr(root.find('/') + 1);
    RemoteRun done{"done", base + "/done", "999990"};
    RemoteRun lost{"lost", base + "/lost", "999991"};
    auto statuses = platform.poll({done, lost});
    INFO((statuses ? std::string() : statuses.error().describe()));
    REQUIRE(statuses.ok());
    REQUIRE(statuses.value().size() == 2);
    CHECK(statuses.value()[0].scheduler.ended);
    CHECK(statuses.value()[0].scheduler.state == tl::proto::RUN_STATE_COMPLETED);
    CHECK(statuses.value()[0].exitCode == 0);
    CHECK(statuses.value()[1].scheduler.ended);
    CHECK(statuses.value()[1].scheduler.state == tl::proto::RUN_STATE_FAILED);
    CHECK_THAT(statuses.value()[1].scheduler.reason, Catch::Contains("left Slurm's queue"));
}

TEST_CASE("On a host without Slurm, submitting, polling, cancelling and Test Connection say so, "
          "naming the host",
          "[remote][slurm]")
{
    auto profile = runProfile(BackendKind::Slurm);
    // tbnoslurm's logins have a PATH without Slurm's commands.
    profile.user = bedVariable("TB_SSH_NOSLURM_USER");
    REQUIRE_FALSE(profile.user.empty());
    const std::string host = profile.user + "@127.0.0.1:" + std::to_string(profile.port);
    auto dir = scratchDir("no-slurm");
    RemotePlatform platform = connectPlatform(profile);
    RemoteCleanup cleanup{platform};
    auto expectMissing = [&](const tl::base::Error &error, const std::string &command) {
        CHECK(error.code == tl::base::ErrorCode::NotFound);
        CHECK(error.context == host);
        CHECK_THAT(error.message, Catch::StartsWith("Slurm is not installed on the host, or "
                                                    + command + " is not on the PATH")
                                      && Catch::Contains(command + ": command not found"));
    };

    auto submitted = platform.submit({bandSpec(dir / "data", 1)}, "no slurm");
    REQUIRE_FALSE(submitted.ok());
    expectMissing(submitted.error(), "sbatch");

    // A sweep asks scontrol for the array limit first.
    auto sweep = platform.submit({bandSpec(dir / "data", 1), bandSpec(dir / "data", 1)}, "sweep");
    REQUIRE_FALSE(sweep.ok());
    expectMissing(sweep.error(), "scontrol");

    // A job id Slurm never gave out: without squeue and scancel that cannot even be asked.
    RemoteRun run{"lost", "/nonexistent/runs/lost", "4242"};
    auto polled = platform.poll({run});
    REQUIRE_FALSE(polled.ok());
    expectMissing(polled.error(), "squeue");

    auto cancelled = platform.cancel(run);
    REQUIRE_FALSE(cancelled.ok());
    expectMissing(cancelled.error(), "scancel");

    auto lines = tl::remote::checkConnection(profile, {});
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].ok);
    CHECK(lines[1].ok);
    CHECK(lines[3].what == "slurm");
    CHECK_FALSE(lines[3].ok);
    CHECK_THAT(lines[3].detail, Catch::StartsWith("Slurm is not installed on the host, or sinfo"));
}
