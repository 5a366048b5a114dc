#include "datasets/csv_file_reader.h"

#include "base/number_text.h"
#include "datasets/csv_chunk.h"
#include "datasets/csv_tokenizer.h"
#include "datasets/large_buffer.h"
#include "datasets/memory_budget.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <new>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

std::string lineContext(const CsvSource &source, std::uint64_t line)
{
    return source.name + ", line " + std::to_string(line);
}

base::Error badRowError(const CsvSource &source, const CsvBadRow &row, std::uint64_t line)
{
    std::string context = lineContext(source, line);
    if (row.column > 0) {
        const std::string column = std::to_string(row.column);
        context += ", column " + column;
        const std::vector<std::string> &names = source.layout.columns;
        if (row.column <= names.size() && names[row.column - 1] != "column " + column) {
            context += " (\"" + names[row.column - 1] + "\")";
        }
    }
    return base::makeError(ErrorCode::InvalidInput, row.message, std::move(context));
}

// Appends the chunks, in order, to rows; under STOP the first bad row is the error.
base::Status mergeChunks(const std::vector<CsvChunk> &chunks,
                         const CsvSource &source,
                         std::uint64_t &lineBase,
                         CsvFileRows &rows,
                         CsvLabelTable &labels)
{
    for (const CsvChunk &chunk : chunks) {
        if (chunk.outOfMemory) {
            throw std::bad_alloc(); // readCsv turns it into an error
        }
        for (std::uint64_t i = 0; i < chunk.badCount; ++i) {
            // past the described ones, only the count matters
            rows.bad.add(i < chunk.bad.size()
                             ? badRowError(source, chunk.bad[i], lineBase + chunk.bad[i].line + 1)
                             : base::Error{});
            if (rows.bad.shouldStop()) {
                return rows.bad.first();
            }
        }
        std::vector<std::uint32_t> ids(chunk.labelTexts.size());
        for (std::size_t local = 0; local < ids.size(); ++local) {
            ids[local] = labels.idOf(chunk.labelTexts[local]);
        }
        rows.set.f32.insert(rows.set.f32.end(), chunk.values.begin(), chunk.values.end());
        for (const std::uint32_t local : chunk.labels) {
            rows.set.labels.push_back(ids[local]);
        }
        lineBase += chunk.lines;
    }
    return base::okStatus();
}

void reserveRows(const CsvSource &source, SampleSet &set)
{
    // A row takes at least two bytes per field (a character and a delimiter or newline), however
    // wrong the estimate.
    const std::uint64_t most = source.size / (2 * source.layout.fieldCount()) + 1;
    const std::uint64_t rows = std::min(estimatedCsvRows(source) * 21 / 20 + 16, most);
    set.f32.reserve(static_cast<std::size_t>(rows * source.layout.featureCount()));
    set.labels.reserve(static_cast<std::size_t>(rows));
    adviseHugePages(set.f32.data(), set.f32.capacity() * sizeof(float));
    adviseHugePages(set.labels.data(), set.labels.capacity() * sizeof(std::int64_t));
}

// Reads the file block by block; the unparsed tail of a block (a row cut in two) starts the next.
class BlockReader
{
public:
    BlockReader(const CsvSource &source, CsvReadState &state)
        : m_source(source)
        , m_state(state)
        , m_headerPending(source.layout.hasHeader)
        , m_rows{SampleSet{}, BadSamples(state.policy, "rows")}
    {}

