#include "datasets/dataset_split.h"

#include "datasets/large_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace tl::datasets {
namespace {

using base::ErrorCode;

// A uniform draw in [0, bound) without modulo bias (rejection on the top of the range).
std::uint64_t boundedDraw(std::mt19937_64 &engine, std::uint64_t bound)
{
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()
                                - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t value = engine();
    while (value >= limit) {
        value = engine();
    }
    return value % bound;
}

void shuffle(std::vector<std::int64_t> &items, std::mt19937_64 &engine)
{
    for (std::size_t i = items.size(); i > 1; --i) {
        const std::size_t j = boundedDraw(engine, i);
        std::swap(items[i - 1], items[j]);
    }
}

SampleSet limited(SampleSet samples, std::uint64_t limit)
{
    if (limit == 0 || static_cast<std::uint64_t>(samples.count()) <= limit) {
        return samples;
    }
    const auto n = static_cast<std::size_t>(limit);
    const auto size = static_cast<std::size_t>(samples.sampleSize());
    samples.labels.resize(n);
    if (samples.type == ValueType::UInt8) {
        samples.u8.resize(n * size);
        samples.u8.shrink_to_fit();
    } else {
        samples.f32.resize(n * size);
        samples.f32.shrink_to_fit();
    }
    return samples;
}

base::Status checkFraction(double value, const char *field)
{
    if (std::isfinite(value) && value >= 0 && value <= kMaxSplitFraction) {
        return base::okStatus();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           std::string("The split's ") + field + " must be between 0 and "
                               + std::to_string(kMaxSplitFraction).substr(0, 3) + ", found "
                               + std::to_string(value) + ".",
                           std::string("dataset.split.") + field);
}

// Class names from the source, or "0".."K-1" for K = the largest label + 1; every label checked.
base::Status settleClasses(Dataset &dataset, const std::string &where)
{
    std::int64_t largest = -1;
    for (const SampleSet *set : {&dataset.train, &dataset.val, &dataset.test}) {
        for (std::int64_t label : set->labels) {
            largest = std::max(largest, label);
        }
    }
    if (dataset.classNames.empty()) {
        for (std::int64_t c = 0; c <= largest; ++c) {
            dataset.classNames.push_back(std::to_string(c));
        }
        return base::okStatus();
    }
    const auto classes = static_cast<std::int64_t>(dataset.classNames.size());
    for (const auto &[set, name] : {std::pair{&dataset.train, "train"},
                                    {&dataset.val, "validation"},
                                    {&dataset.test, "test"}}) {
        for (std::size_t i = 0; i < set->labels.size(); ++i) {
            const std::int64_t label = set->labels[i];
            if (label < 0 || label >= classes) {
                return base::makeError(ErrorCode::InvalidInput,
                                       "Label " + std::to_string(label) + " of " + name + " sample "
                                           + std::to_string(i) + " is outside the "
                                           + std::to_string(classes)
                                           + " classes the dataset names.",
                                       where);
            }
        }
    }
    return base::okStatus();
}

base::Status checkLabelsNonNegative(const SourceData &source, const std::string &where)
{
    for (const SampleSet *set : {&source.train, source.test ? &*source.test : nullptr}) {
        if (set == nullptr) {
            continue;
        }
        const auto negative = std::find_if(set->labels.begin(), set->labels.end(),
                                           [](std::int64_t label) { return label < 0; });
        if (negative != set->labels.end()) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Label " + std::to_string(*negative) + " of sample "
                                       + std::to_string(negative - set->labels.begin())
                                       + " is negative; expected class indices 0, 1, 2, ...",
                                   where);
        }
    }
    return base::okStatus();
}

} // namespace

