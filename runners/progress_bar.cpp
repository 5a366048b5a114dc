#include "runners/progress_bar.h"

#include "runners/number_text.h"

#include <algorithm>
#include <cmath>

namespace tl::runners {
namespace {

constexpr int kBarCells = 24;

std::string duration(double seconds)
{
    const auto total = static_cast<long long>(std::max(0.0, std::round(seconds)));
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                      total % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    }
    return text;
}

} // namespace

ProgressBar::ProgressBar(std::FILE *out) : m_out(out)
{}

std::string ProgressBar::progressLine(const proto::ProgressEvent &p)
{
    const double done = p.total_steps() > 0
                            ? static_cast<double>(p.step()) / static_cast<double>(p.total_steps())
                            : 0;
    const int filled = std::clamp(static_cast<int>(done * kBarCells), 0, kBarCells);
    const std::string bar =
        std::string(std::size_t(filled), '#') + std::string(std::size_t(kBarCells - filled), '-');
    char text[256];
    std::snprintf(
        text, sizeof text, "epoch %u/%u [%s] step %llu/%llu  loss %.4f  %s samples/s  ETA %s",
        p.epoch(), p.epochs(), bar.c_str(), static_cast<unsigned long long>(p.step()),
        static_cast<unsigned long long>(p.total_steps()), p.loss(),
        groupedDigits(static_cast<std::int64_t>(std::max(0.0, p.samples_per_second()))).c_str(),
        duration(p.eta_seconds()).c_str());
    return text;
}

void ProgressBar::onEvent(const proto::RunEvent &event)
{
    if (event.has_progress()) {
        std::string line = progressLine(event.progress());
        // Pad over a longer previous line, then return to the line's start for the next draw.
        const std::size_t width = line.size();
        if (width < m_drawnWidth) {
            line.append(m_drawnWidth - width, ' ');
        }
        std::fprintf(m_out, "\r%s", line.c_str());
        std::fflush(m_out);
        m_drawnWidth = width;
        return;
    }
    if (!event.has_status()) {
        return;
    }
    const proto::RunState state = event.status().state();
    if (state == proto::RUN_STATE_COMPLETED || state == proto::RUN_STATE_STOPPED
        || state == proto::RUN_STATE_PAUSED) {
        endLine();
        std::fprintf(m_out, "%s\n", event.status().message().c_str());
        std::fflush(m_out);
    } else if (state == proto::RUN_STATE_FAILED) {
        endLine(); // the failure itself is printed by the train command, once
    }
}

void ProgressBar::endLine()
{
    if (m_drawnWidth == 0) {
        return;
    }
    std::fputc('\n', m_out);
    std::fflush(m_out);
    m_drawnWidth = 0;
}

} // namespace tl::runners
