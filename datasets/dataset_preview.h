#pragma once
// The summary the GUI's dataset panel shows: counts, image shape, class balance, pixel
// statistics and a few sample images. Computed off the UI thread; plain value types.

#include "base/progress.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::datasets {

struct SampleImage
{
    std::int64_t index = 0; // position in the train split
    std::int64_t label = 0;
    std::vector<std::uint8_t> pixels; // channels * height * width
};

struct DatasetPreview
{
    std::string name;
    std::int64_t trainCount = 0; // after the spec's train_limit
    std::int64_t testCount = 0;  // after the spec's test_limit
    std::int64_t channels = 0;
    std::int64_t height = 0;
    std::int64_t width = 0;
    std::vector<std::string> classNames;        // the spec's, or "0".."K-1" when it has none
    std::vector<std::int64_t> trainClassCounts; // per label 0..max(classes, largest label + 1)-1
    double pixelMean = 0;                       // of the train pixels scaled to [0,1]
    double pixelStd = 0;                        // population standard deviation, same scale
    std::vector<SampleImage> samples;           // ordered by label, then index
};

// Reads the train split (and only the test headers) of the spec. Samples are the first train
// images, at most ceil(samplesWanted / classes) per class, then any further first images if
// some class is short, up to samplesWanted in all. Progress as in loadIdxPair().
base::Result<DatasetPreview> previewDataset(const proto::DatasetSpec &spec,
                                            int samplesWanted,
                                            std::stop_token stop = {},
                                            const base::ProgressFn &progress = {});

} // namespace tl::datasets
