// The graph view, its properties panel and its tab, fed hand-made layouts (no Graphviz): what
// the Graphviz lane would hand in is built here box by box.
#include "views/graph_cards.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/node_properties.h"

#include <catch2/catch.hpp>

#include <QGraphicsView>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <thread>

using namespace tl;

namespace {

proto::TensorInfo tensor(const std::string &name, const std::vector<std::int64_t> &dims)
{
    proto::TensorInfo t;
    t.set_name(name);
    t.set_dtype("float32");
    t.set_shape_known(true);
    for (std::int64_t d : dims) {
        t.add_dims(d);
    }
    return t;
}

proto::ViewNode *addNode(proto::ViewGraph &graph,
                         const std::string &name,
                         const std::string &op,
                         const std::string &input,
                         std::vector<std::string> scope)
{
    proto::ViewNode *node = graph.add_nodes();
    node->set_name(name);
    node->set_op(op);
    node->add_inputs(input);
    node->add_outputs(name + "_out");
    for (std::string &part : scope) {
        node->add_scope(std::move(part));
    }
    return node;
}

// input -> features/conv1 (Conv) -> features/relu1 (Relu) -> fc (Gemm) -> relu2 (Relu) -> logits
std::shared_ptr<const proto::ViewGraph> smallGraph()
{
    auto graph = std::make_shared<proto::ViewGraph>();
    graph->set_name("small");
    graph->set_format("onnx");
    graph->set_opset(17);
    *graph->add_inputs() = tensor("input", {-1, 1, 28, 28});
    graph->mutable_inputs(0)->add_dim_names("batch");
    proto::ViewNode *conv = addNode(*graph, "/features/conv1/Conv", "Conv", "input", {"features"});
    proto::ViewAttr *kernel = conv->add_attrs();
    kernel->set_name("kernel_shape");
    kernel->set_text("[5, 5]");
    *conv->add_parameters() = tensor("features.conv1.weight", {6, 1, 5, 5});
    *conv->add_parameters() = tensor("features.conv1.bias", {6});
    conv->add_inputs("features.conv1.weight");
    addNode(*graph, "/features/relu1/Relu", "Relu", conv->outputs(0), {"features"});
    addNode(*graph, "/fc/Gemm", "Gemm", graph->nodes(1).outputs(0), {});
    addNode(*graph, "/relu2/Relu", "Relu", graph->nodes(2).outputs(0), {});
    graph->mutable_nodes(3)->set_outputs(0, "logits");
    *graph->add_outputs() = tensor("logits", {1, 10});
    *graph->add_values() = tensor(conv->outputs(0), {1, 6, 28, 28});
    graph->set_parameter_count(156);
    return graph;
}

graphviz::Box box(graphviz::BoxKind kind, int node, double y, std::string group = {})
{
    graphviz::Box b;
    b.kind = kind;
    b.node = node;
    b.group = std::move(group);
    b.members = b.group.empty() ? 0 : 2;
    b.rect = {100, y, 160, 70};
    return b;
}

graphviz::Edge edge(int from, int to, const graphviz::GraphLayout &layout)
{
    const graphviz::Rect &a = layout.boxes[static_cast<std::size_t>(from)].rect;
    const graphviz::Rect &b = layout.boxes[static_cast<std::size_t>(to)].rect;
    const double x = a.x + a.width / 2;
    const double y0 = a.y + a.height;
    const double y1 = b.y;
    graphviz::Edge e;
    e.from = from;
    e.to = to;
    e.points = {{x, y0}, {x, y0 + 10}, {x, y1 - 10}, {x, y1}};
    e.label = "1×6×28×28";
    e.labelAt = {x + 40, (y0 + y1) / 2};
    return e;
}

void chain(graphviz::GraphLayout &layout)
{
    for (std::size_t i = 0; i + 1 < layout.boxes.size(); ++i) {
        layout.edges.push_back(edge(static_cast<int>(i), static_cast<int>(i + 1), layout));
    }
    layout.width = 360;
    layout.height = layout.boxes.back().rect.y + 100;
}

// Every group open: input, conv1, relu1 (in the "features" frame), fc, relu2, logits.
graphviz::GraphLayout expandedLayout()
{
    using graphviz::BoxKind;
    graphviz::GraphLayout layout;
    layout.boxes = {box(BoxKind::Input, 0, 0),  box(BoxKind::Node, 0, 130),
                    box(BoxKind::Node, 1, 230), box(BoxKind::Node, 2, 360),
                    box(BoxKind::Node, 3, 460), box(BoxKind::Output, 0, 560)};
    chain(layout);
    layout.frames.push_back({"features", {80, 100, 200, 220}, 1});
    return layout;
}

// "features" collapsed: input, the group card, fc, relu2, logits.
graphviz::GraphLayout collapsedLayout()
{
    using graphviz::BoxKind;
    graphviz::GraphLayout layout;
    layout.boxes = {box(BoxKind::Input, 0, 0), box(BoxKind::Group, -1, 130, "features"),
                    box(BoxKind::Node, 2, 260), box(BoxKind::Node, 3, 360),
                    box(BoxKind::Output, 0, 460)};
    chain(layout);
    return layout;
}

QGraphicsView &canvasOf(views::GraphView &view)
{
    auto *canvas = view.findChild<QGraphicsView *>(QStringLiteral("graphCanvas"));
    REQUIRE(canvas);
    return *canvas;
}

// The viewport pixel at the centre of a layout box.
QPoint centreOf(views::GraphView &view, int boxIndex)
{
    const graphviz::Rect &r = view.layout().boxes[static_cast<std::size_t>(boxIndex)].rect;
    return canvasOf(view).mapFromScene(QPointF(r.x + r.width / 2, r.y + r.height / 2));
}

// A real double-click: press, release, double-click, release (QTest's mouseDClick alone
// leaves the button down, and the card that took it keeps the mouse).
void doubleClick(views::GraphView &view, QPoint at)
{
    QWidget *viewport = canvasOf(view).viewport();
    QTest::mousePress(viewport, Qt::LeftButton, {}, at);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, at);
    QTest::mouseDClick(viewport, Qt::LeftButton, {}, at);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, at);
}

