// Times graphviz::layoutGraph on generated Transformer-like ViewGraphs shaped the way PyTorch's
// ONNX export names them ("/layers.3/attn/MatMul"): a ~200-node model (5 layers) and a
// ~2,000-node one (48 layers), opened as the graph view opens them (initialExpansion), with
// every group open, and with one layer expanded. Prints a Markdown table of the median and the
// fastest wall time of REPEATS runs, and the median CPU time of the process. Qt-free: card sizes
// are fixed stand-ins for the view's. Usage: bench_graph_layout [REPEATS] [--all-open-2000]

#include "graphviz/graph_layout.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

using tl::graphviz::Box;
using tl::graphviz::BoxKind;
using tl::graphviz::GraphLayout;
using tl::graphviz::Size;
using tl::proto::ViewGraph;
using tl::proto::ViewNode;

// Appends nodes to a ViewGraph, naming tensors uniquely; every output gets a shape.
class TransformerBuilder
{
public:
    explicit TransformerBuilder(ViewGraph &graph) : m_graph(graph) {}

    std::string node(const std::vector<std::string> &scope,
                     const std::string &op,
                     const std::vector<std::string> &inputs,
                     const std::vector<long> &shape,
                     int parameters = 0)
    {
        ViewNode *node = m_graph.add_nodes();
        std::string path;
        for (const std::string &part : scope) {
            node->add_scope(part);
            path += "/" + part;
        }
        const std::string name = path + "/" + op + "_" + std::to_string(m_count);
        node->set_name(name);
        node->set_op(op);
        for (const std::string &input : inputs) {
            node->add_inputs(input);
        }
        for (int p = 0; p < parameters; ++p) {
            const std::string weight = name + ".param" + std::to_string(p);
            node->add_inputs(weight);
            tl::proto::TensorInfo *info = node->add_parameters();
            info->set_name(weight);
            info->set_shape_known(true);
            info->add_dims(768);
        }
        std::string output = "t";
        output += std::to_string(m_count++);
        node->add_outputs(output);
        tl::proto::TensorInfo *value = m_graph.add_values();
        value->set_name(output);
        value->set_shape_known(true);
        for (long dim : shape) {
            value->add_dims(dim);
        }
        return output;
    }

private:
    ViewGraph &m_graph;
    int m_count = 0;
};

const std::vector<long> kHidden{1, 128, 768};
const std::vector<long> kHeads{1, 12, 128, 64};
const std::vector<long> kScores{1, 12, 128, 128};

// One head projection: MatMul, Add, Reshape, Transpose.
std::string projection(TransformerBuilder &b,
                       const std::vector<std::string> &scope,
                       const std::string &in,
                       const std::string &shape)
{
    const std::string m = b.node(scope, "MatMul", {in}, kHidden, 1);
    const std::string a = b.node(scope, "Add", {m}, kHidden, 1);
    const std::string r = b.node(scope, "Reshape", {a, shape}, {1, 128, 12, 64});
    return b.node(scope, "Transpose", {r}, kHeads);
}

// Self-attention: 35 nodes under layers.N/attn.
std::string attention(TransformerBuilder &b,
                      const std::vector<std::string> &scope,
                      const std::string &in,
                      const std::string &mask)
{
    const std::string s = b.node(scope, "Shape", {in}, {3});
    const std::string g = b.node(scope, "Gather", {s}, {}, 1);
    const std::string u = b.node(scope, "Unsqueeze", {g}, {1});
    const std::string shape = b.node(scope, "Concat", {u}, {4}, 1);
    const std::string q = projection(b, scope, in, shape);
    const std::string k = projection(b, scope, in, shape);
    const std::string v = projection(b, scope, in, shape);
    const std::string c = b.node(scope, "Constant", {}, {});
    const std::string cast = b.node(scope, "Cast", {c}, {});
    const std::string scale = b.node(scope, "Sqrt", {cast}, {});
    std::string t = b.node(scope, "MatMul", {q, k}, kScores);
    t = b.node(scope, "Div", {t, scale}, kScores);
    t = b.node(scope, "Add", {t, mask}, kScores);
    t = b.node(scope, "Softmax", {t}, kScores);
    t = b.node(scope, "Dropout", {t}, kScores);
    t = b.node(scope, "MatMul", {t, v}, kHeads);
    t = b.node(scope, "Transpose", {t}, {1, 128, 12, 64});
    const std::string outShape = b.node(scope, "Concat", {u}, {3}, 1);
    t = b.node(scope, "Reshape", {t, outShape}, kHidden);
    t = b.node(scope, "MatMul", {t}, kHidden, 1);
    t = b.node(scope, "Add", {t}, kHidden, 1);
    return b.node(scope, "Dropout", {t}, kHidden);
}

// One encoder layer: 41 nodes.
std::string layer(TransformerBuilder &b, int index, const std::string &in, const std::string &mask)
{
    const std::string name = "layers." + std::to_string(index);
    const std::string ln1 = b.node({name, "ln1"}, "LayerNormalization", {in}, kHidden, 2);
    const std::string attn = attention(b, {name, "attn"}, ln1, mask);
    const std::string r1 = b.node({name}, "Add", {in, attn}, kHidden);
    std::string t = b.node({name, "ln2"}, "LayerNormalization", {r1}, kHidden, 2);
    t = b.node({name, "mlp"}, "MatMul", {t}, {1, 128, 3072}, 1);
    t = b.node({name, "mlp"}, "Add", {t}, {1, 128, 3072}, 1);
    t = b.node({name, "mlp"}, "Gelu", {t}, {1, 128, 3072});
    t = b.node({name, "mlp"}, "MatMul", {t}, kHidden, 1);
    t = b.node({name, "mlp"}, "Add", {t}, kHidden, 1);
    t = b.node({name, "mlp"}, "Dropout", {t}, kHidden);
    return b.node({name}, "Add", {r1, t}, kHidden);
}

