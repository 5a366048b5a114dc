// The app's remote runs, end to end on the test bed: RemoteRunsController pushes real worker runs
// through the real sshd (and Slurm) into a real store, follows them live, stops them, fetches
// their model, and picks them up again after a restart.

#include "app/remote_runs_controller.h"
#include "app/store_lane.h"
#include "proto/run_state.h"
#include "tests/app/app_test_support.h"
#include "tests/remote/remote_runs.h"
#include "tests/runners/scratch_dir.h"
#include "views/models/jobs_table_model.h"

#include <catch2/catch.hpp>

#include <set>

using tl::app::RemoteRunsController;
using tl::app::StoreLane;
using tl::app::testing::waitUntil;
using tl::remote::BackendKind;
using tl::remote::ConnectionProfile;
namespace fs = std::filesystem;
namespace proto = tl::proto;

namespace {

// What a controller told, kept for the checks.
struct Seen
{
    std::vector<std::int64_t> submitted;
    QString failure;
    std::map<std::int64_t, tl::views::JobRow> jobs;
    std::map<std::int64_t, std::size_t> points;
    std::map<std::int64_t, proto::RunState> finished;
    std::map<std::int64_t, int> fetched;
    bool transferSeen = false;

    void watch(RemoteRunsController &controller)
    {
        QObject::connect(&controller, &RemoteRunsController::submitted,
                         [this](const std::vector<std::int64_t> &ids) { submitted = ids; });
        QObject::connect(&controller, &RemoteRunsController::submitFailed,
                         [this](const QString &why) { failure = why; });
        QObject::connect(&controller, &RemoteRunsController::jobChanged,
                         [this](const tl::views::JobRow &job) { jobs[job.runId] = job; });
        QObject::connect(&controller, &RemoteRunsController::scalarsArrived,
                         [this](std::int64_t id, const std::vector<tl::views::ChartPoint> &p) {
                             points[id] += p.size();
                         });
        QObject::connect(&controller, &RemoteRunsController::runFinished,
                         [this](std::int64_t id, proto::RunState state, const QString &) {
                             finished[id] = state;
                         });
        QObject::connect(
            &controller, &RemoteRunsController::outputsFetched,
            [this](std::int64_t id, const QString &, int files) { fetched[id] = files; });
        QObject::connect(&controller, &RemoteRunsController::transferProgress,
                         [this](qint64, qint64, const QString &) { transferSeen = true; });
    }
};

struct Desk
{
    fs::path dir;
    StoreLane lane;
    ConnectionProfile profile;

    Desk(const std::string &name, BackendKind backend)
        : dir(tl::testing::scratchDir(name))
        , profile(tl::testing::runProfile(backend))
    {
        lane.open(dir / "torchlight.db");
    }

    std::unique_ptr<RemoteRunsController> controller()
    {
        ConnectionProfile known = profile;
        return std::make_unique<RemoteRunsController>(
            lane, dir / "runs",
            [known](const std::string &name) -> std::optional<ConnectionProfile> {
                return name == known.name ? std::optional(known) : std::nullopt;
            },
            tl::remote::LoginPrompts{});
    }

    // A second connection to the same store file (WAL): what the app stored.
    tl::store::RunStore store() { return tl::testing::openStore(dir); }
};

// Submits specs and waits for the answer; the runs' ids.
std::vector<std::int64_t> submitAndWait(RemoteRunsController &controller,
                                        Seen &seen,
                                        const ConnectionProfile &profile,
                                        std::vector<proto::ExperimentSpec> specs)
{
    controller.submit(profile, std::move(specs));
    REQUIRE(waitUntil([&] { return !seen.submitted.empty() || !seen.failure.isEmpty(); }, 60000));
    INFO(seen.failure.toStdString());
    REQUIRE_FALSE(seen.submitted.empty());
    return seen.submitted;
}

std::vector<tl::store::ScalarPoint> losses(tl::store::RunStore &store, std::int64_t runId)
{
    auto points = store.scalars(runId, "train/loss");
    REQUIRE(points.ok());
    return points.value();
}

// Each step once, none missing: 1, 2, 3, ... (the specs log every step).
void checkNoGapNoDuplicate(const std::vector<tl::store::ScalarPoint> &points)
{
    REQUIRE_FALSE(points.empty());
    for (std::size_t i = 0; i < points.size(); ++i) {
        INFO("point " << i);
        REQUIRE(points[i].step == static_cast<std::int64_t>(i) + 1);
    }
}

} // namespace

