#include "graphviz/graph_layout.h"
#include "tests/graphviz/view_graphs.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tl::graphviz;
using namespace tl::graphviz::testing;

TEST_CASE("groupTree lists every scope prefix with parents before their children", "[graphviz]")
{
    const GroupTree tree = groupTree(scoped());
    const std::vector<std::string> expected{
        "layer1",          "layer1/layer1.0",       "layer1/layer1.0/conv1",
        "layer1/layer1.1", "layer1/layer1.1/conv1", "stem"};
    CHECK(tree.groups == expected);
    REQUIRE(tree.children.size() == tree.groups.size());
}

TEST_CASE("groupTree gives each group its direct children only", "[graphviz]")
{
    const GroupTree tree = groupTree(scoped());
    REQUIRE(tree.groups.at(0) == "layer1");
    CHECK(tree.children.at(0) == std::vector<std::string>{"layer1/layer1.0", "layer1/layer1.1"});
    CHECK(tree.children.at(1) == std::vector<std::string>{"layer1/layer1.0/conv1"});
    CHECK(tree.children.at(2).empty());
    CHECK(tree.children.at(5).empty());
}

TEST_CASE("groupTree of a graph without scopes has no groups", "[graphviz]")
{
    const GroupTree tree = groupTree(chain(5));
    CHECK(tree.groups.empty());
    CHECK(tree.children.empty());
}

namespace {

// `count` nodes, each in a group of its own under "blocks".
tl::proto::ViewGraph scopedChain(int count)
{
    GraphBuilder builder;
    builder.input("x");
    std::string previous = "x";
    for (int i = 0; i < count; ++i) {
        const std::string out = numbered("t", i);
        builder.node(numbered("n", i), "Relu", {previous}, {out}, {"blocks", numbered("b", i)});
        previous = out;
    }
    return builder.graph();
}

} // namespace

TEST_CASE("initialExpansion opens every group of a graph with up to 150 nodes", "[graphviz]")
{
    const auto graph = scopedChain(GroupTree::kCollapseAbove);
    const std::set<std::string> open = initialExpansion(graph);
    CHECK(open.size() == static_cast<std::size_t>(GroupTree::kCollapseAbove) + 1);
    CHECK(open.count("blocks") == 1);
    CHECK(open.count("blocks/b149") == 1);
}

TEST_CASE("initialExpansion opens nothing in a graph above 150 nodes", "[graphviz]")
{
    const auto graph = scopedChain(GroupTree::kCollapseAbove + 1);
    CHECK(initialExpansion(graph).empty());
}
