#pragma once
// Where a run's RunEvents go: appended to DIR/events.tlog, streamed as the same records to
// stdout (unless stdout is a terminal), and written as a readable line to DIR/worker.log.
// Thread-safe: the training thread and the control reader both emit. Owned by the train command.

#include "base/result.h"
#include "proto/record_io.h"
#include "proto/torchlight.pb.h"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tl::runners {

class EventSink
{
public:
    using Observer = std::function<void(const proto::RunEvent &)>;

    // Creates runDir if needed and opens events.tlog and worker.log for appending. An error here
    // means the run directory is not writable. stdoutStream may be null (no record stream).
    static base::Result<std::unique_ptr<EventSink>> open(const std::filesystem::path &runDir,
                                                         std::FILE *stdoutStream);

    ~EventSink();
    EventSink(const EventSink &) = delete;
    EventSink &operator=(const EventSink &) = delete;

    // Stamps wall_time when unset, then writes the event everywhere.
    void emit(proto::RunEvent event);

    void status(proto::RunState state, const std::string &message);
    void log(proto::LogLevel level, const std::string &text);
    void scalar(const std::string &tag, std::int64_t step, double value);
    void progress(const proto::ProgressEvent &progress);
    void checkpoint(const std::string &relativePath, std::uint32_t epoch, std::int64_t step);

    // Called (under the sink's lock) with every event after it was written; for --progress.
    void setObserver(Observer observer);

    // The first failure to write events.tlog or worker.log, if any: writing goes on to the other
    // destinations after one. A stdout that fails (the reader went away) is only dropped.
    std::optional<base::Error> firstError() const;

private:
    EventSink(std::filesystem::path runDir,
              proto::RecordWriter events,
              std::FILE *log,
              std::FILE *stdoutStream);
    void writeLogLine(const proto::RunEvent &event);
    void writeLogText(const std::string &text, double wallTime = 0);
    void noteError(const base::Error &error);

    mutable std::mutex m_mutex;
    std::filesystem::path m_runDir;
    proto::RecordWriter m_events;
    struct FileCloser
    {
        void operator()(std::FILE *file) const;
    };

    std::unique_ptr<std::FILE, FileCloser> m_log;
    std::optional<proto::RecordWriter> m_stdout;
    Observer m_observer;
    std::optional<base::Error> m_firstError;
    std::string m_scratch;
};

// Human-readable one-line form of an event, as written to worker.log (without the timestamp).
std::string describeEvent(const proto::RunEvent &event);

} // namespace tl::runners
