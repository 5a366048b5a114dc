// The lane that owns a connection: tasks on one thread, reconnecting after the host cut the
// connection, and backing off while the host is unreachable.

#include "remote/remote_lane.h"
#include "remote/remote_platform.h"
#include "tests/remote/test_bed.h"

#include <catch2/catch.hpp>

#include <future>
#include <mutex>
#include <thread>

namespace {

using tl::remote::LinkState;
using tl::remote::RemoteLane;
using tl::remote::RemotePlatform;

struct StateLog
{
    std::mutex mutex;
    std::vector<std::pair<LinkState, std::string>> states;

    RemoteLane::StateFn callback()
    {
        return [this](LinkState state, const std::string &detail) {
            std::lock_guard lock(mutex);
            states.emplace_back(state, detail);
        };
    }
    std::vector<std::pair<LinkState, std::string>> snapshot()
    {
        std::lock_guard lock(mutex);
        return states;
    }
};

// Runs command through the lane; its output, or the error's text prefixed with "error: ".
std::string
runOnLane(RemoteLane &lane, const std::string &command, std::thread::id *thread = nullptr)
{
    std::promise<std::string> result;
    lane.post([&](tl::base::Result<RemotePlatform *> platform) {
        if (thread != nullptr) {
            *thread = std::this_thread::get_id();
        }
        if (!platform) {
            result.set_value("error: " + platform.error().describe());
            return;
        }
        auto out = platform.value()->ssh().run(command, std::chrono::seconds(10));
        result.set_value(out ? out.value().out : "error: " + out.error().describe());
    });
    auto future = result.get_future();
    REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    return future.get();
}

} // namespace

TEST_CASE("A lane runs its tasks on its own thread over one connection", "[remote][lane]")
{
    StateLog log;
    RemoteLane lane(tl::testing::bedProfile(), {}, log.callback());
    std::thread::id first;
    std::thread::id second;
    std::string pid1 = runOnLane(lane, "echo $PPID", &first);
    std::string pid2 = runOnLane(lane, "echo $PPID", &second);
    CHECK(first == second);
    CHECK(first != std::this_thread::get_id());
    CHECK_FALSE(pid1.starts_with("error"));
    auto states = log.snapshot();
    REQUIRE(states.size() == 2);
    CHECK(states[0].first == LinkState::Connecting);
    CHECK(states[1].first == LinkState::Connected);
}

TEST_CASE("After the host cuts the connection, the lane reconnects and the next task works",
          "[remote][lane]")
{
    StateLog log;
    tl::remote::LaneOptions options;
    options.firstRetry = std::chrono::milliseconds(10);
    RemoteLane lane(tl::testing::bedProfile(), {}, log.callback(), options);
    // The sshd process serving this connection is the parent of the remote shell.
    std::string sshd = runOnLane(lane, "ps -o ppid= -p $$ | tr -d ' \\n'");
    REQUIRE_FALSE(sshd.starts_with("error"));
    tl::testing::localOutput("kill -KILL " + sshd);

    // The task that meets the dead connection fails; the lane notices and reconnects.
    std::string failed = runOnLane(lane, "echo hello");
    std::string after = failed.starts_with("error") ? runOnLane(lane, "echo hello") : failed;
    CHECK(after == "hello\n");
    auto states = log.snapshot();
    bool lost = false;
    for (const auto &[state, detail] : states) {
        lost = lost || (state == LinkState::Lost && detail.find("was lost") != std::string::npos);
    }
    CHECK(lost);
    CHECK(states.back().first == LinkState::Connected);
}

TEST_CASE("While the host is unreachable the lane retries with exponential backoff",
          "[remote][lane]")
{
    StateLog log;
    tl::remote::LaneOptions options;
    options.firstRetry = std::chrono::milliseconds(10);
    options.maxRetry = std::chrono::milliseconds(40);
    auto profile = tl::testing::bedProfile();
    profile.port = 1;
    RemoteLane lane(profile, {}, log.callback(), options);
    for (int i = 0; i < 4; ++i) {
        CHECK_THAT(runOnLane(lane, "true"), Catch::Contains("could not connect"));
    }
    std::vector<std::string> retries;
    for (const auto &[state, detail] : log.snapshot()) {
        if (state == LinkState::Lost) {
            retries.push_back(detail.substr(detail.find("retrying")));
        }
    }
    CHECK(retries
          == std::vector<std::string>{"retrying in 10 ms)", "retrying in 20 ms)",
                                      "retrying in 40 ms)", "retrying in 40 ms)"});
}
