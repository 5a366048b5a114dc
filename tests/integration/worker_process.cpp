#include "worker_process.h"

#include "proto/run_state.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char **environ;

namespace tl::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe
{
    int read = -1;
    int write = -1;
};

Pipe makePipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
    }
    return {fds[0], fds[1]};
}

std::vector<char *> cStrings(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (std::string &s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

} // namespace

WorkerProcess::WorkerProcess(const std::vector<std::string> &args,
                             const std::vector<std::string> &extraEnv)
{
    // Writing to a child that already exited must fail with EPIPE, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    const Pipe in = makePipe(), out = makePipe(), err = makePipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the child's 0, 1 and 2; every other end closes at exec.
    posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);

    std::vector<std::string> argv{TL_WORKER_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e) {
        env.emplace_back(*e);
    }
    env.insert(env.end(), extraEnv.begin(), extraEnv.end());
    std::vector<char *> argvC = cStrings(argv), envC = cStrings(env);
    const int spawned =
        posix_spawn(&m_pid, TL_WORKER_PATH, &actions, nullptr, argvC.data(), envC.data());
    posix_spawn_file_actions_destroy(&actions);
    for (int fd : {in.read, out.write, err.write}) {
        ::close(fd);
    }
    m_stdin = in.write;
    m_stdoutFd = out.read;
    m_stderrFd = err.read;
    if (spawned != 0) {
        m_pid = -1;
        throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(spawned));
    }
}

WorkerProcess::~WorkerProcess()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    for (int *fd : {&m_stdin, &m_stdoutFd, &m_stderrFd}) {
        closeFd(*fd);
    }
}

void WorkerProcess::closeFd(int &fd)
{
    if (fd >= 0) {
        ::close(fd);
    }
    fd = -1;
}

void WorkerProcess::send(proto::ControlCommand::Action action)
{
    send(proto::controlCommand(action));
}

void WorkerProcess::send(const proto::ControlCommand &command)
{
    const std::string bytes = proto::framedRecord(command.SerializeAsString());
    if (m_stdin < 0 || ::write(m_stdin, bytes.data(), bytes.size()) != ssize_t(bytes.size())) {
        throw std::runtime_error("writing a command to the worker's stdin failed");
    }
}

void WorkerProcess::closeStdin()
{
    closeFd(m_stdin);
}

void WorkerProcess::decode(std::string_view bytes)
{
    m_reader.feed(bytes);
    while (m_streamError.empty()) {
        auto record = m_reader.next();
        if (!record) {
            m_streamError = record.error().describe();
            return;
        }
        if (!record.value()) {
            return;
        }
        proto::RunEvent event;
        if (!event.ParseFromArray(record.value()->data(), int(record.value()->size()))) {
            m_streamError = "a record on stdout is not a RunEvent";
        } else {
            m_events.push_back(std::move(event));
        }
    }
}

bool WorkerProcess::pump(Clock::time_point until)
{
    std::array<pollfd, 2> fds{pollfd{m_stdoutFd, POLLIN, 0}, pollfd{m_stderrFd, POLLIN, 0}};
    if (m_stdoutFd < 0 && m_stderrFd < 0) {
        return false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const int timeout = int(std::clamp<std::int64_t>(left.count(), 0, 100));
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
        throw std::runtime_error("poll failed");
    }
    std::array<char, 65536> chunk{};
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) {
            continue;
        }
        const ssize_t got = ::read(fds[i].fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            closeFd(i == 0 ? m_stdoutFd : m_stderrFd);
            continue;
        }
        const std::string_view bytes(chunk.data(), std::size_t(got));
        if (i == 0) {
            m_stdout.append(bytes);
            decode(bytes);
        } else {
            m_stderr.append(bytes);
        }
    }
    return m_stdoutFd >= 0 || m_stderrFd >= 0;
}

bool WorkerProcess::waitForEvent(const std::function<bool(const proto::RunEvent &)> &matches,
                                 std::chrono::milliseconds timeout)
{
    const auto until = Clock::now() + timeout;
    std::size_t checked = 0;
    for (;;) {
        for (; checked < m_events.size(); ++checked) {
            if (matches(m_events[checked])) {
                return true;
            }
        }
        if (Clock::now() >= until || !pump(until)) {
            return false;
        }
    }
}

std::optional<int> WorkerProcess::waitForExit(std::chrono::milliseconds timeout)
{
    const auto until = Clock::now() + timeout;
    while (Clock::now() < until && pump(until)) {}
    if (m_stdoutFd >= 0 || m_stderrFd >= 0) {
        return std::nullopt; // still writing at the deadline: the destructor kills it
    }
    // Both streams closed: the child is exiting, so this wait is short.
    int status = 0;
    if (::waitpid(m_pid, &status, 0) != m_pid) {
        return std::nullopt;
    }
    m_pid = -1;
    if (!WIFEXITED(status)) {
        return std::nullopt;
    }
    return WEXITSTATUS(status);
}

} // namespace tl::testing
