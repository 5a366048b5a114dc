#include "datasets/csv_chunk.h"

#include "datasets/csv_tokenizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <new>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace tl::datasets::detail {
namespace {

// Below this a thread costs more than it saves.
constexpr std::size_t kMinBytesPerThread = std::size_t{256} << 10;

struct TextHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const
    {
        return std::hash<std::string_view>{}(text);
    }
};

// Label text → id within one chunk. Rows of one class often come together, so the last label is
// checked before the table.
class LabelIds
{
public:
    explicit LabelIds(std::vector<std::string> &texts) : m_texts(texts) {}

    std::uint32_t idOf(std::string_view text)
    {
        if (!m_texts.empty() && text == m_texts[m_last]) {
            return m_last;
        }
        auto found = m_ids.find(text);
        if (found == m_ids.end()) {
            const auto id = static_cast<std::uint32_t>(m_texts.size());
            m_texts.emplace_back(text);
            found = m_ids.emplace(m_texts.back(), id).first;
        }
        m_last = found->second;
        return m_last;
    }

private:
    std::vector<std::string> &m_texts;
    std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> m_ids;
    std::uint32_t m_last = 0;
};

// Appends rows to one chunk: the features in column order without the label, or a bad row.
class ChunkParser
{
public:
    ChunkParser(const CsvLayout &layout, CsvChunk &out)
        : m_layout(layout)
        , m_out(out)
        , m_labelIds(out.labelTexts)
    {}

    // False when the row is bad (and recorded as such).
    bool addRow(const std::vector<CsvField> &fields, std::uint64_t line, bool unclosedQuote)
    {
        if (unclosedQuote) {
            return bad(line, fields.size(),
                       "The quoted field that starts here is never closed; expected a closing "
                       "quote before the end of the file.");
        }
        if (fields.size() != m_layout.fieldCount()) {
            return bad(line, 0,
                       "Expected " + std::to_string(m_layout.fieldCount()) + " fields as in the "
                           + (m_layout.hasHeader ? "header" : "first row") + ", found "
                           + std::to_string(fields.size()) + ".");
        }
        const std::size_t mark = m_out.values.size();
        for (std::size_t c = 0; c < fields.size(); ++c) {
            if (c == m_layout.labelColumn) {
                continue;
            }
            float value = 0.0F;
            const CsvCell cell = parseCsvNumber(fields[c].text, value);
            if (cell != CsvCell::Number) {
                m_out.values.resize(mark);
                return bad(line, c + 1, csvCellProblem(cell, fields[c].text));
            }
            m_out.values.push_back(value);
        }
        const std::string_view label = trimSpaces(fields[m_layout.labelColumn].text);
        if (label.empty()) {
            m_out.values.resize(mark);
            return bad(line, m_layout.labelColumn + 1, "Expected a label, found an empty cell.");
        }
        m_out.labels.push_back(m_labelIds.idOf(label));
        return true;
    }

    // The common row, read straight from the text [p, end) of one line without quotes: numbers
    // and a label, nothing to trim but spaces. False (nothing added) for anything else, which
    // addRow() then reads field by field and judges.
    bool addPlainRow(const char *p, const char *end)
    {
        const std::size_t mark = m_out.values.size();
        const std::size_t fields = m_layout.fieldCount();
        std::string_view label;
        for (std::size_t c = 0; c < fields; ++c) {
            const bool last = c + 1 == fields;
            const char *stop = nullptr; // the delimiter after the field, or `end` after the last
            if (c == m_layout.labelColumn) {
                stop = std::find(p, end, m_layout.delimiter);
                label = trimSpaces(std::string_view(p, static_cast<std::size_t>(stop - p)));
            } else {
                stop = plainNumber(p, end);
            }
            if (stop == nullptr || (last ? stop != end : stop == end)) {
                m_out.values.resize(mark);
                return false;
            }
            p = last ? end : stop + 1;
        }
        if (label.empty()) {
            m_out.values.resize(mark);
            return false;
        }
        m_out.labels.push_back(m_labelIds.idOf(label));
        return true;
    }

    // Records how far the rows went.
    void finish(std::size_t consumed, std::uint64_t lines)
    {
        m_out.consumed = consumed;
        m_out.lines = lines;
    }

private:
    bool isPad(char c) const { return c != m_layout.delimiter && (c == ' ' || c == '\t'); }

    // Reads one finite number with the spaces around it, appends it and returns where it ends;
    // nullptr for anything else.
    const char *plainNumber(const char *p, const char *end)
    {
        while (p != end && isPad(*p)) {
            ++p;
        }
        if (end - p > 1 && *p == '+' && ((p[1] >= '0' && p[1] <= '9') || p[1] == '.')) {
            ++p;
        }
        float value = 0.0F;
        const auto [after, error] = floatFromChars(p, end, value);
        if (error != std::errc() || !std::isfinite(value)) {
            return nullptr;
        }
        m_out.values.push_back(value);
        const char *q = after;
        while (q != end && (isPad(*q) || *q == '\r')) {
            ++q;
        }
        // a number must end at the delimiter or the line's end
        return q == end || *q == m_layout.delimiter ? q : nullptr;
    }

    bool bad(std::uint64_t line, std::size_t column, std::string message)
    {
        if (m_out.bad.size() < kDescribedBadRows) {
            m_out.bad.push_back({line, column, std::move(message)});
        }
        ++m_out.badCount;
        return false;
    }

