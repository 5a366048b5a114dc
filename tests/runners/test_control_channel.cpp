#include "proto/record_io.h"
#include "runners/control_channel.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;
using namespace tl;
using runners::ControlAction;
using runners::ControlChannel;

namespace {

constexpr auto kDeadline = std::chrono::seconds(10);

std::string commandRecord(ControlAction action)
{
    proto::ControlCommand command;
    command.set_action(action);
    return proto::framedRecord(command.SerializeAsString());
}

void writeAll(int fd, const std::string &bytes)
{
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
}

// Waits (without sleeping blindly) until `count` commands arrived or the deadline passed.
std::vector<ControlAction> collect(ControlChannel &channel, std::size_t count)
{
    std::vector<ControlAction> got;
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
        for (const proto::ControlCommand &command :
             channel.waitFor(std::chrono::milliseconds(50))) {
            got.push_back(command.action());
        }
    }
    return got;
}

struct Pipe
{
    int fds[2] = {-1, -1};
    Pipe() { REQUIRE(::pipe(fds) == 0); }
    ~Pipe()
    {
        for (int fd : fds) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    void closeWriteEnd()
    {
        ::close(fds[1]);
        fds[1] = -1;
    }
};

// Collects onProblem() calls, which arrive on the reader thread.
struct Problems
{
    std::mutex mutex;
    std::vector<std::string> texts;
    void add(const std::string &text)
    {
        std::lock_guard lock(mutex);
        texts.push_back(text);
    }
    std::size_t count()
    {
        std::lock_guard lock(mutex);
        return texts.size();
    }
};

fs::path freshControlFile(const std::string &name)
{
    return testing::scratchDir(name) / "control.tlog";
}

} // namespace

TEST_CASE("Commands on the stdin stream arrive in order and STOP requests the stop token",
          "[runners]")
{
    Pipe pipe;
    ControlChannel channel({pipe.fds[0], {}, {}});
    CHECK(channel.poll().empty());
    CHECK_FALSE(channel.stopToken().stop_requested());
    writeAll(pipe.fds[1], commandRecord(proto::ControlCommand::ACTION_PAUSE)
                              + commandRecord(proto::ControlCommand::ACTION_RESUME));
    CHECK(collect(channel, 2)
          == std::vector<ControlAction>{proto::ControlCommand::ACTION_PAUSE,
                                        proto::ControlCommand::ACTION_RESUME});
    // A record split across two writes is assembled, not lost.
    const std::string stop = commandRecord(proto::ControlCommand::ACTION_STOP);
    writeAll(pipe.fds[1], stop.substr(0, 5));
    writeAll(pipe.fds[1], stop.substr(5));
    CHECK(collect(channel, 1) == std::vector<ControlAction>{proto::ControlCommand::ACTION_STOP});
    CHECK(channel.stopToken().stop_requested());
}

TEST_CASE("Debugger commands arrive whole, with the tensor and the settings they carry",
          "[runners][debugger]")
{
    Pipe pipe;
    const fs::path file = freshControlFile("control_debug");
    ControlChannel channel({pipe.fds[0], file, {}});
    proto::ControlCommand inspect;
    inspect.set_action(proto::ControlCommand::ACTION_DEBUG_INSPECT);
    inspect.set_tensor("grad fc1.weight");
    writeAll(pipe.fds[1], proto::framedRecord(inspect.SerializeAsString()));

    std::vector<proto::ControlCommand> got;
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (got.empty() && std::chrono::steady_clock::now() < deadline) {
        got = channel.waitFor(std::chrono::milliseconds(50));
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0].action() == proto::ControlCommand::ACTION_DEBUG_INSPECT);
    CHECK(got[0].tensor() == "grad fc1.weight");

    proto::ControlCommand settings;
    settings.set_action(proto::ControlCommand::ACTION_DEBUG_SETTINGS);
    settings.mutable_debug()->set_break_on_nonfinite(true);
    settings.mutable_debug()->add_break_at_nodes("fc2");
    auto writer = proto::RecordWriter::openFile(file);
    REQUIRE(writer.ok());
    REQUIRE(writer.value().write(settings.SerializeAsString()).ok());
    got.clear();
    while (got.empty() && std::chrono::steady_clock::now() < deadline) {
        got = channel.waitFor(std::chrono::milliseconds(50));
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0].debug().break_on_nonfinite());
    REQUIRE(got[0].debug().break_at_nodes_size() == 1);
    CHECK(got[0].debug().break_at_nodes(0) == "fc2");
}

