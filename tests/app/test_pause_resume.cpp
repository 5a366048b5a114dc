// Pause and Resume of a local run, through the window and a real worker: the worker holds the
// run between steps until it is told to go on, and the window shows which it is doing.

#include "app/dataset_controller.h"
#include "app/main_window.h"
#include "app/training_controller.h"
#include "app/training_session.h"
#include "app_test_support.h"
#include "proto/record_io.h"
#include "views/train_panel.h"

#include <catch2/catch.hpp>

#include <QAction>
#include <QPushButton>
#include <QSignalSpy>

#include <algorithm>

using namespace tl;
using namespace tl::app::testing;

namespace {

// The status events of a run's events.tlog, in order.
std::vector<proto::StatusEvent> statusEvents(const std::filesystem::path &events)
{
    std::vector<proto::StatusEvent> statuses;
    auto scan = proto::scanRecordFile(events, 0, [&](std::string_view payload, std::uint64_t) {
        proto::RunEvent event;
        REQUIRE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
        if (event.has_status()) {
            statuses.push_back(event.status());
        }
        return base::okStatus();
    });
    REQUIRE(scan.ok());
    return statuses;
}

} // namespace

TEST_CASE("Pause holds a real run between steps until Resume, and the window says which", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    // Long enough that it is still training when paused; the test stops it.
    const QString experiment = writeShortSample(data, QStringLiteral("paused"), 6000, 500, 100);
    auto window = openWindow(data, experiment);
    REQUIRE(waitUntil([&] { return window->datasets().hasDataset(); }, 60'000));
    QAction &pause = window->pauseAction();
    CHECK_FALSE(pause.isEnabled());

    QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
    QSignalSpy paused(&window->training(), &app::TrainingController::pausedChanged);
    window->startTraining();
    CHECK(pause.isEnabled());
    app::TrainingSession *session = window->training().session();
    REQUIRE(session != nullptr);
    QSignalSpy progressed(session, &app::TrainingSession::progressed);
    REQUIRE(waitUntil([&] { return progressed.count() >= 1; }, 60'000));

    pause.trigger();
    REQUIRE(waitUntil([&] { return paused.count() == 1; }, 30'000));
    CHECK(paused.at(0).at(0).toBool());
    CHECK(session->isPaused());
    CHECK(window->trainPanel().isPaused());
    CHECK(pause.text() == QStringLiteral("&Resume"));
    CHECK(window->trainPanel().statusText().contains(QStringLiteral("paused")));

    // The worker is held: two checkpoints asked for while it waits are both at the same step.
    std::vector<proto::CheckpointEvent> requested;
    QObject::connect(session, &app::TrainingSession::checkpointWritten,
                     [&requested](const proto::CheckpointEvent &checkpoint) {
                         if (checkpoint.kind() == proto::CHECKPOINT_REQUESTED) {
                             requested.push_back(checkpoint);
                         }
                     });
    window->checkpointAction().trigger();
    REQUIRE(waitUntil([&] { return requested.size() == 1; }, 30'000));
    window->checkpointAction().trigger();
    REQUIRE(waitUntil([&] { return requested.size() == 2; }, 30'000));
    const proto::CheckpointEvent first = requested.at(0);
    const proto::CheckpointEvent second = requested.at(1);
    CHECK(first.step() == second.step());
    CHECK(session->isPaused());

    // Resume: it goes on past the step it was held at.
    const int progressWhenPaused = static_cast<int>(progressed.count());
    window->trainPanel().findChild<QPushButton *>(QStringLiteral("pauseButton"))->click();
    REQUIRE(waitUntil([&] { return paused.count() == 2; }, 30'000));
    CHECK_FALSE(paused.at(1).at(0).toBool());
    CHECK(pause.text() == QStringLiteral("&Pause"));
    REQUIRE(waitUntil(
        [&] {
            return progressed.count() > progressWhenPaused
                   && progressed.last().at(0).value<proto::ProgressEvent>().step()
                          > static_cast<std::uint64_t>(first.step());
        },
        30'000));

    window->training().stop();
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, 60'000));
    CHECK(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_STOPPED);
    CHECK_FALSE(pause.isEnabled());
    CHECK_FALSE(window->trainPanel().isPaused());

    // The run's record: PAUSED and RUNNING again, both at the step the checkpoints name.
    std::vector<proto::StatusEvent> statuses = statusEvents(session->runDir() / "events.tlog");
    std::vector<std::string> seen;
    for (const proto::StatusEvent &status : statuses) {
        seen.push_back(status.message());
    }
    const std::string step = std::to_string(first.step());
    INFO("status messages: " << Catch::Detail::stringify(seen));
    CHECK(std::find(seen.begin(), seen.end(), "paused at step " + step) != seen.end());
    CHECK(std::find(seen.begin(), seen.end(), "resumed at step " + step) != seen.end());
}
