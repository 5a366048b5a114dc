#include "graphviz/bezier_path.h"
#include "graphviz/dot_layout.h"
#include "graphviz/visible_graph.h"
#include "tests/graphviz/view_graphs.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

using namespace tl::graphviz;
using namespace tl::graphviz::testing;

namespace {

std::vector<Size> sizesOf(const VisibleGraph &visible)
{
    std::vector<Size> sizes;
    for (const Box &box : visible.boxes) {
        sizes.push_back(cardSize(box));
    }
    return sizes;
}

// Sends file descriptor 2 to a file while alive, and reads back what was written there.
class StderrCapture
{
public:
    StderrCapture()
        : m_path(std::filesystem::temp_directory_path()
                 / ("tl_test_graphviz_stderr_" + std::to_string(::getpid())))
    {
        std::fflush(stderr);
        m_saved = ::dup(2);
        const int file = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(file, 2);
        ::close(file);
    }
    ~StderrCapture()
    {
        restore();
        std::filesystem::remove(m_path);
    }
    StderrCapture(const StderrCapture &) = delete;
    StderrCapture &operator=(const StderrCapture &) = delete;

    std::uintmax_t restoreAndMeasure()
    {
        restore();
        return std::filesystem::file_size(m_path);
    }

private:
    void restore()
    {
        if (m_saved >= 0) {
            std::fflush(stderr);
            ::dup2(m_saved, 2);
            ::close(m_saved);
            m_saved = -1;
        }
    }

    std::filesystem::path m_path;
    int m_saved = -1;
};

// A random DAG with random nested scopes; fixed seed, so the same graphs every run.
tl::proto::ViewGraph randomGraph(std::mt19937 &engine, int count)
{
    GraphBuilder builder;
    builder.input("x");
    std::vector<std::string> tensors{"x"};
    std::uniform_int_distribution<int> depth(0, 3);
    std::uniform_int_distribution<int> part(0, 2);
    std::uniform_int_distribution<int> fanIn(1, 3);
    for (int i = 0; i < count; ++i) {
        std::vector<std::string> scope;
        for (int d = depth(engine); d > 0; --d) {
            scope.push_back(numbered("g", part(engine)));
        }
        std::vector<std::string> inputs;
        for (int k = fanIn(engine); k > 0; --k) {
            std::uniform_int_distribution<std::size_t> pick(0, tensors.size() - 1);
            inputs.push_back(tensors[pick(engine)]);
        }
        const std::string out = numbered("t", i);
        builder.node(numbered("n", i), "Op", inputs, {out}, scope);
        tensors.push_back(out);
    }
    builder.output(tensors.back());
    return builder.graph();
}

struct SmallStackJob
{
    tl::proto::ViewGraph graph;
    bool ok = false;
    std::size_t boxes = 0;
};

void *runSmallStackJob(void *data)
{
    auto *job = static_cast<SmallStackJob *>(data);
    const auto layout = layoutGraph(job->graph, {}, cardSize);
    job->ok = layout.ok();
    job->boxes = layout.ok() ? layout.value().boxes.size() : 0;
    return nullptr;
}

} // namespace

TEST_CASE("dot runs on a stack of its own, so a caller with a small one can lay out long chains",
          "[graphviz]")
{
    // dot's ranking recurses along the 3,000-node chain: deeper than 256 KiB of stack allows.
    SmallStackJob job{chain(3000), false, 0};
    pthread_attr_t attributes;
    REQUIRE(pthread_attr_init(&attributes) == 0);
    REQUIRE(pthread_attr_setstacksize(&attributes, std::size_t{256} << 10U) == 0);
    pthread_t thread;
    REQUIRE(pthread_create(&thread, &attributes, &runSmallStackJob, &job) == 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attributes);
    CHECK(job.ok);
    CHECK(job.boxes == 3002);
}

TEST_CASE("a Graphviz error becomes a Backend error and prints nothing", "[graphviz]")
{
    const auto visible = visibleGraph(diamond(), {});
    REQUIRE(visible.ok());
    StderrCapture capture;
    const auto layout = dotLayout(visible.value(), sizesOf(visible.value()), {}, "no-such-engine");
    const std::uintmax_t printed = capture.restoreAndMeasure();
    REQUIRE_FALSE(layout.ok());
    CHECK(layout.error().code == tl::base::ErrorCode::Backend);
    CHECK(layout.error().message.find("no-such-engine") != std::string::npos);
    CHECK(printed == 0);
}

TEST_CASE("dot still works after a failed layout", "[graphviz]")
{
    const auto visible = visibleGraph(diamond(), {});
    REQUIRE(visible.ok());
    const auto sizes = sizesOf(visible.value());
    REQUIRE_FALSE(dotLayout(visible.value(), sizes, {}, "no-such-engine").ok());
    const auto layout = dotLayout(visible.value(), sizes, {});
    REQUIRE(layout.ok());
    CHECK(layout.value().boxes.size() == 6);
}

TEST_CASE("random scoped graphs lay out with every card apart", "[graphviz]")
{
    std::mt19937 engine(7);
    std::bernoulli_distribution open(0.6);
    for (int round = 0; round < 12; ++round) {
        const auto graph = randomGraph(engine, 10 + round * 5);
        std::set<std::string> expanded;
        for (const std::string &group : groupTree(graph).groups) {
            if (open(engine)) {
                expanded.insert(group);
            }
        }
        const auto layout = layoutGraph(graph, expanded, cardSize);
        INFO("round " << round);
        REQUIRE(layout.ok());
        const auto &boxes = layout.value().boxes;
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            for (std::size_t j = i + 1; j < boxes.size(); ++j) {
                CHECK_FALSE(overlap(boxes[i].rect, boxes[j].rect));
            }
        }
    }
}

TEST_CASE("chainMidpoint lies halfway along a straight chain", "[graphviz]")
{
    std::vector<Point> points;
    appendLine(points, {0, 0});
    appendLine(points, {0, 30});
    appendLine(points, {40, 30});
    REQUIRE(points.size() == 7);
    const Point middle = chainMidpoint(points);
    CHECK(middle.x == Approx(5).margin(1e-6));
    CHECK(middle.y == Approx(30).margin(1e-6));
}

TEST_CASE("chainMidpoint of a single point or of nothing is that point or the origin", "[graphviz]")
{
    CHECK(chainMidpoint({Point{3, 4}}).x == 3);
    CHECK(chainMidpoint({}).y == 0);
}
