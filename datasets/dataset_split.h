#pragma once
// Turning what a reader yielded into train / validation / test splits: the source's own test
// split when it has one, else a stratified, seeded draw; validation held out of train the same
// way; then train_limit and test_limit. Pure functions; any thread.
//
// The draw is the same on every machine and standard library: a Fisher-Yates shuffle per class
// driven by std::mt19937_64 (whose output the standard fixes) with its own bounded draw, not
// std::shuffle or std::uniform_int_distribution (whose algorithms it leaves open).

#include "datasets/dataset.h"

#include <cstdint>
#include <stop_token>
#include <vector>

namespace tl::datasets {

// The default share of samples drawn for testing when the source has no test split.
inline constexpr double kDefaultTestFraction = 0.2;
// Largest accepted val_fraction and test_fraction.
inline constexpr double kMaxSplitFraction = 0.9;

// Indices [0, labels.size()) divided in two: `held` gets round(fraction * n) of them, each class
// c contributing floor(fraction * n_c) plus one more for the classes with the largest remainders
// (chosen by a seeded shuffle within the class), `kept` the rest; both in increasing order.
struct IndexSplit
{
    std::vector<std::int64_t> kept;
    std::vector<std::int64_t> held;
};
IndexSplit
stratifiedSplit(const std::vector<std::int64_t> &labels, double fraction, std::uint64_t seed);

// The samples at `indices` (increasing or not), in that order.
SampleSet selectSamples(const SampleSet &samples, const std::vector<std::int64_t> &indices);

// Splits and limits `source` per the spec's SplitOptions, train_limit and test_limit (which cap
// the train and test samples before validation is held out of train); fills class
// names ("0".."K-1" when the source names none) and checks every label against them. Errors name
// the spec field or the sample.
base::Result<Dataset> splitDataset(SourceData source, const proto::DatasetSpec &spec);

} // namespace tl::datasets
