// Remote runs as a user drives them: Remote ▸ Train on Remote… in the main window against the
// test bed's sshd, a sweep chosen in the dialog, the jobs in the Remote Jobs panel, live points on
// the chart, Stop from the panel; and the Kubernetes manifest shown before anything is applied.

#include "app/dataset_controller.h"
#include "app/debugger_controller.h"
#include "app/main_window.h"
#include "app/remote_profiles_dialog.h"
#include "app/remote_runs_controller.h"
#include "app/remote_submit_dialog.h"
#include "proto/spec_io.h"
#include "tests/app/app_test_support.h"
#include "tests/remote/remote_runs.h"
#include "tests/runners/scratch_dir.h"
#include "views/debugger_panel.h"
#include "views/jobs_panel.h"
#include "views/models/jobs_table_model.h"
#include "views/scalar_chart.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>

using tl::remote::BackendKind;
namespace fs = std::filesystem;
namespace proto = tl::proto;
using tl::app::testing::waitUntil;

namespace {

// A window on the band experiment, with its store below dir.
std::unique_ptr<tl::app::MainWindow> bandWindow(const fs::path &dir, std::uint32_t epochs)
{
    proto::ExperimentSpec spec = tl::testing::bandSpec(dir / "data", epochs);
    fs::create_directories(dir / "experiment");
    REQUIRE(proto::writeExperimentSpec(spec, dir / "experiment").ok());
    tl::app::WindowOptions options;
    options.experiment = QString::fromStdString((dir / "experiment" / "experiment.pb").string());
    options.dataDir = dir / "app";
    options.workerPath = QStringLiteral(TL_WORKER_PATH);
    auto window = std::make_unique<tl::app::MainWindow>(std::move(options));
    window->resize(1500, 950);
    window->show();
    REQUIRE(waitUntil([&] { return window->datasets().hasDataset(); }, 30000));
    return window;
}

tl::app::RemoteSubmitDialog *openSubmitDialog(tl::app::MainWindow &window)
{
    window.trainOnRemote();
    auto *dialog = window.findChild<tl::app::RemoteSubmitDialog *>();
    REQUIRE(dialog != nullptr);
    return dialog;
}

} // namespace

