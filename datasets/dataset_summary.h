#pragma once
// What a user (the dataset browser) or a script (`torchlight-worker inspect-dataset`) is told
// about a loaded dataset: format, splits with class counts, sample shape and type, per-channel
// statistics of the train split, memory size and warnings. Plain values; any thread.

#include "datasets/dataset.h"

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::datasets {

struct SplitSummary
{
    std::string name; // "train", "val" or "test"
    std::int64_t count = 0;
    std::vector<std::int64_t> classCounts; // one per class name
};

// Statistics of one channel (images: values scaled to [0, 1]) or one feature (tabular).
struct ValueStats
{
    double mean = 0;
    double std = 0; // population standard deviation
    double min = 0;
    double max = 0;
};

struct DatasetSummary
{
    std::string name;
    std::string format; // SourceData::format
    std::vector<std::string> sources;
    std::vector<std::int64_t> sampleShape;
    ValueType valueType = ValueType::UInt8;
    std::vector<std::string> classNames;
    std::vector<std::string> featureNames;
    std::vector<SplitSummary> splits; // train, then val when held out, then test
    bool sourceHadTestSplit = false;
    // Of the train split: per channel for images ([C, H, W] samples), per feature otherwise.
    std::vector<ValueStats> channels;
    std::uint64_t memoryBytes = 0; // samples and labels of all splits
    std::vector<std::string> warnings;
};

// Computes the summary; the statistics pass checks `stop` every few MB (a stop leaves them 0).
DatasetSummary
summarize(const Dataset &dataset, const proto::DatasetSpec &spec, std::stop_token stop = {});

// The summary as one JSON object (UTF-8, keys in a fixed order), the output of inspect-dataset:
// {"name", "format", "sources", "sample_shape", "dtype", "memory_bytes", "source_test_split",
//  "splits": [{"name", "count", "class_counts"}], "classes", "features",
//  "channels": [{"mean", "std", "min", "max"}], "warnings"}
std::string toJson(const DatasetSummary &summary);

// The JSON string literal of `text` (quotes, escapes and control characters handled).
std::string jsonString(const std::string &text);

} // namespace tl::datasets
