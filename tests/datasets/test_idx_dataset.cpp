#include "datasets/idx_dataset.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

tl::proto::DatasetSpec specFor(const fs::path &folder)
{
    tl::proto::DatasetSpec spec;
    spec.set_name("tiny");
    spec.set_format(tl::proto::DATASET_FORMAT_IDX);
    spec.set_train_images((folder / "train-images-idx3-ubyte.gz").string());
    spec.set_train_labels((folder / "train-labels-idx1-ubyte.gz").string());
    spec.set_test_images((folder / "t10k-images-idx3-ubyte.gz").string());
    spec.set_test_labels((folder / "t10k-labels-idx1-ubyte.gz").string());
    return spec;
}

} // namespace

TEST_CASE("An images and labels pair loads as N×1×H×W pixels with one label each", "[datasets]")
{
    TempDir dir("pair");
    writePair(dir / "img.gz", dir / "lbl.gz", 25, 25, 4, 3);
    auto loaded = loadIdxPair(dir / "img.gz", dir / "lbl.gz");
    REQUIRE(loaded.ok());
    const SampleSet &set = loaded.value();
    CHECK(set.count() == 25);
    CHECK(set.shape == std::vector<std::int64_t>{1, 4, 3});
    CHECK(set.type == ValueType::UInt8);
    CHECK(set.sampleSize() == 12);
    CHECK(set.u8 == patternPixels(25, 4, 3));
    CHECK(set.f32.empty());
    REQUIRE(set.labels.size() == 25);
    for (std::size_t i = 0; i < 25; ++i) {
        CHECK(set.labels[i] == static_cast<std::int64_t>(i % 10));
    }
}

TEST_CASE("Four-dimensional images are read as N×C×H×W", "[datasets]")
{
    TempDir dir("nchw");
    writeUInt8(dir / "img", {2, 3, 4, 5}, patternPixels(2, 3, 20));
    writeUInt8(dir / "lbl", {2}, {1, 0});
    auto loaded = loadIdxPair(dir / "img", dir / "lbl");
    REQUIRE(loaded.ok());
    CHECK(loaded.value().shape == std::vector<std::int64_t>{3, 4, 5});
    CHECK(loaded.value().u8.size() == 120);
}

TEST_CASE("Image and label counts that differ are an error naming both files and counts",
          "[datasets]")
{
    TempDir dir("mismatch");
    writePair(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz", 1000, 999);
    auto loaded = loadIdxPair(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == ErrorCode::InvalidInput);
    CHECK(contains(loaded.error().message, "t10k-images-idx3-ubyte.gz has 1,000 images but "
                                           "t10k-labels-idx1-ubyte.gz has 999 labels"));
}

TEST_CASE("Images or labels of the wrong type or shape are an error naming the file", "[datasets]")
{
    TempDir dir("shape");
    writePair(dir / "img", dir / "lbl", 4, 4);
    auto swapped = loadIdxPair(dir / "lbl", dir / "img");
    REQUIRE_FALSE(swapped.ok());
    CHECK(swapped.error().context == "lbl");
    CHECK(contains(swapped.error().message, "found uint8 with 1 dimension [4]"));

    IdxArray real;
    real.header.type = ElementType::Float32;
    real.header.dims = {4};
    real.data.assign(16, 0);
    REQUIRE(writeIdxFile(dir / "lblf", real).ok());
    auto floatLabels = loadIdxPair(dir / "img", dir / "lblf");
    REQUIRE_FALSE(floatLabels.ok());
    CHECK(floatLabels.error().context == "lblf");
    CHECK(contains(floatLabels.error().message, "Expected integer labels with 1 dimension [N], "
                                                "found float32 with 1 dimension [4]"));
}

TEST_CASE("Samples of any element type load as float32 and labels of any integer type",
          "[datasets]")
{
    TempDir dir("types");
    IdxArray samples;
    samples.header.type = ElementType::Int16;
    samples.header.dims = {2, 3};
    for (std::int16_t v : {-300, 0, 7, 1000, -1, 2}) {
        const auto *bytes = reinterpret_cast<const std::uint8_t *>(&v);
        samples.data.insert(samples.data.end(), bytes, bytes + 2);
    }
    REQUIRE(writeIdxFile(dir / "x", samples).ok());
    IdxArray labels;
    labels.header.type = ElementType::Int32;
    labels.header.dims = {2};
    for (std::int32_t v : {70000, 3}) {
        const auto *bytes = reinterpret_cast<const std::uint8_t *>(&v);
        labels.data.insert(labels.data.end(), bytes, bytes + 4);
    }
    REQUIRE(writeIdxFile(dir / "y", labels).ok());
    auto loaded = loadIdxPair(dir / "x", dir / "y");
    INFO((loaded ? std::string() : loaded.error().describe()));
    REQUIRE(loaded.ok());
    CHECK(loaded.value().type == ValueType::Float32);
    CHECK(loaded.value().shape == std::vector<std::int64_t>{3});
    CHECK(loaded.value().f32 == std::vector<float>{-300, 0, 7, 1000, -1, 2});
    CHECK(loaded.value().labels == std::vector<std::int64_t>{70000, 3});

    IdxArray negative = labels;
    negative.data.assign(8, 0xff); // -1, -1
    REQUIRE(writeIdxFile(dir / "yneg", negative).ok());
    auto bad = loadIdxPair(dir / "x", dir / "yneg");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().describe()
          == "yneg, byte 8: Label -1 of sample 0 is negative; expected class indices 0, 1, 2, ...");
}

