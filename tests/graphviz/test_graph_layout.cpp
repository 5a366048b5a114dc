#include "graphviz/graph_layout.h"
#include "tests/graphviz/view_graphs.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stop_token>
#include <string>

using namespace tl::graphviz;
using namespace tl::graphviz::testing;
using tl::base::ErrorCode;

namespace {

GraphLayout laidOut(const tl::proto::ViewGraph &graph, const std::set<std::string> &expanded)
{
    auto layout = layoutGraph(graph, expanded, cardSize);
    if (!layout.ok()) {
        FAIL(layout.error().describe());
    }
    return std::move(layout).value();
}

// An edge's end points lie on its cards' borders, within a few points.
void checkEdgeEnds(const GraphLayout &layout)
{
    for (const Edge &edge : layout.edges) {
        REQUIRE(edge.points.size() >= 4);
        REQUIRE((edge.points.size() - 1) % 3 == 0);
        const Rect &from = layout.boxes.at(static_cast<std::size_t>(edge.from)).rect;
        const Rect &to = layout.boxes.at(static_cast<std::size_t>(edge.to)).rect;
        CHECK(borderDistance(edge.points.front(), from) < 3);
        CHECK(borderDistance(edge.points.back(), to) < 3);
    }
}

void checkNoOverlap(const GraphLayout &layout)
{
    for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
        for (std::size_t j = i + 1; j < layout.boxes.size(); ++j) {
            INFO("boxes " << i << " and " << j);
            CHECK_FALSE(overlap(layout.boxes[i].rect, layout.boxes[j].rect));
        }
    }
}

} // namespace

TEST_CASE("every node of a chain gets a card of the sizer's size", "[graphviz]")
{
    const GraphLayout layout = laidOut(chain(6), {});
    REQUIRE(layout.boxes.size() == 8); // input, 6 nodes, output
    for (int i = 0; i < 6; ++i) {
        const int box = findBox(layout, BoxKind::Node, i);
        REQUIRE(box >= 0);
        CHECK(layout.boxes[static_cast<std::size_t>(box)].rect.width == Approx(120));
        CHECK(layout.boxes[static_cast<std::size_t>(box)].rect.height == Approx(44));
    }
    CHECK(findBox(layout, BoxKind::Input, 0) >= 0);
    CHECK(findBox(layout, BoxKind::Output, 0) >= 0);
}

TEST_CASE("a chain runs downwards: each later card lies lower", "[graphviz]")
{
    const GraphLayout layout = laidOut(chain(5), {});
    double previous = -1;
    for (const Box &box : layout.boxes) {
        CHECK(box.rect.y > previous);
        previous = box.rect.y;
    }
    CHECK(layout.height >= previous);
}

TEST_CASE("cards lie inside the layout and never overlap", "[graphviz]")
{
    for (const auto &graph : {chain(4), diamond(), scoped()}) {
        const GraphLayout layout = laidOut(graph, initialExpansion(graph));
        checkNoOverlap(layout);
        for (const Box &box : layout.boxes) {
            CHECK(inside(box.rect, Rect{0, 0, layout.width, layout.height}));
        }
    }
}

TEST_CASE("edges start on the producer's card and end on the consumer's card", "[graphviz]")
{
    const GraphLayout diamondLayout = laidOut(diamond(), {});
    CHECK(diamondLayout.edges.size() == 6);
    checkEdgeEnds(diamondLayout);
    const auto graph = scoped();
    checkEdgeEnds(laidOut(graph, initialExpansion(graph)));
    checkEdgeEnds(laidOut(graph, {}));
}

TEST_CASE("an edge's label is its tensor's shape, placed between its two cards", "[graphviz]")
{
    const GraphLayout layout = laidOut(chain(2), {});
    REQUIRE(layout.edges.size() == 3);
    for (const Edge &edge : layout.edges) {
        CHECK(edge.label == "1\u00d78");
        const Rect &from = layout.boxes.at(static_cast<std::size_t>(edge.from)).rect;
        const Rect &to = layout.boxes.at(static_cast<std::size_t>(edge.to)).rect;
        CHECK(edge.labelAt.y > from.y + from.height - 1);
        CHECK(edge.labelAt.y < to.y + 1);
    }
}

