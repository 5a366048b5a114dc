// The CSV reader's parts (#4): the row scanner, number cells and label order, and files large
// enough to span several blocks and to be parsed on several threads.
#include "csv_test_files.h"
#include "datasets/csv_labels.h"
#include "datasets/csv_tokenizer.h"

#include <catch2/catch.hpp>

#include <bit>
#include <charconv>
#include <cmath>
#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using namespace tl::datasets::detail;

namespace {

std::vector<std::string> texts(const std::vector<CsvField> &fields)
{
    std::vector<std::string> out;
    out.reserve(fields.size());
    for (const CsvField &field : fields) {
        out.emplace_back(field.text);
    }
    return out;
}

// Rows "i/4, i mod 13, c<i mod 3>" after a header; row `bad` (0-based) has text in column 2.
std::string numberedRows(int count, int bad = -1)
{
    std::string text = "half,mod,label\n";
    text.reserve(static_cast<std::size_t>(count) * 24);
    for (int i = 0; i < count; ++i) {
        text += std::to_string(i / 4) + (i % 4 == 1 ? ".25" : "") + ","
                + (i == bad ? std::string("oops") : std::to_string(i % 13)) + ",c"
                + std::to_string(i % 3) + "\n";
    }
    return text;
}

} // namespace

TEST_CASE("The row scanner asks for more text when a row or a quote runs past the block",
          "[datasets][csv]")
{
    std::vector<CsvField> fields;
    CsvRowScanner cut("a,b\n1,2", ',', false);
    REQUIRE(cut.next(fields) == CsvScan::Row);
    CHECK(texts(fields) == std::vector<std::string>{"a", "b"});
    CHECK(cut.next(fields) == CsvScan::Incomplete);
    CHECK(cut.rowStart() == 4);
    CHECK(cut.lines() == 1);
    CsvRowScanner quoted("1,\"x\ny", ',', false);
    CHECK(quoted.next(fields) == CsvScan::Incomplete);
    CHECK(quoted.lines() == 0);
    CsvRowScanner end("1,\"x\"\"\ny\"  ,z\n\n3,4", ',', true);
    REQUIRE(end.next(fields) == CsvScan::Row);
    CHECK(texts(fields) == std::vector<std::string>{"1", "x\"\ny", "z"});
    CHECK(fields[1].quoted);
    REQUIRE(end.next(fields) == CsvScan::Row);
    CHECK(end.rowLine() == 3);
    CHECK(texts(fields) == std::vector<std::string>{"3", "4"});
    CHECK(end.next(fields) == CsvScan::End);
}

TEST_CASE("Number cells accept what people write and name what they cannot read", "[datasets][csv]")
{
    float value = 0.0F;
    CHECK(parseCsvNumber(" -1.5e3 ", value) == CsvCell::Number);
    CHECK(value == -1500.0F);
    CHECK(parseCsvNumber("+.5", value) == CsvCell::Number);
    CHECK(value == 0.5F);
    CHECK(parseCsvNumber("1e-60", value) == CsvCell::Number);
    CHECK(value == 0.0F);
    CHECK(parseCsvNumber("", value) == CsvCell::Empty);
    CHECK(parseCsvNumber("1.5kg", value) == CsvCell::Text);
    CHECK(parseCsvNumber("0x10", value) == CsvCell::Text);
    CHECK(parseCsvNumber("Infinity", value) == CsvCell::NotFinite);
    CHECK(parseCsvNumber("1e999", value) == CsvCell::OutOfRange);
    CHECK(csvCellProblem(CsvCell::NotFinite, "-inf") == "Expected a finite number, found -Inf.");
    CHECK(csvCellProblem(CsvCell::Text, std::string(60, 'x'))
          == "Expected a number, found \"" + std::string(40, 'x') + "…\".");
}

TEST_CASE("Label order is natural and integer labels keep their value", "[datasets][csv]")
{
    CHECK(naturalLess("img2", "img10"));
    CHECK_FALSE(naturalLess("img10", "img2"));
    CHECK(naturalLess("-3", "-1"));
    CHECK(naturalLess("9.5", "a"));
    CHECK(naturalLess("a01", "a1")); // equal by value: the text decides, so the order is total
    const CsvClasses integers = csvClasses({"3", "0", "1.0"});
    CHECK(integers.indexOf == std::vector<std::int64_t>{3, 0, 1});
    CHECK(integers.names == std::vector<std::string>{"0", "1", "2", "3"});
    const CsvClasses words = csvClasses({"b", "1001", "a"});
    CHECK(words.indexOf == std::vector<std::int64_t>{2, 0, 1});
    CHECK(words.names == std::vector<std::string>{"1001", "a", "b"});
}

