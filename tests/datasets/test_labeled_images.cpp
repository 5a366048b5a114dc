#include "datasets/labeled_images.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

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
    const LabeledImages &set = loaded.value();
    CHECK(set.count == 25);
    CHECK(set.channels == 1);
    CHECK(set.height == 4);
    CHECK(set.width == 3);
    CHECK(set.imageSize() == 12);
    CHECK(set.pixels == patternPixels(25, 4, 3));
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
    CHECK(loaded.value().channels == 3);
    CHECK(loaded.value().height == 4);
    CHECK(loaded.value().width == 5);
    CHECK(loaded.value().pixels.size() == 120);
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

    IdxArray wide;
    wide.header.type = ElementType::Int32;
    wide.header.dims = {4};
    wide.data.assign(16, 0);
    REQUIRE(writeIdxFile(dir / "lbl32", wide).ok());
    auto int32Labels = loadIdxPair(dir / "img", dir / "lbl32");
    REQUIRE_FALSE(int32Labels.ok());
    CHECK(int32Labels.error().context == "lbl32");
    CHECK(contains(int32Labels.error().message, "Expected uint8 labels with 1 dimension [N], found "
                                                "int32 with 1 dimension [4]"));
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

TEST_CASE("A split of a spec applies its limit and keeps the first samples", "[datasets]")
{
    TempDir dir("split");
    writeDataset(dir.path(), 30, 12);
    auto spec = specFor(dir.path());
    spec.set_train_limit(7);
    spec.set_test_limit(100); // more than there are: all 12
    auto train = loadSplit(spec, Split::Train);
    REQUIRE(train.ok());
    CHECK(train.value().count == 7);
    CHECK(train.value().labels == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
    const auto all = patternPixels(30, 4, 3);
    CHECK(train.value().pixels
          == std::vector<std::uint8_t>(all.begin(), all.begin() + std::ptrdiff_t{7} * 12));
    auto test = loadSplit(spec, Split::Test);
    REQUIRE(test.ok());
    CHECK(test.value().count == 12);

    auto headers = readSplitHeaders(spec, Split::Train);
    REQUIRE(headers.ok());
    CHECK(headers.value().images.dims == std::vector<std::int64_t>{30, 4, 3});
}

TEST_CASE("A spec without a split's files is an error saying which file is missing", "[datasets]")
{
    tl::proto::DatasetSpec spec;
    spec.set_name("empty");
    spec.set_train_images("/nowhere/train-images-idx3-ubyte");
    auto train = loadSplit(spec, Split::Train);
    REQUIRE_FALSE(train.ok());
    CHECK(train.error().describe()
          == "dataset \"empty\": The dataset spec names no train labels file; expected the path "
             "of an idx file.");
    auto test = loadSplit(spec, Split::Test);
    REQUIRE_FALSE(test.ok());
    CHECK(contains(test.error().message, "names no test images file"));
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
