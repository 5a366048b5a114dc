#pragma once
// What the GUI's dataset browser shows: the summary, sample thumbnails of every class (image
// datasets) and the first rows (tabular ones). Computed off the UI thread from a loaded Dataset;
// plain value types.

#include "datasets/dataset.h"
#include "datasets/dataset_summary.h"

#include <cstdint>
#include <stop_token>
#include <vector>

namespace tl::datasets {

struct SampleImage
{
    std::int64_t index = 0; // position in the train split
    std::int64_t label = 0;
    // channels * height * width, CHW; float samples are scaled to 0..255 by the train split's
    // min and max so they can be shown.
    std::vector<std::uint8_t> pixels;
};

// One sample of a tabular dataset: its features and label.
struct TableRow
{
    std::int64_t index = 0; // position in the train split
    std::int64_t label = 0;
    std::vector<float> values; // one per feature
};

struct DatasetPreview
{
    DatasetSummary summary;
    // Image datasets: up to samplesPerClass of each class (the first in the train split),
    // ordered by label, then index. Empty for tabular datasets.
    std::vector<SampleImage> samples;
    // Tabular datasets ([F] samples): the first rows of the train split. Empty for images.
    std::vector<TableRow> rows;
};

struct PreviewOptions
{
    int samplesPerClass = 32;
    int rows = 1000;
};

// Builds the preview of a loaded dataset (summary included).
DatasetPreview previewDataset(const Dataset &dataset,
                              const proto::DatasetSpec &spec,
                              const PreviewOptions &options = {},
                              std::stop_token stop = {});

} // namespace tl::datasets