TEST_CASE("A run pushed over ssh streams into the store and the chart, stops, and brings its "
          "model home",
          "[app][remote]")
{
    Desk desk("app-remote-ssh", BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};
    auto controller = desk.controller();
    Seen seen;
    seen.watch(*controller);

    const std::int64_t id = submitAndWait(*controller, seen, desk.profile,
                                          {tl::testing::bandSpec(desk.dir / "data", 100000)})
                                .front();
    CHECK(seen.transferSeen);
    CHECK(controller->follows(id));

    // Live: the job reads as running and its losses reach the chart while it runs.
    REQUIRE(waitUntil(
        [&] { return seen.points[id] >= 5 && seen.jobs[id].schedulerState == "running"; }, 60000));
    const tl::views::JobRow job = seen.jobs[id];
    CHECK(job.backend == "ssh");
    CHECK(job.profile == desk.profile.name);
    CHECK_THAT(job.remoteDir, Catch::Contains("/runs/"));
    CHECK_FALSE(job.jobId.empty());
    {
        auto store = desk.store();
        auto record = store.run(id);
        REQUIRE(record.ok());
        CHECK(record.value().state == proto::RUN_STATE_RUNNING);
        auto jobs = store.remoteJobs();
        REQUIRE(jobs.ok());
        REQUIRE(jobs.value().size() == 1);
        CHECK(jobs.value().front().jobId == job.jobId);
    }

    // The remote log reads through the controller.
    std::optional<tl::base::Result<std::string>> log;
    controller->readLog(id, "worker.log", 0,
                        [&log](tl::base::Result<std::string> text) { log = std::move(text); });
    REQUIRE(waitUntil([&] { return log.has_value(); }, 30000));
    REQUIRE(log->ok());
    CHECK_FALSE(log->value().empty());

    // Pause holds the worker between steps: the job row and the store say so, and Resume lets
    // the losses go on from where they were.
    controller->pause(id);
    REQUIRE(waitUntil([&] { return seen.jobs[id].paused; }, 30000));
    {
        tl::views::JobsTableModel model;
        model.upsertJob(seen.jobs[id]);
        CHECK(model.data(model.index(0, tl::views::JobsTableModel::State)).toString()
              == QStringLiteral("paused"));
        auto store = desk.store();
        auto record = store.run(id);
        REQUIRE(record.ok());
        CHECK(record.value().state == proto::RUN_STATE_PAUSED);
        CHECK_THAT(record.value().statusMessage, Catch::StartsWith("paused at step"));
    }
    const std::size_t pointsWhenPaused = seen.points[id];
    controller->resume(id);
    REQUIRE(waitUntil([&] { return !seen.jobs[id].paused; }, 30000));
    REQUIRE(waitUntil([&] { return seen.points[id] > pointsWhenPaused; }, 30000));

    controller->stop(id);
    REQUIRE(waitUntil([&] { return seen.finished.contains(id); }, 60000));
    CHECK(seen.finished[id] == proto::RUN_STATE_STOPPED);
    CHECK(seen.jobs[id].ended);
    CHECK_FALSE(controller->follows(id));

    // The final model comes home by itself, byte for byte.
    REQUIRE(waitUntil([&] { return seen.fetched.contains(id); }, 30000));
    CHECK(seen.fetched[id] >= 1);
    auto store = desk.store();
    auto record = store.run(id);
    REQUIRE(record.ok());
    const fs::path model = record.value().runDir / "checkpoints" / "last.pt";
    REQUIRE(fs::exists(model));
    CHECK(tl::testing::localFile(model)
          == tl::testing::remoteFile(platform, job.remoteDir + "/checkpoints/last.pt"));
    CHECK(tl::testing::localFile(record.value().runDir / "events.tlog")
          == tl::testing::remoteFile(platform, job.remoteDir + "/events.tlog"));
    checkNoGapNoDuplicate(losses(store, id));
    auto jobs = store.remoteJobs();
    REQUIRE(jobs.ok());
    CHECK(jobs.value().front().outputsFetched);
    CHECK(jobs.value().front().schedulerState == "completed");

    // On request: every checkpoint (the periodic ones too), each the size it has on the host.
    bool done = false;
    QObject::connect(controller.get(), &RemoteRunsController::transferFinished,
                     [&done](bool ok, const QString &) { done = ok; });
    controller->downloadOutputs(id);
    REQUIRE(waitUntil([&] { return done; }, 30000));
    auto listed = platform.ssh().run("cd " + tl::remote::shellQuote(job.remoteDir)
                                     + " && find checkpoints -type f -printf '%p %s\\n' | sort");
    REQUIRE(listed.ok());
    std::string local;
    std::vector<fs::path> files;
    for (const auto &entry :
         fs::recursive_directory_iterator(record.value().runDir / "checkpoints")) {
        files.push_back(fs::relative(entry.path(), record.value().runDir));
    }
    std::sort(files.begin(), files.end());
    for (const fs::path &file : files) {
        local += file.string() + " " + std::to_string(fs::file_size(record.value().runDir / file))
                 + "\n";
    }
    CHECK(files.size() >= 2);
    CHECK(local == listed.value().out);
}

