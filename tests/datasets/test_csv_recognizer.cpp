// recognizeCsv (#4): which dropped paths are a CSV dataset, from names and first bytes alone.
#include "csv_test_files.h"
#include "datasets/csv_reader.h"

#include <catch2/catch.hpp>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

const std::string kTable = "a,b,label\n1,2,x\n3,4,y\n";

const tl::proto::DatasetSpec &recognized(const Recognition &recognition)
{
    INFO((recognition ? std::string() : recognition.error().describe()));
    REQUIRE(recognition.ok());
    return recognition.value();
}

std::vector<std::string> sources(const tl::proto::DatasetSpec &spec)
{
    return {spec.sources().begin(), spec.sources().end()};
}

} // namespace

TEST_CASE("One dropped CSV file is recognised with its stem as the name", "[datasets][csv]")
{
    TempDir dir("csv-recognise-one");
    writeBytes(dir / "iris.csv", kTable);
    const Recognition recognition = recognizeCsv({dir / "iris.csv"});
    const auto &spec = recognized(recognition);
    CHECK(spec.name() == "iris");
    CHECK(spec.format() == tl::proto::DATASET_FORMAT_CSV);
    CHECK(sources(spec) == std::vector<std::string>{(dir / "iris.csv").string()});
    CHECK(fs::path(spec.sources(0)).is_absolute());
    CHECK_FALSE(spec.has_csv());
    for (const char *name : {"data.tsv", "data.txt", "data"}) {
        writeBytes(dir / name, "1\t2\t0\n3\t4\t1\n");
        CHECK(recognizeCsv({dir / name}).ok());
    }
}

TEST_CASE("A train and a test file, dropped or in a folder, become the source's split",
          "[datasets][csv]")
{
    TempDir dir("csv-recognise-pair");
    fs::create_directories(dir / "adult");
    writeBytes(dir / "adult" / "adult_test.csv", kTable);
    writeBytes(dir / "adult" / "adult_train.csv", kTable);
    writeBytes(dir / "adult" / "notes.md", "not data\n");
    const std::vector<std::string> expected = {(dir / "adult" / "adult_train.csv").string(),
                                               (dir / "adult" / "adult_test.csv").string()};
    const Recognition folder = recognizeCsv({dir / "adult"});
    CHECK(recognized(folder).name() == "adult");
    CHECK(sources(recognized(folder)) == expected);
    const Recognition files =
        recognizeCsv({dir / "adult" / "adult_test.csv", dir / "adult" / "adult_train.csv"});
    CHECK(recognized(files).name() == "adult");
    CHECK(sources(recognized(files)) == expected);
    auto data = readCsv(recognized(files), {});
    REQUIRE(data.ok());
    CHECK(data.value().test.has_value());
}

TEST_CASE("A folder with one table among other files is recognised by that table",
          "[datasets][csv]")
{
    TempDir dir("csv-recognise-folder");
    writeBytes(dir / "wine.csv", kTable);
    writeBytes(dir / "README.txt", "A wine dataset.\n");
    writeBytes(dir / ".hidden.csv", kTable);
    const Recognition recognition = recognizeCsv({dir.path()});
    CHECK(sources(recognized(recognition))
          == std::vector<std::string>{(dir / "wine.csv").string()});
}

TEST_CASE("Binary files, other text and unpaired files are not CSV datasets", "[datasets][csv]")
{
    TempDir dir("csv-recognise-not");
    writeBytes(dir / "data.csv", std::string("\x00\x01\x02\x03\xff", 5));
    writeBytes(dir / "data.json", "{\"a\": 1}\n");
    writeBytes(dir / "names.txt", "airplane\nautomobile\nbird\n");
    writeBytes(dir / "one.csv", kTable);
    writeBytes(dir / "two.csv", kTable);
    for (const auto &dropped :
         std::vector<std::vector<fs::path>>{{dir / "data.csv"},
                                            {dir / "data.json"},
                                            {dir / "names.txt"},
                                            {dir / "one.csv", dir / "two.csv"},
                                            {dir / "one.csv", dir / "two.csv", dir / "data.csv"},
                                            {dir / "absent.csv"},
                                            {}}) {
        const Recognition recognition = recognizeCsv(dropped);
        INFO((recognition ? "recognised" : recognition.error().describe()));
        REQUIRE_FALSE(recognition.ok());
        CHECK(isNotThisFormat(recognition));
        CHECK_FALSE(recognition.error().message.empty());
    }
    fs::create_directories(dir / "three");
    for (const char *name : {"a.csv", "b.csv", "c.csv"}) {
        writeBytes(dir / "three" / name, kTable);
    }
    const Recognition three = recognizeCsv({dir / "three"});
    REQUIRE_FALSE(three.ok());
    CHECK(isNotThisFormat(three));
    CHECK(contains(three.error().message, "Found 3 text files"));
}

TEST_CASE("An empty .csv file is a CSV dataset that cannot be used", "[datasets][csv]")
{
    TempDir dir("csv-recognise-empty");
    writeBytes(dir / "empty.csv", "");
    const Recognition recognition = recognizeCsv({dir / "empty.csv"});
    REQUIRE_FALSE(recognition.ok());
    CHECK(recognition.error().code == ErrorCode::InvalidInput);
    CHECK(contains(recognition.error().message, "The file is empty"));
}
