#include "datasets/csv_tokenizer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

namespace tl::datasets::detail {
namespace {

constexpr std::size_t kExcerptBytes = 40;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// A float32 overflow or underflow: from_chars reports both as out of range. A negative exponent
// means the value is closer to zero than float32 can hold, which is zero for training purposes.
bool isUnderflow(std::string_view text)
{
    const std::size_t e = text.find_first_of("eE");
    return e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
}

// Powers of ten that float32 holds exactly.
constexpr std::array<float, 11> kExactPowers = {1e0F, 1e1F, 1e2F, 1e3F, 1e4F, 1e5F,
                                                1e6F, 1e7F, 1e8F, 1e9F, 1e10F};

} // namespace

// Clinger's fast path: a mantissa below 2^24 and a power of ten below 10^11 are both exact in
// float32, so one division (or multiplication) rounds correctly, as from_chars does.
std::from_chars_result floatFromChars(const char *first, const char *last, float &value)
{
    const char *p = first;
    const bool negative = p != last && *p == '-';
    p += negative ? 1 : 0;
    std::uint64_t mantissa = 0; // wraps past 19 digits, but then the slow path decides
    const char *digitsFrom = p;
    for (; p != last && isDigit(*p); ++p) {
        mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
    }
    std::ptrdiff_t fraction = 0;
    const bool point = p != last && *p == '.';
    if (point) {
        const char *fractionFrom = ++p;
        for (; p != last && isDigit(*p); ++p) {
            mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
        }
        fraction = p - fractionFrom;
    }
    const std::ptrdiff_t digits = p - digitsFrom - (point ? 1 : 0);
    constexpr std::uint64_t kExactMantissa = std::uint64_t{1} << 24;
    if (digits <= 0 || digits > 18 || mantissa > kExactMantissa || fraction > 10
        || (p != last && (*p == 'e' || *p == 'E'))) {
        return std::from_chars(first, last, value);
    }
    const float whole = static_cast<float>(mantissa);
    value = fraction > 0 ? whole / kExactPowers[static_cast<std::size_t>(fraction)] : whole;
    value = negative ? -value : value;
    return {p, std::errc()};
}

CsvRowScanner::CsvRowScanner(std::string_view text, char delimiter, bool atEnd)
    : m_text(text)
    , m_delimiter(delimiter)
    , m_atEnd(atEnd)
{}

CsvScan CsvRowScanner::next(std::vector<CsvField> &fields)
{
    while (true) {
        fields.clear();
        m_unescaped.clear();
        m_unclosedQuote = false;
        if (m_pos >= m_text.size()) {
            return CsvScan::End;
        }
        m_rowStart = m_pos;
        m_rowLine = m_lines;
        m_rowEnded = false;
        while (!m_rowEnded) {
            if (!readField(fields)) {
                m_pos = m_rowStart;
                m_lines = m_rowLine;
                return CsvScan::Incomplete;
            }
        }
        const bool blank = fields.size() == 1 && !fields[0].quoted && fields[0].text.empty();
        if (!blank) {
            return CsvScan::Row;
        }
    }
}

std::size_t CsvRowScanner::fieldEnd(std::size_t from) const
{
    std::size_t end = from;
    while (end < m_text.size() && m_text[end] != m_delimiter && m_text[end] != '\n') {
        ++end;
    }
    return end;
}

void CsvRowScanner::finishField(std::size_t end)
{
    const bool newline = end < m_text.size() && m_text[end] == '\n';
    m_rowEnded = newline || end == m_text.size();
    m_pos = std::min(end + 1, m_text.size());
    m_lines += newline ? 1 : 0;
}

bool CsvRowScanner::readField(std::vector<CsvField> &fields)
{
    std::size_t start = m_pos;
    while (start < m_text.size() && isSpace(m_text[start])) {
        ++start;
    }
    if (start < m_text.size() && m_text[start] == '"') {
        return readQuoted(start, fields);
    }
    const std::size_t end = fieldEnd(start);
    if (end == m_text.size() && !m_atEnd) {
        return false;
    }
    std::size_t last = end;
    while (last > start && isSpace(m_text[last - 1])) {
        --last;
    }
    fields.push_back({m_text.substr(start, last - start), false});
    finishField(end);
    return true;
}

bool CsvRowScanner::findClosingQuote(std::size_t open, Quoted &quoted)
{
    const std::size_t size = m_text.size();
    quoted.from = open + 1;
    for (std::size_t p = quoted.from;;) {
        const std::size_t quote = std::min(m_text.find('"', p), size);
        m_lines += static_cast<std::uint64_t>(
            std::count(m_text.begin() + static_cast<std::ptrdiff_t>(p),
                       m_text.begin() + static_cast<std::ptrdiff_t>(quote), '\n'));
        if (!m_atEnd && quote + 1 >= size) {
            return false; // the closing quote, or what follows it, is in the next block
        }
        if (quote + 1 < size && m_text[quote + 1] == '"') {
            if (quoted.copy == nullptr) {
                quoted.copy = &m_unescaped.emplace_back();
            }
            quoted.copy->append(m_text.substr(quoted.from, quote + 1 - quoted.from));
            p = quoted.from = quote + 2;
            continue;
        }
        m_unclosedQuote = quote == size;
        quoted.close = quote;
        return true;
    }
}

bool CsvRowScanner::readQuoted(std::size_t open, std::vector<CsvField> &fields)
{
    Quoted quoted;
    if (!findClosingQuote(open, quoted)) {
        return false;
    }
    const std::size_t afterClose = std::min(quoted.close + 1, m_text.size());
    const std::size_t end = fieldEnd(afterClose);
    if (end == m_text.size() && !m_atEnd) {
        return false;
    }
    // Text between the closing quote and the delimiter is kept, as most CSV readers do.
    const std::string_view after = trimSpaces(m_text.substr(afterClose, end - afterClose));
    std::string_view text = m_text.substr(quoted.from, quoted.close - quoted.from);
    if (quoted.copy != nullptr || !after.empty()) {
        if (quoted.copy == nullptr) {
            quoted.copy = &m_unescaped.emplace_back();
        }
        quoted.copy->append(text);
        quoted.copy->append(after);
        text = *quoted.copy;
    }
    fields.push_back({text, true});
    finishField(end);
    return true;
}

std::string_view trimSpaces(std::string_view text)
{
    const auto isSpaceChar = [](char c) {
        return c == ' ' || c == '\t' || c == '\r';
    };
    while (!text.empty() && isSpaceChar(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpaceChar(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

CsvCell parseCsvNumber(std::string_view text, float &value)
{
    text = trimSpaces(text);
    if (text.empty()) {
        return CsvCell::Empty;
    }
    const char *first = text.data();
    const char *last = first + text.size();
    if (*first == '+' && text.size() > 1 && (isDigit(first[1]) || first[1] == '.')) {
        ++first;
    }
    const auto [end, error] = floatFromChars(first, last, value);
    if (end != last) {
        return CsvCell::Text;
    }
    if (error == std::errc::result_out_of_range) {
        if (isUnderflow(text)) {
            value = 0.0F;
            return CsvCell::Number;
        }
        return CsvCell::OutOfRange;
    }
    if (error != std::errc()) {
        return CsvCell::Text;
    }
    return std::isfinite(value) ? CsvCell::Number : CsvCell::NotFinite;
}

bool isCsvNumeric(std::string_view text)
{
    float value = 0.0F;
    const CsvCell cell = parseCsvNumber(text, value);
    return cell == CsvCell::Number || cell == CsvCell::NotFinite || cell == CsvCell::OutOfRange;
}

std::string quotedExcerpt(std::string_view text)
{
    std::string out = "\"";
    std::size_t keep = text.size();
    if (keep > kExcerptBytes) {
        keep = kExcerptBytes;
        // never cut a UTF-8 sequence in two
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) {
            --keep;
        }
    }
    for (char c : text.substr(0, keep)) {
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
    out += keep < text.size() ? "…\"" : "\"";
    return out;
}

std::string csvCellProblem(CsvCell cell, std::string_view text)
{
    switch (cell) {
    case CsvCell::Number:
        return {};
    case CsvCell::Empty:
        return "Expected a number, found an empty cell.";
    case CsvCell::Text:
        return "Expected a number, found " + quotedExcerpt(trimSpaces(text)) + ".";
    case CsvCell::NotFinite: {
        float value = 0.0F;
        parseCsvNumber(text, value);
        const char *name = std::isnan(value) ? "NaN" : (value < 0 ? "-Inf" : "Inf");
        return std::string("Expected a finite number, found ") + name + ".";
    }
    case CsvCell::OutOfRange:
        return "Expected a number within the float32 range (about ±3.4e38), found "
               + quotedExcerpt(trimSpaces(text)) + ".";
    }
    return {};
}

} // namespace tl::datasets::detail
