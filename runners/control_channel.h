#pragma once
// ControlCommand records reaching a running worker: framed records on stdin (read on a thread
// of its own; EOF is not a stop, the worker may run with stdin closed) and records appended to
// DIR/control.tlog (polled from the last offset, at most every kFilePollInterval).
// Owned by the train command; poll() and waitFor() belong to the training thread.

#include "proto/torchlight.pb.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace tl::runners {

using ControlAction = proto::ControlCommand::Action;

class ControlChannel
{
public:
    static constexpr std::chrono::milliseconds kFilePollInterval{50};

    struct Options
    {
        int stdinFd = -1;                  // -1: do not read a stream
        std::filesystem::path controlFile; // empty: no file
        // Told about unreadable input (corrupt records, unknown actions); may be called from
        // the stdin thread.
        std::function<void(const std::string &)> onProblem;
    };

    explicit ControlChannel(Options options);
    ~ControlChannel(); // stops and joins the stdin thread
    ControlChannel(const ControlChannel &) = delete;
    ControlChannel &operator=(const ControlChannel &) = delete;

    // Commands that arrived since the last call, oldest first. Cheap enough to call every step:
    // an atomic check, and a stat of control.tlog at most every kFilePollInterval.
    std::vector<proto::ControlCommand> poll();
    // Like poll(), but blocks (without spinning) up to `timeout` until a command arrives.
    std::vector<proto::ControlCommand> waitFor(std::chrono::milliseconds timeout);

    // Requested as soon as a STOP arrives on either source (for long calls such as loading).
    std::stop_token stopToken() const { return m_stopSource.get_token(); }

    // Whether the stream is still read: false after its EOF, a read error or a corrupt record
    // (and when there was none). control.tlog is read either way.
    bool isStreamOpen() const { return m_streamOpen.load(std::memory_order_acquire); }

private:
    void readStream(std::stop_token stop, int fd);
    void pollFile(bool force);
    void push(proto::ControlCommand command);
    void problem(const std::string &text);
    std::vector<proto::ControlCommand> takeLocked();

    Options m_options;
    std::mutex m_mutex;
    std::condition_variable m_arrived;
    std::vector<proto::ControlCommand> m_pending;
    std::atomic<bool> m_hasPending{false};
    std::atomic<bool> m_streamOpen{false};
    std::stop_source m_stopSource;
    std::uint64_t m_fileOffset = 0;
    std::uintmax_t m_fileSize = 0;
    bool m_fileFailed = false; // a corrupt control.tlog is reported once, then ignored
    std::chrono::steady_clock::time_point m_lastFilePoll{};
    std::jthread m_reader;
};

} // namespace tl::runners
