#include "datasets/csv_reader.h"

#include "base/number_text.h"
#include "datasets/csv_file_reader.h"
#include "datasets/csv_labels.h"
#include "datasets/memory_budget.h"

#include <algorithm>
#include <fstream>
#include <new>
#include <thread>

namespace tl::datasets {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;
using detail::CsvFileRows;
using detail::CsvLayout;
using detail::CsvSource;

constexpr std::size_t kFirstSampleBytes = std::size_t{64} << 10;
constexpr std::size_t kManyClasses = 100;

// The first bytes of a file, enough for kSniffRows rows (more for very long rows), without a
// byte-order mark; atEnd when they are the whole file.
base::Result<std::pair<std::string, bool>> readSample(const CsvSource &source)
{
    std::ifstream in(source.path, std::ios::binary);
    if (!in) {
        return base::makeError(ErrorCode::Io, "Could not open the file for reading.",
                               source.path.string());
    }
    std::string sample;
    for (std::size_t want = kFirstSampleBytes;; want *= 4) {
        const std::size_t had = sample.size();
        sample.resize(static_cast<std::size_t>(std::min<std::uint64_t>(want, source.size)));
        in.read(sample.data() + had, static_cast<std::streamsize>(sample.size() - had));
        sample.resize(had + static_cast<std::size_t>(in.gcount()));
        const bool atEnd = !in || sample.size() >= source.size;
        if (atEnd || sample.size() >= detail::kMaxCsvRowBytes
            || static_cast<std::size_t>(std::count(sample.begin(), sample.end(), '\n'))
                   > detail::kSniffRows) {
            if (sample.compare(0, detail::kByteOrderMark.size(), detail::kByteOrderMark) == 0) {
                sample.erase(0, detail::kByteOrderMark.size());
            }
            return std::pair{std::move(sample), atEnd};
        }
    }
}

base::Result<CsvSource> openSource(const std::string &pathText)
{
    CsvSource source;
    source.path = pathText;
    source.name = source.path.filename().string();
    std::error_code error;
    if (fs::is_directory(source.path, error)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected a delimited text file, found a folder.", pathText);
    }
    source.size = fs::file_size(source.path, error);
    if (error) {
        return base::makeError(ErrorCode::Io, "Could not read the file: " + error.message() + ".",
                               pathText);
    }
    if (source.size == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The file is empty; expected rows of values separated by commas, "
                               "semicolons, tabs or |, one sample per row.",
                               source.name);
    }
    return source;
}

// Opens the spec's files and sniffs each one's layout; the test file must match the train file.
base::Result<std::vector<CsvSource>> sniffSources(const proto::DatasetSpec &spec)
{
    if (spec.sources_size() < 1 || spec.sources_size() > 2) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset spec names " + std::to_string(spec.sources_size())
                                   + " files; expected one CSV file, or a train and a test file.",
                               "dataset \"" + spec.name() + "\"");
    }
    std::vector<CsvSource> sources;
    for (const std::string &path : spec.sources()) {
        auto source = openSource(path);
        if (!source) {
            return source.error();
        }
        auto sample = readSample(source.value());
        if (!sample) {
            return sample.error();
        }
        const auto &[text, atEnd] = sample.value();
        auto layout = sources.empty()
                          ? detail::sniffCsvLayout(text, atEnd, spec.csv(), source.value().name)
                          : detail::sniffCsvLayoutLike(sources.front().layout, text, atEnd,
                                                       spec.csv(), source.value().name);
        if (!layout) {
            return layout.error();
        }
        source.value().layout = std::move(layout).value();
        sources.push_back(std::move(source).value());
    }
    return sources;
}

// The values take rows × (features × 4 + 8 for the label) bytes; the text itself is read a block
// at a time and never held whole.
base::Status checkMemory(const std::vector<CsvSource> &sources)
{
    double rows = 0;
    std::string names;
    for (const CsvSource &source : sources) {
        rows += static_cast<double>(detail::estimatedCsvRows(source));
        names += (names.empty() ? "" : " and ") + source.name;
    }
    const std::size_t features = sources.front().layout.featureCount();
    const double bytes =
        rows * static_cast<double>(features * sizeof(float) + sizeof(std::int64_t)) * 1.1
        + 2.0 * detail::kCsvBlockBytes;
    const auto need = static_cast<std::uint64_t>(std::min(bytes, 1e19));
    return checkFitsInMemory(need,
                             "about " + base::groupedDigits(static_cast<std::int64_t>(rows))
                                 + " rows × " + std::to_string(features) + " features of " + names,
                             sources.front().name);
}

