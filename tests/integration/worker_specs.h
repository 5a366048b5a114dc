#pragma once
// What the worker's end-to-end tests share: the MLP spec on Fashion-MNIST, spec files, the
// events a run left, and waiting for a worker's exit.

#include "proto/torchlight.pb.h"
#include "worker_process.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::testing {

inline const std::filesystem::path kFashion = "/usr/share/datasets/fashion-mnist";
constexpr std::chrono::seconds kRunTimeout{60}; // generous: CI shares two cores between jobs

// Exit codes of docs/worker.md.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitInvalid = 3;
constexpr int kExitNoDevice = 4;
constexpr int kExitRunDir = 5;

bool haveFashion();
std::filesystem::path freshDir(const std::string &name);
void addNode(proto::ModelGraph &graph,
             const std::string &name,
             const std::string &op,
             const std::string &input,
             const char *attr = nullptr,
             std::int64_t value = 0);
// The MLP template (784-128-classes) on Fashion-MNIST, trained on the first `limit` images.
proto::ExperimentSpec mlpSpec(std::uint64_t limit, std::uint32_t epochs, std::int64_t classes = 10);
// Writes spec as dir/<name> (.pbtxt as text, anything else binary).
std::filesystem::path writeSpec(const proto::ExperimentSpec &spec,
                                const std::filesystem::path &dir,
                                const std::string &name);
std::string readFile(const std::filesystem::path &path);
// Every event of runDir/events.tlog; REQUIREs that it reads whole.
std::vector<proto::RunEvent> readEvents(const std::filesystem::path &runDir);
std::vector<proto::RunState> states(const std::vector<proto::RunEvent> &events);
std::vector<proto::ScalarEvent> scalars(const std::vector<proto::RunEvent> &events,
                                        const std::string &tag);
std::optional<proto::StatusEvent> lastStatus(const std::vector<proto::RunEvent> &events);
bool isState(const proto::RunEvent &e, proto::RunState state);
std::size_t lineCount(const std::string &text);
// Runs the worker to its exit; REQUIREs that it exits in time.
int runToExit(WorkerProcess &worker);
void appendControl(const std::filesystem::path &runDir, const proto::ControlCommand &command);
void appendControl(const std::filesystem::path &runDir, proto::ControlCommand::Action action);

// Reads a worker's events from stdout one DebugEvent at a time.
class DebugEvents
{
public:
    explicit DebugEvents(WorkerProcess &worker, std::chrono::milliseconds timeout = kRunTimeout)
        : m_worker(worker)
        , m_timeout(timeout)
    {}

    // The next DebugEvent after the last one returned; REQUIREs that it comes in time.
    proto::DebugEvent next();

private:
    WorkerProcess &m_worker;
    std::chrono::milliseconds m_timeout;
    std::size_t m_seen = 0;
};

} // namespace tl::testing
