#include "runners/event_sink.h"

#include "proto/run_state.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <system_error>

namespace tl::runners {
namespace {

using base::ErrorCode;

double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// "2024-05-01 12:00:03.250" in UTC, for worker.log.
std::string timestamp(double wallTime)
{
    const auto seconds = static_cast<std::time_t>(wallTime);
    const int millis = static_cast<int>((wallTime - static_cast<double>(seconds)) * 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03d", text, millis);
    return out;
}

const char *levelName(proto::LogLevel level)
{
    switch (level) {
    case proto::LOG_LEVEL_WARNING:
        return "warning";
    case proto::LOG_LEVEL_ERROR:
        return "error";
    default:
        return "info";
    }
}

template<typename... Values>
std::string format(const char *pattern, Values... values)
{
    const int size = std::snprintf(nullptr, 0, pattern, values...);
    if (size <= 0) {
        return {};
    }
    std::string out(static_cast<std::size_t>(size) + 1, '\0');
    std::snprintf(out.data(), out.size(), pattern, values...);
    out.pop_back();
    return out;
}

std::string describeProgress(const proto::ProgressEvent &p)
{
    return format("progress: epoch %u/%u, step %llu/%llu, loss %.4f, %.0f samples/s, ETA %.0f s",
                  p.epoch(), p.epochs(), static_cast<unsigned long long>(p.step()),
                  static_cast<unsigned long long>(p.total_steps()), p.loss(),
                  p.samples_per_second(), p.eta_seconds());
}

// "debug step 3 forward fc1 (Linear): step; fc1 [64, 128] float32"
std::string describeDebug(const proto::DebugEvent &d)
{
    std::string reason = proto::DebugEvent::Reason_Name(d.reason());
    if (reason.starts_with("REASON_")) {
        reason.erase(0, 7);
    }
    std::string text =
        format("debug %s at step %lld %s %s (%s)", reason.c_str(), static_cast<long long>(d.step()),
               d.phase() == proto::DebugEvent::PHASE_FORWARD ? "forward" : "backward",
               d.node().c_str(), d.op().c_str());
    if (!d.message().empty()) {
        text += ": " + d.message();
    }
    if (!d.tensor().name().empty()) {
        text += "; " + d.tensor().name() + " " + d.tensor().dtype() + " ["
                + std::to_string(d.tensor().count()) + " values]";
    }
    return text;
}

std::string describeEvaluation(const proto::EvaluationEvent &e)
{
    std::string text = format("evaluation %s @ step %lld: loss %.6g over %llu samples",
                              e.split().c_str(), static_cast<long long>(e.step()), e.loss(),
                              static_cast<unsigned long long>(e.samples()));
    if (!e.confusion().empty()) {
        text += format(", accuracy %.4f", e.accuracy());
    }
    if (e.class_names_size() > 5 && !e.confusion().empty()) {
        text += format(", top-5 %.4f", e.top5());
    }
    return text;
}

} // namespace

std::string describeEvent(const proto::RunEvent &event)
{
    switch (event.payload_case()) {
    case proto::RunEvent::kStatus:
        return std::string("status ") + proto::runStateName(event.status().state()) + ": "
               + event.status().message();
    case proto::RunEvent::kProgress:
        return describeProgress(event.progress());
    case proto::RunEvent::kScalar:
        return format("scalar %s @ step %lld = %.6g", event.scalar().tag().c_str(),
                      static_cast<long long>(event.scalar().step()), event.scalar().value());
    case proto::RunEvent::kLog:
        return std::string(levelName(event.log().level())) + ": " + event.log().text();
    case proto::RunEvent::kCheckpoint:
        return format("checkpoint %s (epoch %u, step %lld%s)", event.checkpoint().path().c_str(),
                      event.checkpoint().epoch(), static_cast<long long>(event.checkpoint().step()),
                      event.checkpoint().metric().empty()
                          ? ""
                          : format(", %s %.6g", event.checkpoint().metric().c_str(),
                                   event.checkpoint().value())
                                .c_str());
    case proto::RunEvent::kDevices:
        return format("devices: %d", event.devices().devices_size());
    case proto::RunEvent::kEvaluation:
        return describeEvaluation(event.evaluation());
    case proto::RunEvent::kDebug:
        return describeDebug(event.debug());
    case proto::RunEvent::PAYLOAD_NOT_SET:
        break;
    }
    return "empty event";
}

base::Result<std::unique_ptr<EventSink>> EventSink::open(const std::filesystem::path &runDir,
                                                         std::FILE *stdoutStream)
{
    std::error_code ec;
    std::filesystem::create_directories(runDir, ec);
    if (ec) {
        return base::makeError(ErrorCode::Io,
                               "The run directory cannot be created: " + ec.message() + ".",
                               runDir.string());
    }
    auto events = proto::RecordWriter::openFile(runDir / "events.tlog");
    if (!events) {
        return events.error();
    }
    const std::filesystem::path logPath = runDir / "worker.log";
    std::FILE *log = std::fopen(logPath.c_str(), "a");
    if (!log) {
        return base::makeError(ErrorCode::Io,
                               std::string("The worker log cannot be opened for appending: ")
                                   + std::strerror(errno) + ".",
                               logPath.string());
    }
    return std::unique_ptr<EventSink>(
        new EventSink(runDir, std::move(events).value(), log, stdoutStream));
}

EventSink::EventSink(std::filesystem::path runDir,
                     proto::RecordWriter events,
                     std::FILE *log,
                     std::FILE *stdoutStream)
    : m_runDir(std::move(runDir))
    , m_events(std::move(events))
    , m_log(log)
{
    if (stdoutStream) {
        m_stdout.emplace(proto::RecordWriter::forStream(stdoutStream, "stdout"));
    }
}

EventSink::~EventSink() = default;

void EventSink::FileCloser::operator()(std::FILE *file) const
{
    std::fclose(file);
}

void EventSink::emit(proto::RunEvent event)
{
    if (event.wall_time() == 0) {
        event.set_wall_time(nowSeconds());
    }
    std::lock_guard lock(m_mutex);
    m_scratch.clear();
    event.SerializeToString(&m_scratch);
    if (auto status = m_events.write(m_scratch); !status) {
        noteError(status.error());
    }
    if (m_stdout) {
        // A closed pipe (the GUI went away) must not end the run: events.tlog still has it all.
        if (auto status = m_stdout->write(m_scratch); !status) {
            m_stdout.reset();
            writeLogText("stdout no longer takes records (" + status.error().message
                         + "); events.tlog still has every event");
        }
    }
    writeLogLine(event);
    if (m_observer) {
        m_observer(event);
    }
}

void EventSink::writeLogLine(const proto::RunEvent &event)
{
    // Progress arrives up to five times a second; the log keeps the epoch summaries instead.
    if (event.has_progress()) {
        return;
    }
    writeLogText(describeEvent(event), event.wall_time());
}

void EventSink::writeLogText(const std::string &text, double wallTime)
{
    const std::string line = timestamp(wallTime > 0 ? wallTime : nowSeconds()) + " " + text + "\n";
    if (std::fputs(line.c_str(), m_log.get()) < 0 || std::fflush(m_log.get()) != 0) {
        noteError(base::makeError(ErrorCode::Io, "Writing the worker log failed.",
                                  (m_runDir / "worker.log").string()));
    }
}

void EventSink::noteError(const base::Error &error)
{
    if (!m_firstError) {
        m_firstError = error;
    }
}

void EventSink::status(proto::RunState state, const std::string &message)
{
    proto::RunEvent event;
    event.mutable_status()->set_state(state);
    event.mutable_status()->set_message(message);
    emit(std::move(event));
}

void EventSink::log(proto::LogLevel level, const std::string &text)
{
    proto::RunEvent event;
    event.mutable_log()->set_level(level);
    event.mutable_log()->set_text(text);
    emit(std::move(event));
}

void EventSink::scalar(const std::string &tag, std::int64_t step, double value)
{
    proto::RunEvent event;
    auto *scalar = event.mutable_scalar();
    scalar->set_tag(tag);
    scalar->set_step(step);
    scalar->set_value(value);
    emit(std::move(event));
}

void EventSink::progress(const proto::ProgressEvent &progress)
{
    proto::RunEvent event;
    *event.mutable_progress() = progress;
    emit(std::move(event));
}

void EventSink::checkpoint(const std::string &relativePath, std::uint32_t epoch, std::int64_t step)
{
    proto::RunEvent event;
    auto *checkpoint = event.mutable_checkpoint();
    checkpoint->set_path(relativePath);
    checkpoint->set_epoch(epoch);
    checkpoint->set_step(step);
    emit(std::move(event));
}

void EventSink::setObserver(Observer observer)
{
    std::lock_guard lock(m_mutex);
    m_observer = std::move(observer);
}

std::optional<base::Error> EventSink::firstError() const
{
    std::lock_guard lock(m_mutex);
    return m_firstError;
}

} // namespace tl::runners
