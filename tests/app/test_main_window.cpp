#include "app/dataset_controller.h"
#include "app/main_window.h"
#include "app/runs_controller.h"
#include "app/training_controller.h"
#include "app/worker_path.h"
#include "app_test_support.h"
#include "store/run_store.h"
#include "views/confusion_matrix_view.h"
#include "views/dataset_panel.h"
#include "views/evaluation_view.h"
#include "views/log_view.h"
#include "views/model_panel.h"
#include "views/models/runs_table_model.h"
#include "views/sample_grid.h"
#include "views/scalar_chart.h"

#include <catch2/catch.hpp>

#include <QLabel>
#include <QSignalSpy>

#include <memory>

using namespace tl;
using namespace tl::app::testing;

namespace {

constexpr int kLoadTimeoutMs = 60'000;
constexpr int kTrainTimeoutMs = 240'000;

QString datasetTitle(app::MainWindow &window)
{
    return window.datasetPanel().findChild<QLabel *>(QStringLiteral("datasetTitle"))->text();
}

const views::RunRow *runRow(app::MainWindow &window, std::int64_t runId)
{
    return window.runsModel().runAt(window.runsModel().rowOf(runId));
}

} // namespace

TEST_CASE("The sample experiment opens, trains through the real worker and is listed as "
          "completed",
          "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("short"), 1000, 1000, 1);
    auto window = openWindow(data, experiment);

    REQUIRE(waitUntil([&] { return window->datasets().hasDataset(); }, kLoadTimeoutMs));
    CHECK(datasetTitle(*window) == QStringLiteral("fashion-mnist"));
    // Up to 32 thumbnails of each of the ten classes.
    CHECK(window->datasetPanel().sampleGrid()->thumbnailCount()
          == 10 * app::DatasetController::kSamplesPerClass);
    CHECK(window->modelPanel().currentTemplateId() == QStringLiteral("mlp"));
    CHECK(window->modelPanel().totalParametersText().contains(QStringLiteral("101,770")));

    QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
    window->startTraining();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, kTrainTimeoutMs));
    const auto runId = finished.at(0).at(0).value<std::int64_t>();
    INFO("final message: " << finished.at(0).at(2).toString().toStdString());
    REQUIRE(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_COMPLETED);

    // After the run the chart is redrawn from the store: loss and accuracy points are there.
    REQUIRE(waitUntil([&] { return window->chart().pointCount("test/accuracy") >= 1; }, 10'000));
    CHECK(window->chart().pointCount("train/loss") >= 4);
    CHECK(window->chart().pointCount("test/loss") >= 1);
    REQUIRE(waitUntil([&] { return runRow(*window, runId) != nullptr; }, 10'000));
    CHECK(runRow(*window, runId)->state == proto::RUN_STATE_COMPLETED);
    CHECK(runRow(*window, runId)->testAccuracy.has_value());
    // The worker's test evaluation reaches the evaluation view: ten classes, all labelled.
    REQUIRE(waitUntil(
        [&] { return window->evaluationView().splits().contains(QStringLiteral("test")); },
        10'000));
    CHECK(window->evaluationView().matrixView().matrix().classCount() == 10);
    CHECK(window->evaluationView().matrixView().matrix().labels().contains(
        QStringLiteral("Sneaker")));

    const std::filesystem::path db =
        data.filePath(QStringLiteral("data/torchlight.db")).toStdString();
    window.reset(); // the lane closes its store
    base::Result<store::RunStore> store = store::RunStore::open(db);
    REQUIRE(store.ok());
    base::Result<std::vector<store::ScalarPoint>> loss = store.value().scalars(runId, "train/loss");
    REQUIRE(loss.ok());
    CHECK(loss.value().size() >= 4);
    base::Result<store::RunRecord> record = store.value().run(runId);
    REQUIRE(record.ok());
    CHECK(record.value().state == proto::RUN_STATE_COMPLETED);
    CHECK(std::filesystem::exists(record.value().runDir / "experiment.pbtxt"));
    base::Result<std::vector<store::EvaluationRecord>> evaluations =
        store.value().evaluations(runId);
    REQUIRE(evaluations.ok());
    CHECK_FALSE(evaluations.value().empty());
}

TEST_CASE("Reopening the app lists past runs and redraws the selected run's curves", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("again"), 500, 500, 1);
    std::int64_t runId = 0;
    {
        auto window = openWindow(data, experiment);
        QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
        window->startTraining();
        const bool ended = waitUntil([&] { return finished.count() == 1; }, kTrainTimeoutMs);
        INFO("messages:\n" << window->logView().toPlainText().toStdString());
        REQUIRE(ended);
        runId = finished.at(0).at(0).value<std::int64_t>();
    }
    auto window = openWindow(data, experiment);
    REQUIRE(waitUntil([&] { return window->runsModel().rowCount() == 1; }, kLoadTimeoutMs));
    QSignalSpy shown(&window->runs(), &app::RunsController::runShown);
    window->runs().showRun(runId);
    REQUIRE(waitUntil([&] { return shown.count() == 1; }, 10'000));
    CHECK(window->chart().pointCount("train/loss") >= 2);
    CHECK(window->chart().pointCount("test/accuracy") == 1);
}

TEST_CASE("A run whose worker is killed ends interrupted and keeps the events it wrote", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    // Long enough that it is still training when the first points arrive.
    const QString experiment = writeShortSample(data, QStringLiteral("killed"), 0, 1000, 3);
    auto window = openWindow(data, experiment);
    QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
    window->startTraining();

    REQUIRE(
        waitUntil([&] { return window->chart().pointCount("train/loss") >= 2; }, kTrainTimeoutMs));
    const int seen = window->chart().pointCount("train/loss");
    REQUIRE(window->training().session() != nullptr);
    window->training().session()->killWorker();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 30'000));
    const auto runId = finished.at(0).at(0).value<std::int64_t>();
    CHECK(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_INTERRUPTED);
    CHECK(finished.at(0).at(2).toString().contains(QStringLiteral("worker")));
    REQUIRE(runRow(*window, runId) != nullptr);
    CHECK(runRow(*window, runId)->state == proto::RUN_STATE_INTERRUPTED);

    const std::filesystem::path db =
        data.filePath(QStringLiteral("data/torchlight.db")).toStdString();
    window.reset();
    base::Result<store::RunStore> store = store::RunStore::open(db);
    REQUIRE(store.ok());
    base::Result<std::vector<store::ScalarPoint>> loss = store.value().scalars(runId, "train/loss");
    REQUIRE(loss.ok());
    CHECK(static_cast<int>(loss.value().size()) >= seen);
    CHECK(store.value().run(runId).value().state == proto::RUN_STATE_INTERRUPTED);
}

TEST_CASE("Opening a file that is not a dataset names it and keeps the previous dataset", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    auto window = openWindow(data, app::kSampleExperiment);
    REQUIRE(waitUntil([&] { return window->datasets().hasDataset(); }, kLoadTimeoutMs));

    const QString notes = data.filePath(QStringLiteral("notes.txt"));
    {
        QFile file(notes);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write("these are not images\n");
    }
    QSignalSpy failed(&window->datasets(), &app::DatasetController::loadFailed);
    window->openDataset({notes.toStdString()});
    REQUIRE(waitUntil([&] { return failed.count() == 1; }, kLoadTimeoutMs));

    CHECK(window->datasetPanel().message().contains(QStringLiteral("notes.txt")));
    CHECK(datasetTitle(*window) == QStringLiteral("fashion-mnist"));
    CHECK(window->datasets().current().spec.name() == "fashion-mnist");
    CHECK(window->datasetPanel().sampleGrid()->thumbnailCount() > 0);
}
