#include "runners/throughput_meter.h"

namespace tl::runners {

ThroughputMeter::ThroughputMeter(Clock::duration window) : m_window(window)
{}

void ThroughputMeter::add(std::uint64_t samples, Clock::time_point now)
{
    m_total += samples;
    m_points.push_back({now, m_total});
    // Keep one point at or before the window's start, so the rate always spans the window.
    while (m_points.size() > 2 && now - m_points[1].time >= m_window) {
        m_points.pop_front();
    }
}

void ThroughputMeter::skip(Clock::duration idle)
{
    for (Point &point : m_points) {
        point.time += idle;
    }
}

double ThroughputMeter::samplesPerSecond() const
{
    if (m_points.size() < 2) {
        return 0;
    }
    const Point &first = m_points.front();
    const Point &last = m_points.back();
    const double seconds = std::chrono::duration<double>(last.time - first.time).count();
    if (seconds <= 0) {
        return 0;
    }
    return static_cast<double>(last.total - first.total) / seconds;
}

double ThroughputMeter::etaSeconds(std::uint64_t remaining) const
{
    const double rate = samplesPerSecond();
    return rate > 0 ? static_cast<double>(remaining) / rate : 0;
}

} // namespace tl::runners
