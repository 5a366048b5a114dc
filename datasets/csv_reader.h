#pragma once
// Delimited text datasets (#4): CSV, TSV and the like, one sample per row, float32 feature
// columns and one categorical label column; a train.csv + test.csv pair is the source's own
// split. The delimiter, a header row and the label column are sniffed from the first rows unless
// the spec's CsvOptions say. Pure functions; call them from any thread: readCsv parses blocks of
// the file on std::thread::hardware_concurrency() threads of its own and joins them before it
// returns; cancel it with the context's stop_token.

#include "base/result.h"
#include "datasets/dataset.h"

#include <filesystem>
#include <vector>

namespace tl::datasets {

// One or two text files (.csv, .tsv, .txt or no extension; two must be named like train and
// test), or a folder holding them. Reads only their first bytes. The spec names them in
// `sources` (absolute; [train, test] for a pair) and leaves the CSV options to the sniffing of
// readCsv. NotFound for anything else, saying what was expected.
Recognition recognizeCsv(const std::vector<std::filesystem::path> &dropped);

// Reads the spec's sources (one file, or train then test). Labels: integers 0..1000 are class
// indices as they are, other labels are numbered in natural order (shared by both files). Bad
// rows (a cell that is not a finite number, an empty label, a row with a different number of
// fields) follow spec.bad_samples: STOP makes the first one the error, naming file, line and
// column; SKIP leaves them out with one warning. Progress counts bytes of all files; `what` is
// the file name.
base::Result<SourceData> readCsv(const proto::DatasetSpec &spec, const ReadContext &context);

} // namespace tl::datasets
