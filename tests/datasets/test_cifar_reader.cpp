#include "datasets/cifar_reader.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

constexpr std::size_t kPixels = 3072;

// The pixel at flat CHW position p of record `record` of a batch numbered `batch`.
std::uint8_t pixelOf(int batch, int record, std::size_t p)
{
    return static_cast<std::uint8_t>((batch * 31 + record * 7 + p * 3 + p / 1024) & 0xff);
}

// Records with the given label bytes (one per record for CIFAR-10, coarse then fine for
// CIFAR-100) followed by the pattern pixels of `batch`.
std::string batchBytes(int batch, const std::vector<std::vector<int>> &labels)
{
    std::string out;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        for (const int label : labels[r]) {
            out += static_cast<char>(label);
        }
        for (std::size_t p = 0; p < kPixels; ++p) {
            out += static_cast<char>(pixelOf(batch, static_cast<int>(r), p));
        }
    }
    return out;
}

std::string namesText(const std::vector<std::string> &names)
{
    std::string out;
    for (const std::string &name : names) {
        out += "  " + name + " \r\n\n";
    }
    return out;
}

// cifar-10-batches-bin with two records per train batch (labels b, b + 1) and three test records
// (labels 7, 8, 9); batch 6 is the test batch.
fs::path writeCifar10(const fs::path &parent, bool withMeta = true)
{
    const fs::path folder = parent / "cifar-10-batches-bin";
    fs::create_directories(folder);
    for (int b = 1; b <= 5; ++b) {
        writeBytes(folder / ("data_batch_" + std::to_string(b) + ".bin"),
                   batchBytes(b, {{b - 1}, {b}}));
    }
    writeBytes(folder / "test_batch.bin", batchBytes(6, {{7}, {8}, {9}}));
    if (withMeta) {
        writeBytes(folder / "batches.meta.txt", namesText(cifar10ClassNames()) + "\n\n");
    }
    writeBytes(folder / "readme.html", "<html></html>");
    return folder;
}

// cifar-100-binary: train.bin with 4 records (coarse c, fine 5c + 1), test.bin with 2.
fs::path writeCifar100(const fs::path &parent)
{
    const fs::path folder = parent / "cifar-100-binary";
    fs::create_directories(folder);
    writeBytes(folder / "train.bin", batchBytes(1, {{0, 1}, {1, 6}, {19, 96}, {2, 99}}));
    writeBytes(folder / "test.bin", batchBytes(2, {{3, 16}, {4, 21}}));
    std::vector<std::string> fine;
    for (int i = 0; i < 100; ++i) {
        fine.push_back("fine" + std::to_string(i));
    }
    writeBytes(folder / "fine_label_names.txt", namesText(fine));
    writeBytes(folder / "coarse_label_names.txt", namesText(cifar100CoarseClassNames()));
    return folder;
}

SourceData readOk(const tl::proto::DatasetSpec &spec, const ReadContext &context = {})
{
    auto data = readCifar(spec, context);
    INFO((data ? std::string() : data.error().describe()));
    REQUIRE(data.ok());
    return std::move(data).value();
}

tl::proto::DatasetSpec recognized(const std::vector<fs::path> &dropped)
{
    auto spec = recognizeCifar(dropped);
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    return spec.value();
}

} // namespace

TEST_CASE("A CIFAR-10 folder reads as CHW images with their labels and class names",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-read");
    const fs::path folder = writeCifar10(dir.path());
    const SourceData data = readOk(recognized({folder}));
    CHECK(data.format == "cifar-10");
    CHECK(data.warnings.empty());
    CHECK(data.classNames == cifar10ClassNames());
    REQUIRE(data.train.count() == 10);
    REQUIRE(data.test.has_value());
    REQUIRE(data.test->count() == 3);
    CHECK(data.train.shape == std::vector<std::int64_t>{3, 32, 32});
    CHECK(data.train.type == ValueType::UInt8);
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 1, 1, 2, 2, 3, 3, 4, 4, 5});
    CHECK(data.test->labels == std::vector<std::int64_t>{7, 8, 9});
    REQUIRE(data.train.u8.size() == 10 * kPixels);
    // Sample 3 is batch 2, record 1: red (0, 0), green (5, 7) and blue (31, 31).
    CHECK(data.train.u8[3 * kPixels] == pixelOf(2, 1, 0));
    CHECK(data.train.u8[3 * kPixels + 1024 + 5 * 32 + 7] == pixelOf(2, 1, 1024 + 5 * 32 + 7));
    CHECK(data.train.u8[4 * kPixels - 1] == pixelOf(2, 1, kPixels - 1));
    CHECK(data.test->u8[2 * kPixels + 2048] == pixelOf(6, 2, 2048));
}

