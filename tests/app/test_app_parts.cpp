#include "app/command_line.h"
#include "app/experiment_builder.h"
#include "app/experiment_file.h"
#include "app/model_controller.h"
#include "app/runs_controller.h"
#include "app/store_lane.h"
#include "app/training_session.h"
#include "app_test_support.h"
#include "model/templates.h"
#include "store/run_store.h"
#include "views/evaluation_view.h"
#include "views/model_panel.h"
#include "views/models/runs_table_model.h"
#include "views/scalar_chart.h"

#include <catch2/catch.hpp>

#include <QSignalSpy>

using namespace tl;
using namespace tl::app::testing;

TEST_CASE("The command line takes --headless, --train, --data-dir and one experiment", "[app]")
{
    auto line = app::parseCommandLine({QStringLiteral("torchlight"), QStringLiteral("--headless"),
                                       QStringLiteral("--data-dir"), QStringLiteral("/tmp/x"),
                                       QStringLiteral("--train"), QStringLiteral("e.pbtxt")});
    REQUIRE(line.ok());
    CHECK(line.value().headless);
    CHECK(line.value().train);
    CHECK(line.value().dataDir == QStringLiteral("/tmp/x"));
    CHECK(line.value().experiment == QStringLiteral("e.pbtxt"));

    auto two = app::parseCommandLine(
        {QStringLiteral("torchlight"), QStringLiteral("a.pbtxt"), QStringLiteral("b.pbtxt")});
    REQUIRE_FALSE(two.ok());
    CHECK_THAT(two.error().message, Catch::Contains("b.pbtxt"));
    auto unknown = app::parseCommandLine({QStringLiteral("torchlight"), QStringLiteral("--bogus")});
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.error().message, Catch::Contains("bogus"));
}

TEST_CASE("The bundled sample is the MLP template on Fashion-MNIST", "[app]")
{
    auto sample = app::loadExperiment(app::kSampleExperiment);
    REQUIRE(sample.ok());
    CHECK(sample.value().dataset().class_names_size() == 10);
    CHECK(sample.value().train().seed() == 1);
    auto mlp = model::makeTemplate("mlp", {1, 28, 28}, 10);
    REQUIRE(mlp.ok());
    CHECK(proto::toText(mlp.value()) == proto::toText(sample.value().model()));
}

TEST_CASE("The model controller recognises the template of an experiment's graph", "[app]")
{
    views::ModelPanel panel;
    app::ModelController controller(panel);
    CHECK_FALSE(controller.graph().ok()); // no dataset yet: nothing to size the model by

    auto sample = app::loadExperiment(app::kSampleExperiment);
    REQUIRE(sample.ok());
    controller.setGraph(sample.value().model());
    CHECK(controller.templateId() == QStringLiteral("mlp"));
    CHECK(panel.totalParametersText().contains(QStringLiteral("101,770")));

    controller.chooseTemplate(QStringLiteral("lenet"));
    CHECK(panel.totalParametersText().contains(QStringLiteral("61,706")));
    controller.setInput({3, 8, 8}, 4); // too small for LeNet: the panel says why
    CHECK_FALSE(controller.graph().ok());
    CHECK(panel.layerCount() == 0);

    proto::ModelGraph custom = sample.value().model();
    (*custom.mutable_nodes(2)->mutable_attrs())["out_features"].set_i(64);
    controller.setGraph(custom);
    CHECK(controller.templateId() == views::ModelPanel::kCustomId);
    REQUIRE(controller.graph().ok());
}

TEST_CASE("The experiment builder takes the panels' settings and keeps the file's others", "[app]")
{
    auto sample = app::loadExperiment(app::kSampleExperiment);
    REQUIRE(sample.ok());
    proto::ExperimentSpec base = sample.value();
    base.mutable_dataset()->set_test_limit(500);
    views::TrainSettings settings = app::trainSettingsFrom(base);
    CHECK(settings.train.learning_rate() == Approx(0.01));
    CHECK(settings.train.epochs() == 10);
    settings.train.set_optimizer(proto::OPTIMIZER_ADAM);
    settings.train.set_epochs(5);
    settings.train.mutable_schedule()->set_kind(proto::LR_SCHEDULE_WARMUP_COSINE);
    settings.train.set_checkpoint_every_steps(100);
    settings.trainLimit = 1234;
    settings.device = "cuda:0";

    proto::DatasetSpec other = base.dataset();
    other.set_name("other");
    other.set_test_limit(0);
    const proto::ExperimentSpec spec = app::buildExperiment(base, other, base.model(), settings);
    CHECK(spec.train().optimizer() == proto::OPTIMIZER_ADAM);
    CHECK(spec.train().epochs() == 5);
    CHECK(spec.train().schedule().kind() == proto::LR_SCHEDULE_WARMUP_COSINE);
    CHECK(spec.train().checkpoint_every_steps() == 100);
    CHECK(spec.train().momentum() == Approx(0.9)); // as the file had them
    CHECK(spec.train().seed() == 1);
    CHECK(spec.dataset().name() == "other");
    CHECK(spec.dataset().train_limit() == 1234);
    CHECK(spec.dataset().test_limit() == 500);
    CHECK(spec.device() == "cuda:0");

    // Fine-tuning a model file: the same settings, the file instead of a graph, its own name.
    const proto::ExperimentSpec tune =
        app::buildFineTuneExperiment(base, other, "/models/lenet.onnx", settings);
    CHECK(tune.model_file() == "/models/lenet.onnx");
    CHECK_FALSE(tune.has_model());
    CHECK(tune.name() == "lenet.onnx on other");
    CHECK(tune.train().epochs() == 5);
    CHECK(tune.dataset().train_limit() == 1234);
    CHECK(tune.device() == "cuda:0");
}

