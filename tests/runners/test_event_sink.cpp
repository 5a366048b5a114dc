#include "proto/record_io.h"
#include "runners/event_sink.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace tl;

namespace {

fs::path freshDir(const std::string &name)
{
    return testing::scratchDir(name, false);
}

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::vector<proto::RunEvent> readEvents(const fs::path &path)
{
    std::vector<proto::RunEvent> events;
    auto scan = proto::scanRecordFile(path, 0, [&](std::string_view payload, std::uint64_t) {
        proto::RunEvent event;
        REQUIRE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
        events.push_back(event);
        return base::okStatus();
    });
    REQUIRE(scan.ok());
    CHECK(scan.value().tornBytes == 0);
    return events;
}

void emitSample(runners::EventSink &sink)
{
    sink.status(proto::RUN_STATE_RUNNING, "training");
    proto::ProgressEvent progress;
    progress.set_step(5);
    sink.progress(progress);
    sink.scalar("train/loss", 5, 0.25);
    sink.log(proto::LOG_LEVEL_WARNING, "careful");
    sink.checkpoint("checkpoints/final.pt", 1, 5);
}

} // namespace

TEST_CASE("Events go to events.tlog and the stdout stream as the same records, and to worker.log "
          "as lines",
          "[runners]")
{
    const fs::path dir = freshDir("sink_three_ways") / "nested" / "run";
    std::FILE *stream = std::tmpfile();
    REQUIRE(stream);
    std::vector<proto::RunEvent> observed;
    {
        auto sink = runners::EventSink::open(dir, stream);
        REQUIRE(sink.ok()); // creates the missing directories
        sink.value()->setObserver([&](const proto::RunEvent &e) { observed.push_back(e); });
        emitSample(*sink.value());
        CHECK_FALSE(sink.value()->firstError().has_value());
    }
    const std::vector<proto::RunEvent> events = readEvents(dir / "events.tlog");
    REQUIRE(events.size() == 5);
    CHECK(observed.size() == 5);
    CHECK(events[0].status().state() == proto::RUN_STATE_RUNNING);
    CHECK(events[0].wall_time() > 1.6e9); // stamped: seconds since the Unix epoch
    CHECK(events[2].scalar().tag() == "train/loss");
    CHECK(events[4].checkpoint().path() == "checkpoints/final.pt");

    std::rewind(stream);
    std::string streamed;
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, stream)) > 0;) {
        streamed.append(chunk, n);
    }
    std::fclose(stream);
    CHECK(streamed == readFile(dir / "events.tlog"));

    const std::string log = readFile(dir / "worker.log");
    CHECK_THAT(log, Catch::Contains("status running: training"));
    CHECK_THAT(log, Catch::Contains("scalar train/loss @ step 5 = 0.25"));
    CHECK_THAT(log, Catch::Contains("warning: careful"));
    CHECK_THAT(log, Catch::Contains("checkpoint checkpoints/final.pt (epoch 1, step 5)"));
    CHECK_THAT(log, !Catch::Contains("progress")); // five a second would drown the log
}

TEST_CASE("A stdout that fails to write is dropped while events.tlog goes on", "[runners]")
{
    const fs::path dir = freshDir("sink_broken_stdout");
    fs::create_directories(dir);
    std::ofstream(dir / "readonly") << "x";
    std::FILE *readOnly = std::fopen((dir / "readonly").c_str(), "r");
    REQUIRE(readOnly);
    {
        auto sink = runners::EventSink::open(dir / "run", readOnly);
        REQUIRE(sink.ok());
        emitSample(*sink.value());
        CHECK_FALSE(sink.value()->firstError().has_value()); // the run's files are fine
    }
    std::fclose(readOnly);
    CHECK(readEvents(dir / "run" / "events.tlog").size() == 5);
    const std::string log = readFile(dir / "run" / "worker.log");
    CHECK_THAT(log, Catch::Contains("stdout no longer takes records"));
    CHECK_THAT(log, Catch::Contains("checkpoint checkpoints/final.pt")); // logging went on
}

TEST_CASE("A run directory that cannot be created is an error naming it", "[runners]")
{
    const fs::path dir = freshDir("sink_unwritable");
    fs::create_directories(dir);
    std::ofstream(dir / "file") << "a regular file";
    auto sink = runners::EventSink::open(dir / "file" / "run", nullptr);
    REQUIRE_FALSE(sink.ok());
    CHECK(sink.error().context == (dir / "file" / "run").string());
}
