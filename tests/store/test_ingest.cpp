#include "store/database.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <stop_token>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

// A store with one run and an events file beside it, as a local run leaves them.
struct RunFixture
{
    TempDir dir;
    RunStore store = RunStore::open(dir / "torchlight.db").value();
    EventsWriter events{dir / "run/events.tlog"};
    std::int64_t runId = 0;

    RunFixture()
    {
        fs::create_directories(dir / "run");
        auto id = store.createRun(makeSpec(), dir / "run");
        REQUIRE(id.ok());
        runId = id.value();
    }

    IngestReport ingest()
    {
        auto report = store.ingest(runId, events.path());
        if (!report.ok()) {
            FAIL(report.error().describe());
        }
        return report.value();
    }

    std::vector<ScalarPoint> points(const std::string &tag)
    {
        auto result = store.scalars(runId, tag);
        REQUIRE(result.ok());
        return result.value();
    }

    RunRecord record()
    {
        auto result = store.run(runId);
        REQUIRE(result.ok());
        return result.value();
    }
};

std::vector<std::int64_t> steps(const std::vector<ScalarPoint> &points)
{
    std::vector<std::int64_t> out;
    for (const auto &p : points) {
        out.push_back(p.step);
    }
    return out;
}

} // namespace

TEST_CASE("Ingesting an events file stores scalars, state, logs, checkpoints and progress",
          "[store]")
{
    RunFixture f;
    f.events.status(proto::RUN_STATE_RUNNING, "training", 1000.0);
    f.events.scalar("train/loss", 1, 2.25, 1001.0);
    f.events.progress(1, 10, 5000.0);
    f.events.scalar("train/loss", 2, 1.75, 1002.0);
    const std::uint64_t logAt = f.events.log(proto::LOG_LEVEL_WARNING, "slow data loader");
    f.events.scalar("test/accuracy", 20, 0.875, 1003.0);
    f.events.progress(2, 20, 6000.0);
    const std::uint64_t ckptAt = f.events.checkpoint("checkpoints/epoch-2.pt", 2, 20);
    f.events.status(proto::RUN_STATE_COMPLETED, "finished", 1010.0);

    const IngestReport report = f.ingest();
    CHECK(report.records == 9);
    CHECK(report.scalars == 3);
    CHECK(report.startOffset == 0);
    CHECK(report.endOffset == f.events.size());
    CHECK(report.tornBytes == 0);

    auto tags = f.store.tags(f.runId);
    REQUIRE(tags.ok());
    CHECK(tags.value() == std::vector<std::string>{"test/accuracy", "train/loss"});
    const auto loss = f.points("train/loss");
    REQUIRE(loss.size() == 2);
    CHECK(loss[0].step == 1);
    CHECK(loss[0].value == 2.25);
    CHECK(loss[0].wallTime == 1001.0);
    CHECK(loss[1].step == 2);
    CHECK(loss[1].value == 1.75);

    const RunRecord run = f.record();
    CHECK(run.state == proto::RUN_STATE_COMPLETED);
    CHECK(run.statusMessage == "finished");
    CHECK(run.finishedAt == 1010.0); // the worker's time, not the ingest's
    CHECK(run.epoch == 2);
    CHECK(run.epochs == 2);
    CHECK(run.step == 20);
    CHECK(run.totalSteps == 40);
    CHECK(run.samplesPerSecond == 6000.0);
    CHECK(run.etaSeconds == 3.5);
    CHECK(run.loss == 0.25);
    CHECK(run.ingestedOffset == f.events.size());

    auto logs = f.store.logs(f.runId);
    REQUIRE(logs.ok());
    REQUIRE(logs.value().size() == 1);
    CHECK(logs.value()[0].offset == logAt);
    CHECK(logs.value()[0].level == proto::LOG_LEVEL_WARNING);
    CHECK(logs.value()[0].text == "slow data loader");
    CHECK(logs.value()[0].wallTime == 1500.0);

    auto checkpoints = f.store.checkpoints(f.runId);
    REQUIRE(checkpoints.ok());
    REQUIRE(checkpoints.value().size() == 1);
    CHECK(checkpoints.value()[0].offset == ckptAt);
    CHECK(checkpoints.value()[0].path == "checkpoints/epoch-2.pt");
    CHECK(checkpoints.value()[0].epoch == 2);
    CHECK(checkpoints.value()[0].step == 20);
}

