#include "datasets/dataset_summary.h"

#include "base/json_string.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tl::datasets {
namespace {

// Samples per stop-token check of the statistics pass.
constexpr std::int64_t kStopCheckSamples = 4096;

SplitSummary splitSummary(const std::string &name, const SampleSet &set, std::size_t classes)
{
    SplitSummary out{name, set.count(), std::vector<std::int64_t>(classes, 0)};
    for (std::int64_t label : set.labels) {
        if (label >= 0 && static_cast<std::size_t>(label) < classes) {
            ++out.classCounts[static_cast<std::size_t>(label)];
        }
    }
    return out;
}

// Running sums of one channel or feature.
struct Accumulator
{
    double sum = 0;
    double squares = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    std::uint64_t count = 0;

    void add(double value)
    {
        sum += value;
        squares += value * value;
        min = std::min(min, value);
        max = std::max(max, value);
        ++count;
    }

    ValueStats stats(double scale) const
    {
        if (count == 0) {
            return {};
        }
        const double n = static_cast<double>(count);
        const double mean = sum / n;
        const double variance = std::max(0.0, squares / n - mean * mean);
        return {mean / scale, std::sqrt(variance) / scale, min / scale, max / scale};
    }
};

// Per channel of [C, H, W] samples, else per value of the flattened sample.
std::vector<ValueStats> channelStats(const SampleSet &set, std::stop_token stop)
{
    const bool image = set.isImage();
    const std::int64_t groups = image ? set.shape[0] : set.sampleSize();
    const std::int64_t perGroup = image ? set.shape[1] * set.shape[2] : 1;
    const std::int64_t size = set.sampleSize();
    std::vector<Accumulator> sums(static_cast<std::size_t>(groups));
    for (std::int64_t i = 0; i < set.count(); ++i) {
        if (i % kStopCheckSamples == 0 && stop.stop_requested()) {
            return {};
        }
        const std::int64_t base = i * size;
        for (std::int64_t g = 0; g < groups; ++g) {
            Accumulator &acc = sums[static_cast<std::size_t>(g)];
            const std::int64_t first = base + g * perGroup;
            for (std::int64_t k = first; k < first + perGroup; ++k) {
                acc.add(set.valueAt(static_cast<std::size_t>(k)));
            }
        }
    }
    const double scale = set.type == ValueType::UInt8 ? 255.0 : 1.0;
    std::vector<ValueStats> out;
    out.reserve(sums.size());
    for (const Accumulator &acc : sums) {
        out.push_back(acc.stats(scale));
    }
    return out;
}

std::uint64_t memoryOf(const SampleSet &set)
{
    return set.valueBytes() + set.labels.size() * sizeof(std::int64_t);
}

std::string number(double value)
{
    if (!std::isfinite(value)) {
        return "null";
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

std::string stringArray(const std::vector<std::string> &items)
{
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i ? ", " : "") + jsonString(items[i]);
    }
    return out + "]";
}

template<typename T>
std::string integerArray(const std::vector<T> &items)
{
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(items[i]);
    }
    return out + "]";
}

} // namespace

DatasetSummary
summarize(const Dataset &dataset, const proto::DatasetSpec &spec, std::stop_token stop)
{
    DatasetSummary out;
    out.name = dataset.name;
    out.format = dataset.format;
    out.sources.assign(spec.sources().begin(), spec.sources().end());
    for (const std::string *path :
         {&spec.train_images(), &spec.train_labels(), &spec.test_images(), &spec.test_labels()}) {
        if (!path->empty()) {
            out.sources.push_back(*path);
        }
    }
    out.sampleShape = dataset.train.shape;
    out.valueType = dataset.train.type;
    out.classNames = dataset.classNames;
    out.featureNames = dataset.featureNames;
    out.sourceHadTestSplit = dataset.sourceHadTestSplit;
    out.warnings = dataset.warnings;
    const std::size_t classes = dataset.classNames.size();
    out.splits.push_back(splitSummary("train", dataset.train, classes));
    if (dataset.val.count() > 0) {
        out.splits.push_back(splitSummary("val", dataset.val, classes));
    }
    out.splits.push_back(splitSummary("test", dataset.test, classes));
    out.memoryBytes = memoryOf(dataset.train) + memoryOf(dataset.val) + memoryOf(dataset.test);
    out.channels = channelStats(dataset.train, stop);
    return out;
}

std::string jsonString(const std::string &text)
{
    return base::jsonString(text);
}

std::string toJson(const DatasetSummary &s)
{
    std::string out =
        "{\"name\": " + jsonString(s.name) + ", \"format\": " + jsonString(s.format)
        + ", \"sources\": " + stringArray(s.sources) + ", \"sample_shape\": "
        + integerArray(s.sampleShape) + ", \"dtype\": " + jsonString(valueTypeName(s.valueType))
        + ", \"memory_bytes\": " + std::to_string(s.memoryBytes) + ", \"source_test_split\": "
        + (s.sourceHadTestSplit ? "true" : "false") + ", \"splits\": [";
    for (std::size_t i = 0; i < s.splits.size(); ++i) {
        const SplitSummary &split = s.splits[i];
        out += std::string(i ? ", " : "") + "{\"name\": " + jsonString(split.name)
               + ", \"count\": " + std::to_string(split.count)
               + ", \"class_counts\": " + integerArray(split.classCounts) + "}";
    }
    out += "], \"classes\": " + stringArray(s.classNames)
           + ", \"features\": " + stringArray(s.featureNames) + ", \"channels\": [";
    for (std::size_t i = 0; i < s.channels.size(); ++i) {
        const ValueStats &c = s.channels[i];
        out += std::string(i ? ", " : "") + "{\"mean\": " + number(c.mean)
               + ", \"std\": " + number(c.std) + ", \"min\": " + number(c.min)
               + ", \"max\": " + number(c.max) + "}";
    }
    return out + "], \"warnings\": " + stringArray(s.warnings) + "}";
}

} // namespace tl::datasets
