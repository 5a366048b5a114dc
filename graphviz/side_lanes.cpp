#include "graphviz/side_lanes.h"

#include "graphviz/bezier_path.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace tl::graphviz {
namespace {

// Points: from the drawing to the first lane, between lanes, and from a rank to a lane's
// horizontal run (half of dot's smallest gap between ranks, 0.5 inch).
constexpr double kLaneMargin = 16;
constexpr double kLaneSpacing = 10;
constexpr double kGapOffset = 18;

// The vertical extent of each card's rank: cards whose centres share a y are one rank.
class RankBands
{
public:
    explicit RankBands(const std::vector<Box> &boxes)
    {
        for (const Box &box : boxes) {
            Band &band = m_bands[key(box.rect)];
            band.top = std::min(band.top, box.rect.y);
            band.bottom = std::max(band.bottom, box.rect.y + box.rect.height);
        }
    }
    double top(const Rect &card) const { return m_bands.at(key(card)).top; }
    double bottom(const Rect &card) const { return m_bands.at(key(card)).bottom; }

private:
    struct Band
    {
        double top = 1e300;
        double bottom = -1e300;
    };
    // Graphviz centres a rank's cards on one integer y; rounding absorbs the sizer's halves.
    static long long key(const Rect &card) { return std::llround(card.y + card.height / 2); }
    std::map<long long, Band> m_bands;
};

} // namespace

std::vector<VisibleEdge> takeLaneEdges(VisibleGraph &visible)
{
    std::vector<int> fanOut(visible.boxes.size(), 0);
    for (const VisibleEdge &edge : visible.edges) {
        ++fanOut[static_cast<std::size_t>(edge.from)];
    }
    const int laneAbove = visible.boxes.size() > kLargeGraphCards ? kHubFanOut : kWideHubFanOut;
    std::vector<bool> firstSeen(visible.boxes.size(), false);
    std::vector<VisibleEdge> kept;
    std::vector<VisibleEdge> lanes;
    for (VisibleEdge &edge : visible.edges) {
        const auto from = static_cast<std::size_t>(edge.from);
        // The first edge stays with dot, so the hub is placed beside its first consumer.
        if (fanOut[from] > laneAbove && firstSeen[from]) {
            lanes.push_back(std::move(edge));
        } else {
            firstSeen[from] = true;
            kept.push_back(std::move(edge));
        }
    }
    visible.edges = std::move(kept);
    return lanes;
}

void routeLaneEdges(GraphLayout &layout, const std::vector<VisibleEdge> &edges)
{
    if (edges.empty()) {
        return;
    }
    const RankBands bands(layout.boxes);
    std::map<int, int> laneOf; // producer card -> lane
    for (const VisibleEdge &source : edges) {
        const int lane = laneOf.emplace(source.from, static_cast<int>(laneOf.size())).first->second;
        const double x = layout.width + kLaneMargin + lane * kLaneSpacing;
        const Rect &from = layout.boxes[static_cast<std::size_t>(source.from)].rect;
        const Rect &to = layout.boxes[static_cast<std::size_t>(source.to)].rect;
        // Clamped: only a back edge (a cycle) could reach past the drawing's top or bottom.
        const double below = std::min(bands.bottom(from) + kGapOffset, layout.height);
        const double above = std::max(bands.top(to) - kGapOffset, 0.0);
        Edge edge{source.from, source.to, {}, source.label, {}};
        appendLine(edge.points, {from.x + from.width / 2, from.y + from.height});
        appendLine(edge.points, {from.x + from.width / 2, below});
        appendLine(edge.points, {x, below});
        appendLine(edge.points, {x, above});
        appendLine(edge.points, {to.x + to.width / 2, above});
        appendLine(edge.points, {to.x + to.width / 2, to.y});
        edge.labelAt = chainMidpoint(edge.points);
        layout.edges.push_back(std::move(edge));
    }
    layout.width += kLaneMargin * 2 + static_cast<double>(laneOf.size() - 1) * kLaneSpacing;
}

} // namespace tl::graphviz
