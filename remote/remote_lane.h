#pragma once
// RemoteLane: the one thread that owns a profile's connection (STYLE.md: one thread per libssh
// session). Work is posted to it as tasks that get the connected RemotePlatform; the lane
// connects on demand, sends keepalives while idle, and after a lost connection reconnects
// with exponential backoff, reporting each change. Qt-free: the app adapts its callbacks onto
// the UI thread. Owned by whoever posts to it; the destructor stops and joins the thread.

#include "base/result.h"
#include "remote/connection_profile.h"
#include "remote/ssh_session.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace tl::remote {

class RemotePlatform;

enum class LinkState { Connecting, Connected, Lost };

struct LaneOptions
{
    std::chrono::milliseconds keepaliveInterval{15000};
    std::chrono::milliseconds firstRetry{500}; // doubled after each failed attempt...
    std::chrono::milliseconds maxRetry{30000}; // ...up to this
};

class RemoteLane
{
public:
    // Gets the connected platform, or the error that kept the lane from connecting. Runs on
    // the lane's thread; must not keep the pointer.
    using Task = std::function<void(base::Result<RemotePlatform *> platform)>;
    // Told on the lane's thread: the new state and, for Lost, why and when it retries.
    using StateFn = std::function<void(LinkState state, const std::string &detail)>;

    RemoteLane(ConnectionProfile profile,
               LoginPrompts prompts,
               StateFn onState = {},
               LaneOptions options = {});
    ~RemoteLane();
    RemoteLane(const RemoteLane &) = delete;
    RemoteLane &operator=(const RemoteLane &) = delete;

    // Queues a task. While the host is unreachable, a task waits for the next attempt and
    // gets its error: tasks never wait longer than one backoff step.
    void post(Task task);

    // Drops the connection as if it were lost (the next task reconnects).
    void disconnect();

private:
    void run(std::stop_token stop);
    base::Result<RemotePlatform *> ensureConnected(std::stop_token stop,
                                                   std::unique_lock<std::mutex> &lock);
    void markLost(const std::string &why);

    ConnectionProfile m_profile;
    LoginPrompts m_prompts;
    StateFn m_onState;
    LaneOptions m_options;

    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::deque<Task> m_tasks;
    bool m_dropRequested = false;

    // Lane thread only.
    std::unique_ptr<RemotePlatform> m_platform;
    std::chrono::milliseconds m_nextRetry{0};
    std::chrono::steady_clock::time_point m_retryAt{};
    std::chrono::steady_clock::time_point m_lastUse{};

    std::jthread m_thread; // last: started after everything it uses
};

} // namespace tl::remote
