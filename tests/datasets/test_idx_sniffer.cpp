#include "datasets/idx_sniffer.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

std::vector<std::string> digits(int count)
{
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        out.push_back(std::to_string(i));
    }
    return out;
}

std::vector<std::string> classNames(const tl::proto::DatasetSpec &spec)
{
    return {spec.class_names().begin(), spec.class_names().end()};
}

} // namespace

TEST_CASE("A dropped folder with the four idx files becomes a dataset spec", "[datasets]")
{
    TempDir dir("sniff-folder");
    const fs::path folder = dir / "digits";
    writeDataset(folder, 30, 10);
    writeRaw(folder / "README.md", "not part of the dataset");
    auto spec = sniffIdxDataset({folder});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "digits");
    CHECK(spec.value().format() == tl::proto::DATASET_FORMAT_IDX);
    CHECK(spec.value().train_images() == (folder / "train-images-idx3-ubyte.gz").string());
    CHECK(spec.value().train_labels() == (folder / "train-labels-idx1-ubyte.gz").string());
    CHECK(spec.value().test_images() == (folder / "t10k-images-idx3-ubyte.gz").string());
    CHECK(spec.value().test_labels() == (folder / "t10k-labels-idx1-ubyte.gz").string());
    CHECK(fs::path(spec.value().train_images()).is_absolute());
    CHECK(classNames(spec.value()) == digits(10));
    CHECK(spec.value().train_limit() == 0);
}

TEST_CASE("Four dropped files with variant names become a dataset spec", "[datasets]")
{
    TempDir dir("sniff-files");
    const fs::path folder = dir / "mnist";
    fs::create_directories(folder);
    writePair(folder / "Train-Images.idx3-ubyte", folder / "train-labels.idx1-ubyte", 12, 12, 4, 3,
              3);
    writePair(folder / "test-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte", 6, 6, 4, 3,
              3);
    auto spec =
        sniffIdxDataset({folder / "t10k-labels-idx1-ubyte", folder / "Train-Images.idx3-ubyte",
                         folder / "test-images-idx3-ubyte.gz", folder / "train-labels.idx1-ubyte"});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "mnist");
    CHECK(spec.value().train_images() == (folder / "Train-Images.idx3-ubyte").string());
    CHECK(spec.value().test_images() == (folder / "test-images-idx3-ubyte.gz").string());
    CHECK(classNames(spec.value()) == digits(3));
}

TEST_CASE("A dropped file that is not idx is an error naming it and why", "[datasets]")
{
    TempDir dir("sniff-notes");
    writeDataset(dir.path(), 10, 10, "");
    writeRaw(dir / "notes.txt", "Some notes.");
    auto spec = sniffIdxDataset(
        {dir / "train-images-idx3-ubyte", dir / "train-labels-idx1-ubyte", dir / "notes.txt"});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().code == ErrorCode::InvalidInput);
    CHECK(spec.error().describe().starts_with("notes.txt, byte 0: Not an idx file: expected the "
                                              "magic 0x00 0x00 <type> <dims> at byte 0"));
    CHECK(contains(spec.error().message, "found 0x53 0x6f 0x6d 0x65."));
}

TEST_CASE("A file named as a dataset part but not idx is an error naming it", "[datasets]")
{
    TempDir dir("sniff-fake");
    writeDataset(dir.path(), 10, 10);
    writeRaw(dir / "t10k-labels-idx1-ubyte.gz", "<html>404</html>");
    auto spec = sniffIdxDataset({dir.path()});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().context == "t10k-labels-idx1-ubyte.gz, byte 0");
}

TEST_CASE("A folder missing files is an error listing the missing ones", "[datasets]")
{
    TempDir dir("sniff-missing");
    const fs::path folder = dir / "partial";
    writeDataset(folder, 10, 10);
    fs::remove(folder / "t10k-labels-idx1-ubyte.gz");
    fs::remove(folder / "train-images-idx3-ubyte.gz");
    auto spec = sniffIdxDataset({folder});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().code == ErrorCode::NotFound);
    CHECK(spec.error().describe()
          == "partial: The folder lacks train-images-idx3-ubyte[.gz], "
             "t10k-labels-idx1-ubyte[.gz]; an idx dataset needs a train images and labels "
             "pair (and optionally a test pair).");
}

TEST_CASE("An idx file with an unrecognised name among dropped files is an error", "[datasets]")
{
    TempDir dir("sniff-unnamed");
    writeDataset(dir.path(), 10, 10);
    writeUInt8(dir / "extra.idx", {2}, {1, 2});
    auto spec = sniffIdxDataset({dir / "train-images-idx3-ubyte.gz", dir / "extra.idx"});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().context == "extra.idx");
    CHECK(contains(spec.error().message, "does not say which split and part it is"));
}

TEST_CASE("Sniffing checks that each split's images and labels agree", "[datasets]")
{
    TempDir dir("sniff-counts");
    writeDataset(dir.path(), 10, 10);
    writePair(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz", 10, 9);
    auto spec = sniffIdxDataset({dir.path()});
    REQUIRE_FALSE(spec.ok());
    CHECK(contains(spec.error().message, "t10k-images-idx3-ubyte.gz has 10 images but "
                                         "t10k-labels-idx1-ubyte.gz has 9 labels"));
}

TEST_CASE("A path containing \"fashion\" gets the Fashion-MNIST class names", "[datasets]")
{
    TempDir dir("sniff-fashion");
    const fs::path folder = dir / "My-FASHION-set";
    writeDataset(folder, 20, 10);
    auto spec = sniffIdxDataset({folder});
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "My-FASHION-set");
    CHECK(classNames(spec.value()) == fashionMnistClassNames());
    CHECK(fashionMnistClassNames().front() == "T-shirt/top");
    CHECK(fashionMnistClassNames().back() == "Ankle boot");
}

TEST_CASE("Dropping nothing, a missing file or a folder among files is an error", "[datasets]")
{
    TempDir dir("sniff-odd");
    CHECK_FALSE(sniffIdxDataset({}).ok());
    auto missing = sniffIdxDataset({dir / "train-images-idx3-ubyte", dir / "gone"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    fs::create_directories(dir / "sub");
    writeRaw(dir / "a", "x");
    auto mixed = sniffIdxDataset({dir / "a", dir / "sub"});
    REQUIRE_FALSE(mixed.ok());
    CHECK(contains(mixed.error().message, "not a folder together with other items"));
}

TEST_CASE("A folder holding a part both plain and gzipped uses the plain file", "[datasets]")
{
    TempDir dir("sniff-both");
    writeDataset(dir.path(), 10, 10);
    writePair(dir / "train-images-idx3-ubyte", dir / "train-labels-idx1-ubyte", 10, 10);
    auto spec = sniffIdxDataset({dir.path()});
    REQUIRE(spec.ok());
    CHECK(spec.value().train_images() == (dir / "train-images-idx3-ubyte").string());
    CHECK(spec.value().test_images() == (dir / "t10k-images-idx3-ubyte.gz").string());

    auto twice =
        sniffIdxDataset({dir / "train-images-idx3-ubyte", dir / "train-images-idx3-ubyte.gz"});
    REQUIRE_FALSE(twice.ok());
    CHECK(contains(twice.error().message, "Two dropped files are train-images-idx3-ubyte"));
}