tl::proto::TensorInfo batchInput(const std::string &name)
{
    tl::proto::TensorInfo info;
    info.set_name(name);
    info.set_shape_known(true);
    info.add_dims(-1);
    info.add_dim_names("batch");
    info.add_dims(128);
    return info;
}

ViewGraph transformer(int layers)
{
    ViewGraph graph;
    *graph.add_inputs() = batchInput("input_ids");
    *graph.add_inputs() = batchInput("attention_mask");
    TransformerBuilder b(graph);
    std::string h = b.node({"embed"}, "Gather", {"input_ids"}, kHidden, 1);
    h = b.node({"embed"}, "Add", {h}, kHidden, 1);
    std::string mask = b.node({}, "Unsqueeze", {"attention_mask"}, {1, 1, 1, 128});
    mask = b.node({}, "Sub", {mask}, {1, 1, 1, 128}, 1);
    mask = b.node({}, "Mul", {mask}, {1, 1, 1, 128}, 1);
    for (int i = 0; i < layers; ++i) {
        h = layer(b, i, h, mask);
    }
    h = b.node({"ln_f"}, "LayerNormalization", {h}, kHidden, 2);
    const std::string logits = b.node({"lm_head"}, "MatMul", {h}, {1, 128, 30522}, 1);
    tl::proto::TensorInfo *output = graph.add_outputs();
    output->set_name(logits);
    return graph;
}

// Stand-ins for the view's cards: op + name + one attribute line + shape.
Size cardSize(const Box &box)
{
    switch (box.kind) {
    case BoxKind::Node:
        return {170, 58};
    case BoxKind::Group:
        return {190, 52};
    case BoxKind::Input:
    case BoxKind::Output:
        return {130, 36};
    }
    return {100, 40};
}

struct Timing
{
    double median = 0;
    double fastest = 0;
    double medianCpu = 0; // the process's CPU time (dot runs on a thread of its own): steadier
                          // than wall time on a busy machine
    GraphLayout layout;
};

double processCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

Timing timeLayout(const ViewGraph &graph, const std::set<std::string> &expanded, int repeats)
{
    std::vector<double> ms;
    std::vector<double> cpu;
    Timing timing;
    for (int i = 0; i < repeats; ++i) {
        const double cpuStart = processCpuMs();
        const auto start = std::chrono::steady_clock::now();
        auto layout = tl::graphviz::layoutGraph(graph, expanded, cardSize);
        const auto end = std::chrono::steady_clock::now();
        cpu.push_back(processCpuMs() - cpuStart);
        if (!layout.ok()) {
            std::fprintf(stderr, "layout failed: %s\n", layout.error().describe().c_str());
            std::exit(1);
        }
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
        timing.layout = std::move(layout).value();
    }
    timing.median = median(ms);
    timing.fastest = *std::min_element(ms.begin(), ms.end());
    timing.medianCpu = median(cpu);
    return timing;
}

void row(const char *what,
         const ViewGraph &graph,
         const std::set<std::string> &expanded,
         int repeats)
{
    const Timing t = timeLayout(graph, expanded, repeats);
    std::printf("| %s | %d | %zu | %zu | %zu | %.0f × %.0f | %.1f | %.1f | %.1f |\n", what,
                graph.nodes_size(), t.layout.boxes.size(), t.layout.edges.size(),
                t.layout.frames.size(), t.layout.width, t.layout.height, t.median, t.fastest,
                t.medianCpu);
    std::fflush(stdout);
}

std::set<std::string>
withLayer(std::set<std::string> expanded, const ViewGraph &graph, int index, bool nested)
{
    const std::string name = "layers." + std::to_string(index);
    expanded.insert(name);
    if (nested) {
        for (const std::string &group : tl::graphviz::groupTree(graph).groups) {
            if (group.rfind(name + "/", 0) == 0) {
                expanded.insert(group);
            }
        }
    }
    return expanded;
}

} // namespace

int main(int argc, char **argv)
{
    int repeats = 5;
    bool allOpenLarge = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--all-open-2000") == 0) {
            allOpenLarge = true;
        } else {
            repeats = std::max(1, std::atoi(argv[i]));
        }
    }
    const ViewGraph small = transformer(5);
    const ViewGraph large = transformer(48);
    const std::set<std::string> smallOpen = tl::graphviz::initialExpansion(small);
    const std::set<std::string> largeOpen = tl::graphviz::initialExpansion(large);
    const std::set<std::string> smallAll = [&] {
        const auto groups = tl::graphviz::groupTree(small).groups;
        return std::set<std::string>(groups.begin(), groups.end());
    }();
    std::printf("layoutGraph (Graphviz dot via libgvc), %d runs each, ms (wall: median, fastest; "
                "CPU: median)\n\n",
                repeats);
    std::printf(
        "| case | nodes | cards | edges | frames | size (pt) | median | fastest | median CPU "
        "|\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    row("5 layers, as opened (collapsed: > 150 nodes)", small, smallOpen, repeats);
    row("5 layers, every group open", small, smallAll, repeats);
    row("48 layers, as opened (collapsed)", large, largeOpen, repeats);
    row("48 layers, layers.24 expanded", large, withLayer(largeOpen, large, 24, false), repeats);
    row("48 layers, layers.24 and its groups expanded", large,
        withLayer(largeOpen, large, 24, true), repeats);
    if (allOpenLarge) {
        const auto groups = tl::graphviz::groupTree(large).groups;
        row("48 layers, every group open", large, {groups.begin(), groups.end()}, 1);
    }
    return 0;
}
