#pragma once
// A torchlight-worker child process with pipes on stdin, stdout and stderr, for end-to-end
// tests. Output is read with poll() against deadlines, never by sleeping. One thread.

#include "proto/record_io.h"
#include "proto/torchlight.pb.h"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tl::testing {

class WorkerProcess
{
public:
    // Starts TL_WORKER_PATH with `args` (after the executable's path) and this process's
    // environment plus `extraEnv` ("NAME=value"); throws std::runtime_error when it cannot.
    explicit WorkerProcess(const std::vector<std::string> &args,
                           const std::vector<std::string> &extraEnv = {});
    ~WorkerProcess(); // kills and reaps a child that is still running
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;

    // Writes one framed ControlCommand record to the child's stdin.
    void send(proto::ControlCommand::Action action);
    void send(const proto::ControlCommand &command);
    void closeStdin();

    // Reads output until `matches` holds for an event that arrived on stdout, or the timeout
    // passes. Events seen before the call count too.
    bool waitForEvent(const std::function<bool(const proto::RunEvent &)> &matches,
                      std::chrono::milliseconds timeout);
    // Reads all output until the child exits: its exit code, or nullopt when the timeout passed
    // (the child is then killed) or it died of a signal.
    std::optional<int> waitForExit(std::chrono::milliseconds timeout);

    const std::vector<proto::RunEvent> &events() const { return m_events; }
    const std::string &stdoutBytes() const { return m_stdout; }
    const std::string &stderrText() const { return m_stderr; }
    // Set when stdout held bytes that are not RunEvent records.
    const std::string &streamError() const { return m_streamError; }

private:
    // Reads whatever is available, waiting at most until `until`; false once both output
    // streams are closed.
    bool pump(std::chrono::steady_clock::time_point until);
    void decode(std::string_view bytes);
    void closeFd(int &fd);

    pid_t m_pid = -1;
    int m_stdin = -1;
    int m_stdoutFd = -1;
    int m_stderrFd = -1;
    std::string m_stdout;
    std::string m_stderr;
    proto::RecordReader m_reader{"worker stdout"};
    std::vector<proto::RunEvent> m_events;
    std::string m_streamError;
};

} // namespace tl::testing
