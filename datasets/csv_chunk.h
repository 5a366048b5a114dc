#pragma once
// Internal to datasets/: turning a block of CSV rows into float32 features and label ids. A block
// without quotes is cut at newlines and its pieces parsed on several threads (a quote may hold a
// newline, so a block with quotes is parsed on one). Each piece is parsed by one thread into its
// own CsvChunk; the caller merges them in order. Not a public API.

#include "datasets/csv_layout.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets::detail {

// A row left out, with its position inside the chunk; the reader adds the file and line.
struct CsvBadRow
{
    std::uint64_t line = 0; // newlines in the chunk before the row starts
    std::size_t column = 0; // 1-based; 0 when the row as a whole is wrong
    std::string message;    // one sentence
};

struct CsvChunk
{
    std::vector<float> values;           // featureCount() per good row
    std::vector<std::uint32_t> labels;   // one per good row: an index into labelTexts
    std::vector<std::string> labelTexts; // distinct label cells, in order of appearance
    std::vector<CsvBadRow> bad;          // the first few bad rows
    std::uint64_t badCount = 0;
    std::uint64_t lines = 0;  // newlines in the consumed bytes
    std::size_t consumed = 0; // bytes of the complete rows parsed
    bool outOfMemory = false; // the parse stopped for want of memory

    // Empties the chunk but keeps its buffers, whose pages are then already mapped.
    void clear();
};

// Bad rows a chunk describes in full; the rest are only counted.
inline constexpr std::size_t kDescribedBadRows = 3;

// Parses the complete rows of text into `chunk` (cleared first). atEnd: text ends where the file
// ends. stopAtFirstBad: return at the first bad row (under BAD_SAMPLE_STOP the rest is not needed).
void parseCsvChunk(std::string_view text,
                   const CsvLayout &layout,
                   bool atEnd,
                   bool stopAtFirstBad,
                   CsvChunk &chunk);

// The same over up to `threads` threads into as many chunks (reused from the last call), in text
// order; together they consume a prefix of text.
void parseCsvChunks(std::string_view text,
                    const CsvLayout &layout,
                    bool atEnd,
                    bool stopAtFirstBad,
                    unsigned threads,
                    std::vector<CsvChunk> &chunks);

} // namespace tl::datasets::detail
