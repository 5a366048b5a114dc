#pragma once
// Internal to tl::datasets: decoding a list of image files into sample slots on several threads,
// for readImageFolder(). The calling thread decodes too and is the only one that reports progress;
// the other threads are started and joined inside decodeImageFiles().

#include "base/result.h"
#include "datasets/bad_samples.h"
#include "datasets/dataset.h"
#include "datasets/image_decoder.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::datasets::images {

// One image to decode and where its sample goes.
struct ImageJob
{
    std::filesystem::path path;
    std::size_t contextFrom = 0; // where in path the part that errors name begins
    std::int64_t label = 0;
    bool test = false; // into the test set, else the train set

    // The path errors name, "animals/cat/003.png": made only when needed.
    std::string context() const { return path.string().substr(contextFrom); }
};

// What every sample becomes.
struct SampleShape
{
    int channels = 3; // 1 or 3
    int width = 0;
    int height = 0;

    std::uint64_t bytes() const
    {
        return std::uint64_t(channels) * std::uint64_t(width) * std::uint64_t(height);
    }
};

struct DecodedSets
{
    SampleSet train;
    SampleSet test;
    std::optional<std::string> skipped; // under SKIP: the warning about the images left out
};

// Decodes every job into train and test, in job order, on `threads` threads (at least 1). Under
// SKIP the bad images are left out and counted in DecodedSets::skipped; under STOP the error is
// the first bad image in job order, whatever the thread timing. Cancelled when the stop token
// fires.
base::Result<DecodedSets> decodeImageFiles(const std::vector<ImageJob> &jobs,
                                           const SampleShape &shape,
                                           proto::BadSamplePolicy policy,
                                           unsigned threads,
                                           const ReadContext &context);

// Reads one file and decodes it (channels 0: as stored), refusing files too large to be images.
base::Result<DecodedImage>
decodeImageFile(const ImageJob &job, int channels, std::vector<std::uint8_t> &buffer);

} // namespace tl::datasets::images
