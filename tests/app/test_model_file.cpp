// Model files in the Graph tab (issue 5), end to end: real ONNX files (the PyTorch fixtures and
// ones written here through model::exportOnnx) read by model/, laid out by Graphviz on the lane
// and shown in the real GraphView; TorchScript through the real worker; exports.
#include "app/dataset_controller.h"
#include "app/debugger_controller.h"
#include "app/experiment_file.h"
#include "app/graphviz_lane.h"
#include "app/main_window.h"
#include "app/model_export.h"
#include "app/model_file_controller.h"
#include "app/model_menu.h"
#include "app/training_controller.h"
#include "app/training_session.h"
#include "app/worker_path.h"
#include "app_test_support.h"
#include "model/graph_analysis.h"
#include "model/onnx_export.h"
#include "model/onnx_model.h"
#include "model/templates.h"
#include "views/debugger_panel.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/node_properties.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QDropEvent>
#include <QFile>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <map>

using namespace tl;
using namespace tl::app::testing;

namespace {

constexpr int kOpenTimeoutMs = 60'000;
constexpr int kWorkerTimeoutMs = 180'000;

const QString kLenetOnnx = QStringLiteral(TL_SHARED_DIR "/fixtures/onnx/lenet.onnx");
const QString kLenetTorchScript =
    QStringLiteral(TL_SHARED_DIR "/fixtures/torchscript/lenet.torchscript.pt");

// The lane, a view and the controller, as the main window wires them.
struct Harness
{
    app::GraphvizLane lane;
    views::GraphView view;
    app::ModelFileController controller{lane, view, app::workerPath()};
    QSignalSpy shown{&controller, &app::ModelFileController::graphShown};
    QSignalSpy failed{&controller, &app::ModelFileController::loadFailed};

    Harness() { view.resize(900, 700); }

