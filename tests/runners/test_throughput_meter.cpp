#include "runners/throughput_meter.h"

#include <catch2/catch.hpp>

using tl::runners::ThroughputMeter;
using namespace std::chrono_literals;

TEST_CASE("The throughput meter reports samples per second over its window", "[runners]")
{
    ThroughputMeter meter(2s);
    const auto t0 = ThroughputMeter::Clock::time_point{} + 100s;
    CHECK(meter.samplesPerSecond() == 0);
    meter.add(64, t0);
    CHECK(meter.samplesPerSecond() == 0); // one point in time: no rate yet
    for (int i = 1; i <= 10; ++i) {
        meter.add(100, t0 + i * 100ms);
    }
    CHECK(meter.samplesPerSecond() == Approx(1000.0));
    CHECK(meter.etaSeconds(5000) == Approx(5.0));
}

TEST_CASE("The throughput meter forgets samples older than its window", "[runners]")
{
    ThroughputMeter meter(1s);
    const auto t0 = ThroughputMeter::Clock::time_point{} + 100s;
    meter.add(0, t0);
    for (int i = 1; i <= 10; ++i) {
        meter.add(10, t0 + i * 100ms); // 100 samples/s for a second
    }
    for (int i = 1; i <= 20; ++i) {
        meter.add(50, t0 + 1s + i * 100ms); // then 500 samples/s
    }
    CHECK(meter.samplesPerSecond() == Approx(500.0));
}

TEST_CASE("Idle time skipped by the meter does not lower the rate", "[runners]")
{
    ThroughputMeter meter(10s);
    const auto t0 = ThroughputMeter::Clock::time_point{} + 100s;
    meter.add(0, t0);
    meter.add(200, t0 + 1s);
    meter.skip(5s); // a pause
    meter.add(200, t0 + 7s);
    CHECK(meter.samplesPerSecond() == Approx(200.0));
    CHECK(meter.etaSeconds(0) == 0);
}