struct ShownView
{
    views::GraphView view;
    std::shared_ptr<const proto::ViewGraph> graph = smallGraph();

    explicit ShownView(const graphviz::GraphLayout &layout, std::set<std::string> expanded)
    {
        view.resize(800, 900);
        view.show();
        view.setGraph(graph, layout, std::move(expanded));
    }
};

} // namespace

TEST_CASE("Searching the graph counts matching cards and next and previous wrap around", "[views]")
{
    ShownView shown(expandedLayout(), {"features"});
    views::GraphView &view = shown.view;
    QSignalSpy selected(&view, &views::GraphView::nodeSelected);

    CHECK(view.search(QStringLiteral("relu")) == 2);
    CHECK(view.matchCount() == 2);
    CHECK(view.currentMatch() == 0);
    CHECK(view.selectedNode() == 1); // reading order: relu1 is above relu2
    REQUIRE(selected.count() == 1);
    CHECK(selected.at(0).at(0).toInt() == 1);

    view.findNext();
    CHECK(view.selectedNode() == 3);
    view.findNext(); // wraps to the first
    CHECK(view.selectedNode() == 1);
    view.findPrevious(); // wraps to the last
    CHECK(view.selectedNode() == 3);
    CHECK(view.currentMatch() == 1);

    CHECK(view.search(QStringLiteral("GEMM")) == 1); // case-insensitive, on the op
    CHECK(view.selectedNode() == 2);
    CHECK(view.search(QStringLiteral("conv1")) == 1); // on the name
    CHECK(view.search(QStringLiteral("no such node")) == 0);
    CHECK(view.selectedNode() == 0); // a search without matches keeps the selection
    CHECK(view.search(QStringLiteral("logits")) == 1); // graph outputs by name
}

TEST_CASE("A collapsed group card matches a search for the nodes it hides", "[views]")
{
    ShownView shown(collapsedLayout(), {});
    CHECK(shown.view.search(QStringLiteral("conv")) == 1);
    CHECK(shown.view.selectedBox() == 1);
    CHECK(shown.view.selectedNode() == -1);                // a group is not a node
    CHECK(shown.view.search(QStringLiteral("relu")) == 2); // the group and relu2
}

