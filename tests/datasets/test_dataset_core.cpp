// The small shared parts of the datasets module: file sniffing, bad-sample records, the memory
// budget and the recogniser that asks every format.
#include "datasets/bad_samples.h"
#include "datasets/dataset_loader.h"
#include "datasets/file_kind.h"
#include "datasets/memory_budget.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

TEST_CASE("Files are told apart by their first bytes, not their names", "[datasets]")
{
    using namespace std::string_view_literals;
    CHECK(sniffBytes(""sv) == FileKind::Empty);
    CHECK(sniffBytes("\x1f\x8b\x08\x00"sv) == FileKind::Gzip);
    CHECK(sniffBytes("\x93NUMPY\x01\x00"sv) == FileKind::Npy);
    CHECK(sniffBytes("PK\x03\x04rest"sv) == FileKind::Zip);
    CHECK(sniffBytes("\x89PNG\r\n\x1a\n"sv) == FileKind::Png);
    CHECK(sniffBytes("\xff\xd8\xff\xe0"sv) == FileKind::Jpeg);
    CHECK(sniffBytes("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"sv) == FileKind::Bmp);
    CHECK(sniffBytes("\x00\x00\x08\x03\x00\x00"sv) == FileKind::Idx);
    CHECK(sniffBytes("\x00\x00\x07\x03"sv) == FileKind::Binary); // no such idx type
    CHECK(sniffBytes("a,b,label\n1,2,cat\n"sv) == FileKind::Text);
    CHECK(sniffBytes("caf\xc3\xa9;1\r\n"sv) == FileKind::Text);
    CHECK(sniffBytes("caf\xe9;1\n"sv) == FileKind::Binary);      // Latin-1, not UTF-8
    CHECK(sniffBytes("\x06\x3b\x3b\x3b"sv) == FileKind::Binary); // a CIFAR record

    TempDir dir("kinds");
    writeRaw(dir / "misnamed.csv", std::string("\x93NUMPY\x01\x00", 8));
    CHECK(sniffFileKind(dir / "misnamed.csv") == FileKind::Npy);
    CHECK(sniffFileKind(dir / "absent") == FileKind::Missing);
    CHECK(sniffFileKind(dir.path()) == FileKind::Directory);
    CHECK(std::string(fileKindName(FileKind::Npy)) == "npy");
}

TEST_CASE("Bad samples stop the load under STOP and become one warning under SKIP", "[datasets]")
{
    BadSamples stop(tl::proto::BAD_SAMPLE_STOP, "rows");
    CHECK_FALSE(stop.shouldStop());
    CHECK_FALSE(stop.warning().has_value());
    stop.add(
        {ErrorCode::InvalidInput, "Expected a number, found \"x\".", "a.csv, line 3, column 2"});
    CHECK(stop.shouldStop());
    CHECK(stop.first().context == "a.csv, line 3, column 2");

    BadSamples skip(tl::proto::BAD_SAMPLE_SKIP, "rows");
    skip.add(
        {ErrorCode::InvalidInput, "Expected a number, found \"x\".", "a.csv, line 3, column 2"});
    CHECK_FALSE(skip.shouldStop());
    CHECK(skip.warning()
          == "Skipped 1 row that could not be read; it: a.csv, line 3, column 2: "
             "Expected a number, found \"x\".");
    BadSamples later(tl::proto::BAD_SAMPLE_SKIP, "rows");
    for (int i = 0; i < 1200; ++i) {
        later.add({ErrorCode::InvalidInput, "Bad.", "line " + std::to_string(10 + i)});
    }
    skip.append(later);
    CHECK(skip.count() == 1201);
    CHECK(skip.warning()->starts_with("Skipped 1,201 rows that could not be read; the first: "
                                      "a.csv, line 3"));
}

TEST_CASE("A load larger than the memory available is refused with both sizes", "[datasets]")
{
    CHECK(availableMemoryBytes() > 0);
    CHECK(checkFitsInMemory(1024, "the samples", "x.npy").ok());
    const auto huge = checkFitsInMemory(std::uint64_t{100} << 40, "the samples", "x.npy");
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().context == "x.npy");
    CHECK(huge.error().message.starts_with(
        "Loading the samples needs 110.0 TB of memory, but only "));
}

TEST_CASE("Dropped files no format recognises give one error listing what each expects",
          "[datasets]")
{
    TempDir dir("nothing");
    writeRaw(dir / "blob.bin", std::string("\x01\x02\x03\x00\xff", 5));
    auto recognition = recognizeDataset({dir / "blob.bin"});
    REQUIRE_FALSE(recognition.ok());
    CHECK(recognition.error().code == ErrorCode::InvalidInput);
    CHECK(recognition.error().context == (dir / "blob.bin").string());
    CHECK(recognition.error().message.starts_with("No dataset format recognises this.\n- idx: "));

    auto none = recognizeDataset({});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.starts_with("Nothing was dropped"));
}

TEST_CASE("An idx dataset recognised from a folder loads with its own test split", "[datasets]")
{
    TempDir dir("loadidx");
    writeDataset(dir / "digits", 50, 20);
    auto spec = recognizeDataset({dir / "digits"});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    spec.value().mutable_split()->set_val_fraction(0.2);
    auto dataset = loadDataset(spec.value());
    INFO((dataset ? std::string() : dataset.error().describe()));
    REQUIRE(dataset.ok());
    CHECK(dataset.value().format == "idx");
    CHECK(dataset.value().train.count() == 40);
    CHECK(dataset.value().val.count() == 10);
    CHECK(dataset.value().test.count() == 20);

    tl::proto::DatasetSpec unknown = spec.value();
    unknown.set_format(static_cast<tl::proto::DatasetFormat>(99));
    auto refused = loadDataset(unknown);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().context == "dataset \"digits\", field format");
}

TEST_CASE("A 100 GB idx file is refused before any of it is read", "[datasets]")
{
    TempDir dir("huge");
    // The header promises 100,000 images of 1000 × 1000 bytes (100 GB); the file is sparse.
    std::string header("\x00\x00\x08\x03", 4);
    for (std::uint32_t dim : {100000u, 1000u, 1000u}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            header += static_cast<char>((dim >> shift) & 0xff);
        }
    }
    writeRaw(dir / "train-images-idx3-ubyte", header);
    fs::resize_file(dir / "train-images-idx3-ubyte", std::uint64_t{100000} * 1000 * 1000 + 16);
    std::string labels("\x00\x00\x08\x01", 4);
    labels += std::string("\x00\x01\x86\xa0", 4);
    writeRaw(dir / "train-labels-idx1-ubyte", labels);
    fs::resize_file(dir / "train-labels-idx1-ubyte", 100000 + 8);
    auto spec = recognizeDataset({dir.path()});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    auto dataset = loadDataset(spec.value());
    REQUIRE_FALSE(dataset.ok());
    CHECK(dataset.error().context == "train-images-idx3-ubyte");
    CHECK(dataset.error().message.find("needs 100.0 GB of memory") != std::string::npos);
}