TEST_CASE("Ingesting twice stores nothing twice", "[store]")
{
    RunFixture f;
    for (int step = 1; step <= 50; ++step) {
        f.events.scalar("train/loss", step, 1.0 / step);
    }
    f.events.log(proto::LOG_LEVEL_INFO, "epoch 1 done");
    f.events.checkpoint("checkpoints/latest.pt", 1, 50);

    const IngestReport first = f.ingest();
    CHECK(first.records == 52);
    const IngestReport second = f.ingest();
    CHECK(second.records == 0);
    CHECK(second.scalars == 0);
    CHECK(second.startOffset == first.endOffset);
    CHECK(second.endOffset == first.endOffset);
    CHECK(f.points("train/loss").size() == 50);
    CHECK(f.store.logs(f.runId).value().size() == 1);
    CHECK(f.store.checkpoints(f.runId).value().size() == 1);
}

TEST_CASE("Ingesting while the file grows stores each event exactly once", "[store]")
{
    RunFixture f;
    std::int64_t step = 0;
    std::uint64_t total = 0;
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 7; ++i) {
            ++step;
            f.events.scalar("train/loss", step, static_cast<double>(step));
        }
        f.events.log(proto::LOG_LEVEL_INFO, "round " + std::to_string(round));
        const IngestReport report = f.ingest();
        CHECK(report.records == 8);
        CHECK(report.scalars == 7);
        CHECK(report.endOffset == f.events.size());
        total += report.records;
    }
    CHECK(total == 40);
    const auto points = f.points("train/loss");
    REQUIRE(points.size() == 35);
    for (std::size_t i = 0; i < points.size(); ++i) {
        CHECK(points[i].step == static_cast<std::int64_t>(i + 1));
        CHECK(points[i].value == static_cast<double>(i + 1));
    }
    auto logs = f.store.logs(f.runId);
    REQUIRE(logs.ok());
    REQUIRE(logs.value().size() == 5);
    CHECK(logs.value()[4].text == "round 4");
}

TEST_CASE("The ingest observer sees each newly stored event once, in file order", "[store]")
{
    RunFixture f;
    std::vector<std::int64_t> seen;
    auto observe = [&seen](const proto::RunEvent &event) {
        if (event.has_scalar()) {
            seen.push_back(event.scalar().step());
        }
    };
    for (int step = 1; step <= 3; ++step) {
        f.events.scalar("train/loss", step, 1.0);
    }
    REQUIRE(f.store.ingest(f.runId, f.events.path(), {}, observe).ok());
    REQUIRE(f.store.ingest(f.runId, f.events.path(), {}, observe).ok()); // nothing new
    f.events.scalar("train/loss", 4, 1.0);
    REQUIRE(f.store.ingest(f.runId, f.events.path(), {}, observe).ok());
    CHECK(seen == std::vector<std::int64_t>{1, 2, 3, 4});
}

TEST_CASE("A torn tail is not an error and is picked up once the rest arrives", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, 1.0);
    const std::uint64_t complete = f.events.size();

    proto::RunEvent tail;
    tail.mutable_scalar()->set_tag("train/loss");
    tail.mutable_scalar()->set_step(2);
    tail.mutable_scalar()->set_value(0.5);
    const std::string framed = proto::framedRecord(tail.SerializeAsString());
    for (std::size_t cut : {std::size_t{3}, proto::kRecordHeaderSize + 2, framed.size() - 1}) {
        DYNAMIC_SECTION("cut after " << cut << " bytes")
        {
            f.events.append(framed.substr(0, cut));
            const IngestReport torn = f.ingest();
            CHECK(torn.endOffset == complete);
            CHECK(torn.tornBytes == cut);
            CHECK(f.record().ingestedOffset == complete);
            CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1});

            f.events.append(framed.substr(cut));
            const IngestReport rest = f.ingest();
            CHECK(rest.records == 1);
            CHECK(rest.tornBytes == 0);
            CHECK(rest.endOffset == f.events.size());
            CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1, 2});
        }
    }
}

