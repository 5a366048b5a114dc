#include "app/dataset_controller.h"
#include "app/main_window.h"
#include "app/runs_controller.h"
#include "app/store_lane.h"
#include "app/training_controller.h"
#include "app/training_session.h"
#include "app/worker_path.h"
#include "app_test_support.h"
#include "proto/record_io.h"
#include "store/run_store.h"
#include "views/collapsible_section.h"
#include "views/confusion_matrix_view.h"
#include "views/evaluation_view.h"
#include "views/models/runs_table_model.h"
#include "views/scalar_chart.h"
#include "views/train_panel.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QSignalSpy>

#include <memory>

using namespace tl;
using namespace tl::app::testing;

namespace {

namespace fs = std::filesystem;

// A stand-in worker: `train` keeps the first `bytes` bytes of control records it is sent in
// <run dir>/control.bin, then exits without a terminal state. Anything else (the device probe)
// fails at once.
QString writeFakeWorker(const QTemporaryDir &dir, int bytes)
{
    QString path = dir.filePath(QStringLiteral("fake-worker.sh"));
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(
        QStringLiteral("#!/bin/sh\n[ \"$1\" = train ] || exit 3\nhead -c %1 > \"$5/control.bin\"\n")
            .arg(bytes)
            .toUtf8());
    file.close();
    REQUIRE(file.setPermissions(file.permissions() | QFileDevice::ExeOwner));
    return path;
}

// The actions of the ControlCommand records in file.
std::vector<proto::ControlCommand::Action> commandsIn(const fs::path &file)
{
    std::vector<proto::ControlCommand::Action> actions;
    auto scan = proto::scanRecordFile(file, 0, [&](std::string_view payload, std::uint64_t) {
        proto::ControlCommand command;
        REQUIRE(command.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
        actions.push_back(command.action());
        return base::okStatus();
    });
    REQUIRE(scan.ok());
    return actions;
}

std::size_t commandBytes()
{
    proto::ControlCommand command;
    command.set_action(proto::ControlCommand::ACTION_CHECKPOINT);
    return proto::framedRecord(command.SerializeAsString()).size();
}

proto::RunEvent evaluationEvent(const std::string &split, std::int64_t step, std::uint64_t right)
{
    proto::RunEvent event;
    proto::EvaluationEvent *e = event.mutable_evaluation();
    e->set_split(split);
    e->set_step(step);
    e->set_epoch(1);
    e->set_loss(0.3);
    e->set_accuracy(static_cast<double>(right) / 10.0);
    e->set_samples(20);
    e->add_class_names("even");
    e->add_class_names("odd");
    for (std::uint64_t count : {right, 10 - right, 10 - right, right}) {
        e->add_confusion(count);
    }
    return event;
}

// A finished run in a fresh store whose events hold two evaluations of val and one of test.
std::int64_t storeEvaluatedRun(const fs::path &db, const fs::path &runDir)
{
    auto store = store::RunStore::open(db);
    REQUIRE(store.ok());
    proto::ExperimentSpec spec;
    spec.set_name("evaluated");
    auto runId = store.value().createRun(spec, runDir);
    REQUIRE(runId.ok());
    auto writer = proto::RecordWriter::openFile(runDir / "events.tlog");
    REQUIRE(writer.ok());
    for (const proto::RunEvent &event :
         {evaluationEvent("val", 10, 6), evaluationEvent("val", 20, 8),
          evaluationEvent("test", 20, 7)}) {
        REQUIRE(writer.value().write(event.SerializeAsString()).ok());
    }
    REQUIRE(store.value().ingest(runId.value(), runDir / "events.tlog").ok());
    REQUIRE(store.value().setState(runId.value(), proto::RUN_STATE_COMPLETED, "").ok());
    return runId.value();
}

} // namespace

TEST_CASE("A selected run shows the latest stored evaluation of each split", "[app]")
{
    QTemporaryDir data;
    const fs::path runDir = data.filePath(QStringLiteral("run")).toStdString();
    fs::create_directories(runDir);
    const fs::path db = data.filePath(QStringLiteral("t.db")).toStdString();
    const std::int64_t runId = storeEvaluatedRun(db, runDir);

    app::StoreLane lane;
    views::RunsTableModel model;
    views::ScalarChart chart;
    views::EvaluationView evaluation;
    app::RunsController runs(lane, model, chart, evaluation);
    QSignalSpy shown(&runs, &app::RunsController::runShown);
    lane.open(db);
    runs.showRun(runId);
    REQUIRE(waitUntil([&] { return shown.count() == 1; }, 30'000));
    CHECK(evaluation.splits() == QStringList{QStringLiteral("val"), QStringLiteral("test")});
    CHECK(evaluation.currentSplit() == QStringLiteral("test"));
    CHECK(evaluation.matrixView().matrix().count(0, 0) == 7);
    REQUIRE(evaluation.setCurrentSplit(QStringLiteral("val")));
    CHECK(evaluation.matrixView().matrix().count(0, 0) == 8); // step 20 replaced step 10
}

TEST_CASE("A checkpoint request reaches the running worker as a CHECKPOINT command", "[app]")
{
    QTemporaryDir data;
    const int bytes = static_cast<int>(2 * commandBytes());
    app::StoreLane lane;
    lane.open(data.filePath(QStringLiteral("t.db")).toStdString());
    app::TrainingSession session(lane, writeFakeWorker(data, bytes));
    CHECK_FALSE(session.requestCheckpoint()); // no worker yet
    QSignalSpy started(&session, &app::TrainingSession::workerStarted);
    QSignalSpy finished(&session, &app::TrainingSession::finished);
    proto::ExperimentSpec spec;
    spec.set_name("checkpointed");
    session.start(spec, data.filePath(QStringLiteral("runs")).toStdString());
    REQUIRE(waitUntil([&] { return started.count() == 1; }, 30'000));

    CHECK(session.requestCheckpoint());
    session.stop();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 30'000));
    CHECK(commandsIn(session.runDir() / "control.bin")
          == std::vector{proto::ControlCommand::ACTION_CHECKPOINT,
                         proto::ControlCommand::ACTION_STOP});
}

TEST_CASE("Checkpoint Now is enabled only while a run trains and reaches its worker", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    app::WindowOptions options;
    options.experiment = app::kSampleExperiment;
    options.dataDir = data.filePath(QStringLiteral("data")).toStdString();
    options.workerPath = writeFakeWorker(data, static_cast<int>(commandBytes()));
    app::MainWindow window(std::move(options));
    QAction &checkpoint = window.checkpointAction();
    REQUIRE(waitUntil([&] { return window.datasets().hasDataset(); }, 60'000));
    CHECK_FALSE(checkpoint.isEnabled());

    QSignalSpy finished(&window.training(), &app::TrainingController::runFinished);
    window.startTraining();
    CHECK(checkpoint.isEnabled());
    // The session exists at once; its worker starts after the run directory is made.
    REQUIRE(window.training().session() != nullptr);
    QSignalSpy started(window.training().session(), &app::TrainingSession::workerStarted);
    REQUIRE(waitUntil([&] { return started.count() == 1; }, 30'000));
    checkpoint.trigger();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 30'000));
    CHECK_FALSE(checkpoint.isEnabled());
    CHECK(commandsIn(window.training().session()->runDir() / "control.bin")
          == std::vector{proto::ControlCommand::ACTION_CHECKPOINT});
}

// Not a check: renders the window after a real short run, for a person to look at.
// TL_SCREENSHOT=/tmp/x.png tests_app "[.screenshot]"
TEST_CASE("The window after a real run is grabbed to the PNG TL_SCREENSHOT names", "[.screenshot]")
{
    const QString target = qEnvironmentVariable("TL_SCREENSHOT");
    if (target.isEmpty() || !hasFashionMnist()) {
        WARN("skipped: set TL_SCREENSHOT and install dataset-fashion-mnist");
        return;
    }
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("screenshot"), 6000, 2000, 3);
    app::WindowOptions options;
    options.experiment = experiment;
    options.dataDir = data.filePath(QStringLiteral("data")).toStdString();
    options.workerPath = app::workerPath();
    app::MainWindow window(std::move(options));
    window.resize(1600, 1000);
    window.show();
    REQUIRE(waitUntil([&] { return window.datasets().hasDataset(); }, 60'000));
    QSignalSpy finished(&window.training(), &app::TrainingController::runFinished);
    QSignalSpy shown(&window.runs(), &app::RunsController::runShown);
    window.startTraining();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 600'000));
    // The finished run is redrawn from the store.
    REQUIRE(waitUntil([&] { return shown.count() >= 1; }, 30'000));
    window.evaluationDock().raise();
    waitUntil([] { return false; }, 500); // let the chart's timer replot
    REQUIRE(window.grab().save(target));

    // The train panel on its own, every section open, beside it.
    views::TrainPanel &panel = window.trainPanel();
    for (views::CollapsibleSection *section : panel.form().sections()) {
        section->setExpanded(true);
    }
    panel.setParent(nullptr);
    panel.resize(420, 1250);
    panel.show();
    waitUntil([] { return false; }, 200);
    QString panelTarget = target;
    panelTarget.replace(QStringLiteral(".png"), QStringLiteral("-train.png"));
    REQUIRE(panel.grab().save(panelTarget));
    panel.setParent(&window); // the window deletes it
}
