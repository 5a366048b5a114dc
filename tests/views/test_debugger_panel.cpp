#include "views/debugger_panel.h"
#include "views/tensor_inspector.h"

#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace tl;

namespace {

const std::vector<std::string> kNodes = {"input", "flatten", "fc1", "relu1", "fc2", "loss"};

// A 64×128 float tensor: statistics as the worker computes them, its first 4096 values
// (values[i] = i / 1000 - 2, so a cell tells where it came from) and 16 histogram bins.
proto::TensorSnapshot wideTensor(const std::string &name)
{
    proto::TensorSnapshot t;
    t.set_name(name);
    t.add_shape(64);
    t.add_shape(128);
    t.set_dtype("float32");
    t.set_count(64 * 128);
    t.set_min(-2.0);
    t.set_max(6.191);
    t.set_mean(2.0955);
    t.set_std(2.365);
    t.set_zero_count(1);
    for (int i = 0; i < 16; ++i) {
        t.add_histogram(static_cast<std::uint64_t>(400 + 20 * i));
    }
    for (int i = 0; i < 4096; ++i) {
        t.add_values(static_cast<float>(i) / 1000.0f - 2.0f);
    }
    return t;
}

proto::TensorSnapshot smallTensor(const std::string &name, const std::vector<std::int64_t> &shape)
{
    proto::TensorSnapshot t;
    t.set_name(name);
    t.set_dtype("float32");
    std::uint64_t count = 1;
    for (const std::int64_t d : shape) {
        t.add_shape(d);
        count *= static_cast<std::uint64_t>(d);
    }
    t.set_count(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        t.add_values(static_cast<float>(i));
    }
    t.set_min(0);
    t.set_max(static_cast<double>(count - 1));
    return t;
}

proto::DebugEvent stopAt(const std::string &node,
                         proto::DebugEvent::Phase phase,
                         proto::DebugEvent::Reason reason = proto::DebugEvent::REASON_STEP)
{
    proto::DebugEvent e;
    e.set_reason(reason);
    e.set_step(12);
    e.set_phase(phase);
    for (std::size_t i = 0; i < kNodes.size(); ++i) {
        e.add_nodes(kNodes[i]);
        if (kNodes[i] == node) {
            e.set_node_index(static_cast<std::uint32_t>(i));
        }
    }
    e.set_node(node);
    e.set_op(node == "loss" ? "cross_entropy" : node.rfind("fc", 0) == 0 ? "Linear" : "ReLU");
    const bool backward = phase == proto::DebugEvent::PHASE_BACKWARD;
    *e.mutable_tensor() = wideTensor(backward ? "grad " + node : node);
    e.add_tensors(node);
    e.add_tensors(node + ".weight");
    e.add_tensors(node + ".bias");
    if (backward) {
        e.add_tensors("grad " + node);
        e.add_tensors("grad " + node + ".weight");
    }
    return e;
}

proto::DebugEvent event(proto::DebugEvent::Reason reason)
{
    proto::DebugEvent e;
    e.set_reason(reason);
    return e;
}

template<typename T>
T *child(QWidget &parent, const char *name)
{
    T *found = parent.findChild<T *>(QString::fromLatin1(name));
    REQUIRE(found);
    return found;
}

// Whether the widget paints anything in the project's alert red (#c62828) or close to it.
bool paintsRed(QWidget *widget)
{
    const QImage image = widget->grab().toImage();
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 150 && c.green() < 100 && c.blue() < 100) {
                return true;
            }
        }
    }
    return false;
}

QStringList settingsNodes(const proto::DebugSettings &settings)
{
    QStringList nodes;
    for (const std::string &node : settings.break_at_nodes()) {
        nodes.append(QString::fromStdString(node));
    }
    return nodes;
}

} // namespace

TEST_CASE("A forward stop shows its step, phase, node and place and highlights the node",
          "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_FORWARD));
    CHECK(panel.statusText() == QStringLiteral("Step 12 · forward · fc1 (Linear) — node 3 of 6"));
    CHECK(panel.isStopped());
    CHECK(panel.lastStop().node() == "fc1");
    auto *list = child<QListWidget>(panel, "nodeList");
    REQUIRE(list->count() == 6);
    CHECK(panel.currentNodeRow() == 2);
    CHECK(list->item(2)->font().bold());
    CHECK(list->item(2)->text().contains(QStringLiteral("▶")));
    CHECK_FALSE(list->item(1)->font().bold());
    CHECK(list->item(1)->text() == QStringLiteral("flatten"));
    CHECK(list->item(5)->text() == QStringLiteral("loss"));
    CHECK(panel.inspector()->name() == QStringLiteral("fc1"));
}