TEST_CASE("The train settings of a spec show the numbers its zero defaults stand for", "[app]")
{
    proto::ExperimentSpec spec;
    spec.mutable_train()->set_optimizer(proto::OPTIMIZER_ADAMW);
    spec.mutable_train()->set_beta1(0); // "default": left for the worker to apply
    const views::TrainSettings s = app::trainSettingsFrom(spec);
    CHECK(s.train.learning_rate() == 0.001);
    CHECK(s.train.batch_size() == 64);
    CHECK(s.train.epochs() == 1);
    CHECK(s.train.grad_accumulation() == 1);
    CHECK(s.train.beta1() == 0);
    CHECK(s.device == "cpu");
    CHECK(app::trainSettingsFrom(proto::ExperimentSpec()).train.optimizer()
          == proto::OPTIMIZER_SGD);
}

TEST_CASE("Runs a previous session left active are marked interrupted at start", "[app]")
{
    QTemporaryDir data;
    const std::filesystem::path db = data.filePath(QStringLiteral("t.db")).toStdString();
    std::int64_t stale = 0;
    std::int64_t done = 0;
    {
        auto store = store::RunStore::open(db);
        REQUIRE(store.ok());
        proto::ExperimentSpec spec;
        spec.set_name("left running");
        stale = store.value().createRun(spec, data.path().toStdString()).value();
        REQUIRE(store.value().setState(stale, proto::RUN_STATE_RUNNING, "").ok());
        spec.set_name("finished");
        done = store.value().createRun(spec, data.path().toStdString()).value();
        REQUIRE(store.value().setState(done, proto::RUN_STATE_COMPLETED, "").ok());
    }
    app::StoreLane lane;
    views::RunsTableModel model;
    views::ScalarChart chart;
    views::EvaluationView evaluation;
    app::RunsController runs(lane, model, chart, evaluation);
    QSignalSpy listed(&runs, &app::RunsController::runsListed);
    lane.open(db);
    runs.recoverAndRefresh();
    REQUIRE(waitUntil([&] { return listed.count() == 1; }, 30'000));
    REQUIRE(model.rowCount() == 2);
    CHECK(model.runAt(model.rowOf(stale))->state == proto::RUN_STATE_INTERRUPTED);
    CHECK(model.runAt(model.rowOf(done))->state == proto::RUN_STATE_COMPLETED);
}

TEST_CASE("A store that cannot be opened is reported with its file", "[app]")
{
    QTemporaryDir data;
    const QString notDb = data.filePath(QStringLiteral("not.db"));
    {
        QFile file(notDb);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    }
    app::StoreLane lane;
    QSignalSpy failed(&lane, &app::StoreLane::openFailed);
    lane.open(notDb.toStdString());
    REQUIRE(waitUntil([&] { return failed.count() == 1; }, 30'000));
    CHECK(failed.at(0).at(0).toString().contains(QStringLiteral("not.db")));
}

TEST_CASE("A worker that cannot be started fails the run with the worker's path", "[app]")
{
    QTemporaryDir data;
    app::StoreLane lane;
    lane.open(data.filePath(QStringLiteral("t.db")).toStdString());
    const QString bogus = data.filePath(QStringLiteral("no-such-worker"));
    app::TrainingSession session(lane, bogus);
    QSignalSpy finished(&session, &app::TrainingSession::finished);
    auto sample = app::loadExperiment(app::kSampleExperiment);
    REQUIRE(sample.ok());
    session.start(sample.value(), data.filePath(QStringLiteral("runs")).toStdString());
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 30'000));
    CHECK(finished.at(0).at(0).value<proto::RunState>() == proto::RUN_STATE_FAILED);
    CHECK(finished.at(0).at(1).toString().contains(bogus));
    CHECK(std::filesystem::exists(session.runDir() / "experiment.pb"));
    CHECK_FALSE(session.isActive());
}