    bool openAndWait(const QString &path, int timeoutMs = kOpenTimeoutMs)
    {
        controller.open(path);
        return waitUntil([this] { return !controller.isBusy(); }, timeoutMs);
    }
};

int countBoxes(const views::GraphView &view, graphviz::BoxKind kind)
{
    int count = 0;
    for (const graphviz::Box &box : view.layout().boxes) {
        count += box.kind == kind ? 1 : 0;
    }
    return count;
}

// The LeNet template with made-up weights, exported by model/ to dir/name.
QString writeTemplateOnnx(const QTemporaryDir &dir, const QString &name)
{
    base::Result<proto::ModelGraph> graph = model::makeTemplate("lenet", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    base::Result<model::GraphAnalysis> analysis = model::analyzeGraph(graph.value());
    REQUIRE(analysis.ok());
    std::map<std::string, model::ParameterData> weights;
    for (const proto::Node &node : graph.value().nodes()) {
        const model::NodeAnalysis *analysed = analysis.value().node(node.name());
        const model::NodeAnalysis *input =
            analysed->inputs.empty() ? nullptr : analysis.value().node(analysed->inputs.front());
        for (const model::ParameterSpec &spec :
             model::nodeParameters(node, input ? input->outputShape : model::Shape{})) {
            std::size_t count = 1;
            for (std::int64_t dim : spec.shape) {
                count *= static_cast<std::size_t>(dim);
            }
            weights[node.name() + "." + spec.name] = {spec.shape, std::vector<float>(count, 0.01f)};
        }
    }
    base::Result<std::string> bytes =
        model::exportOnnx(graph.value(), analysis.value(),
                          [&weights](const std::string &node,
                                     const std::string &param) -> const model::ParameterData * {
                              const auto found = weights.find(node + "." + param);
                              return found == weights.end() ? nullptr : &found->second;
                          });
    REQUIRE(bytes.ok());
    QString path = dir.filePath(name);
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(bytes.value().data(), static_cast<qint64>(bytes.value().size()));
    return path;
}

QString writeBytes(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QString path = dir.filePath(name);
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    return path;
}

// Whether this build's worker knows a subcommand (the worker side lands separately).
bool workerSupports(const QString &subcommand)
{
    QProcess worker;
    worker.start(app::workerPath(), {QStringLiteral("--help")});
    if (!worker.waitForFinished(30'000)) {
        return false;
    }
    return QString::fromUtf8(worker.readAllStandardOutput()).contains(subcommand);
}

} // namespace

TEST_CASE("The LeNet ONNX fixture opens as a laid-out graph with every node on a card", "[app]")
{
    if (!QFile::exists(kLenetOnnx)) {
        WARN("skipped: " << kLenetOnnx.toStdString() << " is absent (../shared/fixtures)");
        return;
    }
    Harness h;
    QSignalSpy opened(&h.controller, &app::ModelFileController::fileOpened);
    REQUIRE(h.openAndWait(kLenetOnnx));
    INFO(h.failed.value(0).value(0).toString().toStdString());
    REQUIRE(h.shown.count() == 1);
    REQUIRE(h.view.graph());
    const proto::ViewGraph &graph = *h.view.graph();
    CHECK(graph.format() == "onnx");
    CHECK(graph.opset() == 17);
    // A small graph opens with every group expanded: one card per node, input and output.
    CHECK(countBoxes(h.view, graphviz::BoxKind::Node) == graph.nodes_size());
    CHECK(countBoxes(h.view, graphviz::BoxKind::Input) == graph.inputs_size());
    CHECK(countBoxes(h.view, graphviz::BoxKind::Output) == graph.outputs_size());
    CHECK(h.view.layout().edges.size() >= static_cast<std::size_t>(graph.nodes_size()));
    CHECK(h.shown.at(0).at(0).toString().contains(QStringLiteral("lenet.onnx")));
    CHECK(h.shown.at(0).at(1).toString().isEmpty()); // every op runs: not "viewing only"
    REQUIRE(opened.count() == 1);
    CHECK(opened.at(0).at(0).toString() == kLenetOnnx);
    CHECK(h.controller.hasFile());

    // Collapsing a group lays the same graph out again with a group card in its place.
    const graphviz::GroupTree tree = graphviz::groupTree(graph);
    REQUIRE_FALSE(tree.groups.empty());
    const std::string group = tree.groups.front();
    emit h.view.groupToggleRequested(QString::fromStdString(group));
    REQUIRE(waitUntil([&] { return h.shown.count() == 2; }, kOpenTimeoutMs));
    CHECK(h.view.expandedGroups().count(group) == 0);
    CHECK(countBoxes(h.view, graphviz::BoxKind::Group) >= 1);
    CHECK(opened.count() == 1); // the same file, laid out again
}

TEST_CASE("An ONNX file written by model::exportOnnx opens with one card per node", "[app]")
{
    QTemporaryDir dir;
    const QString path = writeTemplateOnnx(dir, QStringLiteral("written.onnx"));
    Harness h;
    REQUIRE(h.openAndWait(path));
    INFO(h.failed.value(0).value(0).toString().toStdString());
    REQUIRE(h.view.graph());
    const int nodes = h.view.graph()->nodes_size();
    CHECK(nodes >= 8); // conv, relu, pool twice, flatten, linear layers
    CHECK(countBoxes(h.view, graphviz::BoxKind::Node) == nodes);
    CHECK(h.view.layout().boxes.size()
          == static_cast<std::size_t>(nodes + h.view.graph()->inputs_size()
                                      + h.view.graph()->outputs_size()));
    CHECK(h.controller.file() == path);
}

TEST_CASE("A corrupt model file shows an error naming it and the open graph stays", "[app]")
{
    QTemporaryDir dir;
    const QString good = writeTemplateOnnx(dir, QStringLiteral("good.onnx"));
    const QString broken = writeBytes(dir, QStringLiteral("broken.onnx"),
                                      QByteArray("this is not a protobuf \xff\xfe", 25));
    Harness h;
    REQUIRE(h.openAndWait(good));
    const std::shared_ptr<const proto::ViewGraph> before = h.view.graph();
    REQUIRE(before);

    REQUIRE(h.openAndWait(broken));
    REQUIRE(h.failed.count() == 1);
    CHECK(h.failed.at(0).at(0).toString().contains(QStringLiteral("broken.onnx")));
    CHECK(h.view.graph() == before);
    CHECK(h.controller.file() == good);

    // A file of another kind is refused by name before anything reads it.
    REQUIRE(h.openAndWait(writeBytes(dir, QStringLiteral("notes.txt"), "hello")));
    REQUIRE(h.failed.count() == 2);
    CHECK(h.failed.at(1).at(0).toString().contains(QStringLiteral("notes.txt")));
    CHECK(h.view.graph() == before);

    // A TorchScript file the worker cannot read fails the same way.
    REQUIRE(h.openAndWait(writeBytes(dir, QStringLiteral("garbage.pt"), "PK not a zip"),
                          kWorkerTimeoutMs));
    REQUIRE(h.failed.count() == 3);
    CHECK(h.failed.at(2).at(0).toString().contains(QStringLiteral("garbage.pt")));
    CHECK(h.view.graph() == before);
}

TEST_CASE("Cancelling an open keeps the graph on screen and a later open still works", "[app]")
{
    QTemporaryDir dir;
    const QString first = writeTemplateOnnx(dir, QStringLiteral("first.onnx"));
    const QString second = writeTemplateOnnx(dir, QStringLiteral("second.onnx"));
    Harness h;
    REQUIRE(h.openAndWait(first));
    const std::shared_ptr<const proto::ViewGraph> before = h.view.graph();
    QSignalSpy cancelled(&h.controller, &app::ModelFileController::loadCancelled);

    h.controller.open(second);
    CHECK(h.controller.isBusy());
    CHECK(h.controller.isOpeningFile());
    h.controller.cancel();
    CHECK(cancelled.count() == 1);
    CHECK_FALSE(h.controller.isBusy());
    CHECK(h.view.graph() == before);
    CHECK(h.controller.file() == first);

    REQUIRE(h.openAndWait(second));
    CHECK(h.controller.file() == second);
    CHECK(h.view.graph() != before);
    CHECK(h.failed.isEmpty());
}

TEST_CASE("The canvas model is shown as a graph of format torchlight", "[app]")
{
    base::Result<proto::ModelGraph> lenet = model::makeTemplate("lenet", {1, 28, 28}, 10);
    REQUIRE(lenet.ok());
    Harness h;
    h.controller.showCanvasModel(lenet.value(), QStringLiteral("lenet"));
    REQUIRE(waitUntil([&] { return h.shown.count() == 1; }, kOpenTimeoutMs));
    REQUIRE(h.view.graph());
    CHECK(h.view.graph()->format() == "torchlight");
    CHECK_FALSE(h.controller.hasFile());
    CHECK(countBoxes(h.view, graphviz::BoxKind::Node) == h.view.graph()->nodes_size());
    CHECK(h.shown.at(0).at(0).toString().contains(QStringLiteral("Canvas model")));

    proto::ModelGraph broken = lenet.value();
    broken.mutable_nodes(1)->clear_inputs();
    QSignalSpy unavailable(&h.controller, &app::ModelFileController::canvasModelUnavailable);
    h.controller.showCanvasModel(broken, QStringLiteral("broken"));
    CHECK(unavailable.count() == 1);
}

TEST_CASE("A model with ops Torchlight cannot run says it is for viewing only", "[app]")
{
    proto::ViewGraph graph;
    CHECK(app::ModelFileController::viewOnlyText(graph).isEmpty());
    graph.add_blocking_ops("Loop");
    graph.add_blocking_ops("NonMaxSuppression");
    CHECK(app::ModelFileController::viewOnlyText(graph)
          == QStringLiteral("Viewing only: no Torchlight equivalent for Loop, NonMaxSuppression"));
    CHECK(app::ModelFileController::isModelFile(QStringLiteral("/x/model.ONNX")));
    CHECK(app::ModelFileController::isModelFile(QStringLiteral("m.pth")));
    CHECK_FALSE(app::ModelFileController::isModelFile(QStringLiteral("train.csv")));
}

TEST_CASE("A TorchScript file opens through the real worker's inspect-model", "[app]")
{
    if (!QFile::exists(kLenetTorchScript)) {
        WARN("skipped: " << kLenetTorchScript.toStdString() << " is absent (../shared/fixtures)");
        return;
    }
    if (!workerSupports(QStringLiteral("inspect-model"))) {
        WARN("skipped: " << app::workerPath().toStdString() << " has no inspect-model yet");
        return;
    }
    Harness h;
    REQUIRE(h.openAndWait(kLenetTorchScript, kWorkerTimeoutMs));
    INFO(h.failed.value(0).value(0).toString().toStdString());
    REQUIRE(h.view.graph());
    CHECK(h.view.graph()->format() == "torchscript");
    CHECK(h.view.graph()->nodes_size() > 0);
    CHECK_FALSE(h.view.layout().boxes.empty());
    CHECK(h.shown.at(0).at(0).toString().contains(QStringLiteral("TorchScript")));
}

TEST_CASE("The graph exports as SVG and PNG files, and the canvas model as ONNX", "[app]")
{
    QTemporaryDir dir;
    Harness h;
    REQUIRE(h.openAndWait(writeTemplateOnnx(dir, QStringLiteral("m.onnx"))));
    app::ModelExporter exporter(app::workerPath());
    QSignalSpy exported(&exporter, &app::ModelExporter::exported);
    QSignalSpy failed(&exporter, &app::ModelExporter::exportFailed);

    const QString svg = dir.filePath(QStringLiteral("graph.svg"));
    exporter.writeSvg(svg, h.view.renderSvg());
    REQUIRE(waitUntil([&] { return exported.count() + failed.count() == 1; }, kOpenTimeoutMs));
    REQUIRE(exported.count() == 1);
    QFile svgFile(svg);
    REQUIRE(svgFile.open(QIODevice::ReadOnly));
    CHECK(svgFile.readAll().contains("<svg"));

    const QString png = dir.filePath(QStringLiteral("graph.png"));
    const QImage image = h.view.renderImage(1.0);
    exporter.writePng(png, image);
    REQUIRE(waitUntil([&] { return exported.count() + failed.count() == 2; }, kOpenTimeoutMs));
    CHECK(QImage(png).size() == image.size());

    exporter.writeSvg(dir.filePath(QStringLiteral("no/such/folder/graph.svg")), "<svg/>");
    REQUIRE(waitUntil([&] { return failed.count() == 1; }, kOpenTimeoutMs));
    CHECK(failed.at(0).at(0).toString().contains(QStringLiteral("graph.svg")));

    if (!workerSupports(QStringLiteral("export-onnx"))) {
        WARN("skipped the ONNX export: " << app::workerPath().toStdString()
                                         << " has no export-onnx yet");
        return;
    }
    base::Result<proto::ExperimentSpec> sample = app::loadExperiment(app::kSampleExperiment);
    REQUIRE(sample.ok());
    const QString onnx = dir.filePath(QStringLiteral("exported.onnx"));
    exporter.exportOnnx(sample.value(), {}, onnx);
    REQUIRE(
        waitUntil([&] { return exported.count() == 3 || failed.count() == 2; }, kWorkerTimeoutMs));
    INFO(failed.value(1).value(0).toString().toStdString());
    REQUIRE(exported.count() == 3);
    CHECK(model::readOnnxModel(onnx.toStdString()).ok());
}

TEST_CASE("The main window opens a model from the menu path and from a drop", "[app]")
{
    QTemporaryDir data;
    const QString written = writeTemplateOnnx(data, QStringLiteral("dropped.onnx"));
    const auto opened =
        openWindow(data, writeShortSample(data, QStringLiteral("short"), 100, 100, 1), written);
    app::MainWindow &window = *opened;

    REQUIRE(waitUntil([&] { return window.modelFiles().hasFile(); }, kOpenTimeoutMs));
    CHECK(window.centralTabs().currentWidget() == &window.graphPanel());
    CHECK(window.graphPanel().title().contains(QStringLiteral("dropped.onnx")));
    CHECK(window.modelMenu().recent().value(0) == QFileInfo(written).absoluteFilePath());
    window.graphPanel().view().selectNode(0);
    CHECK(window.nodeProperties().title()
          == QString::fromStdString(window.graphPanel().view().graph()->nodes(0).op()));

    // A dropped corrupt .onnx is reported by name; the graph stays.
    const std::shared_ptr<const proto::ViewGraph> before = window.graphPanel().view().graph();
    const QString broken = writeBytes(data, QStringLiteral("dropped-broken.onnx"), "garbage");
    // What the status bar says when the failure arrives (later dataset news may replace it).
    QString shownError;
    QObject::connect(&window.modelFiles(), &app::ModelFileController::loadFailed, &window,
                     [&] { shownError = window.statusBar()->currentMessage(); });
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(broken)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    REQUIRE(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    REQUIRE(waitUntil([&] { return !shownError.isEmpty(); }, kOpenTimeoutMs));
    CHECK(shownError.contains(QStringLiteral("dropped-broken.onnx")));
    CHECK(window.graphPanel().view().graph() == before);
}

TEST_CASE("The command line takes --open-model", "[app]")
{
    auto line = app::parseCommandLine({QStringLiteral("torchlight"), QStringLiteral("--open-model"),
                                       QStringLiteral("lenet.onnx")});
    REQUIRE(line.ok());
    CHECK(line.value().openModel == QStringLiteral("lenet.onnx"));
    CHECK(app::usageText().contains(QStringLiteral("--open-model")));
}

TEST_CASE("An opened ONNX model fine-tunes from the Run menu, and one with blocking ops cannot",
          "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString onnx = writeTemplateOnnx(data, QStringLiteral("tuned.onnx"));
    const auto opened =
        openWindow(data, writeShortSample(data, QStringLiteral("short"), 256, 100, 1));
    app::MainWindow &window = *opened;
    QAction &fineTune = window.fineTuneAction();
    CHECK_FALSE(fineTune.isEnabled()); // no model file yet
    CHECK(fineTune.toolTip().contains(QStringLiteral("Ctrl+M")));
    // The Graph tab's tool row carries the same action as a button.
    CHECK(window.graphPanel().findChild<QToolButton *>(QStringLiteral("fineTuneActionButton")));

    REQUIRE(waitUntil([&] { return window.datasets().hasDataset(); }, kOpenTimeoutMs));
    window.openModel(onnx);
    REQUIRE(waitUntil([&] { return window.modelFiles().hasFile(); }, kOpenTimeoutMs));
    REQUIRE(fineTune.isEnabled());
    CHECK(fineTune.toolTip().contains(QStringLiteral("tuned.onnx")));

    QSignalSpy finished(&window.training(), &app::TrainingController::runFinished);
    fineTune.trigger();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, kWorkerTimeoutMs));
    INFO("final message: " << finished.at(0).at(2).toString().toStdString());
    REQUIRE(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_COMPLETED);
    const std::filesystem::path runDir = window.training().session()->runDir();
    CHECK(std::filesystem::exists(runDir / "model.onnx"));
    CHECK(model::readOnnxModel(runDir / "model.onnx").ok());
    base::Result<proto::ExperimentSpec> ran =
        app::loadExperiment(QString::fromStdString((runDir / "experiment.pbtxt").string()));
    REQUIRE(ran.ok());
    CHECK(ran.value().model_file() == onnx.toStdString());
    CHECK(ran.value().name() == "tuned.onnx on fashion-mnist");
    CHECK(fineTune.isEnabled());

    // Debug ▸ Debug Opened Model: the same fine-tuning, stopped at the ONNX graph's first node.
    QAction &debugOpened = window.debugOpenedAction();
    REQUIRE(debugOpened.isEnabled());
    debugOpened.trigger();
    REQUIRE(waitUntil([&] { return window.debugger().isStopped(); }, kWorkerTimeoutMs));
    const proto::DebugEvent stop = window.debuggerPanel().lastStop();
    CHECK(stop.reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(stop.node_index() == 0);
    CHECK(stop.nodes_size() > 2);
    CHECK(stop.node() == stop.nodes(0));
    window.training().stop();
    REQUIRE(waitUntil([&] { return finished.count() == 2; }, kWorkerTimeoutMs));
    CHECK(finished.at(1).at(1).value<proto::RunState>() == proto::RUN_STATE_STOPPED);

    // The run's experiment file, opened again, shows its model file ready to fine-tune.
    window.modelMenu().canvasAction()->trigger();
    REQUIRE(waitUntil([&] { return !window.modelFiles().hasFile(); }, kOpenTimeoutMs));
    CHECK_FALSE(fineTune.isEnabled());
    window.openExperiment(QString::fromStdString((runDir / "experiment.pbtxt").string()));
    REQUIRE(waitUntil([&] { return window.modelFiles().file() == onnx; }, kOpenTimeoutMs));
    CHECK(fineTune.isEnabled());

    // A model with an op Torchlight cannot run opens for viewing; fine-tuning names the op.
    onnx::ModelProto blocked = model::readOnnxModel(onnx.toStdString()).value().proto();
    onnx::NodeProto *hardmax = blocked.mutable_graph()->add_node();
    const std::string last = blocked.graph().output(0).name();
    blocked.mutable_graph()->mutable_output(0)->set_name("hard");
    hardmax->set_op_type("Hardmax");
    hardmax->set_name("/head/Hardmax");
    hardmax->add_input(last);
    hardmax->add_output("hard");
    const QString blockedPath = writeBytes(data, QStringLiteral("blocked.onnx"),
                                           QByteArray::fromStdString(blocked.SerializeAsString()));
    window.openModel(blockedPath);
    REQUIRE(waitUntil(
        [&] { return window.modelFiles().file() == blockedPath && !window.modelFiles().isBusy(); },
        kOpenTimeoutMs));
    CHECK_FALSE(fineTune.isEnabled());
    CHECK(fineTune.toolTip().contains(QStringLiteral("Hardmax")));
    CHECK_FALSE(window.debugOpenedAction().isEnabled());
    CHECK(window.debugOpenedAction().toolTip().contains(QStringLiteral("Hardmax")));
    window.fineTuneOpenedModel(); // the shortcut's path when the action is disabled is the same
    CHECK(window.statusBar()->currentMessage().contains(QStringLiteral("Hardmax")));
    CHECK(finished.count() == 2);
}
