#include "runners/control_channel.h"

#include "proto/record_io.h"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace tl::runners {
namespace {

// How long the stdin thread blocks in poll() before it checks for a stop request.
constexpr int kStreamPollMillis = 100;

bool isKnownAction(ControlAction action)
{
    return proto::ControlCommand::Action_IsValid(action)
           && action != proto::ControlCommand::ACTION_UNSPECIFIED;
}

} // namespace

ControlChannel::ControlChannel(Options options) : m_options(std::move(options))
{
    if (m_options.stdinFd < 0) {
        return;
    }
    m_streamOpen = true;
    m_reader = std::jthread([this, fd = m_options.stdinFd](std::stop_token stop) {
        readStream(stop, fd);
        m_streamOpen.store(false, std::memory_order_release);
    });
}

ControlChannel::~ControlChannel() = default;

void ControlChannel::readStream(std::stop_token stop, int fd)
{
    proto::RecordReader reader("stdin");
    std::array<char, 4096> chunk{};
    while (!stop.stop_requested()) {
        pollfd ready{fd, POLLIN, 0};
        const int polled = ::poll(&ready, 1, kStreamPollMillis);
        if (polled < 0 && errno != EINTR) {
            return;
        }
        if (polled <= 0) {
            continue;
        }
        const ssize_t got = ::read(fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return; // EOF or a dead stream: not a stop, control.tlog still works
        }
        reader.feed(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
        for (;;) {
            auto record = reader.next();
            if (!record) {
                problem("Control commands on stdin are ignored from now on: "
                        + record.error().describe());
                return;
            }
            if (!record.value()) {
                break;
            }
            proto::ControlCommand command;
            if (!command.ParseFromArray(record.value()->data(),
                                        static_cast<int>(record.value()->size()))) {
                problem("A record on stdin at byte " + std::to_string(reader.recordOffset())
                        + " is not a ControlCommand; it was ignored.");
            } else {
                push(std::move(command));
            }
        }
    }
}

void ControlChannel::pollFile(bool force)
{
    if (m_options.controlFile.empty() || m_fileFailed) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastFilePoll < kFilePollInterval) {
        return;
    }
    m_lastFilePoll = now;
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(m_options.controlFile, ec);
    if (ec || size == m_fileSize) {
        return; // absent (nothing sent yet) or unchanged
    }
    if (size < m_fileOffset) {
        m_fileOffset = 0; // replaced by a shorter file: read it from its start
    }
    m_fileSize = size;
    auto scan = proto::scanRecordFile(
        m_options.controlFile, m_fileOffset,
        [this](std::string_view payload, std::uint64_t offset) -> base::Status {
            proto::ControlCommand command;
            if (!command.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
                problem("The record at byte " + std::to_string(offset)
                        + " of control.tlog is not a ControlCommand; it was ignored.");
            } else {
                push(std::move(command));
            }
            return base::okStatus();
        });
    if (scan) {
        m_fileOffset = scan.value().endOffset;
        return;
    }
    m_fileFailed = true;
    problem("control.tlog is ignored from now on: " + scan.error().describe());
}

void ControlChannel::push(proto::ControlCommand command)
{
    const ControlAction action = command.action();
    if (!isKnownAction(action)) {
        problem("A control command with unknown action " + std::to_string(action)
                + " was ignored.");
        return;
    }
    if (action == proto::ControlCommand::ACTION_STOP) {
        m_stopSource.request_stop();
    }
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(std::move(command));
        m_hasPending.store(true, std::memory_order_release);
    }
    m_arrived.notify_all();
}

void ControlChannel::problem(const std::string &text)
{
    if (m_options.onProblem) {
        m_options.onProblem(text);
    }
}

std::vector<proto::ControlCommand> ControlChannel::takeLocked()
{
    std::vector<proto::ControlCommand> commands;
    commands.swap(m_pending);
    m_hasPending.store(false, std::memory_order_release);
    return commands;
}

std::vector<proto::ControlCommand> ControlChannel::poll()
{
    pollFile(false);
    if (!m_hasPending.load(std::memory_order_acquire)) {
        return {};
    }
    std::lock_guard lock(m_mutex);
    return takeLocked();
}

std::vector<proto::ControlCommand> ControlChannel::waitFor(std::chrono::milliseconds timeout)
{
    pollFile(true);
    std::unique_lock lock(m_mutex);
    m_arrived.wait_for(lock, timeout, [this] { return !m_pending.empty(); });
    return takeLocked();
}

} // namespace tl::runners