TEST_CASE("The CIFAR folder, its parent and files inside it all stand for the folder",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-picks");
    const fs::path folder = writeCifar10(dir / "cifar-10-binary");
    writeBytes(dir / "cifar-10-binary" / "cifar-10-binary.tar.gz", "archive");
    for (const std::vector<fs::path> &dropped :
         {std::vector<fs::path>{folder},
          {folder.string() + "/"},
          {dir / "cifar-10-binary"},
          {folder / "data_batch_1.bin"},
          {folder / "batches.meta.txt", folder / "test_batch.bin"}}) {
        const auto spec = recognized(dropped);
        CHECK(spec.name() == "cifar-10-batches-bin");
        CHECK(spec.format() == tl::proto::DATASET_FORMAT_CIFAR);
        REQUIRE(spec.sources_size() == 1);
        CHECK(spec.sources(0) == folder.string());
    }
}

TEST_CASE("Picking a file inside the CIFAR folder gives a note that all batches were loaded",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-note");
    const fs::path folder = writeCifar10(dir.path());
    CHECK(cifarPickNote({folder / "data_batch_1.bin"})
          == "You picked data_batch_1.bin; loaded all six batches of cifar-10-batches-bin.");
    CHECK(cifarPickNote({folder / "data_batch_1.bin", folder / "test_batch.bin"})
          == "You picked data_batch_1.bin and test_batch.bin; loaded all six batches of "
             "cifar-10-batches-bin.");
    CHECK_FALSE(cifarPickNote({folder}).has_value());
    CHECK_FALSE(cifarPickNote({dir / "nothing-here"}).has_value());
    std::vector<fs::path> all{folder / "test_batch.bin"};
    for (int b = 1; b <= 5; ++b) {
        all.push_back(folder / ("data_batch_" + std::to_string(b) + ".bin"));
    }
    CHECK_FALSE(cifarPickNote(all).has_value());
}

TEST_CASE("A parent folder with other subfolders besides the CIFAR folder is not CIFAR",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-crowded");
    writeCifar10(dir.path());
    fs::create_directories(dir / "mnist");
    const auto spec = recognizeCifar({dir.path()});
    CHECK(isNotThisFormat(spec));
}

TEST_CASE("A missing CIFAR train batch is a warning naming it", "[datasets][cifar]")
{
    TempDir dir("cifar10-missing");
    const fs::path folder = writeCifar10(dir.path());
    fs::remove(folder / "data_batch_3.bin");
    fs::remove(folder / "data_batch_5.bin");
    const SourceData data = readOk(recognized({folder}));
    CHECK(data.train.count() == 6);
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 1, 1, 2, 3, 4});
    REQUIRE(data.warnings.size() == 1);
    CHECK(data.warnings[0]
          == "cifar-10-batches-bin lacks data_batch_3.bin and data_batch_5.bin; the other train "
             "batches were loaded.");
    CHECK(cifarPickNote({folder / "test_batch.bin"})
          == "You picked test_batch.bin; loaded all four batches of cifar-10-batches-bin.");
}

