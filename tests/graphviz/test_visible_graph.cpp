#include "graphviz/visible_graph.h"
#include "tests/graphviz/view_graphs.h"

#include <catch2/catch.hpp>

#include <stop_token>
#include <string>

using namespace tl::graphviz;
using namespace tl::graphviz::testing;

TEST_CASE("shapeLabel joins dimensions with a multiplication sign", "[graphviz]")
{
    CHECK(shapeLabel(tensor("t", {1, 64, 28, 28})) == "1\u00d764\u00d728\u00d728");
}

TEST_CASE("shapeLabel shows a symbolic dimension by its name and an unnamed one as ?", "[graphviz]")
{
    tl::proto::TensorInfo info = tensor("t", {-1, 3, -1});
    info.add_dim_names("batch");
    CHECK(shapeLabel(info) == "batch\u00d73\u00d7?");
}

TEST_CASE("shapeLabel is empty for an unknown shape and says scalar for rank 0", "[graphviz]")
{
    tl::proto::TensorInfo unknown;
    unknown.set_name("u");
    CHECK(shapeLabel(unknown).empty());
    CHECK(shapeLabel(tensor("s", {})) == "scalar");
}

TEST_CASE("parameters never make edges or input cards", "[graphviz]")
{
    // "w" is both a graph input (as older ONNX files list initializers) and a parameter.
    const auto graph = GraphBuilder()
                           .input("x")
                           .input("w")
                           .node("fc", "Gemm", {"x", "w", "b"}, {"y"}, {}, {"w", "b"})
                           .output("y")
                           .graph();
    const auto visible = visibleGraph(graph, {});
    REQUIRE(visible.ok());
    CHECK(visible.value().boxes.size() == 3); // x, fc, y
    REQUIRE(visible.value().edges.size() == 2);
    CHECK(visible.value().edges[0].from == 0);
    CHECK(visible.value().edges[0].to == 1);
    CHECK(visible.value().edges[1].from == 1);
    CHECK(visible.value().edges[1].to == 2);
}

TEST_CASE("tensors between the same two cards merge into one edge with the first's shape",
          "[graphviz]")
{
    const auto graph = GraphBuilder()
                           .input("x")
                           .node("split", "Split", {"x"}, {"a", "b"})
                           .value("a", {2, 5})
                           .value("b", {3, 5})
                           .node("concat", "Concat", {"a", "b", "a"}, {"y"})
                           .output("y")
                           .graph();
    const auto visible = visibleGraph(graph, {});
    REQUIRE(visible.ok());
    REQUIRE(visible.value().edges.size() == 3); // x->split, split->concat, concat->y
    CHECK(visible.value().edges[1].from == 1);
    CHECK(visible.value().edges[1].to == 2);
    CHECK(visible.value().edges[1].label == "2\u00d75");
}

TEST_CASE("nodes under a collapsed group share one group card that counts them", "[graphviz]")
{
    const auto visible = visibleGraph(scoped(), {"layer1"});
    REQUIRE(visible.ok());
    const VisibleGraph &v = visible.value();
    // x, stem, layer1.0, layer1.1, Flatten, y
    REQUIRE(v.boxes.size() == 6);
    CHECK(v.boxes[1].group == "stem");
    CHECK(v.boxes[1].members == 1);
    CHECK(v.boxes[2].group == "layer1/layer1.0");
    CHECK(v.boxes[2].members == 2);
    CHECK(v.boxes[3].group == "layer1/layer1.1");
    CHECK(v.boxes[3].members == 2);
    REQUIRE(v.clusters.size() == 1);
    CHECK(v.clusters[0].group == "layer1");
    CHECK(v.boxCluster[2] == 0);
    CHECK(v.boxCluster[1] == -1);
}

TEST_CASE("a group opens only when all its parents are expanded", "[graphviz]")
{
    // layer1.0 is listed but its parent layer1 is not: layer1 stays one card of 4 nodes.
    const auto visible = visibleGraph(scoped(), {"layer1/layer1.0", "stem"});
    REQUIRE(visible.ok());
    const VisibleGraph &v = visible.value();
    REQUIRE(v.boxes.size() == 5); // x, stem's Conv, layer1, Flatten, y
    CHECK(v.boxes[1].kind == BoxKind::Node);
    CHECK(v.boxes[2].group == "layer1");
    CHECK(v.boxes[2].members == 4);
    REQUIRE(v.clusters.size() == 1);
    CHECK(v.clusters[0].group == "stem");
    CHECK(v.clusters[0].depth == 1);
}

TEST_CASE("a collapsed group has no edges to itself", "[graphviz]")
{
    const auto visible = visibleGraph(scoped(), {});
    REQUIRE(visible.ok());
    for (const VisibleEdge &edge : visible.value().edges) {
        CHECK(edge.from != edge.to);
    }
    // x->stem, stem->layer1, layer1->Flatten, Flatten->y
    CHECK(visible.value().edges.size() == 4);
}

TEST_CASE("visibleGraph stops when asked to", "[graphviz]")
{
    std::stop_source source;
    source.request_stop();
    const auto visible = visibleGraph(chain(10), {}, source.get_token());
    REQUIRE_FALSE(visible.ok());
    CHECK(visible.error().code == tl::base::ErrorCode::Cancelled);
}
