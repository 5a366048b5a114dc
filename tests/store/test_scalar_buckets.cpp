#include "store/run_store.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

// A store with one run whose "train/loss" holds the given (step, value) points.
struct SeriesFixture
{
    TempDir dir;
    RunStore store = RunStore::open(dir / "torchlight.db").value();
    std::int64_t runId = store.createRun(makeSpec(), dir).value();
    EventsWriter events{dir / "events.tlog"};

    void ingest()
    {
        auto report = store.ingest(runId, events.path());
        if (!report.ok()) {
            FAIL(report.error().describe());
        }
    }

    std::vector<ScalarBucket> buckets(int count)
    {
        auto result = store.scalarsForWidth(runId, "train/loss", count);
        REQUIRE(result.ok());
        return result.value();
    }
};

} // namespace

TEST_CASE("With fewer points than buckets every point is its own bucket", "[store]")
{
    SeriesFixture f;
    for (int step = 1; step <= 5; ++step) {
        f.events.scalar("train/loss", step * 10, step * 0.5);
    }
    f.ingest();
    const auto buckets = f.buckets(100);
    REQUIRE(buckets.size() == 5);
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const double value = static_cast<double>(i + 1) * 0.5;
        CHECK(buckets[i].firstStep == static_cast<std::int64_t>(i + 1) * 10);
        CHECK(buckets[i].lastStep == buckets[i].firstStep);
        CHECK(buckets[i].minValue == value);
        CHECK(buckets[i].maxValue == value);
        CHECK(buckets[i].meanValue == value);
        CHECK(buckets[i].count == 1);
    }
}

TEST_CASE("Downsampling keeps a single spike's maximum", "[store]")
{
    SeriesFixture f;
    constexpr int kPoints = 10000;
    constexpr int kSpikeStep = 5003;
    for (int step = 0; step < kPoints; ++step) {
        f.events.scalar("train/loss", step, step == kSpikeStep ? 100.0 : 1.0 + (step % 2) * 0.5);
    }
    f.ingest();

    const auto buckets = f.buckets(100);
    REQUIRE(buckets.size() == 100);
    std::int64_t total = 0;
    int spikes = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const ScalarBucket &b = buckets[i];
        total += b.count;
        CHECK(b.firstStep <= b.lastStep);
        if (i > 0) {
            CHECK(b.firstStep == buckets[i - 1].lastStep + 1);
        }
        CHECK(b.minValue == 1.0);
        if (b.firstStep <= kSpikeStep && kSpikeStep <= b.lastStep) {
            ++spikes;
            CHECK(b.maxValue == 100.0);
        } else {
            CHECK(b.maxValue == 1.5);
            CHECK(b.meanValue == Approx(1.25));
        }
    }
    CHECK(spikes == 1);
    CHECK(total == kPoints);
    CHECK(buckets.front().firstStep == 0);
    CHECK(buckets.back().lastStep == kPoints - 1);
}

TEST_CASE("Downsampling never returns more buckets than asked, even for uneven steps", "[store]")
{
    SeriesFixture f;
    // Dense at the start, sparse later: buckets over the step range, some of them empty.
    for (int step = 0; step < 300; ++step) {
        f.events.scalar("train/loss", step, 1.0);
    }
    for (int step = 1000; step <= 100000; step += 1000) {
        f.events.scalar("train/loss", step, 2.0);
    }
    f.ingest();
    for (int width : {1, 7, 64, 399}) {
        const auto buckets = f.buckets(width);
        CHECK(static_cast<int>(buckets.size()) <= width);
        std::int64_t total = 0;
        for (const auto &b : buckets) {
            total += b.count;
        }
        CHECK(total == 400);
    }
    const auto one = f.buckets(1);
    REQUIRE(one.size() == 1);
    CHECK(one[0].firstStep == 0);
    CHECK(one[0].lastStep == 100000);
    CHECK(one[0].minValue == 1.0);
    CHECK(one[0].maxValue == 2.0);
}

TEST_CASE("Downsampling copes with steps near the ends of the int64 range", "[store]")
{
    SeriesFixture f;
    const std::int64_t lo = std::numeric_limits<std::int64_t>::min() + 1;
    const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
    f.events.scalar("train/loss", lo, 1.0);
    f.events.scalar("train/loss", 0, 2.0);
    f.events.scalar("train/loss", hi, 3.0);
    f.ingest();
    const auto buckets = f.buckets(2);
    REQUIRE(buckets.size() == 2);
    CHECK(buckets[0].firstStep == lo);
    CHECK(buckets[1].lastStep == hi);
    CHECK(buckets[0].count + buckets[1].count == 3);
}

TEST_CASE("NaN points are counted but do not poison min, max or mean", "[store]")
{
    SeriesFixture f;
    for (int step = 0; step < 10; ++step) {
        f.events.scalar("train/loss", step, step == 4 ? std::nan("") : 2.0);
    }
    f.ingest();
    const auto buckets = f.buckets(1);
    REQUIRE(buckets.size() == 1);
    CHECK(buckets[0].count == 10);
    CHECK(buckets[0].minValue == 2.0);
    CHECK(buckets[0].maxValue == 2.0);
    CHECK(buckets[0].meanValue == 2.0);
    const auto each = f.buckets(10);
    REQUIRE(each.size() == 10);
    CHECK(std::isnan(each[4].maxValue));
}

TEST_CASE("Downsampling an unknown tag is empty and zero buckets is an error", "[store]")
{
    SeriesFixture f;
    auto none = f.store.scalarsForWidth(f.runId, "no/such/tag", 10);
    REQUIRE(none.ok());
    CHECK(none.value().empty());
    auto zero = f.store.scalarsForWidth(f.runId, "train/loss", 0);
    REQUIRE_FALSE(zero.ok());
    CHECK(zero.error().code == base::ErrorCode::InvalidInput);
}
