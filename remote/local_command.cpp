#include "remote/local_command.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <utility>

extern char **environ;

namespace tl::remote {

using base::ErrorCode;
using base::makeError;

namespace {

// A file descriptor closed on every path.
struct Fd
{
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    ~Fd() { reset(); }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    void reset()
    {
        if (fd >= 0) {
            ::close(fd);
        }
        fd = -1;
    }
};

bool makePipe(Fd &read, Fd &write)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return false;
    }
    read.fd = fds[0];
    write.fd = fds[1];
    return true;
}

// Writing to a child that already exited raises SIGPIPE, which would end this whole program:
// the signal is blocked on this thread while the input is written, and a pending one dropped.
class SigpipeBlock
{
public:
    SigpipeBlock()
    {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_old);
    }
    ~SigpipeBlock()
    {
        const timespec none{0, 0};
        while (sigtimedwait(&m_pipe, nullptr, &none) > 0) {}
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeBlock(const SigpipeBlock &) = delete;
    SigpipeBlock &operator=(const SigpipeBlock &) = delete;

private:
    sigset_t m_pipe{};
    sigset_t m_old{};
};

std::string commandName(const std::vector<std::string> &argv)
{
    std::string name;
    for (const std::string &word : argv) {
        name += name.empty() ? "" : " ";
        name += word;
    }
    return name;
}

} // namespace

base::Result<CommandOutput> runLocalCommand(const std::vector<std::string> &argv,
                                            std::string_view input,
                                            std::chrono::milliseconds timeout,
                                            std::stop_token stop)
{
    const std::string where = "this machine";
    if (argv.empty()) {
        return makeError(ErrorCode::InvalidInput, "no command to run", where);
    }
    Fd inRead, inWrite, outRead, outWrite, errRead, errWrite;
    if (!makePipe(inRead, inWrite) || !makePipe(outRead, outWrite)
        || !makePipe(errRead, errWrite)) {
        return makeError(ErrorCode::Io,
                         std::string("could not make a pipe: ") + std::strerror(errno), where);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the child's 0, 1 and 2; every other end closes at exec.
    posix_spawn_file_actions_adddup2(&actions, inRead.fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, outWrite.fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, errWrite.fd, STDERR_FILENO);
    std::vector<std::string> words = argv;
    std::vector<char *> args;
    for (std::string &word : words) {
        args.push_back(word.data());
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        return makeError(spawned == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                         argv[0] + " could not be started: " + std::strerror(spawned), where);
    }
    inRead.reset();
    outWrite.reset();
    errWrite.reset();
    ::fcntl(inWrite.fd, F_SETFL, O_NONBLOCK);
    if (input.empty()) {
        inWrite.reset();
    }

    CommandOutput output;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string failure;
    {
        SigpipeBlock blocked;
        std::array<char, 16384> buffer{};
        while (outRead.fd >= 0 || errRead.fd >= 0) {
            if (stop.stop_requested()) {
                failure = "was cancelled";
                break;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                failure = "did not finish within " + std::to_string(timeout.count() / 1000) + " s";
                break;
            }
            std::array<pollfd, 3> fds{
                {{outRead.fd, POLLIN, 0}, {errRead.fd, POLLIN, 0}, {inWrite.fd, POLLOUT, 0}}};
            // Short waits keep cancellation and the timeout prompt (STYLE.md, Long work).
            if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) {
                failure = std::string("could not be read: ") + std::strerror(errno);
                break;
            }
            const std::array<std::pair<Fd *, std::string *>, 2> readers{
                {{&outRead, &output.out}, {&errRead, &output.err}}};
            for (std::size_t i = 0; i < readers.size(); ++i) {
                Fd &fd = *readers[i].first;
                if (fd.fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                    continue;
                }
                const ssize_t n = ::read(fd.fd, buffer.data(), buffer.size());
                if (n > 0) {
                    readers[i].second->append(buffer.data(), static_cast<std::size_t>(n));
                } else if (n == 0 || errno != EINTR) {
                    fd.reset();
                }
            }
            if (inWrite.fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
                const ssize_t n = ::write(inWrite.fd, input.data(), input.size());
                if (n > 0) {
                    input.remove_prefix(static_cast<std::size_t>(n));
                }
                if (input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    inWrite.reset(); // all sent, or the program does not read it
                }
            }
        }
        inWrite.reset();
    }
    if (!failure.empty()) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!failure.empty()) {
        return makeError(failure == "was cancelled" ? ErrorCode::Cancelled : ErrorCode::Io,
                         commandName(argv) + " " + failure + ".", where);
    }
    output.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output;
}

bool localKubectlHas(const std::string &context)
{
    if (context.empty()) {
        return false;
    }
    base::Result<CommandOutput> names = runLocalCommand(
        {"kubectl", "config", "get-contexts", "-o", "name"}, {}, std::chrono::seconds(10));
    if (!names || names.value().exitStatus != 0) {
        return false;
    }
    return ("\n" + names.value().out).find("\n" + context + "\n") != std::string::npos;
}

} // namespace tl::remote