TEST_CASE("A backward stop marks its node with the backward arrow and unmarks the last one",
          "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.showDebugEvent(stopAt("fc2", proto::DebugEvent::PHASE_FORWARD));
    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_BACKWARD));
    CHECK(panel.statusText() == QStringLiteral("Step 12 · backward · fc1 (Linear) — node 3 of 6"));
    auto *list = child<QListWidget>(panel, "nodeList");
    CHECK(panel.currentNodeRow() == 2);
    CHECK(list->item(2)->font().bold());
    CHECK(list->item(2)->text().contains(QStringLiteral("◀")));
    CHECK_FALSE(list->item(2)->text().contains(QStringLiteral("▶")));
    CHECK_FALSE(list->item(4)->font().bold());
    CHECK(list->item(4)->text() == QStringLiteral("fc2"));
    CHECK(panel.inspector()->name() == QStringLiteral("grad fc1"));
}

TEST_CASE("Break, Step and Continue are enabled by the run's state", "[views][debugger]")
{
    views::DebuggerPanel panel;
    auto *breakButton = child<QPushButton>(panel, "breakButton");
    auto *step = child<QPushButton>(panel, "stepButton");
    auto *cont = child<QPushButton>(panel, "continueButton");
    const auto enabled = [&] {
        return std::vector<bool>{breakButton->isEnabled(), step->isEnabled(), cont->isEnabled()};
    };
    CHECK(panel.statusText() == QStringLiteral("No run"));
    CHECK(enabled() == std::vector<bool>{false, false, false});

    panel.setAttached(true, true);
    CHECK(panel.statusText() == QStringLiteral("Running"));
    CHECK(enabled() == std::vector<bool>{true, false, false});
    CHECK_FALSE(panel.isStopped());

    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_FORWARD));
    CHECK(enabled() == std::vector<bool>{false, true, true});
    CHECK(panel.isStopped());

    panel.showDebugEvent(event(proto::DebugEvent::REASON_LEFT));
    CHECK(panel.statusText() == QStringLiteral("Running"));
    CHECK(enabled() == std::vector<bool>{true, false, false});
    CHECK_FALSE(panel.isStopped());
    // The highlight goes, the tensor stays to be read.
    CHECK(panel.currentNodeRow() == -1);
    CHECK_FALSE(child<QListWidget>(panel, "nodeList")->item(2)->font().bold());
    CHECK(panel.inspector()->name() == QStringLiteral("fc1"));
    CHECK(panel.lastStop().node() == "fc1");
    CHECK(panel.messageText().isEmpty());

    panel.setAttached(false, false);
    CHECK(panel.statusText() == QStringLiteral("No run"));
    CHECK(enabled() == std::vector<bool>{false, false, false});
}

TEST_CASE("The buttons report their clicks", "[views][debugger]")
{
    views::DebuggerPanel panel;
    QSignalSpy breaks(&panel, &views::DebuggerPanel::breakClicked);
    QSignalSpy steps(&panel, &views::DebuggerPanel::stepClicked);
    QSignalSpy continues(&panel, &views::DebuggerPanel::continueClicked);
    panel.setAttached(true, true);
    child<QPushButton>(panel, "breakButton")->click();
    child<QPushButton>(panel, "stepButton")->click(); // disabled while running: no signal
    panel.showDebugEvent(
        stopAt("input", proto::DebugEvent::PHASE_FORWARD, proto::DebugEvent::REASON_BREAK));
    child<QPushButton>(panel, "stepButton")->click();
    child<QPushButton>(panel, "continueButton")->click();
    CHECK(breaks.count() == 1);
    CHECK(steps.count() == 1);
    CHECK(continues.count() == 1);
}

