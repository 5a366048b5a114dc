#include "remote/shell_quote.h"
#include "tests/remote/test_bed.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

namespace {

using tl::remote::shellCommand;
using tl::remote::shellPath;
using tl::remote::shellQuote;

} // namespace

TEST_CASE("Safe words stay as they are, and others are single-quoted", "[remote]")
{
    CHECK(shellQuote("torchlight-worker") == "torchlight-worker");
    CHECK(shellQuote("/home/a/runs/x_1.pb") == "/home/a/runs/x_1.pb");
    CHECK(shellQuote("") == "''");
    CHECK(shellQuote("a b") == "'a b'");
    CHECK(shellQuote("it's") == "'it'\\''s'");
    CHECK(shellCommand({"sbatch", "--parsable", "my job.sh"}) == "sbatch --parsable 'my job.sh'");
}

TEST_CASE("The local shell reads every quoted word back exactly, running none of it",
          "[remote][security]")
{
    std::filesystem::path canary =
        std::filesystem::temp_directory_path() / ("tl-canary-" + std::to_string(::getpid()));
    std::string c = canary.string();
    std::vector<std::string> words = {"$(touch " + c + ")",
                                      "`touch " + c + "`",
                                      "x; touch " + c,
                                      "a'b\"c",
                                      "new\nline",
                                      "$HOME * ?",
                                      "\\",
                                      "'"};
    for (const std::string &word : words) {
        INFO(word);
        CHECK(tl::testing::localOutput(shellCommand({"printf", "%s", word})) == word);
    }
    CHECK_FALSE(std::filesystem::exists(canary));
}

TEST_CASE("A remote path keeps ~/ outside the quotes so the shell expands it", "[remote]")
{
    CHECK(shellPath("~/torchlight/runs/my run") == "~/'torchlight/runs/my run'");
    CHECK(shellPath("~") == "~");
    CHECK(shellPath("/abs/p") == "/abs/p");
    CHECK(tl::testing::localOutput("HOME=/h; printf %s " + shellPath("~/a b")) == "/h/a b");
}
