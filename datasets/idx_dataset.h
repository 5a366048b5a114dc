#pragma once
// idx datasets (the MNIST family): pairs of an images file and a labels file, plain or gzip,
// of any element type and rank, read into SampleSets. The recogniser lives in idx_sniffer.h.
// Pure functions; any thread.

#include "base/progress.h"
#include "base/result.h"
#include "datasets/dataset.h"
#include "datasets/idx_format.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>

namespace tl::datasets {

// The headers of an images file and its labels file, checked to belong together.
struct IdxPairHeaders
{
    IdxHeader images; // any element type; [N, F], [N, H, W] or [N, C, H, W]
    IdxHeader labels; // an integer type; [N]
};

// Reads both headers and checks their types, dimensions and counts (fast: a few bytes each).
base::Result<IdxPairHeaders> readIdxPairHeaders(const std::filesystem::path &images,
                                                const std::filesystem::path &labels);

// Loads an images file and its labels file, keeping the first `limit` samples (0 = all).
// uint8 images stay uint8; any other element type becomes float32. [N, H, W] images become
// [1, H, W] samples, [N, F] arrays [F] features. Both headers are checked before any data is
// read: a count mismatch names both files and both counts; a negative label names its index.
// Progress counts decompressed bytes of both files together.
base::Result<SampleSet> loadIdxPair(const std::filesystem::path &images,
                                    const std::filesystem::path &labels,
                                    std::uint64_t limit = 0,
                                    std::stop_token stop = {},
                                    const base::ProgressFn &progress = {});

// Reads the train pair and, when the spec names one, the test pair of an IDX (or UNSPECIFIED,
// protocol v1) spec, applying train_limit and test_limit.
base::Result<SourceData> readIdx(const proto::DatasetSpec &spec, const ReadContext &context);

} // namespace tl::datasets
