// The remote_jobs table: where a remote run runs, kept across restarts of the app.

#include "store/database.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

RemoteJobRecord slurmJob(std::int64_t runId)
{
    RemoteJobRecord job;
    job.runId = runId;
    job.profile = "cluster 'a'";
    job.backend = "slurm";
    job.host = "me@login:22";
    job.remoteDir = "/home/me/torchlight/runs/x/0";
    job.jobId = "41_0";
    job.schedulerState = "PENDING";
    job.reason = "Resources";
    return job;
}

} // namespace

TEST_CASE("remote jobs are stored, replaced and survive reopening the store", "[store]")
{
    TempDir dir;
    const fs::path file = dir.path() / "torchlight.db";
    std::int64_t first = 0;
    std::int64_t second = 0;
    {
        auto store = RunStore::open(file);
        REQUIRE(store.ok());
        first = store.value().createRun(makeSpec("a"), dir.path() / "a").value();
        second = store.value().createRun(makeSpec("b"), dir.path() / "b").value();
        REQUIRE(store.value().setRemoteJob(slurmJob(first)).ok());
        RemoteJobRecord running = slurmJob(first);
        running.schedulerState = "RUNNING";
        running.reason.clear();
        running.outputsFetched = true;
        REQUIRE(store.value().setRemoteJob(running).ok()); // replaces, never duplicates
        RemoteJobRecord other = slurmJob(second);
        other.jobId = "41_1";
        REQUIRE(store.value().setRemoteJob(other).ok());
    }
    auto store = RunStore::open(file);
    REQUIRE(store.ok());
    auto jobs = store.value().remoteJobs();
    REQUIRE(jobs.ok());
    REQUIRE(jobs.value().size() == 2);
    // Newest run first.
    CHECK(jobs.value()[0].runId == second);
    CHECK(jobs.value()[0].jobId == "41_1");
    const RemoteJobRecord &job = jobs.value()[1];
    CHECK(job.runId == first);
    CHECK(job.profile == "cluster 'a'");
    CHECK(job.backend == "slurm");
    CHECK(job.host == "me@login:22");
    CHECK(job.remoteDir == "/home/me/torchlight/runs/x/0");
    CHECK(job.schedulerState == "RUNNING");
    CHECK(job.reason.empty());
    CHECK(job.outputsFetched);
}

TEST_CASE("a remote job needs its run, and goes with it", "[store]")
{
    TempDir dir;
    auto store = RunStore::open(dir.path() / "torchlight.db");
    REQUIRE(store.ok());
    auto missing = store.value().setRemoteJob(slurmJob(99));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == base::ErrorCode::NotFound);
    const std::int64_t run = store.value().createRun(makeSpec(), dir.path() / "r").value();
    REQUIRE(store.value().setRemoteJob(slurmJob(run)).ok());
    REQUIRE(store.value().deleteRun(run).ok());
    auto jobs = store.value().remoteJobs();
    REQUIRE(jobs.ok());
    CHECK(jobs.value().empty());
}