TEST_CASE("A corrupt record keeps the records before it and names the file and byte offset",
          "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, 1.0);
    f.events.scalar("train/loss", 2, 2.0);
    const std::uint64_t badAt = f.events.size();
    std::string damaged = proto::framedRecord(std::string(40, 'x'));
    damaged[proto::kRecordHeaderSize + 5] ^= 0x20; // breaks the data checksum
    f.events.append(damaged);
    f.events.scalar("train/loss", 3, 3.0);

    auto report = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().code == base::ErrorCode::InvalidInput);
    CHECK(report.error().context == f.events.path().string() + ", byte " + std::to_string(badAt));
    CHECK_THAT(report.error().message, Catch::Contains("checksum"));
    CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1, 2});
    CHECK(f.record().ingestedOffset == badAt);

    // The stream stays broken at the same place; nothing is stored twice on the way.
    auto again = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().context == report.error().context);
    CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("A record that is not a RunEvent is an error with its byte offset", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, 1.0);
    f.events.log(proto::LOG_LEVEL_INFO, "before");
    const std::uint64_t badAt = f.events.writeRaw("this is plain text, not a RunEvent");
    f.events.scalar("train/loss", 2, 2.0);

    auto report = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().code == base::ErrorCode::InvalidInput);
    CHECK(report.error().context == f.events.path().string() + ", byte " + std::to_string(badAt));
    CHECK_THAT(report.error().message, Catch::Contains("not a RunEvent"));
    CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1});
    CHECK(f.store.logs(f.runId).value().size() == 1);
    CHECK(f.record().ingestedOffset == badAt);
}

TEST_CASE("A ControlCommand in the events file is not taken for a RunEvent", "[store]")
{
    RunFixture f;
    proto::ControlCommand command;
    command.set_action(proto::ControlCommand::ACTION_STOP);
    const std::uint64_t badAt = f.events.writeRaw(command.SerializeAsString());
    auto report = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().context == f.events.path().string() + ", byte " + std::to_string(badAt));
}

TEST_CASE("An event kind from a newer worker is skipped, not an error", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, 1.0);
    // Field 20, varint 5: a payload this build's RunEvent does not declare.
    f.events.writeRaw(std::string("\xa0\x01\x05", 3));
    f.events.scalar("train/loss", 2, 2.0);
    const IngestReport report = f.ingest();
    CHECK(report.records == 3);
    CHECK(report.scalars == 2);
    CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("A missing events file is NotFound and a shrunken one is an error", "[store]")
{
    RunFixture f;
    auto missing = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == base::ErrorCode::NotFound);
    CHECK(missing.error().context == f.events.path().string());

    f.events.scalar("train/loss", 1, 1.0);
    f.events.scalar("train/loss", 2, 2.0);
    const std::uint64_t ingested = f.ingest().endOffset;
    fs::resize_file(f.events.path(), 10);
    auto shrunk = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(shrunk.ok());
    CHECK(shrunk.error().code == base::ErrorCode::InvalidInput);
    CHECK(shrunk.error().context
          == f.events.path().string() + ", byte " + std::to_string(ingested));
    CHECK_THAT(shrunk.error().message, Catch::Contains("truncated or replaced"));
}

TEST_CASE("Ingesting into an unknown run is NotFound", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, 1.0);
    auto report = f.store.ingest(f.runId + 100, f.events.path());
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().code == base::ErrorCode::NotFound);
    CHECK_THAT(report.error().context, Catch::Contains("run " + std::to_string(f.runId + 100)));
}

TEST_CASE("A cancelled ingest loses nothing and the next one reads everything", "[store]")
{
    RunFixture f;
    for (int step = 1; step <= 20; ++step) {
        f.events.scalar("train/loss", step, 1.0);
    }
    std::stop_source stop;
    stop.request_stop();
    auto cancelled = f.store.ingest(f.runId, f.events.path(), stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == base::ErrorCode::Cancelled);
    CHECK(f.record().ingestedOffset == 0);
    const IngestReport report = f.ingest();
    CHECK(report.records == 20);
    CHECK(f.points("train/loss").size() == 20);
}