TEST_CASE("EOF on stdin is not a stop, and control.tlog keeps working after it", "[runners]")
{
    Pipe pipe;
    const fs::path file = freshControlFile("control_eof");
    ControlChannel channel({pipe.fds[0], file, {}});
    CHECK(channel.isStreamOpen());
    pipe.closeWriteEnd();
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (channel.isStreamOpen() && std::chrono::steady_clock::now() < deadline) {
        CHECK(channel.waitFor(std::chrono::milliseconds(10)).empty());
    }
    REQUIRE_FALSE(channel.isStreamOpen());             // the reader saw EOF...
    CHECK_FALSE(channel.stopToken().stop_requested()); // ...and took it for no command
    auto writer = proto::RecordWriter::openFile(file);
    REQUIRE(writer.ok());
    proto::ControlCommand command;
    command.set_action(proto::ControlCommand::ACTION_STOP);
    REQUIRE(writer.value().write(command.SerializeAsString()).ok());
    CHECK(collect(channel, 1) == std::vector<ControlAction>{proto::ControlCommand::ACTION_STOP});
    CHECK(channel.stopToken().stop_requested());
}

TEST_CASE("control.tlog is read from the last offset as records are appended", "[runners]")
{
    const fs::path file = freshControlFile("control_file");
    ControlChannel channel({-1, file, {}});
    CHECK(channel.waitFor(std::chrono::milliseconds(1)).empty()); // no file yet: nothing
    auto writer = proto::RecordWriter::openFile(file);
    REQUIRE(writer.ok());
    for (ControlAction action :
         {proto::ControlCommand::ACTION_PAUSE, proto::ControlCommand::ACTION_RESUME}) {
        proto::ControlCommand command;
        command.set_action(action);
        REQUIRE(writer.value().write(command.SerializeAsString()).ok());
        // Each command is delivered once, however often the file is polled.
        CHECK(collect(channel, 1) == std::vector<ControlAction>{action});
        CHECK(channel.waitFor(std::chrono::milliseconds(1)).empty());
    }
}

TEST_CASE("Corrupt or unknown control input is reported and ignored, never a crash", "[runners]")
{
    Pipe pipe;
    Problems problems;
    const fs::path file = freshControlFile("control_corrupt");
    ControlChannel channel({pipe.fds[0], file, [&problems](const std::string &text) {
                                problems.add(text);
                            }});

    proto::ControlCommand unknown;
    unknown.set_action(static_cast<ControlAction>(42));
    writeAll(pipe.fds[1], proto::framedRecord(unknown.SerializeAsString()));
    writeAll(pipe.fds[1], std::string(20, '\xff')); // a header whose checksum fails
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (problems.count() < 2 && std::chrono::steady_clock::now() < deadline) {
        CHECK(channel.waitFor(std::chrono::milliseconds(20)).empty());
    }
    REQUIRE(problems.count() == 2);
    CHECK_THAT(problems.texts[0], Catch::Contains("unknown action 42"));
    CHECK_THAT(problems.texts[1], Catch::Contains("stdin, byte"));

    {
        std::FILE *f = std::fopen(file.c_str(), "wb");
        REQUIRE(f);
        std::fputs("garbage that is no record at all....", f);
        std::fclose(f);
    }
    CHECK(channel.waitFor(std::chrono::milliseconds(1)).empty());
    REQUIRE(problems.count() == 3);
    CHECK_THAT(problems.texts[2], Catch::Contains("control.tlog"));
    CHECK_FALSE(channel.stopToken().stop_requested());
}