base::Status expectRows(const CsvSource &source, const CsvFileRows &rows)
{
    if (rows.set.count() > 0) {
        return base::okStatus();
    }
    if (rows.bad.count() > 0) {
        return base::makeError(
            ErrorCode::InvalidInput,
            "None of the " + base::groupedDigits(static_cast<std::int64_t>(rows.bad.count()))
                + " data rows could be read; the first: " + rows.bad.first().message,
            rows.bad.first().context);
    }
    return base::makeError(ErrorCode::InvalidInput,
                           std::string(source.layout.hasHeader
                                           ? "The file has a header but no data rows"
                                           : "The file has no data rows")
                               + "; expected at least one row of values.",
                           source.name);
}

SourceData assemble(std::vector<CsvFileRows> &files,
                    const std::vector<CsvSource> &sources,
                    const detail::CsvLabelTable &labels)
{
    const detail::CsvClasses classes = detail::csvClasses(labels.texts());
    const CsvLayout &layout = sources.front().layout;
    SourceData data;
    data.format = "csv";
    for (std::size_t i = 0; i < files.size(); ++i) {
        SampleSet &set = files[i].set;
        set.shape = {static_cast<std::int64_t>(layout.featureCount())};
        set.type = ValueType::Float32;
        for (std::int64_t &label : set.labels) {
            label = classes.indexOf[static_cast<std::size_t>(label)];
        }
        if (auto warning = files[i].bad.warning()) {
            data.warnings.push_back(*warning);
        }
    }
    data.train = std::move(files.front().set);
    if (files.size() > 1) {
        data.test = std::move(files.back().set);
    }
    data.classNames = classes.names;
    for (std::size_t c = 0; c < layout.fieldCount(); ++c) {
        if (c != layout.labelColumn) {
            data.featureNames.push_back(layout.columns[c]);
        }
    }
    if (labels.texts().size() > kManyClasses) {
        data.warnings.push_back(
            "The label column \"" + layout.columns[layout.labelColumn] + "\" of "
            + sources.front().name + " has "
            + base::groupedDigits(static_cast<std::int64_t>(labels.texts().size()))
            + " distinct values; is it a regression target? Each distinct value "
              "is learned as a class.");
    }
    return data;
}

base::Result<SourceData> readSources(const proto::DatasetSpec &spec, const ReadContext &context)
{
    auto sources = sniffSources(spec);
    if (!sources) {
        return sources.error();
    }
    if (auto fits = checkMemory(sources.value()); !fits) {
        return fits.error();
    }
    const proto::BadSamplePolicy policy = spec.bad_samples() == proto::BAD_SAMPLE_SKIP
                                              ? proto::BAD_SAMPLE_SKIP
                                              : proto::BAD_SAMPLE_STOP;
    detail::CsvReadState state{
        context, policy, std::clamp(std::thread::hardware_concurrency(), 1U, 16U), 0, 0, {}};
    for (const CsvSource &source : sources.value()) {
        state.bytesTotal += source.size;
    }
    std::vector<CsvFileRows> files;
    for (const CsvSource &source : sources.value()) {
        auto rows = detail::readCsvRows(source, state);
        if (!rows) {
            return rows.error();
        }
        if (auto some = expectRows(source, rows.value()); !some) {
            return some.error();
        }
        files.push_back(std::move(rows).value());
    }
    return assemble(files, sources.value(), state.labels);
}

} // namespace

base::Result<SourceData> readCsv(const proto::DatasetSpec &spec, const ReadContext &context)
{
    const std::string where = spec.sources_size() > 0
                                  ? fs::path(spec.sources(0)).filename().string()
                                  : "dataset \"" + spec.name() + "\"";
    if (context.stop.stop_requested()) {
        return detail::csvCancelled(where);
    }
    if (spec.format() != proto::DATASET_FORMAT_CSV) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset spec is of format " + std::to_string(spec.format())
                                   + "; expected DATASET_FORMAT_CSV.",
                               where);
    }
    try {
        return readSources(spec, context);
    } catch (const std::bad_alloc &) {
        // the memory check estimates from the first rows; the rest of the file may say otherwise
        return base::makeError(ErrorCode::Io,
                               "Ran out of memory while loading the CSV file; use a smaller part "
                               "of the data or a machine with more memory.",
                               where);
    }
}

} // namespace tl::datasets