TEST_CASE("A stop on NaN or Inf shows the worker's message in red", "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.resize(420, 700);
    panel.show();
    auto *message = child<QLabel>(panel, "debugMessage");

    proto::DebugEvent step = stopAt("fc1", proto::DebugEvent::PHASE_FORWARD);
    step.set_message("Stepped to fc1.");
    panel.showDebugEvent(step);
    CHECK(panel.messageText() == QStringLiteral("Stepped to fc1."));
    CHECK_FALSE(paintsRed(message));

    proto::DebugEvent nan =
        stopAt("fc2", proto::DebugEvent::PHASE_FORWARD, proto::DebugEvent::REASON_NONFINITE);
    nan.set_message("NaN in the output of fc2 (Linear): 3 of 8192 values.");
    panel.showDebugEvent(nan);
    CHECK(panel.messageText()
          == QStringLiteral("NaN in the output of fc2 (Linear): 3 of 8192 values."));
    CHECK(message->isVisible());
    CHECK(paintsRed(message));
}

TEST_CASE("Checking a node reports settings with a breakpoint at that node", "[views][debugger]")
{
    views::DebuggerPanel panel;
    proto::DebugSettings start;
    start.set_break_on_nonfinite(true);
    start.add_break_at_nodes("conv9"); // a node this model does not list: kept
    panel.setSettings(start);
    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_FORWARD));
    QSignalSpy changed(&panel, &views::DebuggerPanel::settingsChanged);
    auto *list = child<QListWidget>(panel, "nodeList");
    REQUIRE(list->item(3)->flags().testFlag(Qt::ItemIsUserCheckable));

    list->item(3)->setCheckState(Qt::Checked);
    REQUIRE(changed.count() == 1);
    auto settings = changed.at(0).at(0).value<proto::DebugSettings>();
    CHECK(settingsNodes(settings) == QStringList{QStringLiteral("relu1"), QStringLiteral("conv9")});
    CHECK(settings.break_on_nonfinite());
    CHECK(settingsNodes(panel.settings()) == settingsNodes(settings));

    list->item(3)->setCheckState(Qt::Unchecked);
    REQUIRE(changed.count() == 2);
    settings = changed.at(1).at(0).value<proto::DebugSettings>();
    CHECK(settingsNodes(settings) == QStringList{QStringLiteral("conv9")});
}

TEST_CASE("Settings given to the panel check their nodes without reporting a change",
          "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_FORWARD));
    QSignalSpy changed(&panel, &views::DebuggerPanel::settingsChanged);
    proto::DebugSettings settings;
    settings.add_break_at_nodes("fc2");
    settings.set_break_on_nonfinite(true);
    panel.setSettings(settings);
    auto *list = child<QListWidget>(panel, "nodeList");
    CHECK(list->item(4)->checkState() == Qt::Checked);
    CHECK(list->item(2)->checkState() == Qt::Unchecked);
    CHECK(child<QCheckBox>(panel, "nonfiniteCheck")->isChecked());
    CHECK(changed.count() == 0);
    // The next stop keeps the checks.
    panel.showDebugEvent(stopAt("relu1", proto::DebugEvent::PHASE_FORWARD));
    CHECK(list->item(4)->checkState() == Qt::Checked);
    CHECK(changed.count() == 0);
}

TEST_CASE("Nodes listed before the first stop take breakpoints, and the stop keeps them",
          "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.setNodes({QStringLiteral("input"), QStringLiteral("flatten"), QStringLiteral("fc1"),
                    QStringLiteral("relu1"), QStringLiteral("fc2"), QStringLiteral("loss")});
    auto *list = child<QListWidget>(panel, "nodeList");
    REQUIRE(list->count() == 6);
    CHECK(panel.currentNodeRow() == -1); // nothing stopped yet
    QSignalSpy changed(&panel, &views::DebuggerPanel::settingsChanged);
    list->item(4)->setCheckState(Qt::Checked);
    REQUIRE(changed.count() == 1);
    CHECK(settingsNodes(changed.at(0).at(0).value<proto::DebugSettings>())
          == QStringList{QStringLiteral("fc2")});
    panel.showDebugEvent(stopAt("fc2", proto::DebugEvent::PHASE_FORWARD));
    CHECK(list->item(4)->checkState() == Qt::Checked);
    CHECK(panel.currentNodeRow() == 4);
}

TEST_CASE("The NaN/Inf check box reports break_on_nonfinite", "[views][debugger]")
{
    views::DebuggerPanel panel;
    QSignalSpy changed(&panel, &views::DebuggerPanel::settingsChanged);
    auto *check = child<QCheckBox>(panel, "nonfiniteCheck");
    check->click();
    REQUIRE(changed.count() == 1);
    CHECK(changed.at(0).at(0).value<proto::DebugSettings>().break_on_nonfinite());
    CHECK(panel.settings().break_on_nonfinite());
    check->click();
    REQUIRE(changed.count() == 2);
    CHECK_FALSE(changed.at(1).at(0).value<proto::DebugSettings>().break_on_nonfinite());
}