TEST_CASE("A file of many blocks loads every row in order on several threads", "[datasets][csv]")
{
    TempDir dir("csv-blocks");
    constexpr int kRows = 700000; // about 12 MB: two blocks, each cut into pieces
    writeBytes(dir / "big.csv", numberedRows(kRows));
    const SourceData data = loaded(readCsvFile(dir / "big.csv"));
    REQUIRE(data.train.count() == kRows);
    REQUIRE(data.train.f32.size() == 2 * static_cast<std::size_t>(kRows));
    bool inOrder = true;
    for (int i = 0; i < kRows; i += 997) {
        const auto at = static_cast<std::size_t>(i);
        const int quarter = i / 4; // the rows' first column, as numberedRows() writes it
        const float half = static_cast<float>(quarter) + (i % 4 == 1 ? 0.25F : 0.0F);
        inOrder = inOrder && data.train.f32[2 * at] == half
                  && data.train.f32[2 * at + 1] == static_cast<float>(i % 13)
                  && data.train.labels[at] == i % 3;
    }
    CHECK(inOrder);
    CHECK(data.classNames == std::vector<std::string>{"c0", "c1", "c2"});
}

TEST_CASE("A bad row deep in a large file is named by its line under STOP and SKIP",
          "[datasets][csv]")
{
    TempDir dir("csv-blocks-bad");
    constexpr int kRows = 700000;
    constexpr int kBad = 612345; // in the second block
    writeBytes(dir / "big.csv", numberedRows(kRows, kBad));
    const std::string where = "big.csv, line " + std::to_string(kBad + 2) + ", column 2 (\"mod\")";
    auto stop = readCsvFile(dir / "big.csv");
    REQUIRE_FALSE(stop.ok());
    CHECK(stop.error().context == where);
    const SourceData skip = loaded(readCsvFile(dir / "big.csv", tl::proto::BAD_SAMPLE_SKIP));
    CHECK(skip.train.count() == kRows - 1);
    REQUIRE(skip.warnings.size() == 1);
    CHECK(contains(skip.warnings[0], where));
}

TEST_CASE("Quoted fields with newlines across blocks keep the line numbers right",
          "[datasets][csv]")
{
    TempDir dir("csv-blocks-quotes");
    std::string text = "x,label\n";
    constexpr int kRows = 400000; // each row takes two lines; about 10 MB
    for (int i = 0; i < kRows; ++i) {
        text += std::to_string(i) + ",\"label\n" + std::to_string(i % 2) + "\"\n";
    }
    text += "oops,x\n";
    writeBytes(dir / "quoted.csv", text);
    auto stop = readCsvFile(dir / "quoted.csv");
    REQUIRE_FALSE(stop.ok());
    CHECK(stop.error().context
          == "quoted.csv, line " + std::to_string(2 * kRows + 2) + ", column 1 (\"x\")");
    const SourceData skip = loaded(readCsvFile(dir / "quoted.csv", tl::proto::BAD_SAMPLE_SKIP));
    CHECK(skip.train.count() == kRows);
    CHECK(skip.classNames == std::vector<std::string>{"label\n0", "label\n1"});
    CHECK(skip.train.f32.back() == static_cast<float>(kRows - 1));
}

TEST_CASE("The fast float path reads exactly what std::from_chars reads", "[datasets][csv]")
{
    std::uint32_t seed = 12345;
    const auto next = [&seed](std::uint32_t range) {
        seed = seed * 1664525U + 1013904223U;
        return (seed >> 8) % range;
    };
    const std::string alphabet = "0123456789.-e+x";
    int differences = 0;
    for (int i = 0; i < 200000; ++i) {
        std::string text;
        const std::uint32_t length = 1 + next(14);
        for (std::uint32_t k = 0; k < length; ++k) {
            // mostly digits, sometimes a point, a sign, an exponent or a stray letter
            text += next(4) != 0 ? alphabet[next(10)] : alphabet[next(15)];
        }
        float fast = -7.0F;
        float slow = -7.0F;
        const auto a = floatFromChars(text.data(), text.data() + text.size(), fast);
        const auto b = std::from_chars(text.data(), text.data() + text.size(), slow);
        const bool same =
            a.ec == b.ec && a.ptr == b.ptr
            && (a.ec != std::errc()
                || std::bit_cast<std::uint32_t>(fast) == std::bit_cast<std::uint32_t>(slow));
        if (!same && differences++ < 5) {
            WARN("differs on \"" << text << "\": " << fast << " vs " << slow);
        }
    }
    CHECK(differences == 0);
}

TEST_CASE("A stop requested during a large read cancels it after the current block",
          "[datasets][csv]")
{
    TempDir dir("csv-blocks-cancel");
    writeBytes(dir / "big.csv", numberedRows(700000));
    std::stop_source stop;
    int reports = 0;
    ReadContext context{stop.get_token(), [&](std::uint64_t, std::uint64_t, std::string_view) {
                            ++reports;
                            stop.request_stop();
                        }};
    auto result = readCsv(csvSpec({dir / "big.csv"}), context);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == tl::base::ErrorCode::Cancelled);
    CHECK(result.error().context == "big.csv");
    CHECK(reports == 1);
}
