#include "store/run_store.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <chrono>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

// Hidden: speed belongs in benchmarks, never in an assertion. Run it by hand:
//   tests_store "[.bench]" -s
TEST_CASE("Ingest speed for 100k scalar records", "[store][.bench]")
{
    constexpr int kRecords = 100000;
    TempDir dir;
    const fs::path eventsFile = dir / "events.tlog";
    {
        auto writer = proto::RecordWriter::openFile(eventsFile);
        REQUIRE(writer.ok());
        proto::RunEvent event;
        for (int step = 1; step <= kRecords; ++step) {
            event.set_wall_time(1.7e9 + step * 0.01);
            event.mutable_scalar()->set_tag(step % 10 == 0 ? "train/accuracy" : "train/loss");
            event.mutable_scalar()->set_step(step);
            event.mutable_scalar()->set_value(1.0 / step);
            REQUIRE(writer.value().write(event.SerializeAsString()).ok());
        }
    }
    RunStore store = RunStore::open(dir / "torchlight.db").value();
    const std::int64_t runId = store.createRun(makeSpec(), dir).value();

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto report = store.ingest(runId, eventsFile);
    const auto ingested = Clock::now();
    REQUIRE(report.ok());
    CHECK(report.value().scalars == kRecords);
    auto buckets = store.scalarsForWidth(runId, "train/loss", 1000);
    const auto bucketed = Clock::now();
    REQUIRE(buckets.ok());
    auto points = store.scalars(runId, "train/loss");
    const auto loaded = Clock::now();
    REQUIRE(points.ok());

    const auto ms = [](auto d) {
        return std::chrono::duration<double, std::milli>(d).count();
    };
    WARN("ingest of " << kRecords << " scalar records (" << fs::file_size(eventsFile)
                      << " bytes): " << ms(ingested - start) << " ms; scalarsForWidth(1000) over "
                      << points.value().size() << " points: " << ms(bucketed - ingested)
                      << " ms; scalars(): " << ms(loaded - bucketed) << " ms");
}