TEST_CASE("A CIFAR folder without a test batch or without any train batch is an error",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-no-split");
    const fs::path folder = writeCifar10(dir.path());
    fs::remove(folder / "test_batch.bin");
    auto noTest = recognizeCifar({folder});
    REQUIRE_FALSE(noTest.ok());
    CHECK(noTest.error().code == ErrorCode::InvalidInput);
    CHECK(contains(noTest.error().message, "no test batch (test_batch.bin)"));

    writeBytes(folder / "test_batch.bin", batchBytes(6, {{1}}));
    for (int b = 1; b <= 5; ++b) {
        fs::remove(folder / ("data_batch_" + std::to_string(b) + ".bin"));
    }
    tl::proto::DatasetSpec spec;
    spec.set_format(tl::proto::DATASET_FORMAT_CIFAR);
    spec.add_sources(folder.string());
    auto noTrain = readCifar(spec, {});
    REQUIRE_FALSE(noTrain.ok());
    CHECK(
        contains(noTrain.error().message, "no train batch (data_batch_1.bin to data_batch_5.bin)"));
}

TEST_CASE("A truncated CIFAR batch is an error that names its size and the record size",
          "[datasets][cifar]")
{
    TempDir dir("cifar10-truncated");
    const fs::path folder = writeCifar10(dir.path());
    writeBytes(folder / "data_batch_2.bin", batchBytes(2, {{1}, {2}}) + "x");
    const std::string expected =
        "data_batch_2.bin is 6,147 bytes, not a multiple of 3,073 (one CIFAR-10 record: 1 label "
        "byte + 3,072 pixels); the file is truncated or not a CIFAR batch.";
    auto spec = recognizeCifar({folder});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().message == expected);
    CHECK(spec.error().context == "data_batch_2.bin");

    tl::proto::DatasetSpec byHand;
    byHand.set_format(tl::proto::DATASET_FORMAT_CIFAR);
    byHand.add_sources(folder.string());
    auto data = readCifar(byHand, {});
    REQUIRE_FALSE(data.ok());
    CHECK(data.error().message == expected);
}

TEST_CASE("An empty CIFAR batch file is an error", "[datasets][cifar]")
{
    TempDir dir("cifar10-empty");
    const fs::path folder = writeCifar10(dir.path());
    writeBytes(folder / "test_batch.bin", "");
    auto spec = recognizeCifar({folder / "test_batch.bin"});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().code == ErrorCode::InvalidInput);
    CHECK(contains(spec.error().message, "test_batch.bin is empty (0 bytes)"));
}

TEST_CASE("A CIFAR label byte out of range is an error at its byte offset", "[datasets][cifar]")
{
    TempDir dir("cifar10-label");
    const fs::path folder = writeCifar10(dir.path());
    writeBytes(folder / "data_batch_4.bin", batchBytes(4, {{3}, {10}}));
    auto data = readCifar(recognized({folder}), {});
    REQUIRE_FALSE(data.ok());
    CHECK(data.error().code == ErrorCode::InvalidInput);
    CHECK(data.error().context == "data_batch_4.bin, byte 3,073");
    CHECK(contains(data.error().message, "The label byte is 10, but CIFAR-10 has 10 classes"));
}

TEST_CASE("CIFAR-100 reads fine labels, or coarse labels when the spec asks", "[datasets][cifar]")
{
    TempDir dir("cifar100-read");
    const fs::path folder = writeCifar100(dir.path());
    auto spec = recognized({dir.path()});
    CHECK(spec.name() == "cifar-100-binary");
    const SourceData fine = readOk(spec);
    CHECK(fine.format == "cifar-100");
    CHECK(fine.warnings.empty());
    REQUIRE(fine.classNames.size() == 100);
    CHECK(fine.classNames[99] == "fine99");
    CHECK(fine.train.labels == std::vector<std::int64_t>{1, 6, 96, 99});
    REQUIRE(fine.test.has_value());
    CHECK(fine.test->labels == std::vector<std::int64_t>{16, 21});
    REQUIRE(fine.train.u8.size() == 4 * kPixels);
    CHECK(fine.train.u8[2 * kPixels + 1500] == pixelOf(1, 2, 1500));

    spec.set_cifar100_coarse_labels(true);
    const SourceData coarse = readOk(spec);
    CHECK(coarse.classNames == cifar100CoarseClassNames());
    CHECK(coarse.train.labels == std::vector<std::int64_t>{0, 1, 19, 2});
    CHECK(coarse.test->labels == std::vector<std::int64_t>{3, 4});
    CHECK(coarse.train.u8 == fine.train.u8);
}