TEST_CASE("A restarted app resumes following a remote run with no gap and no duplicate",
          "[app][remote]")
{
    Desk desk("app-remote-restart", BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};
    std::int64_t id = 0;
    {
        auto first = desk.controller();
        Seen seen;
        seen.watch(*first);
        id = submitAndWait(*first, seen, desk.profile,
                           {tl::testing::bandSpec(desk.dir / "data", 100000)})
                 .front();
        REQUIRE(waitUntil([&] { return seen.points[id] >= 3; }, 60000));
    } // the app closes; the job goes on on the host

    auto second = desk.controller();
    Seen seen;
    seen.watch(*second);
    second->recover();
    REQUIRE(waitUntil([&] { return seen.jobs.contains(id); }, 10000));
    CHECK(second->follows(id));
    // New losses arrive from where the mirror stopped.
    REQUIRE(waitUntil([&] { return seen.points[id] >= 5; }, 60000));
    second->stop(id);
    REQUIRE(waitUntil([&] { return seen.finished.contains(id); }, 60000));
    CHECK(seen.finished[id] == proto::RUN_STATE_STOPPED);

    auto store = desk.store();
    checkNoGapNoDuplicate(losses(store, id));
    auto record = store.run(id);
    REQUIRE(record.ok());
    CHECK(tl::testing::localFile(record.value().runDir / "events.tlog")
          == tl::testing::remoteFile(platform, seen.jobs[id].remoteDir + "/events.tlog"));
}

TEST_CASE("A run killed on the host fails with the backend's reason and keeps its events",
          "[app][remote]")
{
    Desk desk("app-remote-killed", BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};
    auto controller = desk.controller();
    Seen seen;
    seen.watch(*controller);
    const std::int64_t id = submitAndWait(*controller, seen, desk.profile,
                                          {tl::testing::bandSpec(desk.dir / "data", 100000)})
                                .front();
    REQUIRE(waitUntil([&] { return seen.points[id] >= 3; }, 60000));
    auto killed = platform.ssh().run("kill -KILL -- -" + seen.jobs[id].jobId);
    REQUIRE(killed.ok());
    REQUIRE(waitUntil([&] { return seen.finished.contains(id); }, 60000));
    CHECK(seen.finished[id] == proto::RUN_STATE_FAILED);
    auto store = desk.store();
    auto record = store.run(id);
    REQUIRE(record.ok());
    CHECK_THAT(record.value().statusMessage, Catch::Contains("killed"));
    CHECK_THAT(record.value().statusMessage, Catch::Contains(desk.profile.user));
    checkNoGapNoDuplicate(losses(store, id));
}

