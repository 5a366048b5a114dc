// runLocalCommand: the local kubectl's runner. Real processes of this machine's shell.

#include "remote/local_command.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <stop_token>

using tl::base::ErrorCode;
using tl::remote::runLocalCommand;

TEST_CASE("A local command gets its input and gives its output, errors and exit status",
          "[remote][local]")
{
    auto run = runLocalCommand({"sh", "-c", "cat; echo 'to stderr' >&2; exit 3"}, "a manifest\n");
    REQUIRE(run.ok());
    CHECK(run.value().out == "a manifest\n");
    CHECK(run.value().err == "to stderr\n");
    CHECK(run.value().exitStatus == 3);
}

TEST_CASE("A megabyte goes through a local command both ways without a deadlock", "[remote][local]")
{
    std::string input;
    for (int i = 0; input.size() < (1u << 20); ++i) {
        input += "line " + std::to_string(i) + "\n";
    }
    auto run = runLocalCommand({"cat"}, input);
    REQUIRE(run.ok());
    CHECK(run.value().out == input);
    CHECK(run.value().exitStatus == 0);
}

TEST_CASE("A local command that ignores its input neither hangs nor ends this program",
          "[remote][local]")
{
    auto run = runLocalCommand({"true"}, std::string(4u << 20, 'x'));
    REQUIRE(run.ok());
    CHECK(run.value().exitStatus == 0);
}

TEST_CASE("A missing program, a timeout and a cancel are errors naming the command",
          "[remote][local]")
{
    auto missing = runLocalCommand({"torchlight-no-such-program", "get", "jobs"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK_THAT(missing.error().message, Catch::Contains("torchlight-no-such-program"));

    auto slow = runLocalCommand({"sleep", "30"}, {}, std::chrono::milliseconds(200));
    REQUIRE_FALSE(slow.ok());
    CHECK_THAT(slow.error().message, Catch::Contains("sleep 30 did not finish"));

    std::stop_source stop;
    stop.request_stop();
    auto cancelled =
        runLocalCommand({"sleep", "30"}, {}, std::chrono::seconds(30), stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
}