TEST_CASE("Labels outside any class list load unchanged", "[datasets]")
{
    TempDir dir("range");
    writeUInt8(dir / "img", {2, 1, 1}, {9, 8});
    writeUInt8(dir / "lbl", {2}, {200, 255});
    auto loaded = loadIdxPair(dir / "img", dir / "lbl");
    REQUIRE(loaded.ok());
    CHECK(loaded.value().labels == std::vector<std::int64_t>{200, 255});
}

TEST_CASE("An idx spec reads both splits with their limits, keeping the first samples",
          "[datasets]")
{
    TempDir dir("split");
    writeDataset(dir.path(), 30, 12);
    auto spec = specFor(dir.path());
    spec.set_train_limit(7);
    spec.set_test_limit(100); // more than there are: all 12
    auto source = readIdx(spec, {});
    INFO((source ? std::string() : source.error().describe()));
    REQUIRE(source.ok());
    const SampleSet &train = source.value().train;
    CHECK(source.value().format == "idx");
    CHECK(train.count() == 7);
    CHECK(train.labels == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
    const auto all = patternPixels(30, 4, 3);
    CHECK(train.u8 == std::vector<std::uint8_t>(all.begin(), all.begin() + std::ptrdiff_t{7} * 12));
    REQUIRE(source.value().test.has_value());
    CHECK(source.value().test->count() == 12);

    auto headers = readIdxPairHeaders(spec.train_images(), spec.train_labels());
    REQUIRE(headers.ok());
    CHECK(headers.value().images.dims == std::vector<std::int64_t>{30, 4, 3});

    spec.clear_test_images();
    spec.clear_test_labels();
    auto trainOnly = readIdx(spec, {});
    REQUIRE(trainOnly.ok());
    CHECK_FALSE(trainOnly.value().test.has_value());
}

TEST_CASE("A spec without a split's files is an error saying which file is missing", "[datasets]")
{
    tl::proto::DatasetSpec spec;
    spec.set_name("empty");
    spec.set_train_images("/nowhere/train-images-idx3-ubyte");
    auto train = readIdx(spec, {});
    REQUIRE_FALSE(train.ok());
    CHECK(train.error().describe()
          == "dataset \"empty\": The dataset spec names no train labels file; expected the path "
             "of an idx file.");
    spec.set_train_labels("/nowhere/train-labels-idx1-ubyte");
    spec.set_test_labels("/nowhere/t10k-labels-idx1-ubyte");
    auto test = readIdx(spec, {});
    REQUIRE_FALSE(test.ok());
    CHECK(test.error().code == ErrorCode::NotFound); // the train files are read first
}

TEST_CASE("Loading a pair reports combined progress and stops when asked", "[datasets]")
{
    TempDir dir("pairstop");
    writePair(dir / "img.gz", dir / "lbl.gz", 20, 20, 4, 3);
    std::uint64_t last = 0;
    std::uint64_t expected = 0;
    auto loaded = loadIdxPair(dir / "img.gz", dir / "lbl.gz", 0, {},
                              [&](std::uint64_t done, std::uint64_t total, std::string_view) {
                                  CHECK(done >= last);
                                  last = done;
                                  expected = total;
                              });
    REQUIRE(loaded.ok());
    CHECK(expected == (16 + 240) + (8 + 20));
    CHECK(last == expected);

    std::stop_source stop;
    stop.request_stop();
    auto cancelled = loadIdxPair(dir / "img.gz", dir / "lbl.gz", 0, stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
}
