#pragma once
// Internal to datasets/: what the first rows of a delimited text file say about all of it: the
// delimiter, whether row 1 is a header, the column names and which column holds the label. The
// CSV reader sniffs once per file before its parallel parse. Pure functions; any thread. Not a
// public API.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets::detail {

struct CsvLayout
{
    char delimiter = ',';
    bool hasHeader = false;
    std::vector<std::string> columns; // the header's names, or "column 1".."column N"
    std::size_t labelColumn = 0;
    // From the sniffed rows, for estimating the whole file: data rows seen and their bytes.
    std::uint64_t sampledRows = 0;
    std::uint64_t sampledBytes = 0;

    std::size_t fieldCount() const { return columns.size(); }
    std::size_t featureCount() const { return columns.size() - 1; }
};

// Rows looked at when sniffing.
inline constexpr std::size_t kSniffRows = 50;
// A UTF-8 byte-order mark, skipped at the start of a file.
inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// A longer row is a quote left open (or not a CSV file); refusing it bounds the memory a row takes.
inline constexpr std::size_t kMaxCsvRowBytes = std::size_t{64} << 20;

// The delimiter the options name: "," ";" "|" "\t" or "tab" (any case); 0 when they name none.
// An error for anything else (two characters, a quote, a newline).
base::Result<char> csvDelimiterOption(const proto::CsvOptions &options, const std::string &source);

// Among , ; TAB |: the one that splits the most rows of `text` into the same number (> 1) of
// fields, respecting quotes; 0 when none does.
char sniffCsvDelimiter(std::string_view text, bool atEnd);

// Sniffs the layout from the first bytes of a file (no byte-order mark; atEnd when they are the
// whole file). Errors (InvalidInput) name `source`: no delimiter, one column only, an unknown
// label column (listing the columns), no rows at all.
base::Result<CsvLayout> sniffCsvLayout(std::string_view text,
                                       bool atEnd,
                                       const proto::CsvOptions &options,
                                       const std::string &source);

// Checks a second file's layout (the test split) against the first's and takes its columns and
// label column; the header is sniffed for each file.
base::Result<CsvLayout> sniffCsvLayoutLike(const CsvLayout &first,
                                           std::string_view text,
                                           bool atEnd,
                                           const proto::CsvOptions &options,
                                           const std::string &source);

} // namespace tl::datasets::detail