TEST_CASE("A Slurm sweep pushed from the app is one job array whose runs all complete",
          "[app][remote][slurm]")
{
    Desk desk("app-remote-sweep", BackendKind::Slurm);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};
    auto controller = desk.controller();
    Seen seen;
    seen.watch(*controller);
    std::vector<proto::ExperimentSpec> specs;
    for (double lr : {0.05, 0.1}) {
        proto::ExperimentSpec spec = tl::testing::bandSpec(desk.dir / "data", 3, lr);
        spec.set_name("bands lr=" + std::to_string(lr));
        specs.push_back(spec);
    }
    REQUIRE(submitAndWait(*controller, seen, desk.profile, specs).size() == 2);
    REQUIRE(waitUntil([&] { return seen.finished.size() == 2; }, 120000));
    std::set<std::string> arrays;
    for (std::int64_t id : seen.submitted) {
        CHECK(seen.finished[id] == proto::RUN_STATE_COMPLETED);
        const tl::views::JobRow &job = seen.jobs[id];
        CHECK(job.backend == "slurm");
        REQUIRE(job.jobId.find('_') != std::string::npos);
        arrays.insert(job.jobId.substr(0, job.jobId.find('_')));
    }
    CHECK(arrays.size() == 1); // one array for the sweep
    // Slurm's output file of an array task, wherever Slurm put it.
    std::optional<tl::base::Result<std::string>> output;
    controller->readLog(
        seen.submitted.front(), tl::remote::RemotePlatform::kSchedulerLog, 0,
        [&output](tl::base::Result<std::string> text) { output = std::move(text); });
    REQUIRE(waitUntil([&] { return output.has_value(); }, 30000));
    INFO((output->ok() ? std::string() : output->error().describe()));
    CHECK(output->ok());
    auto store = desk.store();
    for (std::int64_t id : seen.submitted) {
        auto record = store.run(id);
        REQUIRE(record.ok());
        CHECK(record.value().state == proto::RUN_STATE_COMPLETED);
        CHECK_FALSE(losses(store, id).empty());
    }
}

TEST_CASE("A failed or cancelled submission names the host and leaves no run behind",
          "[app][remote]")
{
    Desk desk("app-remote-refused", BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};

    SECTION("no worker on the host")
    {
        desk.profile.workerCommand = "/nonexistent/torchlight-worker";
        auto controller = desk.controller();
        Seen seen;
        seen.watch(*controller);
        controller->submit(desk.profile, {tl::testing::bandSpec(desk.dir / "data", 3)});
        REQUIRE(waitUntil([&] { return !seen.failure.isEmpty(); }, 60000));
        CHECK_THAT(seen.failure.toStdString(), Catch::Contains("not found"));
        CHECK_THAT(seen.failure.toStdString(), Catch::Contains(desk.profile.host));
    }
    SECTION("an upload cancelled half way")
    {
        // A dataset large enough that the upload is still going when Cancel comes.
        const fs::path data = desk.dir / "big";
        fs::create_directories(data);
        tl::testing::writeBands(data / "train-images", data / "train-labels", 400000, 5);
        proto::ExperimentSpec spec = tl::testing::bandSpec(desk.dir / "data", 3);
        spec.mutable_dataset()->set_train_images((data / "train-images").string());
        spec.mutable_dataset()->set_train_labels((data / "train-labels").string());
        auto controller = desk.controller();
        Seen seen;
        seen.watch(*controller);
        bool cancelled = false;
        QObject::connect(controller.get(), &RemoteRunsController::transferProgress,
                         [&](qint64, qint64, const QString &) {
                             if (!cancelled) {
                                 cancelled = true;
                                 controller->cancelSubmit();
                             }
                         });
        controller->submit(desk.profile, {spec});
        REQUIRE(waitUntil([&] { return !seen.failure.isEmpty(); }, 60000));
        CHECK(cancelled);
        CHECK_THAT(seen.failure.toStdString(), Catch::Contains("cancelled"));
        CHECK(seen.submitted.empty());
        // Nothing was started: no run folder on the host.
        auto runs =
            platform.ssh().run("ls " + tl::remote::shellPath(desk.profile.remoteRoot + "/runs")
                               + " 2>/dev/null | wc -l");
        REQUIRE(runs.ok());
        CHECK(runs.value().out.find('0') == 0);
    }
    auto store = desk.store();
    auto runs = store.runs();
    REQUIRE(runs.ok());
    CHECK(runs.value().empty());
}