    base::Result<CsvFileRows> read()
    {
        std::ifstream in(m_source.path, std::ios::binary);
        if (!in) {
            return base::makeError(ErrorCode::Io, "Could not open the file for reading.",
                                   m_source.path.string());
        }
        reserveRows(m_source, m_rows.set);
        for (bool atEnd = false; !atEnd;) {
            if (m_state.context.stop.stop_requested()) {
                return csvCancelled(m_source.name);
            }
            auto block = readBlock(in);
            if (!block) {
                return block.error();
            }
            atEnd = block.value();
            if (auto parsed = parseHeld(atEnd); !parsed) {
                return parsed.error();
            }
            base::reportProgress(m_state.context.progress, m_state.bytesDone + m_fileDone,
                                 m_state.bytesTotal, m_source.name);
        }
        m_state.bytesDone += m_fileDone;
        return std::move(m_rows);
    }

private:
    // Appends the next block to the bytes held; true when the file has ended.
    base::Result<bool> readBlock(std::ifstream &in)
    {
        // No more than the file holds (and one byte to see its end), so a small file takes a
        // small buffer.
        const std::uint64_t left = m_source.size - std::min(m_fileDone, m_source.size);
        const auto want = static_cast<std::size_t>(
            left == 0 ? kCsvBlockBytes
                      : std::min<std::uint64_t>(kCsvBlockBytes, left + 1)); // 0: it grew
        if (m_buffer.size() < m_held + want) {
            m_buffer.resize(m_held + want);
        }
        in.read(m_buffer.data() + m_held, static_cast<std::streamsize>(want));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (in.bad()) {
            return base::makeError(ErrorCode::Io, "Could not read the file.", m_source.name);
        }
        m_held += got;
        m_fileDone += got;
        return got < want;
    }

    // Parses the complete rows held and keeps the rest for the next block.
    base::Status parseHeld(bool atEnd)
    {
        const std::string_view text(m_buffer.data(), m_held);
        std::size_t consumed = 0;
        if (m_first && text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
            consumed = kByteOrderMark.size();
        }
        m_first = false;
        if (m_headerPending) {
            CsvRowScanner scanner(text.substr(consumed), m_source.layout.delimiter, atEnd);
            std::vector<CsvField> fields;
            m_headerPending = scanner.next(fields) == CsvScan::Incomplete;
            consumed += m_headerPending ? 0 : scanner.position();
            m_lineBase += m_headerPending ? 0 : scanner.lines();
        }
        if (!m_headerPending) {
            parseCsvChunks(text.substr(consumed), m_source.layout, atEnd,
                           m_state.policy == proto::BAD_SAMPLE_STOP, m_state.threads, m_chunks);
            if (auto merged = mergeChunks(m_chunks, m_source, m_lineBase, m_rows, m_state.labels);
                !merged) {
                return merged;
            }
            for (const CsvChunk &chunk : m_chunks) {
                consumed += chunk.consumed;
            }
        }
        std::memmove(m_buffer.data(), m_buffer.data() + consumed, m_held - consumed);
        m_held -= consumed;
        if (m_held > kMaxCsvRowBytes) {
            return base::makeError(
                ErrorCode::InvalidInput,
                "A row longer than " + base::byteSizeText(kMaxCsvRowBytes)
                    + " starts here; expected one sample per row (a quote that is "
                      "never closed makes the rest of the file one row).",
                lineContext(m_source, m_lineBase + 1));
        }
        return base::okStatus();
    }

    const CsvSource &m_source;
    CsvReadState &m_state;
    std::vector<char> m_buffer;
    std::size_t m_held = 0; // bytes of m_buffer in use
    std::uint64_t m_fileDone = 0;
    std::uint64_t m_lineBase = 0; // newlines before m_buffer's first byte
    bool m_first = true;
    bool m_headerPending;
    CsvFileRows m_rows;
    std::vector<CsvChunk> m_chunks; // kept from block to block with their buffers
};

} // namespace

std::uint64_t estimatedCsvRows(const CsvSource &source)
{
    const CsvLayout &layout = source.layout;
    if (layout.sampledRows == 0 || layout.sampledBytes == 0) {
        return 1;
    }
    const double perRow =
        static_cast<double>(layout.sampledBytes) / static_cast<double>(layout.sampledRows);
    return static_cast<std::uint64_t>(static_cast<double>(source.size) / perRow) + 1;
}

base::Error csvCancelled(const std::string &name)
{
    return base::makeError(ErrorCode::Cancelled, "Reading the CSV file was cancelled.", name);
}

base::Result<CsvFileRows> readCsvRows(const CsvSource &source, CsvReadState &state)
{
    return BlockReader(source, state).read();
}

} // namespace tl::datasets::detail