TEST_CASE("Clicking a card selects its node and clicking empty space clears the selection",
          "[views]")
{
    ShownView shown(expandedLayout(), {"features"});
    views::GraphView &view = shown.view;
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    QSignalSpy nodes(&view, &views::GraphView::nodeSelected);
    QSignalSpy changes(&view, &views::GraphView::selectionChanged);
    QWidget *viewport = canvasOf(view).viewport();

    QTest::mouseClick(viewport, Qt::LeftButton, {}, centreOf(view, 3));
    REQUIRE(nodes.count() == 1);
    CHECK(nodes.at(0).at(0).toInt() == 2);
    CHECK(view.selectedBox() == 3);
    CHECK(changes.count() == 1);

    QTest::mouseClick(viewport, Qt::LeftButton, {}, centreOf(view, 0)); // the graph input
    CHECK(view.selectedBox() == 0);
    REQUIRE(nodes.count() == 2);
    CHECK(nodes.at(1).at(0).toInt() == -1);

    const QPoint empty = canvasOf(view).mapFromScene(QPointF(20, 600));
    QTest::mouseClick(viewport, Qt::LeftButton, {}, empty);
    CHECK(view.selectedBox() == -1);
    CHECK(changes.count() == 3);

    view.selectNode(3);
    CHECK(view.selectedBox() == 4);
    REQUIRE(nodes.count() == 3);
    CHECK(nodes.at(2).at(0).toInt() == 3);
}

TEST_CASE("Selecting a node hidden in a collapsed group selects the group card", "[views]")
{
    ShownView shown(collapsedLayout(), {});
    shown.view.selectNode(0);
    CHECK(shown.view.selectedBox() == 1);
    shown.view.selectNode(-1);
    CHECK(shown.view.selectedBox() == -1);
}

TEST_CASE("Double-clicking a group card or an expanded group's title asks to toggle it", "[views]")
{
    ShownView shown(collapsedLayout(), {});
    views::GraphView &view = shown.view;
    REQUIRE(QTest::qWaitForWindowExposed(&view));
    QSignalSpy toggles(&view, &views::GraphView::groupToggleRequested);

    doubleClick(view, centreOf(view, 1));
    REQUIRE(toggles.count() == 1);
    CHECK(toggles.last().at(0).toString() == QStringLiteral("features"));

    toggles.clear();
    doubleClick(view, centreOf(view, 2));
    CHECK(toggles.isEmpty()); // a plain node has nothing to toggle

    view.setGraph(shown.graph, expandedLayout(), {"features"});
    const QPoint header = canvasOf(view).mapFromScene(QPointF(120, 100 + 10));
    doubleClick(view, header);
    REQUIRE(toggles.count() == 1);
    CHECK(toggles.last().at(0).toString() == QStringLiteral("features"));
}

TEST_CASE("A new layout of the same graph keeps the selected node", "[views]")
{
    ShownView shown(collapsedLayout(), {});
    views::GraphView &view = shown.view;
    view.selectNode(2);
    REQUIRE(view.selectedBox() == 2);
    QSignalSpy nodes(&view, &views::GraphView::nodeSelected);

    view.setGraph(shown.graph, expandedLayout(), {"features"});
    CHECK(view.selectedNode() == 2);
    CHECK(view.selectedBox() == 3);
    CHECK(nodes.isEmpty()); // the same node: no change to report
    CHECK(view.expandedGroups() == std::set<std::string>{"features"});

    // A different graph starts with nothing selected.
    view.setGraph(smallGraph(), collapsedLayout(), {});
    CHECK(view.selectedBox() == -1);
    REQUIRE(nodes.count() == 1);
    CHECK(nodes.at(0).at(0).toInt() == -1);
}

TEST_CASE("The graph renders as an SVG document and as an image of the scaled size", "[views]")
{
    ShownView shown(expandedLayout(), {"features"});
    const QByteArray svg = shown.view.renderSvg();
    CHECK(svg.contains("<svg"));
    CHECK(svg.contains("Conv")); // the cards' text is text, not pixels

    const QRectF rect = shown.view.graphRect();
    CHECK(rect.width() >= 360);
    const QImage image = shown.view.renderImage(2.0);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.width() == static_cast<int>(std::ceil(rect.width() * 2)));
    CHECK(image.height() == static_cast<int>(std::ceil(rect.height() * 2)));
    // The Conv card's header is drawn in the compute colour.
    const graphviz::Rect &conv = shown.view.layout().boxes[1].rect;
    const QPoint inHeader(static_cast<int>((conv.x + 20 - rect.x()) * 2),
                          static_cast<int>((conv.y + 4 - rect.y()) * 2));
    CHECK(image.pixelColor(inHeader) == views::familyColor(views::OpFamily::Compute));
}

