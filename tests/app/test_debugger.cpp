// The step debugger from the window, with a real worker: Debug ▸ Start Debugging stops the run
// at its first node, Step moves one node, an inspection fills the tensor inspector, and
// Continue lets the run go on; the Debug menu's actions follow the run's state.

#include "app/dataset_controller.h"
#include "app/debugger_controller.h"
#include "app/main_window.h"
#include "app/training_controller.h"
#include "app/training_session.h"
#include "app_test_support.h"
#include "proto/record_io.h"
#include "views/debugger_panel.h"
#include "views/graph_panel.h"
#include "views/graph_view.h"
#include "views/tensor_inspector.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QCheckBox>
#include <QDockWidget>
#include <QListWidget>
#include <QSignalSpy>

#include <algorithm>

using namespace tl;
using namespace tl::app::testing;

namespace {

int debugEventsIn(const std::filesystem::path &events)
{
    int count = 0;
    auto scan = proto::scanRecordFile(events, 0, [&](std::string_view payload, std::uint64_t) {
        proto::RunEvent event;
        REQUIRE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
        count += event.has_debug() ? 1 : 0;
        return base::okStatus();
    });
    REQUIRE(scan.ok());
    return count;
}

} // namespace

// TL_SCREENSHOT_DEBUGGER=/tmp/x.png also saves the window while stopped at the inspection.
TEST_CASE("Start Debugging stops a real run at its first node, and Step, an inspection and "
          "Continue work from the window",
          "[app][debugger]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("debugged"), 6000, 500, 100);
    auto window = openWindow(data, experiment);
    REQUIRE(waitUntil([&] { return window->datasets().hasDataset(); }, 60'000));
    views::DebuggerPanel &panel = window->debuggerPanel();
    app::DebuggerController &debugger = window->debugger();
    CHECK(window->debugAction().isEnabled());
    CHECK_FALSE(window->stepAction().isEnabled());
    CHECK_FALSE(window->breakAction().isEnabled());

    QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
    window->debugAction().trigger();
    REQUIRE(waitUntil([&] { return debugger.isStopped(); }, 60'000));
    const proto::DebugEvent first = panel.lastStop();
    CHECK(first.reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(first.step() == 1);
    CHECK(first.node_index() == 0);
    CHECK(first.nodes_size() >= 3);
    CHECK(first.nodes(first.nodes_size() - 1) == "loss");
    CHECK(panel.isStopped());
    CHECK(panel.currentNodeRow() == 0);
    CHECK(window->debugAction().text() == QStringLiteral("&Continue"));
    CHECK(window->stepAction().isEnabled());
    CHECK_FALSE(window->breakAction().isEnabled());
    CHECK(window->findChild<QDockWidget *>(QStringLiteral("debuggerDock"))->isVisible());
    CHECK(window->training().session()->isPaused()); // the run is held, and says so

    // F10: one node on, still the forward pass of step 1.
    window->stepAction().trigger();
    REQUIRE(waitUntil([&] { return panel.lastStop().node_index() == 1; }, 30'000));
    CHECK(panel.lastStop().reason() == proto::DebugEvent::REASON_STEP);
    CHECK(panel.lastStop().phase() == proto::DebugEvent::PHASE_FORWARD);
    CHECK(panel.currentNodeRow() == 1);
    CHECK(panel.inspector()->name().toStdString() == panel.lastStop().tensor().name());
    // The Graph tab shows the canvas model: the stop's node is selected there.
    views::GraphView &graph = window->graphPanel().view();
    REQUIRE(graph.graph() != nullptr);
    REQUIRE(graph.selectedNode() >= 0);
    CHECK(graph.graph()->nodes(graph.selectedNode()).name() == panel.lastStop().node());

    // Any parameter can be inspected; the stop stays where it was.
    const auto &tensors = panel.lastStop().tensors();
    const auto weight = std::find_if(tensors.begin(), tensors.end(), [](const std::string &name) {
        return name.ends_with(".weight");
    });
    REQUIRE(weight != tensors.end());
    const QString weightName = QString::fromStdString(*weight);
    debugger.inspect(weightName);
    REQUIRE(waitUntil([&] { return panel.inspector()->name() == weightName; }, 30'000));
    CHECK(panel.inspector()->snapshot().count() > 0);
    CHECK(panel.lastStop().node_index() == 1);
    CHECK(debugger.isStopped());
    if (const QString shot = qEnvironmentVariable("TL_SCREENSHOT_DEBUGGER"); !shot.isEmpty()) {
        window->resize(1600, 1000);
        REQUIRE(window->grab().save(shot));
    }

    // F5 while stopped: Continue. The run trains on and the actions follow.
    window->debugAction().trigger();
    REQUIRE(waitUntil([&] { return !debugger.isStopped(); }, 30'000));
    CHECK_FALSE(panel.isStopped());
    CHECK(window->breakAction().isEnabled());
    CHECK(window->debugAction().text() == QStringLiteral("Start &Debugging"));
    CHECK_FALSE(window->debugAction().isEnabled()); // a run trains: F5 starts nothing else

    // F8: Break stops it again at the start of a later step.
    window->breakAction().trigger();
    REQUIRE(waitUntil([&] { return debugger.isStopped(); }, 30'000));
    CHECK(panel.lastStop().reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(panel.lastStop().step() > 1);

    window->training().stop();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 60'000));
    CHECK(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_STOPPED);
    CHECK_FALSE(debugger.isStopped());
    CHECK_FALSE(window->stepAction().isEnabled());
    CHECK(window->debugAction().isEnabled());
    // BREAK, STEP, INSPECTED, LEFT, BREAK, LEFT: the run's record keeps every one.
    CHECK(debugEventsIn(window->training().session()->runDir() / "events.tlog") == 6);
}

TEST_CASE("The debugger panel's NaN/Inf switch travels with the next run's spec", "[app][debugger]")
{
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("settings"), 600, 100, 1);
    auto window = openWindow(data, experiment);
    auto *check = window->debuggerPanel().findChild<QCheckBox *>(QStringLiteral("nonfiniteCheck"));
    REQUIRE(check != nullptr);
    check->setChecked(true);
    // Before any run the panel lists the canvas model's nodes, so breakpoints can be set ahead.
    auto *nodes = window->debuggerPanel().findChild<QListWidget *>(QStringLiteral("nodeList"));
    REQUIRE(nodes != nullptr);
    REQUIRE(waitUntil([&] { return nodes->count() >= 3; }, 30'000)); // once the experiment loads
    CHECK(nodes->item(nodes->count() - 1)->text() == QStringLiteral("loss"));
    const QString second = nodes->item(1)->text(); // no stop has marked it yet
    nodes->item(1)->setCheckState(Qt::Checked);
    const proto::DebugSettings plain = window->debugger().startSettings(false);
    CHECK(plain.break_on_nonfinite());
    REQUIRE(plain.break_at_nodes_size() == 1);
    CHECK(QString::fromStdString(plain.break_at_nodes(0)) == second);
    CHECK_FALSE(plain.break_at_start());
    CHECK(window->debugger().startSettings(true).break_at_start());
    CHECK(window->debugger().targetRun() == 0); // no run: nothing to send the change to
}
