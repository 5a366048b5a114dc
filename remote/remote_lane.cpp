#include "remote/remote_lane.h"

#include "remote/remote_platform.h"
#include "remote/sftp_session.h"

#include <utility>

namespace tl::remote {

using Clock = std::chrono::steady_clock;

namespace {
constexpr std::chrono::seconds kQuietSpell{1};
}

RemoteLane::RemoteLane(ConnectionProfile profile,
                       LoginPrompts prompts,
                       StateFn onState,
                       LaneOptions options)
    : m_profile(std::move(profile))
    , m_prompts(std::move(prompts))
    , m_onState(std::move(onState))
    , m_options(options)
    , m_thread([this](std::stop_token stop) { run(stop); })
{}

RemoteLane::~RemoteLane()
{
    m_thread.request_stop();
    m_wake.notify_all();
    m_thread.join();
}

void RemoteLane::post(Task task)
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_wake.notify_all();
}

void RemoteLane::disconnect()
{
    {
        std::lock_guard lock(m_mutex);
        m_dropRequested = true;
    }
    m_wake.notify_all();
}

void RemoteLane::markLost(const std::string &why)
{
    m_platform.reset();
    m_nextRetry = m_nextRetry.count() == 0 ? m_options.firstRetry
                                           : std::min(m_nextRetry * 2, m_options.maxRetry);
    m_retryAt = Clock::now() + m_nextRetry;
    if (m_onState) {
        m_onState(LinkState::Lost,
                  why + " (retrying in " + std::to_string(m_nextRetry.count()) + " ms)");
    }
}

base::Result<RemotePlatform *> RemoteLane::ensureConnected(std::stop_token stop,
                                                           std::unique_lock<std::mutex> &lock)
{
    if (m_platform) {
        return m_platform.get();
    }
    // Backoff: wait for the retry time (woken early only to stop).
    if (Clock::now() < m_retryAt) {
        m_wake.wait_until(lock, stop, m_retryAt, [] { return false; });
        if (stop.stop_requested()) {
            return base::makeError(base::ErrorCode::Cancelled, "the connection was closed.",
                                   m_profile.host);
        }
    }
    lock.unlock();
    if (m_onState) {
        m_onState(LinkState::Connecting, m_profile.host);
    }
    base::Result<RemotePlatform> connected = RemotePlatform::connect(m_profile, m_prompts);
    lock.lock();
    if (!connected) {
        markLost(connected.error().describe());
        return connected.error();
    }
    m_platform = std::make_unique<RemotePlatform>(std::move(connected).value());
    m_nextRetry = std::chrono::milliseconds(0);
    m_lastUse = Clock::now();
    if (m_onState) {
        m_onState(LinkState::Connected, m_platform->ssh().where());
    }
    return m_platform.get();
}

void RemoteLane::run(std::stop_token stop)
{
    std::unique_lock lock(m_mutex);
    while (!stop.stop_requested()) {
        if (m_dropRequested) {
            m_dropRequested = false;
            if (m_platform) {
                markLost("disconnected");
            }
        }
        if (!m_tasks.empty()) {
            // After a quiet spell, make sure the connection still answers before using it.
            if (m_platform && Clock::now() - m_lastUse > kQuietSpell
                && !m_platform->sftp().ping()) {
                markLost("the connection to " + m_platform->ssh().where() + " was lost");
                m_retryAt = Clock::now(); // reconnect at once: it was fine until now
            }
            base::Result<RemotePlatform *> platform = ensureConnected(stop, lock);
            if (stop.stop_requested()) {
                break;
            }
            Task task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task(platform);
            lock.lock();
            m_lastUse = Clock::now();
            // A task that met a dead connection leaves it for the next one to replace.
            if (m_platform && !m_platform->sftp().ping()) {
                markLost("the connection to " + m_platform->ssh().where() + " was lost");
            }
            continue;
        }
        if (m_platform) {
            auto keepaliveAt = m_lastUse + m_options.keepaliveInterval;
            if (Clock::now() >= keepaliveAt) {
                m_lastUse = Clock::now();
                if (!m_platform->sftp().ping()) {
                    markLost("the connection to " + m_platform->ssh().where() + " was lost");
                }
                continue;
            }
            m_wake.wait_until(lock, stop, keepaliveAt,
                              [this] { return !m_tasks.empty() || m_dropRequested; });
        } else {
            m_wake.wait(lock, stop, [this] { return !m_tasks.empty() || m_dropRequested; });
        }
    }
    m_platform.reset();
}

} // namespace tl::remote
