#include "graphviz/dot_layout.h"

#include "graphviz/bezier_path.h"
#include "graphviz/side_lanes.h"

#include <gvc.h>
#include <pthread.h>

#include <cstdio>
#include <memory>
#include <string>

namespace tl::graphviz {
namespace {

using base::ErrorCode;

// Graph attributes tuned for cards: room between ranks for a shape label beside each edge,
// and between neighbours for the splines. Inches, as Graphviz wants them.
constexpr const char *kNodeSep = "0.35";
constexpr const char *kRankSep = "0.5";
// Space, in points, between a frame and the cards inside it (Graphviz's default is 8).
constexpr const char *kClusterMargin = "12";

struct ContextDeleter
{
    void operator()(GVC_t *context) const { gvFreeContext(context); }
};
struct GraphDeleter
{
    void operator()(Agraph_t *graph) const { agclose(graph); }
};
using ContextPtr = std::unique_ptr<GVC_t, ContextDeleter>;
using GraphPtr = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees what gvLayout attached to the graph; declared after the GraphPtr so it runs first.
class LayoutOwner
{
public:
    LayoutOwner(GVC_t *context, Agraph_t *graph) : m_context(context), m_graph(graph) {}
    ~LayoutOwner() { gvFreeLayout(m_context, m_graph); }
    LayoutOwner(const LayoutOwner &) = delete;
    LayoutOwner &operator=(const LayoutOwner &) = delete;

private:
    GVC_t *m_context;
    Agraph_t *m_graph;
};

// Keeps Graphviz's warnings and errors off stderr for one call and collects the errors.
// Graphviz hands messages to a plain function pointer, so the text lives in a static: fine,
// since only one call runs at a time (the lane).
class MessageCapture
{
public:
    MessageCapture()
    {
        text().clear();
        m_previousFn = agseterrf(&collect);
        m_previousLevel = agseterr(AGWARN);
        agreseterrors();
    }
    ~MessageCapture()
    {
        agseterrf(m_previousFn);
        agseterr(m_previousLevel);
    }
    MessageCapture(const MessageCapture &) = delete;
    MessageCapture &operator=(const MessageCapture &) = delete;

    // Whether an error (not a warning) was raised since the capture began; resets the count.
    static bool hadError() { return agreseterrors() >= AGERR; }

