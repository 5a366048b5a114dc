#include "datasets/dataset_preview.h"

#include "datasets/labeled_images.h"

#include <algorithm>
#include <cmath>

namespace tl::datasets {
namespace {

// Pixels per stop-token check while computing statistics (a few milliseconds of work); a
// multiple of the summing block.
constexpr std::size_t kStatsChunk = std::size_t{8} << 20;

base::Error cancelled(const std::string &name)
{
    return base::makeError(base::ErrorCode::Cancelled, "The dataset preview was cancelled.",
                           "dataset \"" + name + "\"");
}

// Mean and standard deviation of the pixels scaled to [0,1]. Exact integer sums; blocks of
// kSumBlock pixels keep 32-bit partial sums (4096 * 255^2 fits), which vectorise well.
base::Status pixelStats(const LabeledImages &images, DatasetPreview &out, std::stop_token stop)
{
    constexpr std::size_t kSumBlock = 4096;
    const auto &pixels = images.pixels;
    std::uint64_t sum = 0;
    std::uint64_t squares = 0;
    for (std::size_t start = 0; start < pixels.size(); start += kSumBlock) {
        if (start % kStatsChunk == 0 && stop.stop_requested()) {
            return cancelled(out.name);
        }
        const std::size_t end = std::min(pixels.size(), start + kSumBlock);
        std::uint32_t blockSum = 0;
        std::uint32_t blockSquares = 0;
        for (std::size_t i = start; i < end; ++i) {
            const std::uint32_t v = pixels[i];
            blockSum += v;
            blockSquares += v * v;
        }
        sum += blockSum;
        squares += blockSquares;
    }
    if (pixels.empty()) {
        return base::okStatus();
    }
    const auto n = static_cast<double>(pixels.size());
    out.pixelMean = static_cast<double>(sum) / 255.0 / n;
    const double meanSquare = static_cast<double>(squares) / (255.0 * 255.0) / n;
    out.pixelStd = std::sqrt(std::max(0.0, meanSquare - out.pixelMean * out.pixelMean));
    return base::okStatus();
}

void countClasses(const LabeledImages &images, DatasetPreview &out)
{
    std::int64_t classes = static_cast<std::int64_t>(out.classNames.size());
    for (std::int64_t label : images.labels) {
        classes = std::max(classes, label + 1);
    }
    out.trainClassCounts.assign(static_cast<std::size_t>(classes), 0);
    for (std::int64_t label : images.labels) {
        if (label >= 0) {
            ++out.trainClassCounts[static_cast<std::size_t>(label)];
        }
    }
}

// The first images of each class, at most perClass each; then, if some class is short, the
// first images not yet taken. Returns indices ordered by label, then index.
std::vector<std::int64_t>
pickSamples(const LabeledImages &images, std::size_t wanted, std::size_t classes)
{
    std::vector<std::int64_t> picked;
    std::vector<bool> taken(static_cast<std::size_t>(images.count), false);
    const std::size_t perClass = (wanted + classes - 1) / classes;
    std::vector<std::size_t> perLabel(classes, 0);
    for (std::int64_t i = 0; i < images.count && picked.size() < wanted; ++i) {
        const std::int64_t label = images.labels[static_cast<std::size_t>(i)];
        if (label < 0 || static_cast<std::size_t>(label) >= classes
            || perLabel[static_cast<std::size_t>(label)]++ >= perClass) {
            continue;
        }
        picked.push_back(i);
        taken[static_cast<std::size_t>(i)] = true;
    }
    for (std::int64_t i = 0; i < images.count && picked.size() < wanted; ++i) {
        if (!taken[static_cast<std::size_t>(i)]) {
            picked.push_back(i);
        }
    }
    std::sort(picked.begin(), picked.end(), [&](std::int64_t a, std::int64_t b) {
        const auto la = images.labels[static_cast<std::size_t>(a)];
        const auto lb = images.labels[static_cast<std::size_t>(b)];
        return la != lb ? la < lb : a < b;
    });
    return picked;
}

void addSamples(const LabeledImages &images, int samplesWanted, DatasetPreview &out)
{
    if (samplesWanted <= 0 || images.count == 0) {
        return;
    }
    const std::size_t classes = std::max<std::size_t>(1, out.trainClassCounts.size());
    const auto size = static_cast<std::size_t>(images.imageSize());
    for (std::int64_t i : pickSamples(images, static_cast<std::size_t>(samplesWanted), classes)) {
        const auto first =
            images.pixels.begin() + static_cast<std::ptrdiff_t>(i * images.imageSize());
        out.samples.push_back(
            {i, images.labels[static_cast<std::size_t>(i)],
             std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(size))});
    }
}

} // namespace

base::Result<DatasetPreview> previewDataset(const proto::DatasetSpec &spec,
                                            int samplesWanted,
                                            std::stop_token stop,
                                            const base::ProgressFn &progress)
{
    DatasetPreview out;
    out.name = spec.name();
    auto test = readSplitHeaders(spec, Split::Test);
    if (!test) {
        return test.error();
    }
    const auto testCount = static_cast<std::uint64_t>(test.value().images.dims[0]);
    out.testCount = static_cast<std::int64_t>(
        spec.test_limit() > 0 ? std::min(testCount, spec.test_limit()) : testCount);
    auto train = loadSplit(spec, Split::Train, stop, progress);
    if (!train) {
        return train.error();
    }
    const LabeledImages &images = train.value();
    out.trainCount = images.count;
    out.channels = images.channels;
    out.height = images.height;
    out.width = images.width;
    out.classNames.assign(spec.class_names().begin(), spec.class_names().end());
    countClasses(images, out);
    if (out.classNames.empty()) {
        for (std::size_t c = 0; c < out.trainClassCounts.size(); ++c) {
            out.classNames.push_back(std::to_string(c));
        }
    }
    if (auto stats = pixelStats(images, out, stop); !stats) {
        return stats.error();
    }
    addSamples(images, samplesWanted, out);
    return out;
}

} // namespace tl::datasets
