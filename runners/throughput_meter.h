#pragma once
// Samples per second over a sliding window of recent training time, for progress events and
// their ETA. Time not spent training (evaluation, pauses) is cut out with skip(). Owned by the
// training loop; one thread.

#include <chrono>
#include <cstdint>
#include <deque>

namespace tl::runners {

class ThroughputMeter
{
public:
    using Clock = std::chrono::steady_clock;

    explicit ThroughputMeter(Clock::duration window = std::chrono::seconds(2));

    // Records that `samples` more samples were done by `now`.
    void add(std::uint64_t samples, Clock::time_point now);
    // Shifts the history forward by `idle`, so a pause or an evaluation does not lower the rate.
    void skip(Clock::duration idle);
    // 0 until two points in time are known.
    double samplesPerSecond() const;
    // Seconds to do `remaining` more samples at the current rate; 0 when the rate is unknown.
    double etaSeconds(std::uint64_t remaining) const;

private:
    struct Point
    {
        Clock::time_point time;
        std::uint64_t total = 0;
    };

    Clock::duration m_window;
    std::deque<Point> m_points;
    std::uint64_t m_total = 0;
};

} // namespace tl::runners