TEST_CASE("Zoom steps, fit and the fit of a tall graph change the zoom", "[views]")
{
    ShownView shown(expandedLayout(), {"features"});
    views::GraphView &view = shown.view;
    const double start = view.zoom();
    view.zoomIn();
    CHECK(view.zoom() == Approx(start * 1.25));
    view.zoomOut();
    view.zoomOut();
    CHECK(view.zoom() == Approx(start / 1.25));

    // A graph ten times taller than the view fits by shrinking.
    graphviz::GraphLayout tall = expandedLayout();
    tall.height = 9000;
    view.setGraph(smallGraph(), tall, {"features"});
    view.fitToView();
    const QRectF rect = view.graphRect();
    const QSize viewport = canvasOf(view).viewport()->size();
    CHECK(view.zoom() < 0.2);
    CHECK(view.zoom()
          == Approx(std::min(viewport.width() / rect.width(), viewport.height() / rect.height()))
                 .epsilon(0.05));
}

TEST_CASE("Cards are sized from their text, the same on any thread", "[views]")
{
    views::GraphView view;
    std::shared_ptr<const proto::ViewGraph> graph = smallGraph();
    const graphviz::CardSizer sizer = view.cardSizer(graph);
    const graphviz::GraphLayout layout = expandedLayout();
    const graphviz::Size conv = sizer(layout.boxes[1]); // kernel, W and B, output shape
    const graphviz::Size relu = sizer(layout.boxes[2]);
    CHECK(conv.width >= views::CardMetrics::kMinWidth);
    CHECK(conv.width <= views::CardMetrics::kMaxWidth);
    CHECK(conv.height > relu.height);
    const graphviz::Size group = sizer(collapsedLayout().boxes[1]);
    CHECK(group.width >= views::CardMetrics::kMinWidth);

    // The same size the painting fonts give.
    const views::CardContent content(graph);
    const views::CardFonts fonts = views::CardFonts::from(view.font());
    const graphviz::Size painted = content.size(content.text(layout.boxes[1]), fonts);
    CHECK(painted.width == conv.width);
    CHECK(painted.height == conv.height);

    graphviz::Size onThread;
    std::thread lane([&] { onThread = sizer(layout.boxes[1]); });
    lane.join();
    CHECK(onThread.width == conv.width);
    CHECK(onThread.height == conv.height);
}

TEST_CASE("Card text shows the op, key attributes, folded parameters and the output shape",
          "[views]")
{
    const views::CardContent content(smallGraph());
    const views::CardText conv = content.text(expandedLayout().boxes[1]);
    CHECK(conv.title == QStringLiteral("Conv"));
    CHECK(conv.family == views::OpFamily::Compute);
    CHECK(conv.details.contains(QStringLiteral("kernel_shape [5, 5]")));
    CHECK(conv.details.contains(QStringLiteral("W 6×1×5×5, B 6")));
    CHECK(conv.details.contains(QStringLiteral("→ 1×6×28×28")));
    const views::CardText input = content.text(expandedLayout().boxes[0]);
    CHECK(input.details.contains(QStringLiteral("float32 batch×1×28×28")));
    const views::CardText group = content.text(collapsedLayout().boxes[1]);
    CHECK(group.title == QStringLiteral("▸ features · 2 nodes"));
    CHECK(group.details.value(0) == QStringLiteral("Conv, Relu"));
    CHECK(views::opFamily("BatchNormalization") == views::OpFamily::Norm);
    CHECK(views::opFamily("MaxPool2d") == views::OpFamily::Pooling);
    CHECK(views::opFamily("ReLU") == views::OpFamily::Activation);
    CHECK(views::opFamily("Reshape") == views::OpFamily::Shape);
}

TEST_CASE("Clearing the view empties it and shows the message", "[views]")
{
    ShownView shown(expandedLayout(), {"features"});
    shown.view.selectNode(1);
    QSignalSpy changes(&shown.view, &views::GraphView::selectionChanged);
    shown.view.clear(QStringLiteral("Drop an .onnx or .pt file here"));
    CHECK_FALSE(shown.view.graph());
    CHECK(shown.view.layout().boxes.empty());
    CHECK(shown.view.selectedBox() == -1);
    CHECK(changes.count() == 1);
    CHECK(shown.view.message() == QStringLiteral("Drop an .onnx or .pt file here"));
    CHECK(shown.view.renderImage().isNull());
}