TEST_CASE("A run pushed over ssh stops in the step debugger, and Step, an inspection and "
          "Continue reach it through control.tlog",
          "[app][remote][debugger]")
{
    Desk desk("app-remote-debug", BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(desk.profile);
    tl::testing::RemoteCleanup cleanup{platform};
    auto controller = desk.controller();
    Seen seen;
    seen.watch(*controller);
    std::vector<proto::DebugEvent> debug;
    QObject::connect(controller.get(), &RemoteRunsController::debugEventsArrived,
                     [&debug](std::int64_t, const std::vector<proto::DebugEvent> &events) {
                         debug.insert(debug.end(), events.begin(), events.end());
                     });
    auto waitFor = [&debug](proto::DebugEvent::Reason reason, std::size_t after) {
        REQUIRE(waitUntil(
            [&] {
                return std::any_of(debug.begin() + static_cast<std::ptrdiff_t>(after), debug.end(),
                                   [reason](const auto &e) { return e.reason() == reason; });
            },
            60000));
        return debug.back();
    };

    proto::ExperimentSpec spec = tl::testing::bandSpec(desk.dir / "data", 100000);
    spec.mutable_train()->mutable_debug()->set_break_at_start(true);
    const std::int64_t id = submitAndWait(*controller, seen, desk.profile, {spec}).front();

    const proto::DebugEvent first = waitFor(proto::DebugEvent::REASON_BREAK, 0);
    CHECK(first.step() == 1);
    CHECK(first.node_index() == 0);
    REQUIRE(waitUntil([&] { return seen.jobs[id].paused; }, 30000)); // held, and says so

    controller->sendDebugCommand(id,
                                 proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_STEP));
    const proto::DebugEvent stepped = waitFor(proto::DebugEvent::REASON_STEP, debug.size());
    CHECK(stepped.node_index() == 1);
    CHECK(stepped.step() == 1);

    const auto weight =
        std::find_if(stepped.tensors().begin(), stepped.tensors().end(),
                     [](const std::string &name) { return name.ends_with(".weight"); });
    REQUIRE(weight != stepped.tensors().end());
    proto::ControlCommand inspect =
        proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_INSPECT);
    inspect.set_tensor(*weight);
    controller->sendDebugCommand(id, inspect);
    const proto::DebugEvent inspected = waitFor(proto::DebugEvent::REASON_INSPECTED, debug.size());
    CHECK(inspected.tensor().name() == *weight);
    CHECK(inspected.tensor().count() > 0);

    controller->sendDebugCommand(
        id, proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_CONTINUE));
    waitFor(proto::DebugEvent::REASON_LEFT, debug.size());
    REQUIRE(waitUntil([&] { return !seen.jobs[id].paused && seen.points[id] >= 3; }, 60000));

    controller->stop(id);
    REQUIRE(waitUntil([&] { return seen.finished.contains(id); }, 60000));
    CHECK(seen.finished[id] == proto::RUN_STATE_STOPPED);
}