TEST_CASE("Train on Remote pushes a sweep from the window and follows it in the jobs panel and "
          "on the chart",
          "[app][remote][gui]")
{
    const fs::path dir = tl::testing::scratchDir("app-remote-window");
    tl::remote::ConnectionProfile profile = tl::testing::runProfile(BackendKind::Ssh);
    auto platform = tl::testing::connectPlatform(profile);
    tl::testing::RemoteCleanup cleanup{platform};
    tl::app::saveConnectionProfiles({profile});
    auto window = bandWindow(dir, 100000);

    tl::app::RemoteSubmitDialog *dialog = openSubmitDialog(*window);
    CHECK(dialog->profileBox()->currentText().toStdString() == profile.name);
    dialog->sweepEdit()->setText(QStringLiteral("0.05, x"));
    emit dialog->sweepEdit()->editingFinished();
    CHECK_FALSE(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    dialog->sweepEdit()->setText(QStringLiteral("0.05 0.1"));
    emit dialog->sweepEdit()->editingFinished();
    REQUIRE(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    dialog->accept();

    tl::views::JobsTableModel &jobs = window->jobsModel();
    REQUIRE(waitUntil([&] { return jobs.rowCount() == 2; }, 60000));
    // Both running, the first one's losses on the chart while it runs.
    REQUIRE(waitUntil(
        [&] {
            return jobs.jobAt(0)->schedulerState == "running"
                   && jobs.jobAt(1)->schedulerState == "running"
                   && window->chart().pointCount("train/loss") >= 5;
        },
        60000));
    for (int row = 0; row < 2; ++row) {
        CHECK_THAT(jobs.jobAt(row)->runName, Catch::Contains("lr=0."));
    }
    if (const char *shots = std::getenv("TL_SHOT_DIR")) {
        waitUntil([] { return false; }, 1500); // a few more points, and the chart's replot
        window->grab().save(QString::fromUtf8(shots) + QStringLiteral("/remote-window.png"));
    }

    // Pause the first from the panel: its row says paused and the button offers Resume.
    tl::views::JobsPanel &panel = window->jobsPanel();
    auto *pause = panel.findChild<QToolButton *>(QStringLiteral("pauseJobButton"));
    const std::int64_t pausedId = jobs.jobAt(0)->runId;
    REQUIRE(panel.selectRun(pausedId));
    REQUIRE(pause->isEnabled());
    CHECK(pause->text() == QStringLiteral("Pause"));
    pause->click();
    REQUIRE(waitUntil([&] { return jobs.jobAt(jobs.rowOf(pausedId))->paused; }, 30000));
    CHECK(jobs.data(jobs.index(jobs.rowOf(pausedId), tl::views::JobsTableModel::State)).toString()
          == QStringLiteral("paused"));
    CHECK(pause->text() == QStringLiteral("Resume"));
    pause->click();
    REQUIRE(waitUntil([&] { return !jobs.jobAt(jobs.rowOf(pausedId))->paused; }, 30000));
    CHECK(pause->text() == QStringLiteral("Pause"));

    // The selected job is the one the debugger follows: F8 stops it at its next step, F10
    // steps one node, F5 lets it go on, all through its control.tlog.
    REQUIRE(waitUntil([&] { return window->breakAction().isEnabled(); }, 5000));
    CHECK(window->debugger().targetRun() == pausedId);
    window->breakAction().trigger();
    REQUIRE(waitUntil([&] { return window->debugger().isStopped(); }, 30000));
    const tl::views::DebuggerPanel &debugger = window->debuggerPanel();
    CHECK(debugger.lastStop().reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(debugger.lastStop().node_index() == 0);
    window->stepAction().trigger();
    REQUIRE(waitUntil([&] { return debugger.lastStop().node_index() == 1; }, 30000));
    CHECK(debugger.lastStop().reason() == proto::DebugEvent::REASON_STEP);
    window->debugAction().trigger(); // Continue
    REQUIRE(waitUntil([&] { return !window->debugger().isStopped(); }, 30000));

    // Stop both from the panel.
    for (int row = 0; row < 2; ++row) {
        const std::int64_t runId = jobs.jobAt(row)->runId;
        REQUIRE(panel.selectRun(runId));
        auto *stop = panel.findChild<QToolButton *>(QStringLiteral("stopJobButton"));
        REQUIRE(stop->isEnabled());
        stop->click();
    }
    REQUIRE(waitUntil([&] { return jobs.jobAt(0)->ended && jobs.jobAt(1)->ended; }, 60000));
    CHECK(jobs.jobAt(0)->schedulerState == "completed"); // the process exited 0 after STOP
    const std::int64_t runId = jobs.jobAt(0)->runId;
    REQUIRE(waitUntil([&] { return window->remoteRuns().job(runId) != nullptr; }, 1000));
    CHECK_FALSE(window->remoteRuns().follows(runId));
    tl::app::saveConnectionProfiles({});
}

TEST_CASE("A Kubernetes profile shows the Job manifest that would be applied before Submit",
          "[app][remote][gui]")
{
    const fs::path dir = tl::testing::scratchDir("app-remote-k8s");
    tl::remote::ConnectionProfile profile = tl::testing::runProfile(BackendKind::Kubernetes);
    profile.name = "k8s via bed";
    profile.kubernetes.image = "registry.example/torchlight-worker:1";
    profile.kubernetes.gpus = 1;
    tl::app::saveConnectionProfiles({profile});
    auto window = bandWindow(dir, 2);
    tl::app::RemoteSubmitDialog *dialog = openSubmitDialog(*window);
    QPushButton *submit = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    REQUIRE(dialog->manifestView()->isVisibleTo(dialog));
    const bool shown = waitUntil(
        [&] {
            return dialog->manifestView()->toPlainText().contains(QStringLiteral("kind: \"Job\""));
        },
        30000);
    INFO(dialog->manifestView()->toPlainText().toStdString());
    REQUIRE(shown);
    const QString manifest = dialog->manifestView()->toPlainText();
    CHECK(manifest.contains(QStringLiteral("registry.example/torchlight-worker:1")));
    CHECK(manifest.contains(QStringLiteral("nvidia.com/gpu")));
    // The manifest names the very folder the submission will use.
    CHECK(manifest.contains(QString::fromStdString(dialog->runName())));
    CHECK(submit->isEnabled());
    dialog->reject();
    tl::app::saveConnectionProfiles({});
}
