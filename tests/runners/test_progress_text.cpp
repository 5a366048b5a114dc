#include "runners/number_text.h"
#include "runners/progress_bar.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <limits>

using namespace tl;

namespace {

std::string contents(std::FILE *file)
{
    std::rewind(file);
    std::string text;
    char chunk[1024];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file)) > 0;) {
        text.append(chunk, n);
    }
    return text;
}

proto::RunEvent progressEvent(std::uint64_t step, double samplesPerSecond)
{
    proto::RunEvent event;
    proto::ProgressEvent *p = event.mutable_progress();
    p->set_epoch(1);
    p->set_epochs(2);
    p->set_step(step);
    p->set_total_steps(100);
    p->set_samples_per_second(samplesPerSecond);
    p->set_eta_seconds(75);
    p->set_loss(0.54321);
    return event;
}

} // namespace

TEST_CASE("Numbers for people are grouped by thousands and percentages have two decimals",
          "[runners]")
{
    CHECK(runners::groupedDigits(0) == "0");
    CHECK(runners::groupedDigits(999) == "999");
    CHECK(runners::groupedDigits(61706) == "61,706");
    CHECK(runners::groupedDigits(1234567) == "1,234,567");
    CHECK(runners::groupedDigits(-1000) == "-1,000");
    CHECK(runners::groupedDigits(std::numeric_limits<std::int64_t>::min())
          == "-9,223,372,036,854,775,808");
    CHECK(runners::percentText(0.84213) == "84.21%");
}

TEST_CASE("The progress line shows epoch, bar, step, loss, samples/s and ETA", "[runners]")
{
    const std::string line =
        runners::ProgressBar::progressLine(progressEvent(50, 112345.6).progress());
    CHECK(line
          == "epoch 1/2 [############------------] step 50/100  loss 0.5432  112,345 samples/s  "
             "ETA 1:15");
}

TEST_CASE("The progress bar redraws one line and ends with the outcome on its own line",
          "[runners]")
{
    std::FILE *out = std::tmpfile();
    REQUIRE(out);
    runners::ProgressBar bar(out);
    bar.onEvent(progressEvent(10, 1000000));
    bar.onEvent(progressEvent(20, 5)); // shorter: padded over the longer line
    proto::RunEvent done;
    done.mutable_status()->set_state(proto::RUN_STATE_COMPLETED);
    done.mutable_status()->set_message("training completed: test accuracy 84.21%");
    bar.onEvent(done);
    const std::string text = contents(out);
    std::fclose(out);
    const std::size_t second = text.find('\r', 1);
    const std::size_t end = text.find('\n');
    REQUIRE(text.front() == '\r');
    REQUIRE(second != std::string::npos);
    REQUIRE(end != std::string::npos);
    const std::string firstDraw = text.substr(1, second - 1);
    const std::string secondDraw = text.substr(second + 1, end - second - 1);
    CHECK_THAT(firstDraw, Catch::Contains("1,000,000 samples/s"));
    CHECK_THAT(secondDraw, Catch::Contains(" 5 samples/s"));
    CHECK(secondDraw.size() == firstDraw.size()); // padded over the longer first draw
    CHECK(text.substr(end) == "\ntraining completed: test accuracy 84.21%\n");
}
