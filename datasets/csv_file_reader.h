#pragma once
// Internal to datasets/: reading the rows of one CSV file a block at a time (parsed on several
// threads by parseCsvChunks) into float32 values and label ids that all files of a load share.
// Called on the thread that runs readCsv. Not a public API.

#include "base/result.h"
#include "datasets/bad_samples.h"
#include "datasets/csv_layout.h"
#include "datasets/dataset.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace tl::datasets::detail {

// Bytes read per step: parsed in well under 100 ms, so a stop request is noticed in time.
inline constexpr std::size_t kCsvBlockBytes = std::size_t{8} << 20;

// One file of the dataset as the sniffing saw it.
struct CsvSource
{
    std::filesystem::path path;
    std::string name; // the file name, for messages
    std::uint64_t size = 0;
    CsvLayout layout;
};

// Label texts of all files → one id each, so train and test share the class numbering.
class CsvLabelTable
{
public:
    std::uint32_t idOf(const std::string &text)
    {
        const auto [found, added] =
            m_ids.try_emplace(text, static_cast<std::uint32_t>(m_texts.size()));
        if (added) {
            m_texts.push_back(text);
        }
        return found->second;
    }
    const std::vector<std::string> &texts() const { return m_texts; }

private:
    std::unordered_map<std::string, std::uint32_t> m_ids;
    std::vector<std::string> m_texts;
};

// What one readCsv call shares across its files.
struct CsvReadState
{
    const ReadContext &context;
    proto::BadSamplePolicy policy = proto::BAD_SAMPLE_STOP;
    unsigned threads = 1;
    std::uint64_t bytesDone = 0;
    std::uint64_t bytesTotal = 0;
    CsvLabelTable labels;
};

// A file's good rows (labels as CsvLabelTable ids until the classes are known) and its bad ones.
struct CsvFileRows
{
    SampleSet set;
    BadSamples bad;
};

// Rows of the file as its first rows suggest: at least one.
std::uint64_t estimatedCsvRows(const CsvSource &source);

// Reads all rows of the file. Errors: the first bad row under STOP, a row longer than 64 MB, a
// stop request (Cancelled), the file unreadable (Io).
base::Result<CsvFileRows> readCsvRows(const CsvSource &source, CsvReadState &state);

base::Error csvCancelled(const std::string &name);

} // namespace tl::datasets::detail
