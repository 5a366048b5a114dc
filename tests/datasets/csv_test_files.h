#pragma once
// Helpers for the CSV tests: a spec for files the test wrote, and reading it in one call.

#include "datasets/csv_reader.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace tl::datasets::testing {

inline proto::DatasetSpec csvSpec(const std::vector<fs::path> &files,
                                  proto::BadSamplePolicy policy = proto::BAD_SAMPLE_STOP)
{
    proto::DatasetSpec spec;
    spec.set_name("table");
    spec.set_format(proto::DATASET_FORMAT_CSV);
    for (const fs::path &file : files) {
        spec.add_sources(file.string());
    }
    spec.set_bad_samples(policy);
    return spec;
}

inline base::Result<SourceData> readCsvFile(const fs::path &file,
                                            proto::BadSamplePolicy policy = proto::BAD_SAMPLE_STOP)
{
    return readCsv(csvSpec({file}, policy), ReadContext{});
}

// Writes text to dir/name and reads it back as a CSV dataset.
inline base::Result<SourceData> readCsvText(const TempDir &dir,
                                            const std::string &name,
                                            const std::string &text,
                                            proto::BadSamplePolicy policy = proto::BAD_SAMPLE_STOP)
{
    writeBytes(dir / name, text);
    return readCsvFile(dir / name, policy);
}

// The loaded value, or a failed check that shows the error.
inline SourceData loaded(base::Result<SourceData> result)
{
    INFO((result ? std::string() : result.error().describe()));
    REQUIRE(result.ok());
    return std::move(result).value();
}

} // namespace tl::datasets::testing
