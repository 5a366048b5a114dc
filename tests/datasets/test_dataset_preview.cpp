#include "datasets/dataset_preview.h"
#include "datasets/idx_sniffer.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

tl::proto::DatasetSpec sniffed(const fs::path &folder)
{
    auto spec = sniffIdxDataset({folder});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    return spec.value();
}

} // namespace

TEST_CASE("A preview counts samples and classes and measures the train pixels", "[datasets]")
{
    TempDir dir("preview");
    writeDataset(dir / "set", 45, 17); // labels i % 10: classes 0-4 have 5, 5-9 have 4
    auto preview = previewDataset(sniffed(dir / "set"), 0);
    REQUIRE(preview.ok());
    const DatasetPreview &p = preview.value();
    CHECK(p.name == "set");
    CHECK(p.trainCount == 45);
    CHECK(p.testCount == 17);
    CHECK(p.channels == 1);
    CHECK(p.height == 4);
    CHECK(p.width == 3);
    CHECK(p.classNames.size() == 10);
    CHECK(p.trainClassCounts == std::vector<std::int64_t>{5, 5, 5, 5, 5, 4, 4, 4, 4, 4});
    CHECK(p.samples.empty());

    // The statistics, computed here the plain way.
    double sum = 0;
    double squares = 0;
    const auto pixels = patternPixels(45, 4, 3);
    for (std::uint8_t v : pixels) {
        sum += v / 255.0;
        squares += (v / 255.0) * (v / 255.0);
    }
    const double mean = sum / static_cast<double>(pixels.size());
    const double variance = squares / static_cast<double>(pixels.size()) - mean * mean;
    CHECK(p.pixelMean == Approx(mean).epsilon(1e-12));
    CHECK(p.pixelStd == Approx(std::sqrt(variance)).epsilon(1e-9));
    CHECK(p.pixelStd > 0.1);
}

TEST_CASE("Preview samples are the first images spread over the classes", "[datasets]")
{
    TempDir dir("samples");
    writeDataset(dir / "set", 45, 10);
    auto preview = previewDataset(sniffed(dir / "set"), 20);
    REQUIRE(preview.ok());
    const auto &samples = preview.value().samples;
    REQUIRE(samples.size() == 20);
    // Two per class: for class c, images c and c + 10, ordered by label then index.
    const auto pixels = patternPixels(45, 4, 3);
    for (std::size_t s = 0; s < samples.size(); ++s) {
        const std::int64_t label = static_cast<std::int64_t>(s / 2);
        const std::int64_t index = label + 10 * static_cast<std::int64_t>(s % 2);
        CHECK(samples[s].label == label);
        CHECK(samples[s].index == index);
        CHECK(samples[s].pixels
              == std::vector<std::uint8_t>(pixels.begin() + index * 12,
                                           pixels.begin() + index * 12 + 12));
    }
}

TEST_CASE("When classes are short, preview samples fill up with the next first images",
          "[datasets]")
{
    TempDir dir("short");
    writeDataset(dir / "set", 12, 4, ".gz", 2); // labels alternate 0, 1
    auto spec = sniffed(dir / "set");
    spec.clear_class_names();
    spec.add_class_names("cat");
    spec.add_class_names("dog");
    spec.add_class_names("bird"); // no bird images: its share goes to the others
    auto preview = previewDataset(spec, 9);
    REQUIRE(preview.ok());
    const auto &samples = preview.value().samples;
    REQUIRE(samples.size() == 9);
    CHECK(preview.value().trainClassCounts == std::vector<std::int64_t>{6, 6, 0});
    std::vector<std::int64_t> indices;
    indices.reserve(samples.size());
    for (const auto &s : samples) {
        indices.push_back(s.index);
    }
    // 3 per class first (0,2,4 and 1,3,5), then images 6, 7, 8; ordered by label then index.
    CHECK(indices == std::vector<std::int64_t>{0, 2, 4, 6, 8, 1, 3, 5, 7});
    CHECK(preview.value().classNames == std::vector<std::string>{"cat", "dog", "bird"});
}

TEST_CASE("A preview follows the spec's limits", "[datasets]")
{
    TempDir dir("prevlimit");
    writeDataset(dir / "set", 45, 17);
    auto spec = sniffed(dir / "set");
    spec.set_train_limit(10);
    spec.set_test_limit(5);
    auto preview = previewDataset(spec, 100);
    REQUIRE(preview.ok());
    CHECK(preview.value().trainCount == 10);
    CHECK(preview.value().testCount == 5);
    CHECK(preview.value().samples.size() == 10);
    CHECK(preview.value().trainClassCounts == std::vector<std::int64_t>(10, 1));
}

TEST_CASE("A preview stops when asked and reports a broken split", "[datasets]")
{
    TempDir dir("prevstop");
    writeDataset(dir / "set", 20, 5);
    const auto spec = sniffed(dir / "set");
    std::stop_source stop;
    stop.request_stop();
    auto cancelled = previewDataset(spec, 10, stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);

    fs::remove(dir / "set" / "t10k-images-idx3-ubyte.gz");
    auto broken = previewDataset(spec, 10);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == ErrorCode::NotFound);
}