    // The messages as one line: "Error: Layout type: "x" not recognized. ...".
    static std::string message()
    {
        std::string line;
        for (char c : text()) {
            line += (c == '\n' || c == '\r') ? ' ' : c;
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        return line;
    }

private:
    static std::string &text()
    {
        static std::string collected;
        return collected;
    }
    static int collect(char *part)
    {
        // Bounded: a pathological graph must not grow this without end.
        constexpr std::size_t kMaxText = 4096;
        if (part != nullptr && text().size() < kMaxText) {
            text() += part;
        }
        return 0;
    }

    agusererrf m_previousFn = nullptr;
    agerrlevel_t m_previousLevel = AGWARN;
};

// dot's network simplex recurses once per node of its spanning tree, virtual nodes included:
// a few thousand cards with long edges overflowed the default 8 MB stack (a flat 120-layer
// Transformer, before hub edges took lanes), so dot runs on a thread of its own with room for
// millions of frames. Only address space is reserved; the pages are committed as dot touches them.
constexpr std::size_t kDotStackBytes = std::size_t{256} << 20U;

struct LayoutJob
{
    GVC_t *context = nullptr;
    Agraph_t *graph = nullptr;
    const char *engine = nullptr;
    int status = -1;
};

void *runLayoutJob(void *data)
{
    auto *job = static_cast<LayoutJob *>(data);
    job->status = gvLayout(job->context, job->graph, job->engine);
    return nullptr;
}

// gvLayout on the large stack; the caller waits, so Graphviz still sees one thread at a time.
// Inline on the caller's stack when no such thread can be made.
int layoutOnLargeStack(GVC_t *context, Agraph_t *graph, const char *engine)
{
    LayoutJob job{context, graph, engine, -1};
    pthread_attr_t attributes;
    pthread_t thread;
    bool started = false;
    if (pthread_attr_init(&attributes) == 0) {
        started = pthread_attr_setstacksize(&attributes, kDotStackBytes) == 0
                  && pthread_create(&thread, &attributes, &runLayoutJob, &job) == 0;
        pthread_attr_destroy(&attributes);
    }
    if (started) {
        pthread_join(thread, nullptr);
    } else {
        runLayoutJob(&job);
    }
    return job.status;
}

// One context for the process: gvContext() reads the plugin configuration (~10 ms), and the
// lane never uses it from two threads at once.
GVC_t *sharedContext()
{
    static ContextPtr context(gvContext());
    return context.get();
}

base::Error backendError(const std::string &what)
{
    std::string message = MessageCapture::message();
    if (message.empty()) {
        message = "no message";
    }
    return base::makeError(ErrorCode::Backend, "Graphviz could not " + what + ": " + message + ".",
                           "graphviz");
}

base::Error cancelled()
{
    return base::makeError(ErrorCode::Cancelled, "The graph layout was cancelled.");
}

Agsym_t *declare(Agraph_t *graph, int kind, const std::string &name, const std::string &value)
{
    // cgraph copies both strings; it only lacks const in its signatures.
    std::string mutableName = name;
    std::string mutableValue = value;
    return agattr(graph, kind, mutableName.data(), mutableValue.data());
}

void set(void *object, Agsym_t *symbol, const std::string &value)
{
    std::string mutableValue = value;
    agxset(object, symbol, mutableValue.data());
}

std::string inches(double points)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", points / 72.0);
    return text;
}

GraphPtr openGraph()
{
    std::string name = "g";
    GraphPtr graph(agopen(name.data(), Agdirected, nullptr));
    if (graph) {
        declare(graph.get(), AGRAPH, "rankdir", "TB");
        declare(graph.get(), AGRAPH, "splines", "spline");
        declare(graph.get(), AGRAPH, "nodesep", kNodeSep);
        declare(graph.get(), AGRAPH, "ranksep", kRankSep);
        declare(graph.get(), AGNODE, "shape", "box");
        declare(graph.get(), AGNODE, "fixedsize", "true");
        // No label text: Graphviz does no text layout, the view draws the card's content.
        declare(graph.get(), AGNODE, "label", "");
    }
    return graph;
}

struct BuiltGraph
{
    GraphPtr root;
    std::vector<Agraph_t *> clusters;
    std::vector<Agnode_t *> nodes;
    std::vector<Agedge_t *> edges;
};

void addClusters(BuiltGraph &built, const VisibleGraph &visible)
{
    Agsym_t *margin = declare(built.root.get(), AGRAPH, "margin", "");
    for (std::size_t i = 0; i < visible.clusters.size(); ++i) {
        const int parent = visible.clusters[i].parent;
        Agraph_t *owner =
            parent < 0 ? built.root.get() : built.clusters[static_cast<std::size_t>(parent)];
        std::string name = "cluster_";
        name += std::to_string(i);
        Agraph_t *cluster = agsubg(owner, name.data(), 1);
        set(cluster, margin, kClusterMargin);
        built.clusters.push_back(cluster);
    }
}

void addNodes(BuiltGraph &built, const VisibleGraph &visible, const std::vector<Size> &sizes)
{
    Agsym_t *width = declare(built.root.get(), AGNODE, "width", "1");
    Agsym_t *height = declare(built.root.get(), AGNODE, "height", "1");
    for (std::size_t i = 0; i < visible.boxes.size(); ++i) {
        const int cluster = visible.boxCluster[i];
        Agraph_t *owner =
            cluster < 0 ? built.root.get() : built.clusters[static_cast<std::size_t>(cluster)];
        // Appended, not `"n" + to_string(i)`: GCC 12 warns falsely (-Wrestrict) on that form.
        std::string name = "n";
        name += std::to_string(i);
        Agnode_t *node = agnode(owner, name.data(), 1);
        set(node, width, inches(sizes[i].width));
        set(node, height, inches(sizes[i].height));
        built.nodes.push_back(node);
    }
    std::vector<int> fanOut(visible.boxes.size(), 0);
    for (const VisibleEdge &edge : visible.edges) {
        ++fanOut[static_cast<std::size_t>(edge.from)];
    }
    Agsym_t *weight = declare(built.root.get(), AGEDGE, "weight", "1");
    for (const VisibleEdge &edge : visible.edges) {
        Agedge_t *e = agedge(built.root.get(), built.nodes[static_cast<std::size_t>(edge.from)],
                             built.nodes[static_cast<std::size_t>(edge.to)], nullptr, 1);
        // A hub's edges weigh nothing: a tensor every layer reads (a Transformer's attention
        // mask) then neither drags the main chain into a staircase nor stretches the ranking.
        if (e != nullptr && fanOut[static_cast<std::size_t>(edge.from)] > kHubFanOut) {
            set(e, weight, "0");
        }
        built.edges.push_back(e);
    }
}

// Graphviz's coordinates (points, y up, origin at the drawing's lower left) to Qt's (y down).
class Flip
{
public:
    explicit Flip(boxf bounds) : m_left(bounds.LL.x), m_top(bounds.UR.y) {}
    Point operator()(pointf p) const { return {p.x - m_left, m_top - p.y}; }
    Rect operator()(boxf b) const
    {
        return {b.LL.x - m_left, m_top - b.UR.y, b.UR.x - b.LL.x, b.UR.y - b.LL.y};
    }

private:
    double m_left;
    double m_top;
};

// The edge's spline with its arrow ends made into straight pieces, so the chain runs from
// card border to card border; a straight line between the cards when Graphviz routed none.
std::vector<Point> edgePoints(Agedge_t *edge, const Flip &flip, const Rect &from, const Rect &to)
{
    std::vector<Point> points;
    const splines *spline = edge == nullptr ? nullptr : ED_spl(edge);
    for (int b = 0; spline != nullptr && b < spline->size; ++b) {
        const bezier &piece = spline->list[b];
        if (piece.size < 4) {
            continue;
        }
        appendLine(points, flip(piece.sflag ? piece.sp : piece.list[0]));
        if (piece.sflag) {
            appendLine(points, flip(piece.list[0]));
        }
        for (int i = 1; i + 2 < piece.size; i += 3) {
            points.push_back(flip(piece.list[i]));
            points.push_back(flip(piece.list[i + 1]));
            points.push_back(flip(piece.list[i + 2]));
        }
        if (piece.eflag) {
            appendLine(points, flip(piece.ep));
        }
    }
    if (points.empty()) {
        appendLine(points, {from.x + from.width / 2, from.y + from.height});
        appendLine(points, {to.x + to.width / 2, to.y});
    }
    return points;
}

GraphLayout
readLayout(const BuiltGraph &built, const VisibleGraph &visible, const std::vector<Size> &sizes)
{
    const boxf bounds = GD_bb(built.root.get());
    const Flip flip(bounds);
    GraphLayout layout;
    layout.width = bounds.UR.x - bounds.LL.x;
    layout.height = bounds.UR.y - bounds.LL.y;
    layout.boxes = visible.boxes;
    for (std::size_t i = 0; i < layout.boxes.size(); ++i) {
        // The sizer's exact size around Graphviz's centre (Graphviz rounds sizes to points).
        const Point centre = flip(ND_coord(built.nodes[i]));
        const Size size = sizes[i];
        layout.boxes[i].rect = {centre.x - size.width / 2, centre.y - size.height / 2, size.width,
                                size.height};
    }
    for (std::size_t i = 0; i < visible.edges.size(); ++i) {
        const VisibleEdge &source = visible.edges[i];
        Edge edge{source.from, source.to, {}, source.label, {}};
        edge.points = edgePoints(built.edges[i], flip,
                                 layout.boxes[static_cast<std::size_t>(source.from)].rect,
                                 layout.boxes[static_cast<std::size_t>(source.to)].rect);
        edge.labelAt = chainMidpoint(edge.points);
        layout.edges.push_back(std::move(edge));
    }
    for (std::size_t i = 0; i < visible.clusters.size(); ++i) {
        layout.frames.push_back(Frame{visible.clusters[i].group, flip(GD_bb(built.clusters[i])),
                                      visible.clusters[i].depth});
    }
    return layout;
}

} // namespace

base::Result<GraphLayout> dotLayout(const VisibleGraph &visible,
                                    const std::vector<Size> &sizes,
                                    const std::stop_token &stop,
                                    const char *engine)
{
    const MessageCapture capture;
    GVC_t *context = sharedContext();
    BuiltGraph built{openGraph(), {}, {}, {}};
    if (context == nullptr || !built.root) {
        return backendError("start");
    }
    addClusters(built, visible);
    addNodes(built, visible, sizes);
    if (stop.stop_requested()) {
        return cancelled();
    }
    // gvFreeLayout is safe on a graph that gvLayout failed on or never saw.
    const LayoutOwner layoutOwner(context, built.root.get());
    // dot cannot be interrupted: the token is looked at again as soon as it returns.
    const int status = layoutOnLargeStack(context, built.root.get(), engine);
    if (status != 0 || MessageCapture::hadError()) {
        return backendError("lay out the graph");
    }
    if (stop.stop_requested()) {
        return cancelled();
    }
    return readLayout(built, visible, sizes);
}

} // namespace tl::graphviz