TEST_CASE("The properties panel shows a node, a group, an input and the model summary", "[views]")
{
    ShownView shown(collapsedLayout(), {});
    views::NodeProperties properties;

    properties.showSelectionOf(shown.view); // nothing selected: the model
    CHECK(properties.title() == QStringLiteral("small"));
    CHECK(properties.value(QStringLiteral("Model"), QStringLiteral("Opset"))
          == QStringLiteral("17"));
    CHECK(properties.value(QStringLiteral("Inputs"), QStringLiteral("input"))
          == QStringLiteral("float32 batch×1×28×28"));

    shown.view.selectBox(1);
    properties.showSelectionOf(shown.view);
    CHECK(properties.title() == QStringLiteral("Group"));
    CHECK(properties.value(QStringLiteral("Group"), QStringLiteral("Path"))
          == QStringLiteral("features"));
    CHECK(properties.value(QStringLiteral("Group"), QStringLiteral("Members"))
          == QStringLiteral("2 nodes"));

    properties.showNode(*shown.graph, 0);
    CHECK(properties.title() == QStringLiteral("Conv"));
    CHECK(properties.value(QStringLiteral("Node"), QStringLiteral("Scope"))
          == QStringLiteral("features"));
    CHECK(properties.value(QStringLiteral("Attributes"), QStringLiteral("kernel_shape"))
          == QStringLiteral("[5, 5]"));
    CHECK(properties.value(QStringLiteral("Parameters"), QStringLiteral("features.conv1.weight"))
          == QStringLiteral("float32 6×1×5×5 · 150 elements"));
    CHECK(properties.value(QStringLiteral("Inputs"), QStringLiteral("input"))
          == QStringLiteral("float32 batch×1×28×28"));
    CHECK(properties.value(QStringLiteral("Outputs"), QStringLiteral("/features/conv1/Conv_out"))
          == QStringLiteral("float32 1×6×28×28"));

    shown.view.selectBox(0);
    properties.showSelectionOf(shown.view);
    CHECK(properties.title() == QStringLiteral("Input"));
    CHECK(properties.value(QStringLiteral("Input"), QStringLiteral("Shape"))
          == QStringLiteral("batch×1×28×28"));
}

TEST_CASE("The graph tab searches as the user types and shows the banner", "[views]")
{
    views::GraphPanel panel;
    panel.resize(900, 700);
    panel.show();
    panel.view().setGraph(smallGraph(), expandedLayout(), {"features"});
    CHECK(panel.matchText().isEmpty());

    QTest::keyClicks(&panel.searchField(), QStringLiteral("relu"));
    CHECK(panel.matchText() == QStringLiteral("1 of 2"));
    QTest::keyClick(&panel.searchField(), Qt::Key_Return);
    CHECK(panel.matchText() == QStringLiteral("2 of 2"));
    CHECK(panel.view().selectedNode() == 3);
    panel.searchField().setText(QStringLiteral("nothing like it"));
    CHECK(panel.matchText() == QStringLiteral("No match"));

    CHECK(panel.banner().isEmpty());
    panel.setBanner(QStringLiteral("Viewing only: no Torchlight equivalent for Loop"));
    CHECK(panel.banner().contains(QStringLiteral("Loop")));
}

TEST_CASE("A graph too tall to fit readably opens at its inputs at a readable zoom", "[views]")
{
    graphviz::GraphLayout tall = expandedLayout();
    tall.height = 3000;
    ShownView shown(tall, {"features"});
    INFO("zoom " << shown.view.zoom());
    CHECK(shown.view.zoom() == Approx(0.75));
    QGraphicsView &canvas = canvasOf(shown.view);
    // The top of the graph (its inputs) is in view.
    CHECK(canvas.mapToScene(0, 0).y() <= shown.view.graphRect().top() + 1);

    // Until the user moves it, the opening view follows the viewport's size.
    shown.view.resize(800, 5000);
    QCoreApplication::processEvents();
    CHECK(shown.view.zoom() > 0.75);
    shown.view.zoomIn();
    const double zoomed = shown.view.zoom();
    shown.view.resize(800, 600);
    QCoreApplication::processEvents();
    CHECK(shown.view.zoom() == Approx(zoomed));
}
