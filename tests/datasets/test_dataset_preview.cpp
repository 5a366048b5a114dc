#include "datasets/dataset_loader.h"
#include "datasets/dataset_preview.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace tl::datasets;
using namespace tl::datasets::testing;

namespace {

Dataset loaded(const tl::proto::DatasetSpec &spec)
{
    auto dataset = loadDataset(spec);
    INFO((dataset ? std::string() : dataset.error().describe()));
    REQUIRE(dataset.ok());
    return std::move(dataset).value();
}

tl::proto::DatasetSpec recognized(const fs::path &folder)
{
    auto spec = recognizeDataset({folder});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    return spec.value();
}

} // namespace

TEST_CASE("A preview counts samples and classes and measures the train pixels", "[datasets]")
{
    TempDir dir("preview");
    writeDataset(dir / "set", 45, 17); // labels i % 10: classes 0-4 have 5, 5-9 have 4
    const auto spec = recognized(dir / "set");
    const DatasetPreview p = previewDataset(loaded(spec), spec, {0, 10});
    const DatasetSummary &s = p.summary;
    CHECK(s.name == "set");
    CHECK(s.format == "idx");
    REQUIRE(s.splits.size() == 2);
    CHECK(s.splits[0].name == "train");
    CHECK(s.splits[0].count == 45);
    CHECK(s.splits[1].name == "test");
    CHECK(s.splits[1].count == 17);
    CHECK(s.sampleShape == std::vector<std::int64_t>{1, 4, 3});
    CHECK(s.valueType == ValueType::UInt8);
    CHECK(s.classNames.size() == 10);
    CHECK(s.splits[0].classCounts == std::vector<std::int64_t>{5, 5, 5, 5, 5, 4, 4, 4, 4, 4});
    CHECK(s.memoryBytes == (45 + 17) * 12 + (45 + 17) * 8);
    CHECK(s.sources.size() == 4);
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
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].mean == Approx(mean).epsilon(1e-12));
    CHECK(s.channels[0].std == Approx(std::sqrt(variance)).epsilon(1e-9));
    CHECK(s.channels[0].std > 0.1);
}

TEST_CASE("Preview samples are the first images of each class, ordered by class", "[datasets]")
{
    TempDir dir("samples");
    writeDataset(dir / "set", 45, 10);
    const auto spec = recognized(dir / "set");
    const DatasetPreview p = previewDataset(loaded(spec), spec, {2, 10});
    const auto &samples = p.samples;
    REQUIRE(samples.size() == 20);
    // Two per class: for class c, images c and c + 10, ordered by label then index.
    const auto pixels = patternPixels(45, 4, 3);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto label = static_cast<std::int64_t>(i / 2);
        const std::int64_t index = label + 10 * static_cast<std::int64_t>(i % 2);
        CHECK(samples[i].label == label);
        CHECK(samples[i].index == index);
        CHECK(samples[i].pixels
              == std::vector<std::uint8_t>(pixels.begin() + index * 12,
                                           pixels.begin() + index * 12 + 12));
    }
}

TEST_CASE("A tabular preview lists the first rows and per-feature statistics", "[datasets]")
{
    Dataset dataset;
    dataset.name = "table";
    dataset.format = "csv";
    dataset.train.shape = {2};
    dataset.train.type = ValueType::Float32;
    dataset.train.f32 = {1, 10, 3, 20, 5, 30};
    dataset.train.labels = {0, 1, 1};
    dataset.test = dataset.train;
    dataset.classNames = {"a", "b"};
    dataset.featureNames = {"x", "y"};
    const DatasetPreview p = previewDataset(dataset, {}, {32, 2});
    REQUIRE(p.rows.size() == 2);
    CHECK(p.rows[1].index == 1);
    CHECK(p.rows[1].label == 1);
    CHECK(p.rows[1].values == std::vector<float>{3, 20});
    CHECK(p.samples.empty());
    REQUIRE(p.summary.channels.size() == 2);
    CHECK(p.summary.channels[0].mean == Approx(3.0));
    CHECK(p.summary.channels[1].min == 10.0);
    CHECK(p.summary.channels[1].max == 30.0);
    CHECK(p.summary.channels[1].std == Approx(std::sqrt(200.0 / 3.0)));
    CHECK(p.summary.splits[0].classCounts == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("The summary as JSON has every field in a fixed order with escaped text", "[datasets]")
{
    DatasetSummary s;
    s.name = "quote \" and \\ and \n";
    s.format = "csv";
    s.sources = {"/d/a.csv"};
    s.sampleShape = {2};
    s.valueType = ValueType::Float32;
    s.classNames = {"a", "b"};
    s.featureNames = {"x", "y"};
    s.splits = {{"train", 3, {1, 2}}, {"test", 1, {0, 1}}};
    s.channels = {{0.5, 0.25, 0, 1}};
    s.memoryBytes = 48;
    s.warnings = {"w"};
    CHECK(toJson(s)
          == R"({"name": "quote \" and \\ and \n", "format": "csv", "sources": ["/d/a.csv"], )"
             R"("sample_shape": [2], "dtype": "float32", "memory_bytes": 48, )"
             R"("source_test_split": false, "splits": [{"name": "train", "count": 3, )"
             R"("class_counts": [1, 2]}, {"name": "test", "count": 1, "class_counts": [0, 1]}], )"
             R"("classes": ["a", "b"], "features": ["x", "y"], "channels": [{"mean": 0.5, )"
             R"("std": 0.25, "min": 0, "max": 1}], "warnings": ["w"]})");
    CHECK(jsonString(std::string("\x01", 1)) == "\"\\u0001\"");
}
