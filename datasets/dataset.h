#pragma once
// The in-memory form every dataset format loads into: per split, one typed buffer of samples
// (uint8 images or float32 features) with an integer class label each. Plain value types; any
// thread. Format readers (cifar_reader, csv_reader, numpy_reader, image_folder, idx) fill a
// SourceData; dataset_loader splits it into a Dataset.

#include "base/progress.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::datasets {

// How sample values are held. UInt8 samples are pixels, scaled to [0, 1] when trained on.
enum class ValueType { UInt8, Float32 };

// "uint8" or "float32".
const char *valueTypeName(ValueType type);

// The samples of one split, row-major: sample i occupies [i * sampleSize(), (i+1) *
// sampleSize()) of the buffer of its type; only the buffer of `type` is filled.
struct SampleSet
{
    std::vector<std::int64_t> shape; // one sample: [C, H, W] for images, [F] for features
    ValueType type = ValueType::UInt8;
    std::vector<std::uint8_t> u8;
    std::vector<float> f32;
    std::vector<std::int64_t> labels; // one class index per sample

    std::int64_t count() const { return static_cast<std::int64_t>(labels.size()); }
    std::int64_t sampleSize() const;  // product of shape (1 for an empty shape)
    std::uint64_t valueBytes() const; // bytes held by the samples' buffer
    // True for [C, H, W] samples, which the GUI shows as images.
    bool isImage() const { return shape.size() == 3; }
    // The value at flat index i of the buffer, as double (either type).
    double valueAt(std::size_t i) const;
};

// What a format reader yields: the samples with the source's own split if it has one.
struct SourceData
{
    std::string format; // "idx", "cifar-10", "cifar-100", "csv", "npy", "npz", "image-folder"
    SampleSet train;    // all samples when the source has no split of its own
    std::optional<SampleSet> test;         // the source's own test split
    std::vector<std::string> classNames;   // label i is classNames[i]; may be empty
    std::vector<std::string> featureNames; // tabular sources: one per feature; else empty
    std::vector<std::string> warnings;     // one complete sentence each, naming the file
};

// A loaded dataset ready to train on: train, validation (maybe empty) and test splits of the
// same sample shape and type.
struct Dataset
{
    std::string name;
    std::string format;
    SampleSet train;
    SampleSet val;
    SampleSet test;
    bool sourceHadTestSplit = false; // else test was drawn from the samples by the split options
    std::vector<std::string> classNames; // never empty after loading: "0".."K-1" when unnamed
    std::vector<std::string> featureNames;
    std::vector<std::string> warnings;
};

// The readers' verdict on dropped paths: a DatasetSpec of their format, or an Error. An error
// with ErrorCode::NotFound means "not this format" (its message says what was looked for);
// any other code means the paths are of this format but unusable, and the message says why.
using Recognition = base::Result<proto::DatasetSpec>;

// True when the recogniser said "not this format".
inline bool isNotThisFormat(const Recognition &recognition)
{
    return !recognition && recognition.error().code == base::ErrorCode::NotFound;
}

// The arguments every reader takes; progress counts bytes (or images) of all its files.
struct ReadContext
{
    std::stop_token stop;
    base::ProgressFn progress;
};

} // namespace tl::datasets