TEST_CASE("a collapsed group is one card with its member count and no edges inside", "[graphviz]")
{
    const GraphLayout layout = laidOut(scoped(), {});
    // x, stem, layer1, Flatten, y
    REQUIRE(layout.boxes.size() == 5);
    const int layer1 = findGroup(layout, "layer1");
    REQUIRE(layer1 >= 0);
    CHECK(layout.boxes[static_cast<std::size_t>(layer1)].members == 4);
    CHECK(layout.boxes[static_cast<std::size_t>(layer1)].rect.width == Approx(150));
    CHECK(layout.edges.size() == 4);
    for (const Edge &edge : layout.edges) {
        CHECK(edge.from != edge.to);
    }
    CHECK(layout.frames.empty());
}

TEST_CASE("frames of open groups contain their members and nested frames", "[graphviz]")
{
    const auto graph = scoped();
    const GraphLayout layout = laidOut(graph, initialExpansion(graph));
    REQUIRE(layout.frames.size() == 6);
    const Frame *layer1 = nullptr;
    for (const Frame &frame : layout.frames) {
        if (frame.group == "layer1") {
            layer1 = &frame;
        }
        if (frame.group == "layer1/layer1.0/conv1") {
            CHECK(frame.depth == 3);
        }
    }
    REQUIRE(layer1 != nullptr);
    CHECK(layer1->depth == 1);
    for (const Frame &frame : layout.frames) {
        if (frame.group.rfind("layer1/", 0) == 0) {
            CHECK(inside(frame.rect, layer1->rect));
        }
    }
    for (int node = 1; node <= 4; ++node) {
        const int box = findBox(layout, BoxKind::Node, node);
        REQUIRE(box >= 0);
        CHECK(inside(layout.boxes[static_cast<std::size_t>(box)].rect, layer1->rect));
    }
    const int flatten = findBox(layout, BoxKind::Node, 5);
    CHECK_FALSE(overlap(layout.boxes[static_cast<std::size_t>(flatten)].rect, layer1->rect));
}

TEST_CASE("a graph with nothing in it lays out to an empty layout", "[graphviz]")
{
    const GraphLayout layout = laidOut(tl::proto::ViewGraph(), {});
    CHECK(layout.boxes.empty());
    CHECK(layout.edges.empty());
    CHECK(layout.frames.empty());
    CHECK(layout.width == 0);
    CHECK(layout.height == 0);
}

TEST_CASE("a graph output fed by a graph input gets an edge between their cards", "[graphviz]")
{
    const auto graph = GraphBuilder().input("x", {3}).output("x", {3}).graph();
    const GraphLayout layout = laidOut(graph, {});
    REQUIRE(layout.boxes.size() == 2);
    REQUIRE(layout.edges.size() == 1);
    CHECK(layout.edges[0].label == "3");
    checkEdgeEnds(layout);
}

TEST_CASE("a card size that is not positive and finite is an error naming the card", "[graphviz]")
{
    const double bad = GENERATE(0.0, -5.0, std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN(), 1e9);
    const CardSizer sizer = [bad](const Box &box) {
        return box.kind == BoxKind::Node && box.node == 1 ? Size{bad, 40} : cardSize(box);
    };
    const auto layout = layoutGraph(chain(3), {}, sizer);
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().code == ErrorCode::InvalidInput);
    CHECK(layout.error().message.find("node 'n1' (Relu)") != std::string::npos);
    CHECK(layout.error().context == "node 'n1' (Relu)");
}

TEST_CASE("a missing card sizer is an error", "[graphviz]")
{
    const auto layout = layoutGraph(chain(2), {}, CardSizer());
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().code == ErrorCode::InvalidInput);
}

TEST_CASE("a stop requested before the call returns Cancelled", "[graphviz]")
{
    std::stop_source source;
    source.request_stop();
    const auto layout = layoutGraph(diamond(), {}, cardSize, source.get_token());
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().code == ErrorCode::Cancelled);
}

TEST_CASE("a stop requested while cards are measured returns Cancelled before dot runs",
          "[graphviz]")
{
    std::stop_source source;
    const CardSizer sizer = [&source](const Box &box) {
        source.request_stop();
        return cardSize(box);
    };
    const auto layout = layoutGraph(diamond(), {}, sizer, source.get_token());
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().code == ErrorCode::Cancelled);
}

TEST_CASE("the same graph lays out the same way twice", "[graphviz]")
{
    const auto graph = scoped();
    const GraphLayout first = laidOut(graph, initialExpansion(graph));
    const GraphLayout second = laidOut(graph, initialExpansion(graph));
    REQUIRE(first.boxes.size() == second.boxes.size());
    for (std::size_t i = 0; i < first.boxes.size(); ++i) {
        CHECK(first.boxes[i].rect.x == second.boxes[i].rect.x);
        CHECK(first.boxes[i].rect.y == second.boxes[i].rect.y);
    }
    CHECK(first.width == second.width);
}