TEST_CASE("A scalar sent again for the same step keeps the later value", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 5, 1.0, 100.0);
    f.events.scalar("train/loss", 5, 0.5, 200.0);
    f.ingest();
    const auto points = f.points("train/loss");
    REQUIRE(points.size() == 1);
    CHECK(points[0].value == 0.5);
    CHECK(points[0].wallTime == 200.0);
}

TEST_CASE("NaN and infinite scalars survive the store", "[store]")
{
    RunFixture f;
    f.events.scalar("train/loss", 1, std::nan(""));
    f.events.scalar("train/loss", 2, INFINITY);
    f.events.scalar("train/loss", 3, -0.0);
    f.ingest();
    const auto points = f.points("train/loss");
    REQUIRE(points.size() == 3);
    CHECK(std::isnan(points[0].value));
    CHECK(std::isinf(points[1].value));
    CHECK(points[2].value == 0.0);
}

TEST_CASE("Status events without a state carry only their message", "[store]")
{
    RunFixture f;
    f.events.status(proto::RUN_STATE_RUNNING, "epoch 1");
    f.events.status(proto::RUN_STATE_UNSPECIFIED, "loading data");
    f.ingest();
    CHECK(f.record().state == proto::RUN_STATE_RUNNING);
    CHECK(f.record().statusMessage == "loading data");
    CHECK(f.record().finishedAt == 0);
}

TEST_CASE("A failed run keeps its reason and the time the worker reported", "[store]")
{
    RunFixture f;
    f.events.status(proto::RUN_STATE_RUNNING, "");
    f.events.status(proto::RUN_STATE_FAILED, "CUDA out of memory", 4242.5);
    f.ingest();
    CHECK(f.record().state == proto::RUN_STATE_FAILED);
    CHECK(f.record().statusMessage == "CUDA out of memory");
    CHECK(f.record().finishedAt == 4242.5);
    auto changed = f.store.markInterrupted(f.runId, "worker gone");
    REQUIRE(changed.ok());
    CHECK_FALSE(changed.value());
}

TEST_CASE("Two runs ingesting the same tags keep their scalars apart", "[store]")
{
    RunFixture f;
    auto other = f.store.createRun(makeSpec("other"), f.dir / "other");
    REQUIRE(other.ok());
    EventsWriter otherEvents(f.dir / "other.tlog");
    f.events.scalar("train/loss", 1, 1.0);
    otherEvents.scalar("train/loss", 1, 9.0);
    otherEvents.scalar("train/loss", 2, 8.0);
    f.ingest();
    REQUIRE(f.store.ingest(other.value(), otherEvents.path()).ok());
    CHECK(f.points("train/loss").size() == 1);
    CHECK(f.points("train/loss")[0].value == 1.0);
    auto otherPoints = f.store.scalars(other.value(), "train/loss");
    REQUIRE(otherPoints.ok());
    CHECK(otherPoints.value().size() == 2);
}

TEST_CASE("A database failure mid-ingest stores nothing of that call and loses nothing", "[store]")
{
    RunFixture f;
    for (int step = 1; step <= 5; ++step) {
        f.events.scalar("train/loss", step, 1.0);
    }
    f.events.log(proto::LOG_LEVEL_INFO, "after the scalars");
    {
        // Stands in for a crash or a full disk halfway through the batch.
        auto db = Database::open(f.store.databaseFile());
        REQUIRE(db.ok());
        REQUIRE(db.value()
                    .exec("CREATE TRIGGER fail_step_3 BEFORE INSERT ON scalars "
                          "WHEN NEW.step = 3 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
                    .ok());
    }
    auto failed = f.store.ingest(f.runId, f.events.path());
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message, Catch::Contains("disk on fire"));
    CHECK_THAT(failed.error().context, Catch::Contains("run " + std::to_string(f.runId)));
    CHECK_THAT(failed.error().context, Catch::Contains(f.events.path().string() + ", byte "));
    CHECK(f.points("train/loss").empty());
    CHECK(f.record().ingestedOffset == 0);

    {
        auto db = Database::open(f.store.databaseFile());
        REQUIRE(db.ok());
        REQUIRE(db.value().exec("DROP TRIGGER fail_step_3").ok());
    }
    const IngestReport report = f.ingest();
    CHECK(report.records == 6);
    CHECK(steps(f.points("train/loss")) == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(f.store.logs(f.runId).value().size() == 1);
}