TEST_CASE("Choosing one of the stop's tensors asks for it", "[views][debugger]")
{
    views::DebuggerPanel panel;
    QSignalSpy requested(&panel, &views::DebuggerPanel::inspectRequested);
    auto *chooser = child<QComboBox>(panel, "tensorChooser");
    panel.setAttached(true, true);
    CHECK_FALSE(chooser->isEnabled()); // running: nothing to inspect

    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_FORWARD));
    REQUIRE(chooser->isEnabled());
    REQUIRE(chooser->count() == 3);
    CHECK(chooser->currentText() == QStringLiteral("fc1"));
    CHECK(requested.count() == 0); // filling the chooser asks for nothing

    QTest::keyClick(chooser, Qt::Key_Down);
    REQUIRE(requested.count() == 1);
    CHECK(requested.at(0).at(0).toString() == QStringLiteral("fc1.weight"));
}

TEST_CASE("An inspected tensor replaces the one shown but not the stop", "[views][debugger]")
{
    views::DebuggerPanel panel;
    panel.showDebugEvent(stopAt("fc1", proto::DebugEvent::PHASE_BACKWARD));
    const QString status = panel.statusText();

    proto::DebugEvent inspected = event(proto::DebugEvent::REASON_INSPECTED);
    *inspected.mutable_tensor() = smallTensor("fc1.weight", {3, 4});
    panel.showDebugEvent(inspected);

    CHECK(panel.inspector()->name() == QStringLiteral("fc1.weight"));
    CHECK(child<QComboBox>(panel, "tensorChooser")->currentText() == QStringLiteral("fc1.weight"));
    CHECK(panel.statusText() == status);
    CHECK(panel.isStopped());
    CHECK(panel.lastStop().node() == "fc1");
    CHECK(panel.lastStop().phase() == proto::DebugEvent::PHASE_BACKWARD);
    CHECK(panel.currentNodeRow() == 2);
    CHECK(child<QPushButton>(panel, "stepButton")->isEnabled());
}

TEST_CASE("The tensor inspector shows the header and statistics with NaN and Inf in red",
          "[views][debugger]")
{
    views::TensorInspector inspector;
    inspector.resize(420, 500);
    inspector.show();
    proto::TensorSnapshot t = wideTensor("grad fc2");
    t.set_nan_count(3);
    inspector.setSnapshot(t);
    CHECK(inspector.name() == QStringLiteral("grad fc2"));
    CHECK(inspector.headerText() == QStringLiteral("[64, 128] · float32 · 8,192 elements"));
    CHECK(child<QLabel>(inspector, "tensorMin")->text() == QStringLiteral("-2"));
    CHECK(child<QLabel>(inspector, "tensorMax")->text() == QStringLiteral("6.191"));
    CHECK(child<QLabel>(inspector, "tensorMean")->text() == QStringLiteral("2.0955"));
    CHECK(child<QLabel>(inspector, "tensorStd")->text() == QStringLiteral("2.365"));
    auto *nan = child<QLabel>(inspector, "tensorNanCount");
    auto *inf = child<QLabel>(inspector, "tensorInfCount");
    CHECK(nan->text() == QStringLiteral("3 (0.04%)"));
    CHECK(inf->text() == QStringLiteral("0"));
    CHECK(child<QLabel>(inspector, "tensorZeroCount")->text() == QStringLiteral("1 (0.01%)"));
    CHECK(paintsRed(nan));
    CHECK_FALSE(paintsRed(inf));

    t.set_nan_count(0);
    t.set_inf_count(2);
    inspector.setSnapshot(t);
    CHECK_FALSE(paintsRed(nan));
    CHECK(paintsRed(inf));
}

