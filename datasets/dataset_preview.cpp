#include "datasets/dataset_preview.h"

#include <algorithm>
#include <limits>

namespace tl::datasets {
namespace {

// Display bytes of sample i: uint8 as stored, float32 mapped from [low, high] onto 0..255.
std::vector<std::uint8_t> displayPixels(const SampleSet &set, std::int64_t i, float low, float high)
{
    const auto size = static_cast<std::size_t>(set.sampleSize());
    const std::size_t first = static_cast<std::size_t>(i) * size;
    if (set.type == ValueType::UInt8) {
        return {set.u8.begin() + static_cast<std::ptrdiff_t>(first),
                set.u8.begin() + static_cast<std::ptrdiff_t>(first + size)};
    }
    std::vector<std::uint8_t> out(size);
    const float range = high > low ? high - low : 1.0F;
    for (std::size_t k = 0; k < size; ++k) {
        const float scaled = (set.f32[first + k] - low) / range * 255.0F;
        out[k] = static_cast<std::uint8_t>(std::clamp(scaled, 0.0F, 255.0F));
    }
    return out;
}

std::vector<SampleImage> sampleImages(const Dataset &dataset,
                                      const DatasetSummary &summary,
                                      int perClass,
                                      std::stop_token stop)
{
    const SampleSet &train = dataset.train;
    float low = std::numeric_limits<float>::max();
    float high = std::numeric_limits<float>::lowest();
    for (const ValueStats &channel : summary.channels) {
        low = std::min(low, static_cast<float>(channel.min));
        high = std::max(high, static_cast<float>(channel.max));
    }
    std::vector<int> taken(dataset.classNames.size(), 0);
    std::vector<SampleImage> out;
    for (std::int64_t i = 0; i < train.count(); ++i) {
        if (i % 4096 == 0 && stop.stop_requested()) {
            break;
        }
        const auto label = static_cast<std::size_t>(train.labels[static_cast<std::size_t>(i)]);
        if (label >= taken.size() || taken[label] >= perClass) {
            continue;
        }
        ++taken[label];
        out.push_back({i, static_cast<std::int64_t>(label), displayPixels(train, i, low, high)});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const SampleImage &a, const SampleImage &b) { return a.label < b.label; });
    return out;
}

std::vector<TableRow> tableRows(const SampleSet &train, int rows)
{
    const std::int64_t count = std::min<std::int64_t>(train.count(), rows);
    const auto size = static_cast<std::size_t>(train.sampleSize());
    std::vector<TableRow> out;
    out.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
        TableRow row{i, train.labels[static_cast<std::size_t>(i)], std::vector<float>(size)};
        for (std::size_t k = 0; k < size; ++k) {
            row.values[k] =
                static_cast<float>(train.valueAt(static_cast<std::size_t>(i) * size + k));
        }
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

DatasetPreview previewDataset(const Dataset &dataset,
                              const proto::DatasetSpec &spec,
                              const PreviewOptions &options,
                              std::stop_token stop)
{
    DatasetPreview out;
    out.summary = summarize(dataset, spec, stop);
    if (dataset.train.isImage()) {
        out.samples = sampleImages(dataset, out.summary, options.samplesPerClass, stop);
    } else {
        out.rows = tableRows(dataset.train, options.rows);
    }
    return out;
}

} // namespace tl::datasets
