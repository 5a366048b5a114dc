// Opening a model as the GUI does, timed stage by stage: ONNX import (parse, checker, shape
// inference, describe), Graphviz layout of the groups the view opens with, and the graph view's
// first paint; then expanding one layer group (layout + paint). Models are generated Transformer
// encoders written as PyTorch's exporter writes them (bench/transformer_onnx.h). The baseline of
// the same run is protobuf's bare ParseFromString of the same bytes. bench/model_open.sh runs it.
#include "bench/transformer_onnx.h"
#include "graphviz/graph_layout.h"
#include "model/onnx_model.h"
#include "views/graph_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace tl;

struct Sample
{
    double parse = 0;  // bare ModelProto::ParseFromString: the baseline
    double import = 0; // parseOnnxModel + describeOnnxModel
    double layout = 0;
    double paint = 0;
    double expand = 0; // one group toggled: layout + paint
    int boxes = 0;
    int expandedBoxes = 0;
};

double msSince(const QElapsedTimer &timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

// Shows the layout and paints the view's widget once, as the first frame on screen would.
double showAndPaint(views::GraphView &view,
                    std::shared_ptr<const proto::ViewGraph> graph,
                    graphviz::GraphLayout layout,
                    std::set<std::string> expanded)
{
    QElapsedTimer timer;
    timer.start();
    view.setGraph(std::move(graph), std::move(layout), std::move(expanded));
    QImage frame(view.size(), QImage::Format_ARGB32_Premultiplied);
    view.render(&frame);
    return msSince(timer);
}

Sample measure(const std::string &bytes, views::GraphView &view, bool allOpen)
{
    Sample s;
    QElapsedTimer timer;
    timer.start();
    onnx::ModelProto bare;
    bare.ParseFromString(bytes);
    s.parse = msSince(timer);

    timer.restart();
    auto model = model::parseOnnxModel(bytes, "transformer.onnx");
    if (!model) {
        std::fprintf(stderr, "import failed: %s\n", model.error().describe().c_str());
        std::exit(1);
    }
    auto graph = std::make_shared<const proto::ViewGraph>(model::describeOnnxModel(model.value()));
    s.import = msSince(timer);

    timer.restart();
    std::set<std::string> expanded = graphviz::initialExpansion(*graph);
    if (allOpen) {
        const graphviz::GroupTree all = graphviz::groupTree(*graph);
        expanded.insert(all.groups.begin(), all.groups.end());
    }
    auto layout = graphviz::layoutGraph(*graph, expanded, view.cardSizer(graph));
    s.layout = msSince(timer);
    if (!layout) {
        std::fprintf(stderr, "layout failed: %s\n", layout.error().describe().c_str());
        std::exit(1);
    }
    s.boxes = static_cast<int>(layout.value().boxes.size());
    s.paint = showAndPaint(view, graph, layout.value(), expanded);

    // Expand the first top-level group, as a double-click on it does.
    const graphviz::GroupTree tree = graphviz::groupTree(*graph);
    if (!tree.groups.empty() && expanded.empty()) {
        timer.restart();
        std::set<std::string> opened = {tree.groups.front()};
        auto relaid = graphviz::layoutGraph(*graph, opened, view.cardSizer(graph));
        if (!relaid) {
            std::exit(1);
        }
        s.expandedBoxes = static_cast<int>(relaid.value().boxes.size());
        const double layoutMs = msSince(timer);
        s.expand = layoutMs + showAndPaint(view, graph, relaid.value(), opened);
    }
    return s;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 4 && std::string(argv[1]) == "--write") {
        // bench_model_open --write FILE LAYERS: the generated encoder as an .onnx file.
        const bench::TransformerOnnx transformer(std::atoi(argv[3]), 64, 4);
        std::ofstream out(argv[2], std::ios::binary);
        return transformer.model().SerializeToOstream(&out) ? 0 : 1;
    }
    QApplication app(argc, argv);
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    views::GraphView view;
    view.resize(1400, 900);
    view.show();
    QApplication::processEvents();
    std::printf(
        "| model | nodes | file | parse (baseline) | import | layout | first paint | total | "
        "expand one layer |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (auto [layers, allOpen] :
         {std::pair{5, true}, std::pair{5, false}, std::pair{48, false}, std::pair{48, true}}) {
        const bench::TransformerOnnx transformer(layers, 64, 4);
        const std::string bytes = transformer.model().SerializeAsString();
        std::vector<Sample> samples;
        for (int i = 0; i < repeats; ++i) {
            samples.push_back(measure(bytes, view, allOpen));
        }
        auto pick = [&](double Sample::*field) {
            std::vector<double> values;
            for (const Sample &s : samples) {
                values.push_back(s.*field);
            }
            return median(values);
        };
        const double total = pick(&Sample::import) + pick(&Sample::layout) + pick(&Sample::paint);
        std::printf(
            "| %d-layer encoder, %s (%d cards) | %d | %.1f MB | %.1f ms | %.1f ms | %.1f ms | "
            "%.1f ms | **%.0f ms** | %s |\n",
            layers, allOpen ? "every group open" : "as it opens", samples.front().boxes,
            transformer.model().graph().node_size(), double(bytes.size()) / 1e6,
            pick(&Sample::parse), pick(&Sample::import), pick(&Sample::layout),
            pick(&Sample::paint), total,
            samples.front().expandedBoxes
                ? (std::to_string(int(pick(&Sample::expand))) + " ms ("
                   + std::to_string(samples.front().expandedBoxes) + " cards)")
                      .c_str()
                : "all open");
    }
    return 0;
}
