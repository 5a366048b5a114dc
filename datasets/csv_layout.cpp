#include "datasets/csv_layout.h"

#include "datasets/csv_tokenizer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
constexpr std::size_t kListedColumns = 20;
const char *const kNeedTwoColumns = "expected at least one feature column and a label column.";

// The first rows of the text, cell by cell, with where each starts and ends.
struct SniffedRows
{
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> starts;
    std::vector<std::size_t> ends;
};

SniffedRows firstRows(std::string_view text, char delimiter, bool atEnd, std::size_t maxRows)
{
    SniffedRows rows;
    CsvRowScanner scanner(text, delimiter, atEnd);
    std::vector<CsvField> fields;
    while (rows.cells.size() < maxRows && scanner.next(fields) == CsvScan::Row) {
        auto &row = rows.cells.emplace_back();
        row.reserve(fields.size());
        for (const CsvField &field : fields) {
            row.emplace_back(field.text);
        }
        rows.starts.push_back(scanner.rowStart());
        rows.ends.push_back(scanner.position());
    }
    return rows;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x))
                      == std::tolower(static_cast<unsigned char>(y));
           });
}

// Row 1 is a header when one of its cells is text where most later rows have numbers, or when
// all of it is text and row 2 has numbers. A lone row is a header when it is all text.
bool looksLikeHeader(const std::vector<std::vector<std::string>> &rows)
{
    if (rows.empty()) {
        return false;
    }
    const auto &head = rows.front();
    const bool allText = std::none_of(head.begin(), head.end(), isCsvNumeric);
    if (rows.size() == 1) {
        return allText;
    }
    for (std::size_t c = 0; c < head.size(); ++c) {
        if (isCsvNumeric(head[c])) {
            continue;
        }
        std::size_t seen = 0;
        std::size_t numeric = 0;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            if (c < rows[r].size()) {
                ++seen;
                numeric += isCsvNumeric(rows[r][c]) ? 1 : 0;
            }
        }
        if (numeric * 2 > seen) {
            return true;
        }
    }
    return allText && std::any_of(rows[1].begin(), rows[1].end(), isCsvNumeric);
}

std::string columnList(const std::vector<std::string> &columns)
{
    std::string list;
    for (std::size_t c = 0; c < columns.size() && c < kListedColumns; ++c) {
        list += (c > 0 ? ", " : "") + quotedExcerpt(columns[c]);
    }
    if (columns.size() > kListedColumns) {
        list += ", …";
    }
    return list;
}

base::Result<std::size_t> labelColumn(const std::vector<std::string> &columns,
                                      std::string_view wanted,
                                      const std::string &source)
{
    wanted = trimSpaces(wanted);
    if (wanted.empty()) {
        for (const char *name : {"label", "target", "class", "y"}) {
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (equalsIgnoringCase(columns[c], name)) {
                    return c;
                }
            }
        }
        return columns.size() - 1;
    }
    for (const auto exact : {true, false}) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (exact ? columns[c] == wanted : equalsIgnoringCase(columns[c], wanted)) {
                return c;
            }
        }
    }
    const bool digits = wanted.size() <= 9 && std::all_of(wanted.begin(), wanted.end(), [](char c) {
                            return c >= '0' && c <= '9';
                        });
    if (digits && std::stoul(std::string(wanted)) < columns.size()) {
        return static_cast<std::size_t>(std::stoul(std::string(wanted)));
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The label column " + quotedExcerpt(wanted) + " is not among the "
                               + std::to_string(columns.size()) + " columns (" + columnList(columns)
                               + "); expected a column name or a 0-based column index.",
                           source);
}

std::vector<std::string> columnNames(const std::vector<std::string> &head, bool hasHeader)
{
    std::vector<std::string> names(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        names[c] = hasHeader && !head[c].empty() ? head[c] : "column " + std::to_string(c + 1);
    }
    return names;
}

void noteSample(CsvLayout &layout, const SniffedRows &rows)
{
    const std::size_t first = layout.hasHeader ? 1 : 0;
    layout.sampledRows = rows.cells.size() - first;
    layout.sampledBytes =
        rows.cells.size() > first ? rows.ends.back() - rows.starts[first] : rows.ends.back();
}

base::Error noRows(const std::string &source)
{
    return base::makeError(ErrorCode::InvalidInput,
                           "The file has no data rows, only blank lines; expected rows of values "
                           "separated by commas, semicolons, tabs or |.",
                           source);
}