IndexSplit
stratifiedSplit(const std::vector<std::int64_t> &labels, double fraction, std::uint64_t seed)
{
    std::int64_t classes = 0;
    for (std::int64_t label : labels) {
        classes = std::max(classes, label + 1);
    }
    std::vector<std::vector<std::int64_t>> byClass(static_cast<std::size_t>(classes));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        byClass[static_cast<std::size_t>(labels[i])].push_back(static_cast<std::int64_t>(i));
    }
    // round(fraction * n) held in all, shared by largest remainder: small classes still get
    // their share when the total allows it (6 samples of 3 classes at 0.2 hold out 1, not 0).
    const auto total =
        static_cast<std::size_t>(std::llround(fraction * static_cast<double>(labels.size())));
    std::vector<std::size_t> held(byClass.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t assigned = 0;
    for (std::size_t c = 0; c < byClass.size(); ++c) {
        const double exact = fraction * static_cast<double>(byClass[c].size());
        held[c] = static_cast<std::size_t>(std::floor(exact));
        assigned += held[c];
        remainders.emplace_back(-(exact - std::floor(exact)), c);
    }
    std::sort(remainders.begin(), remainders.end()); // largest remainder first, then class order
    for (std::size_t k = 0; assigned < total && k < remainders.size(); ++k) {
        const std::size_t c = remainders[k].second;
        if (held[c] < byClass[c].size()) {
            ++held[c];
            ++assigned;
        }
    }
    std::mt19937_64 engine(seed);
    IndexSplit out;
    for (std::size_t c = 0; c < byClass.size(); ++c) {
        auto &members = byClass[c];
        shuffle(members, engine);
        const auto cut = members.begin() + static_cast<std::ptrdiff_t>(held[c]);
        out.held.insert(out.held.end(), members.begin(), cut);
        out.kept.insert(out.kept.end(), cut, members.end());
    }
    std::sort(out.held.begin(), out.held.end());
    std::sort(out.kept.begin(), out.kept.end());
    return out;
}

SampleSet selectSamples(const SampleSet &samples, const std::vector<std::int64_t> &indices)
{
    SampleSet out;
    out.shape = samples.shape;
    out.type = samples.type;
    const auto size = static_cast<std::size_t>(samples.sampleSize());
    out.labels.reserve(indices.size());
    if (samples.type == ValueType::UInt8) {
        detail::resizeLarge(out.u8, indices.size() * size);
    } else {
        detail::resizeLarge(out.f32, indices.size() * size);
    }
    for (std::size_t k = 0; k < indices.size(); ++k) {
        const auto i = static_cast<std::size_t>(indices[k]);
        out.labels.push_back(samples.labels[i]);
        if (samples.type == ValueType::UInt8) {
            std::memcpy(out.u8.data() + k * size, samples.u8.data() + i * size, size);
        } else {
            std::memcpy(out.f32.data() + k * size, samples.f32.data() + i * size,
                        size * sizeof(float));
        }
    }
    return out;
}

base::Result<Dataset> splitDataset(SourceData source, const proto::DatasetSpec &spec)
{
    const proto::SplitOptions &options = spec.split();
    for (const auto &[value, field] : {std::pair{options.val_fraction(), "val_fraction"},
                                       {options.test_fraction(), "test_fraction"}}) {
        if (auto status = checkFraction(value, field); !status) {
            return status.error();
        }
    }
    const std::string where = "dataset \"" + spec.name() + "\"";
    if (auto status = checkLabelsNonNegative(source, where); !status) {
        return status.error();
    }
    Dataset out;
    out.name = spec.name();
    out.format = std::move(source.format);
    out.classNames = std::move(source.classNames);
    out.featureNames = std::move(source.featureNames);
    out.warnings = std::move(source.warnings);
    out.sourceHadTestSplit = source.test.has_value();
    SampleSet train;
    if (source.test) {
        train = limited(std::move(source.train), spec.train_limit());
        out.test = limited(std::move(*source.test), spec.test_limit());
    } else {
        const double testFraction =
            options.test_fraction() > 0 ? options.test_fraction() : kDefaultTestFraction;
        const IndexSplit drawn = stratifiedSplit(source.train.labels, testFraction, options.seed());
        out.test = limited(selectSamples(source.train, drawn.held), spec.test_limit());
        train = limited(selectSamples(source.train, drawn.kept), spec.train_limit());
        source.train = {};
    }
    if (options.val_fraction() > 0) {
        // A seed of its own, so validation does not mirror the test draw.
        const IndexSplit drawn = stratifiedSplit(train.labels, options.val_fraction(),
                                                 options.seed() ^ 0x9e3779b97f4a7c15ULL);
        out.val = selectSamples(train, drawn.held);
        out.train = selectSamples(train, drawn.kept);
    } else {
        out.train = std::move(train);
    }
    out.val.shape = out.train.shape;
    out.val.type = out.train.type;
    if (out.train.count() == 0) {
        return base::makeError(
            ErrorCode::InvalidInput,
            "The train split holds no samples; the source has "
                + std::to_string(out.test.count() + out.val.count())
                + " outside it. Lower the split's val_fraction or test_fraction, "
                  "or add samples.",
            where);
    }
    if (auto status = settleClasses(out, where); !status) {
        return status.error();
    }
    return out;
}

} // namespace tl::datasets