    const CsvLayout &m_layout;
    CsvChunk &m_out;
    LabelIds m_labelIds;
};

// Cuts text[0, limit) after newlines into about `pieces` parts of similar size.
std::vector<std::size_t> pieceBounds(std::string_view text, std::size_t limit, std::size_t pieces)
{
    std::vector<std::size_t> bounds{0};
    for (std::size_t i = 1; i < pieces; ++i) {
        const std::size_t from = std::max(limit / pieces * i, bounds.back());
        const std::size_t newline = text.find('\n', from);
        bounds.push_back(newline == std::string_view::npos || newline >= limit ? limit
                                                                               : newline + 1);
    }
    bounds.push_back(limit);
    return bounds;
}

// Room for the rows the text probably holds, as many as the sniffed rows suggest.
void reserveFor(std::string_view text, const CsvLayout &layout, CsvChunk &chunk)
{
    if (layout.sampledRows == 0 || layout.sampledBytes == 0) {
        return;
    }
    // at least two bytes per field, however wrong the estimate
    const std::size_t most = text.size() / (2 * layout.fieldCount()) + 1;
    const std::size_t perRow = layout.sampledBytes / layout.sampledRows + 1;
    const std::size_t rows = std::min(text.size() / perRow * 11 / 10 + 16, most);
    chunk.values.reserve(rows * layout.featureCount());
    chunk.labels.reserve(rows);
}

// Rows that may hold quotes, and so newlines inside fields: field by field.
void parseQuotedRows(std::string_view text,
                     const CsvLayout &layout,
                     bool atEnd,
                     bool stopAtFirstBad,
                     ChunkParser &parser)
{
    CsvRowScanner scanner(text, layout.delimiter, atEnd);
    std::vector<CsvField> fields;
    while (scanner.next(fields) == CsvScan::Row) {
        if (!parser.addRow(fields, scanner.rowLine(), scanner.unclosedQuote()) && stopAtFirstBad) {
            break;
        }
    }
    parser.finish(scanner.position(), scanner.lines());
}

// Without quotes a row is a line: most go through the fast path, the others (blank, bad or
// unusual lines) through the scanner, one line at a time.
void parsePlainRows(std::string_view text,
                    const CsvLayout &layout,
                    bool atEnd,
                    bool stopAtFirstBad,
                    ChunkParser &parser)
{
    std::vector<CsvField> fields;
    std::size_t pos = 0;
    std::uint64_t lines = 0;
    while (pos < text.size()) {
        const std::size_t newline = text.find('\n', pos);
        if (newline == std::string_view::npos && !atEnd) {
            break;
        }
        const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
        if (!parser.addPlainRow(text.data() + pos, text.data() + end)) {
            CsvRowScanner scanner(text.substr(pos, end - pos), layout.delimiter, true);
            if (scanner.next(fields) == CsvScan::Row && !parser.addRow(fields, lines, false)
                && stopAtFirstBad) {
                break;
            }
        }
        pos = std::min(end + 1, text.size());
        lines += newline == std::string_view::npos ? 0 : 1;
    }
    parser.finish(pos, lines);
}

} // namespace

void CsvChunk::clear()
{
    values.clear();
    labels.clear();
    labelTexts.clear();
    bad.clear();
    badCount = 0;
    lines = 0;
    consumed = 0;
    outOfMemory = false;
}

void parseCsvChunk(std::string_view text,
                   const CsvLayout &layout,
                   bool atEnd,
                   bool stopAtFirstBad,
                   CsvChunk &chunk)
{
    chunk.clear();
    reserveFor(text, layout, chunk);
    ChunkParser parser(layout, chunk);
    if (text.find('"') != std::string_view::npos) {
        parseQuotedRows(text, layout, atEnd, stopAtFirstBad, parser);
    } else {
        parsePlainRows(text, layout, atEnd, stopAtFirstBad, parser);
    }
}

void parseCsvChunks(std::string_view text,
                    const CsvLayout &layout,
                    bool atEnd,
                    bool stopAtFirstBad,
                    unsigned threads,
                    std::vector<CsvChunk> &chunks)
{
    const std::size_t lastNewline = text.rfind('\n');
    const std::size_t limit = atEnd ? text.size() : lastNewline + 1;
    const std::size_t pieces = std::min<std::size_t>(threads, text.size() / kMinBytesPerThread);
    if (pieces <= 1 || lastNewline == std::string_view::npos
        || text.find('"') != std::string_view::npos) {
        chunks.resize(1);
        parseCsvChunk(text, layout, atEnd, stopAtFirstBad, chunks.front());
        return;
    }
    // Every piece but the last ends with a newline, and so does the last unless the file ends.
    const std::vector<std::size_t> bounds = pieceBounds(text, limit, pieces);
    chunks.resize(pieces);
    const auto parsePiece = [&](std::size_t i) {
        try {
            parseCsvChunk(text.substr(bounds[i], bounds[i + 1] - bounds[i]), layout, true,
                          stopAtFirstBad, chunks[i]);
        } catch (const std::bad_alloc &) {
            chunks[i].outOfMemory = true; // an exception must not leave a thread
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < pieces; ++i) {
        try {
            workers.emplace_back(parsePiece, i);
        } catch (const std::system_error &) {
            parsePiece(i); // no thread to be had: parse it here
        }
    }
    parsePiece(0);
    for (std::thread &worker : workers) {
        worker.join();
    }
}

} // namespace tl::datasets::detail