TEST_CASE("A CIFAR-100 fine label out of range is an error at the fine label's byte",
          "[datasets][cifar]")
{
    TempDir dir("cifar100-label");
    const fs::path folder = writeCifar100(dir.path());
    writeBytes(folder / "test.bin", batchBytes(2, {{3, 16}, {4, 100}}));
    auto data = readCifar(recognized({folder / "test.bin"}), {});
    REQUIRE_FALSE(data.ok());
    CHECK(data.error().context == "test.bin, byte 3,075");
    CHECK(contains(data.error().message, "CIFAR-100 has 100 classes (0 to 99)"));
}

TEST_CASE("Missing or miscounted CIFAR class name files fall back to the standard names",
          "[datasets][cifar]")
{
    TempDir dir("cifar-names");
    const fs::path ten = writeCifar10(dir / "a", false);
    const SourceData data = readOk(recognized({ten}));
    CHECK(data.classNames == cifar10ClassNames());
    REQUIRE(data.warnings.size() == 1);
    CHECK(contains(data.warnings[0], "batches.meta.txt"));

    const fs::path hundred = writeCifar100(dir / "b");
    writeBytes(hundred / "fine_label_names.txt", "apple\npear\n");
    const SourceData fine = readOk(recognized({hundred}));
    CHECK(fine.classNames == cifar100FineClassNames());
    REQUIRE(fine.warnings.size() == 1);
    CHECK(contains(fine.warnings[0], "fine_label_names.txt lists 2 class names, not 100"));
}

TEST_CASE("The standard CIFAR class name lists have 10, 100 and 20 distinct names",
          "[datasets][cifar]")
{
    for (const auto *names :
         {&cifar10ClassNames(), &cifar100FineClassNames(), &cifar100CoarseClassNames()}) {
        std::vector<std::string> sorted = *names;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }
    CHECK(cifar10ClassNames().size() == 10);
    CHECK(cifar100FineClassNames().size() == 100);
    CHECK(std::is_sorted(cifar100FineClassNames().begin(), cifar100FineClassNames().end()));
    CHECK(cifar100CoarseClassNames().size() == 20);
}

TEST_CASE("Paths that are not CIFAR are reported as not this format", "[datasets][cifar]")
{
    TempDir dir("cifar-not");
    writeBytes(dir / "notes.txt", "hello");
    writeBytes(dir / "train.bin", "twelve bytes");
    CHECK(isNotThisFormat(recognizeCifar({dir.path()})));
    CHECK(isNotThisFormat(recognizeCifar({dir / "notes.txt"})));
    CHECK(isNotThisFormat(recognizeCifar({dir / "train.bin"})));
    CHECK(isNotThisFormat(recognizeCifar({})));
    CHECK(isNotThisFormat(recognizeCifar({dir / "missing"})));
}

TEST_CASE("A folder with both CIFAR-10 and CIFAR-100 batches is an error", "[datasets][cifar]")
{
    TempDir dir("cifar-both");
    const fs::path folder = writeCifar10(dir.path());
    writeBytes(folder / "train.bin", batchBytes(1, {{0, 1}}));
    auto spec = recognizeCifar({folder});
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().code == ErrorCode::InvalidInput);
    CHECK(contains(spec.error().message, "both CIFAR-10 and CIFAR-100"));
}

TEST_CASE("Reading CIFAR reports progress in bytes and stops when cancelled", "[datasets][cifar]")
{
    TempDir dir("cifar-progress");
    const fs::path folder = writeCifar10(dir.path());
    const auto spec = recognized({folder});
    std::uint64_t lastDone = 0;
    std::uint64_t lastTotal = 0;
    ReadContext context;
    context.progress = [&](std::uint64_t done, std::uint64_t total, std::string_view) {
        CHECK(done >= lastDone);
        lastDone = done;
        lastTotal = total;
    };
    readOk(spec, context);
    CHECK(lastTotal == 13 * 3073);
    CHECK(lastDone == lastTotal);

    std::stop_source stop;
    stop.request_stop();
    auto cancelled = readCifar(spec, {stop.get_token(), {}});
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
}
