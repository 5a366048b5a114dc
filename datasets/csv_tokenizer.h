#pragma once
// Internal to datasets/: splitting delimited text into rows and fields (RFC 4180 quoting: quoted
// fields hold delimiters, doubled quotes and newlines), and reading one cell as a float32. The
// CSV reader's sniffing and its parallel parsers each own their scanner; one thread each. Not a
// public API.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets::detail {

struct CsvField
{
    // Without the quotes and with doubled quotes undone; an unquoted field is trimmed of the
    // spaces (and tabs, unless tab is the delimiter) around it, and of a CR before the newline.
    std::string_view text;
    bool quoted = false;
};

enum class CsvScan {
    Row,        // a row was read
    End,        // no rows left
    Incomplete, // the next row runs past the end of the data: read more and scan again from
                // rowStart()
};

// Walks the rows of a piece of text. Blank lines are skipped. Fields point into the text, or into
// the scanner's own storage for fields with doubled quotes, until the next call of next().
class CsvRowScanner
{
public:
    // atEnd: the text ends where the file ends, so a last row without a newline is complete and
    // a quote still open there ends the row (unclosedQuote()).
    CsvRowScanner(std::string_view text, char delimiter, bool atEnd);

    CsvScan next(std::vector<CsvField> &fields);

    // Newlines before the start of the row last read (or found incomplete): its line, 0-based.
    std::uint64_t rowLine() const { return m_rowLine; }
    // Byte offset of that row's start.
    std::size_t rowStart() const { return m_rowStart; }
    // Newlines and bytes consumed so far (all complete rows).
    std::uint64_t lines() const { return m_lines; }
    std::size_t position() const { return m_pos; }
    // The row last read ended at the end of the file inside a quoted field.
    bool unclosedQuote() const { return m_unclosedQuote; }

private:
    bool isSpace(char c) const { return c != m_delimiter && (c == ' ' || c == '\r' || c == '\t'); }
    // A quoted field's text: [from, close) of the text, or the copy with doubled quotes undone.
    struct Quoted
    {
        std::size_t from = 0;
        std::size_t close = 0; // the closing quote, or the end of an unclosed field
        std::string *copy = nullptr;
    };

    // Reads one field at m_pos; false when it runs past the text (not atEnd).
    bool readField(std::vector<CsvField> &fields);
    bool readQuoted(std::size_t open, std::vector<CsvField> &fields);
    bool findClosingQuote(std::size_t open, Quoted &quoted);
    // The delimiter or newline that ends the field at `from`, or the text's end.
    std::size_t fieldEnd(std::size_t from) const;
    // Moves past the field that ends at `end`; a newline there ends the row.
    void finishField(std::size_t end);

    std::string_view m_text;
    char m_delimiter;
    bool m_atEnd;
    std::size_t m_pos = 0;
    std::uint64_t m_lines = 0;
    std::size_t m_rowStart = 0;
    std::uint64_t m_rowLine = 0;
    bool m_rowEnded = false; // set by readField at a newline or the end
    bool m_unclosedQuote = false;
    std::deque<std::string> m_unescaped; // deque: fields keep pointing into earlier strings
};

// What a cell holds when read as a number.
enum class CsvCell {
    Number,     // a finite float32 (values below float32's smallest become 0 or subnormal)
    Empty,      // nothing but spaces
    Text,       // not a number
    NotFinite,  // nan, inf, -inf, infinity (any case)
    OutOfRange, // a finite number beyond float32's largest, e.g. 1e999
};

// std::from_chars for float32, with a faster path for the plain decimals most files hold
// ("-3.25", "17"): the same value and the same end in every case.
std::from_chars_result floatFromChars(const char *first, const char *last, float &value);

// Reads text (spaces around it allowed, a leading + allowed) into value.
CsvCell parseCsvNumber(std::string_view text, float &value);

// True for cells parseCsvNumber reads as some number, finite or not.
bool isCsvNumeric(std::string_view text);

// The sentence for a cell that is not a number: "Expected a number, found \"abc\"."
std::string csvCellProblem(CsvCell cell, std::string_view text);

// Text quoted for a message, shortened past 40 characters: "\"abc\"".
std::string quotedExcerpt(std::string_view text);

// Trims spaces, tabs and CRs on both sides.
std::string_view trimSpaces(std::string_view text);

} // namespace tl::datasets::detail
