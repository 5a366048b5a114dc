// Remote commands through the test bed's sshd: quoting that never executes what it quotes,
// output, exit status, input, timeouts and cancellation.

#include "remote/shell_quote.h"
#include "remote/ssh_session.h"
#include "tests/remote/test_bed.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

namespace {

using tl::remote::shellCommand;
using tl::remote::shellQuote;

// Words that a careless command line would execute or split; each plants the canary file.
std::vector<std::string> hostileWords(const std::string &canary)
{
    return {
        "my experiment",
        "it's \"quoted\"",
        "$(touch " + canary + ")",
        "`touch " + canary + "`",
        "a; touch " + canary,
        "a && touch " + canary + " || b",
        "line one\nline two; touch " + canary,
        "$HOME ${PATH} * ? ~ # !",
        "'",
        "",
        "tab\there | cat > " + canary,
    };
}

} // namespace

TEST_CASE("Quoted names with spaces, quotes, $(...) and semicolons reach the host as one argument "
          "and never run",
          "[remote][ssh][security]")
{
    auto dir = tl::testing::scratchDir("quoting");
    std::filesystem::permissions(dir, std::filesystem::perms::all); // tbuser could write here
    std::string canary = (dir / "canary").string();
    auto session = tl::testing::bedSession();
    for (const std::string &word : hostileWords(canary)) {
        INFO(word);
        auto out = session.run(shellCommand({"printf", "%s", word}));
        REQUIRE(out.ok());
        CHECK(out.value().exitStatus == 0);
        CHECK(out.value().out == word);
        // As a path: a folder with that name is created and found.
        std::string path = "tl-quoting/" + word + "x";
        auto made = session.run("mkdir -p " + shellQuote(path) + " && test -d " + shellQuote(path)
                                + " && rm -rf tl-quoting");
        REQUIRE(made.ok());
        CHECK(made.value().exitStatus == 0);
    }
    CHECK_FALSE(std::filesystem::exists(canary));
}

TEST_CASE("A remote command reports its exit status, its errors, and reads its input",
          "[remote][ssh]")
{
    auto session = tl::testing::bedSession();
    auto failed = session.run("echo out; echo err >&2; exit 3");
    REQUIRE(failed.ok());
    CHECK(failed.value().exitStatus == 3);
    CHECK(failed.value().out == "out\n");
    CHECK(failed.value().err == "err\n");

    std::string input(300000, 'x');
    input += "end";
    auto counted = session.run("wc -c", std::chrono::seconds(30), {}, input);
    REQUIRE(counted.ok());
    CHECK(counted.value().out == std::to_string(input.size()) + "\n");

    auto missing = session.run("no-such-torchlight-worker --version");
    REQUIRE(missing.ok());
    CHECK(missing.value().exitStatus == 127);
}

TEST_CASE("A remote command that runs too long times out, and a cancelled one stops",
          "[remote][ssh]")
{
    auto session = tl::testing::bedSession();
    auto slow = session.run("sleep 30", std::chrono::milliseconds(300));
    REQUIRE_FALSE(slow.ok());
    CHECK_THAT(slow.error().message, Catch::Contains("did not finish"));

    // Cancelled from the start: the command is started and abandoned at the first check.
    std::stop_source stop;
    stop.request_stop();
    auto start = std::chrono::steady_clock::now();
    auto cancelled = session.run("sleep 30", std::chrono::seconds(60), stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == tl::base::ErrorCode::Cancelled);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    // The session still works afterwards.
    auto after = session.run("echo ok");
    REQUIRE(after.ok());
    CHECK(after.value().out == "ok\n");
}
