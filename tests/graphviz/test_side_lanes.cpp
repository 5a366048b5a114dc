#include "graphviz/bezier_path.h"
#include "graphviz/side_lanes.h"
#include "tests/graphviz/view_graphs.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tl::graphviz;
using namespace tl::graphviz::testing;

namespace {

// `cards` node cards, the first a hub feeding cards 1..fanOut, plus a chain through all.
VisibleGraph hubGraph(int cards, int fanOut)
{
    VisibleGraph visible;
    for (int i = 0; i < cards; ++i) {
        visible.boxes.push_back(Box{BoxKind::Node, i, {}, 0, {}});
        visible.boxCluster.push_back(-1);
    }
    for (int i = 1; i <= fanOut; ++i) {
        visible.edges.push_back(VisibleEdge{0, i, "hub"});
    }
    for (int i = 1; i + 1 < cards; ++i) {
        visible.edges.push_back(VisibleEdge{i, i + 1, "chain"});
    }
    return visible;
}

Box card(double x, double y)
{
    return Box{BoxKind::Node, 0, {}, 0, Rect{x, y, 100, 40}};
}

// Whether any of the path's sampled points lies well inside `r`.
bool crosses(const std::vector<Point> &points, const Rect &r)
{
    for (std::size_t i = 0; i + 3 < points.size(); i += 3) {
        for (int step = 0; step <= 20; ++step) {
            const double t = step / 20.0;
            const double u = 1 - t;
            const double x = u * u * u * points[i].x + 3 * u * u * t * points[i + 1].x
                             + 3 * u * t * t * points[i + 2].x + t * t * t * points[i + 3].x;
            const double y = u * u * u * points[i].y + 3 * u * u * t * points[i + 1].y
                             + 3 * u * t * t * points[i + 2].y + t * t * t * points[i + 3].y;
            if (x > r.x + 1 && x < r.x + r.width - 1 && y > r.y + 1 && y < r.y + r.height - 1) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

TEST_CASE("takeLaneEdges leaves a small graph's hub of up to 16 edges to dot", "[graphviz]")
{
    VisibleGraph visible = hubGraph(static_cast<int>(kLargeGraphCards), kWideHubFanOut);
    const std::size_t edges = visible.edges.size();
    CHECK(takeLaneEdges(visible).empty());
    CHECK(visible.edges.size() == edges);
}

TEST_CASE("takeLaneEdges moves all but a hub's first edge out of a large graph", "[graphviz]")
{
    VisibleGraph visible = hubGraph(static_cast<int>(kLargeGraphCards) + 1, 6);
    const std::size_t edges = visible.edges.size();
    const std::vector<VisibleEdge> lanes = takeLaneEdges(visible);
    REQUIRE(lanes.size() == 5);
    for (const VisibleEdge &edge : lanes) {
        CHECK(edge.from == 0);
        CHECK(edge.to >= 2);
    }
    CHECK(visible.edges.size() == edges - 5);
    CHECK(visible.edges.front().to == 1);
}

TEST_CASE("takeLaneEdges moves a small graph's hub of more than 16 edges to lanes", "[graphviz]")
{
    VisibleGraph visible = hubGraph(40, kWideHubFanOut + 1);
    CHECK(takeLaneEdges(visible).size() == static_cast<std::size_t>(kWideHubFanOut));
}

TEST_CASE("takeLaneEdges leaves a card feeding four others to dot", "[graphviz]")
{
    VisibleGraph visible = hubGraph(static_cast<int>(kLargeGraphCards) + 1, kHubFanOut);
    CHECK(takeLaneEdges(visible).empty());
}

TEST_CASE("a lane edge runs from the producer's bottom round the cards into the consumer's top",
          "[graphviz]")
{
    GraphLayout layout;
    layout.boxes = {card(100, 0), card(0, 80), card(150, 80), card(60, 160)};
    layout.width = 250;
    layout.height = 200;
    routeLaneEdges(layout, {VisibleEdge{0, 3, "1\u00d78"}});
    REQUIRE(layout.edges.size() == 1);
    const Edge &edge = layout.edges[0];
    CHECK(edge.label == "1\u00d78");
    REQUIRE((edge.points.size() - 1) % 3 == 0);
    CHECK(edge.points.front().x == Approx(150));
    CHECK(edge.points.front().y == Approx(40));
    CHECK(edge.points.back().x == Approx(110));
    CHECK(edge.points.back().y == Approx(160));
    for (const Box &box : layout.boxes) {
        CHECK_FALSE(crosses(edge.points, box.rect));
    }
    double rightmost = 0;
    for (const Point &p : edge.points) {
        rightmost = std::max(rightmost, p.x);
    }
    CHECK(rightmost > 250);
    CHECK(layout.width > rightmost);
    CHECK(edge.labelAt.x == Approx(rightmost));
}

TEST_CASE("lane edges of one producer share a lane and another producer gets the next",
          "[graphviz]")
{
    GraphLayout layout;
    layout.boxes = {card(0, 0), card(150, 0), card(0, 80), card(150, 80)};
    layout.width = 250;
    layout.height = 120;
    routeLaneEdges(layout, {VisibleEdge{0, 2, ""}, VisibleEdge{0, 3, ""}, VisibleEdge{1, 2, ""}});
    REQUIRE(layout.edges.size() == 3);
    const double lane0 = layout.edges[0].points[6].x;
    CHECK(layout.edges[1].points[6].x == lane0);
    CHECK(layout.edges[2].points[6].x > lane0);
    CHECK(layout.width > layout.edges[2].points[6].x);
}

TEST_CASE("a large graph's hub edges still end on their consumers' cards", "[graphviz]")
{
    // A chain longer than kLargeGraphCards with a hub feeding six nodes along it.
    GraphBuilder builder;
    builder.input("x").input("m");
    builder.node("hub", "Mul", {"m"}, {"h"});
    std::string previous = "x";
    const int count = static_cast<int>(kLargeGraphCards);
    for (int i = 0; i < count; ++i) {
        const std::string out = numbered("t", i);
        std::vector<std::string> inputs{previous};
        if (i % 70 == 5) {
            inputs.push_back("h");
        }
        builder.node(numbered("n", i), "Add", inputs, {out});
        previous = out;
    }
    builder.output(previous);
    const auto layout = layoutGraph(builder.graph(), {}, cardSize);
    REQUIRE(layout.ok());
    const GraphLayout &l = layout.value();
    int fromHub = 0;
    for (const Edge &edge : l.edges) {
        const Rect &from = l.boxes.at(static_cast<std::size_t>(edge.from)).rect;
        const Rect &to = l.boxes.at(static_cast<std::size_t>(edge.to)).rect;
        CHECK(borderDistance(edge.points.front(), from) < 3);
        CHECK(borderDistance(edge.points.back(), to) < 3);
        fromHub += l.boxes.at(static_cast<std::size_t>(edge.from)).node == 0
                           && l.boxes.at(static_cast<std::size_t>(edge.from)).kind == BoxKind::Node
                       ? 1
                       : 0;
        for (const Point &p : edge.points) {
            CHECK(p.x <= l.width);
        }
    }
    CHECK(fromHub == 6);
    CHECK(l.edges.size() == static_cast<std::size_t>(2 + count + 6));
}