bool wantsHeader(const proto::CsvOptions &options, const SniffedRows &rows)
{
    return options.header() == proto::CSV_HEADER_PRESENT
           || (options.header() == proto::CSV_HEADER_AUTO && looksLikeHeader(rows.cells));
}

} // namespace

base::Result<char> csvDelimiterOption(const proto::CsvOptions &options, const std::string &source)
{
    const std::string &text = options.delimiter();
    if (text.empty()) {
        return '\0';
    }
    if (equalsIgnoringCase(text, "tab") || text == "\\t" || text == "\t") {
        return '\t';
    }
    if (text.size() == 1 && text != "\"" && text != "\n" && text != "\r") {
        return text[0];
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The delimiter " + quotedExcerpt(text)
                               + " cannot separate fields; expected one character such as , ; | "
                                 "or \"tab\".",
                           source);
}

char sniffCsvDelimiter(std::string_view text, bool atEnd)
{
    char best = 0;
    std::size_t bestAgreeing = 0;
    for (char candidate : kCandidates) {
        const SniffedRows rows = firstRows(text, candidate, atEnd, kSniffRows);
        std::map<std::size_t, std::size_t> rowsWithCount;
        for (const auto &row : rows.cells) {
            ++rowsWithCount[row.size()];
        }
        std::size_t fields = 0;
        std::size_t agreeing = 0;
        for (const auto &[count, times] : rowsWithCount) {
            if (times >= agreeing) {
                fields = count;
                agreeing = times;
            }
        }
        if (fields > 1 && agreeing * 2 >= rows.cells.size() && agreeing > bestAgreeing) {
            best = candidate;
            bestAgreeing = agreeing;
        }
    }
    return best;
}

base::Result<CsvLayout> sniffCsvLayout(std::string_view text,
                                       bool atEnd,
                                       const proto::CsvOptions &options,
                                       const std::string &source)
{
    auto chosen = csvDelimiterOption(options, source);
    if (!chosen) {
        return chosen.error();
    }
    CsvLayout layout;
    layout.delimiter = chosen.value() != 0 ? chosen.value() : sniffCsvDelimiter(text, atEnd);
    const SniffedRows rows =
        firstRows(text, layout.delimiter != 0 ? layout.delimiter : ',', atEnd, kSniffRows + 1);
    if (rows.cells.empty()) {
        return noRows(source);
    }
    if (layout.delimiter == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("Found no delimiter (comma, semicolon, tab or |) that "
                                           "splits the first rows into the same number of "
                                           "columns; ")
                                   + kNeedTwoColumns,
                               source);
    }
    if (rows.cells.front().size() < 2) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Found only one column with the delimiter "
                                   + quotedExcerpt(std::string(1, layout.delimiter)) + "; "
                                   + kNeedTwoColumns,
                               source);
    }
    layout.hasHeader = wantsHeader(options, rows);
    layout.columns = columnNames(rows.cells.front(), layout.hasHeader);
    auto label = labelColumn(layout.columns, options.label_column(), source);
    if (!label) {
        return label.error();
    }
    layout.labelColumn = label.value();
    noteSample(layout, rows);
    return layout;
}

base::Result<CsvLayout> sniffCsvLayoutLike(const CsvLayout &first,
                                           std::string_view text,
                                           bool atEnd,
                                           const proto::CsvOptions &options,
                                           const std::string &source)
{
    const SniffedRows rows = firstRows(text, first.delimiter, atEnd, kSniffRows + 1);
    if (rows.cells.empty()) {
        return noRows(source);
    }
    const std::size_t fields = rows.cells.front().size();
    if (fields != first.fieldCount()) {
        return base::makeError(
            ErrorCode::InvalidInput,
            "Found " + std::to_string(fields) + " columns where the train file has "
                + std::to_string(first.fieldCount()) + "; expected the same columns in both files.",
            source);
    }
    CsvLayout layout = first;
    // A test file that repeats the train file's header has one too, whatever its cells look like.
    layout.hasHeader = wantsHeader(options, rows)
                       || (first.hasHeader && options.header() == proto::CSV_HEADER_AUTO
                           && columnNames(rows.cells.front(), true) == first.columns);
    noteSample(layout, rows);
    return layout;
}

} // namespace tl::datasets::detail
