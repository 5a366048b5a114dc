#pragma once
// What RemoteRunsController's two source files share (remote_runs_controller.cpp: submitting
// and following; remote_runs_actions.cpp: stop, cancel, downloads, logs): the state kept per
// followed run and per profile, and how a task goes to a profile's lane and its reply comes
// back to the UI thread. Private to those files.

#include "app/remote_runs_controller.h"

#include <QString>

#include <memory>

namespace tl::app {

inline QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

// One run whose job is followed.
struct RemoteRunsController::Tracked
{
    views::JobRow row;
    remote::RemoteRun run;
    std::filesystem::path localDir;
    std::optional<double> testAccuracy;
    bool ingesting = false;
    bool ingestAgain = false;
    bool finished = false; // the run has its final state in the store
    bool outputsFetched = false;
    QTimer stopGrace;
};

// One profile's connection and its poll.
struct RemoteRunsController::Link
{
    remote::ConnectionProfile profile;
    std::unique_ptr<remote::RemoteLane> lane;
    QTimer timer;
    bool pollInFlight = false;
    int tasksInFlight = 0; // posted, reply not yet handled
    int failures = 0;
};

template<typename T>
void RemoteRunsController::onLane(Link &link,
                                  std::function<base::Result<T>(remote::RemotePlatform &)> task,
                                  Done<T> reply)
{
    ++link.tasksInFlight;
    Link *owner = &link;
    link.lane->post([this, owner, task = std::move(task),
                     reply = std::move(reply)](base::Result<remote::RemotePlatform *> platform) {
        auto result = std::make_shared<base::Result<T>>(
            platform ? task(*platform.value()) : base::Result<T>(platform.error()));
        // The lanes are joined before this object goes, so it is alive here; Qt drops the
        // call if it is destroyed before the call is delivered. A link with tasks in flight is
        // never replaced, so owner is alive when the reply arrives.
        QMetaObject::invokeMethod(
            this,
            [owner, reply, result] {
                --owner->tasksInFlight;
                reply(std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

} // namespace tl::app