TEST_CASE("A rank-2 tensor's values are laid out as rows of its last dimension",
          "[views][debugger]")
{
    views::TensorInspector inspector;
    const proto::TensorSnapshot t = wideTensor("fc1");
    inspector.setSnapshot(t);
    const QAbstractItemModel *model = inspector.valuesModel();
    // 4096 of 64×128 values: 32 rows of 128, of which the first 64 columns are shown.
    REQUIRE(model->rowCount() == 32);
    REQUIRE(model->columnCount() == views::TensorInspector::kMaxColumns);
    const auto cell = [&](int r, int c) {
        return model->index(r, c).data().toString();
    };
    const auto value = [&](int i) {
        return QString::number(static_cast<double>(t.values(i)), 'g', 4);
    };
    CHECK(cell(0, 1) == value(1));
    CHECK(cell(1, 0) == value(128));
    CHECK(cell(31, 63) == value(31 * 128 + 63));
    CHECK(model->headerData(0, Qt::Vertical).toString() == QStringLiteral("0"));
    CHECK(model->headerData(63, Qt::Horizontal).toString() == QStringLiteral("63"));
    CHECK(inspector.valuesNote()
          == QStringLiteral("first 4,096 of 8,192 values · first 64 of 128 columns"));
}

TEST_CASE("A small tensor's values are all shown, a vector's in one column", "[views][debugger]")
{
    views::TensorInspector inspector;
    inspector.setSnapshot(smallTensor("fc1.bias", {3, 4}));
    const QAbstractItemModel *model = inspector.valuesModel();
    CHECK(model->rowCount() == 3);
    CHECK(model->columnCount() == 4);
    CHECK(model->index(2, 1).data().toString() == QStringLiteral("9"));
    CHECK(inspector.valuesNote() == QStringLiteral("all 12 values"));

    inspector.setSnapshot(smallTensor("fc2.bias", {10}));
    CHECK(model->rowCount() == 10);
    CHECK(model->columnCount() == 1);
    CHECK(model->index(7, 0).data().toString() == QStringLiteral("7"));

    // Rank 3: rows are named by their leading indices.
    inspector.setSnapshot(smallTensor("conv1", {2, 3, 4}));
    CHECK(model->rowCount() == 6);
    CHECK(model->headerData(5, Qt::Vertical).toString() == QStringLiteral("[1, 2]"));
    CHECK(model->index(5, 3).data().toString() == QStringLiteral("23"));
}

TEST_CASE("A non-finite value is written in red in the values table", "[views][debugger]")
{
    views::TensorInspector inspector;
    proto::TensorSnapshot t = smallTensor("fc2", {2, 2});
    t.set_values(1, std::numeric_limits<float>::quiet_NaN());
    inspector.setSnapshot(t);
    const QAbstractItemModel *model = inspector.valuesModel();
    CHECK(model->index(0, 1).data().toString() == QStringLiteral("nan"));
    CHECK(model->index(0, 1).data(Qt::ForegroundRole).value<QBrush>().color()
          == QColor(0xc6, 0x28, 0x28));
    CHECK_FALSE(model->index(0, 0).data(Qt::ForegroundRole).isValid());
}

TEST_CASE("The histogram has one bar per bin across min to max", "[views][debugger]")
{
    views::TensorInspector inspector;
    const proto::TensorSnapshot t = wideTensor("fc1");
    inspector.setSnapshot(t);
    REQUIRE(inspector.histogramBinCount() == 16);
    auto *bars = qobject_cast<QCPBars *>(inspector.histogramPlot()->plottable(0));
    REQUIRE(bars);
    const double width = (t.max() - t.min()) / 16;
    CHECK(bars->data()->at(0)->key == Approx(t.min() + width / 2));
    CHECK(bars->data()->at(15)->key == Approx(t.max() - width / 2));
    CHECK(bars->data()->at(15)->value == Approx(700));
    CHECK(bars->width() == Approx(width));
}

TEST_CASE("Clearing the inspector leaves no tensor, statistics, bars or values",
          "[views][debugger]")
{
    views::TensorInspector inspector;
    proto::TensorSnapshot t = wideTensor("fc1");
    t.set_nan_count(5);
    inspector.setSnapshot(t);
    REQUIRE_FALSE(inspector.isEmpty());
    inspector.clear();
    CHECK(inspector.isEmpty());
    CHECK(inspector.name().isEmpty());
    CHECK(inspector.headerText().isEmpty());
    CHECK(inspector.histogramBinCount() == 0);
    CHECK(inspector.valuesModel()->rowCount() == 0);
    CHECK(inspector.valuesNote().isEmpty());
    CHECK(child<QLabel>(inspector, "tensorNanCount")->text() == QStringLiteral("–"));
    CHECK_FALSE(paintsRed(child<QLabel>(inspector, "tensorNanCount")));
}
