#pragma once
// The image-classification view of a dataset: uint8 images N×C×H×W plus one label each, as the
// worker trains on them and the GUI previews them. Pure functions; any thread.

#include "base/progress.h"
#include "base/result.h"
#include "datasets/idx_format.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <vector>

namespace tl::datasets {

enum class Split { Train, Test };

struct LabeledImages
{
    std::int64_t count = 0;
    std::int64_t channels = 0;
    std::int64_t height = 0;
    std::int64_t width = 0;
    std::vector<std::uint8_t> pixels; // count * channels * height * width, row-major
    std::vector<std::int64_t> labels; // count entries; not checked against any class list

    std::int64_t imageSize() const { return channels * height * width; }
};

// The headers of an images file and its labels file, checked to belong together.
struct IdxPairHeaders
{
    IdxHeader images; // uint8, [N, H, W] or [N, C, H, W]
    IdxHeader labels; // uint8, [N]
};

// Reads both headers and checks their types, dimensions and counts (fast: a few bytes each).
base::Result<IdxPairHeaders> readIdxPairHeaders(const std::filesystem::path &images,
                                                const std::filesystem::path &labels);

// Loads an images file (uint8, [N,H,W] or [N,C,H,W]) and its labels file (uint8, [N]), keeping
// the first `limit` samples (0 = all). Both headers are checked before any data is read: a
// count mismatch names both files and both counts. Progress counts decompressed bytes of both
// files together.
base::Result<LabeledImages> loadIdxPair(const std::filesystem::path &images,
                                        const std::filesystem::path &labels,
                                        std::uint64_t limit = 0,
                                        std::stop_token stop = {},
                                        const base::ProgressFn &progress = {});

// Loads one split of a DATASET_FORMAT_IDX spec (UNSPECIFIED is read as IDX, the only v1 format),
// applying train_limit or test_limit.
base::Result<LabeledImages> loadSplit(const proto::DatasetSpec &spec,
                                      Split split,
                                      std::stop_token stop = {},
                                      const base::ProgressFn &progress = {});

// The checked headers of one split of a spec (before its limit): counts and image shape
// without reading any data.
base::Result<IdxPairHeaders> readSplitHeaders(const proto::DatasetSpec &spec, Split split);

// "train" or "test".
const char *splitName(Split split);

} // namespace tl::datasets
