#include "datasets/dataset_split.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace tl::datasets;
using tl::base::ErrorCode;

namespace {

// n samples of one float feature equal to their index, labels i % classes.
SampleSet indexed(std::int64_t n, std::int64_t classes)
{
    SampleSet set;
    set.shape = {1};
    set.type = ValueType::Float32;
    for (std::int64_t i = 0; i < n; ++i) {
        set.f32.push_back(static_cast<float>(i));
        set.labels.push_back(i % classes);
    }
    return set;
}

std::vector<std::int64_t> ids(const SampleSet &set)
{
    std::vector<std::int64_t> out;
    for (float v : set.f32) {
        out.push_back(static_cast<std::int64_t>(v));
    }
    return out;
}

std::int64_t countOf(const SampleSet &set, std::int64_t label)
{
    return std::count(set.labels.begin(), set.labels.end(), label);
}

} // namespace

TEST_CASE("A stratified split holds out the same share of every class", "[datasets]")
{
    std::vector<std::int64_t> labels;
    for (int i = 0; i < 100; ++i) {
        labels.push_back(i < 80 ? 0 : 1); // 80 of class 0, 20 of class 1
    }
    const IndexSplit split = stratifiedSplit(labels, 0.25, 7);
    CHECK(split.held.size() == 25);
    CHECK(split.kept.size() == 75);
    const auto heldOnes =
        std::count_if(split.held.begin(), split.held.end(), [](std::int64_t i) { return i >= 80; });
    CHECK(heldOnes == 5);
    CHECK(std::is_sorted(split.held.begin(), split.held.end()));
    std::set<std::int64_t> all(split.held.begin(), split.held.end());
    all.insert(split.kept.begin(), split.kept.end());
    CHECK(all.size() == 100);
}

TEST_CASE("Small classes share the held-out samples by largest remainder", "[datasets]")
{
    const std::vector<std::int64_t> labels{0, 0, 1, 1, 2, 2};
    const IndexSplit split = stratifiedSplit(labels, 0.2, 1);
    CHECK(split.held.size() == 1); // round(0.2 * 6); every class has the same remainder
    CHECK(labels[static_cast<std::size_t>(split.held[0])] == 0);
    const IndexSplit half = stratifiedSplit({0, 0, 0, 1}, 0.5, 1);
    CHECK(half.held.size() == 2);
}

TEST_CASE("A split is the same for the same seed and differs for another seed", "[datasets]")
{
    std::vector<std::int64_t> labels(1000, 0);
    const IndexSplit a = stratifiedSplit(labels, 0.1, 42);
    const IndexSplit b = stratifiedSplit(labels, 0.1, 42);
    const IndexSplit c = stratifiedSplit(labels, 0.1, 43);
    CHECK(a.held == b.held);
    CHECK(a.held != c.held);
    // Pinned: the draw is specified (mt19937_64 + own bounded draw), so it never changes.
    const std::vector<std::int64_t> first(a.held.begin(), a.held.begin() + 3);
    CHECK(first == std::vector<std::int64_t>{20, 27, 31});
}

TEST_CASE("A source without a test split is split into train and test, stratified", "[datasets]")
{
    SourceData source;
    source.format = "csv";
    source.train = indexed(100, 4);
    tl::proto::DatasetSpec spec;
    spec.set_name("t");
    auto dataset = splitDataset(source, spec);
    REQUIRE(dataset.ok());
    const Dataset &d = dataset.value();
    CHECK_FALSE(d.sourceHadTestSplit);
    CHECK(d.test.count() == 20); // the default 0.2
    CHECK(d.train.count() == 80);
    CHECK(d.val.count() == 0);
    for (std::int64_t c = 0; c < 4; ++c) {
        CHECK(countOf(d.test, c) == 5);
    }
    CHECK(d.classNames == std::vector<std::string>{"0", "1", "2", "3"});
    std::vector<std::int64_t> together = ids(d.train);
    const auto testIds = ids(d.test);
    together.insert(together.end(), testIds.begin(), testIds.end());
    std::sort(together.begin(), together.end());
    CHECK(together == ids(indexed(100, 4)));
}

TEST_CASE("Validation is held out of train and limits apply after splitting", "[datasets]")
{
    SourceData source;
    source.train = indexed(100, 2);
    source.test = indexed(30, 2);
    source.classNames = {"even", "odd"};
    tl::proto::DatasetSpec spec;
    spec.mutable_split()->set_val_fraction(0.1);
    spec.mutable_split()->set_seed(3);
    spec.set_test_limit(10);
    auto dataset = splitDataset(source, spec);
    REQUIRE(dataset.ok());
    const Dataset &d = dataset.value();
    CHECK(d.sourceHadTestSplit);
    CHECK(d.val.count() == 10);
    CHECK(countOf(d.val, 0) == 5);
    CHECK(d.train.count() == 90);
    CHECK(d.test.count() == 10);
    CHECK(ids(d.test) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(d.val.shape == d.train.shape);

    spec.set_train_limit(20); // caps train before validation is held out of it
    auto limited = splitDataset(source, spec);
    REQUIRE(limited.ok());
    CHECK(limited.value().train.count() == 18);
    CHECK(limited.value().val.count() == 2);
}

TEST_CASE("Split fractions out of range and labels outside the classes are errors", "[datasets]")
{
    SourceData source;
    source.train = indexed(10, 3);
    tl::proto::DatasetSpec spec;
    spec.set_name("bad");
    spec.mutable_split()->set_val_fraction(0.95);
    auto tooBig = splitDataset(source, spec);
    REQUIRE_FALSE(tooBig.ok());
    CHECK(tooBig.error().context == "dataset.split.val_fraction");

    spec.mutable_split()->set_val_fraction(0);
    source.classNames = {"a", "b"}; // label 2 has no name
    auto outside = splitDataset(source, spec);
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().message.find("outside the 2 classes") != std::string::npos);

    source.classNames.clear();
    source.train.labels[4] = -1;
    auto negative = splitDataset(source, spec);
    REQUIRE_FALSE(negative.ok());
    CHECK(negative.error().describe()
          == "dataset \"bad\": Label -1 of sample 4 is negative; expected class indices 0, 1, 2, "
             "...");
}

TEST_CASE("A split that leaves train empty is an error", "[datasets]")
{
    SourceData source;
    source.train = indexed(1, 1);
    tl::proto::DatasetSpec spec;
    spec.mutable_split()->set_test_fraction(0.9);
    auto empty = splitDataset(source, spec);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message.starts_with("The train split holds no samples"));
}
