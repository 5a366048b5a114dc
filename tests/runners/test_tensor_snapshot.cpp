// The debugger's tensor summaries: statistics over the whole tensor with NaN and Inf counted
// apart, a histogram of the finite values, and the first values in row-major order.
#include "runners/tensor_snapshot.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>

using namespace tl;

TEST_CASE("A snapshot counts NaN, Inf and zeros, and its statistics cover the finite values",
          "[runners][debugger]")
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const torch::Tensor t =
        torch::tensor(std::vector<float>{1, 2, 3, nan, -inf, 0, 6, inf}).view({2, 4});
    const proto::TensorSnapshot s = runners::snapshotOf("fc1", t);
    CHECK(s.name() == "fc1");
    CHECK(std::vector<std::int64_t>(s.shape().begin(), s.shape().end())
          == std::vector<std::int64_t>{2, 4});
    CHECK(s.dtype() == "float32");
    CHECK(s.count() == 8);
    CHECK(s.nan_count() == 1);
    CHECK(s.inf_count() == 2);
    CHECK(s.zero_count() == 1);
    // The finite values 1, 2, 3, 0, 6.
    CHECK(s.min() == 0);
    CHECK(s.max() == 6);
    CHECK(s.mean() == Approx(2.4));
    CHECK(s.std() == Approx(std::sqrt((1.96 + 0.16 + 0.36 + 5.76 + 12.96) / 5)));
    REQUIRE(s.histogram_size() == 32);
    CHECK(std::accumulate(s.histogram().begin(), s.histogram().end(), std::uint64_t{0}) == 5);
    CHECK(s.histogram(0) == 1);  // 0
    CHECK(s.histogram(31) == 1); // 6
    REQUIRE(s.values_size() == 8);
    CHECK(s.values(2) == 3.0f);
    CHECK(std::isnan(s.values(3)));
    CHECK(runners::hasNonFinite(t));
    CHECK_FALSE(runners::hasNonFinite(torch::ones({3})));
}

TEST_CASE("A snapshot keeps only the first values, and takes integers and empty tensors",
          "[runners][debugger]")
{
    const torch::Tensor big = torch::arange(10000, torch::kFloat32).view({100, 100});
    const proto::TensorSnapshot s = runners::snapshotOf("big", big, {50, 10});
    REQUIRE(s.values_size() == 50);
    CHECK(s.values(49) == 49.0f);
    CHECK(s.histogram_size() == 10);
    CHECK(s.histogram(0) == 1000);
    CHECK(s.max() == 9999);

    const proto::TensorSnapshot labels =
        runners::snapshotOf("labels", torch::tensor(std::vector<std::int64_t>{0, 3, 3}));
    CHECK(labels.dtype() == "int64");
    CHECK(labels.mean() == Approx(2.0));
    CHECK(labels.zero_count() == 1);
    CHECK_FALSE(runners::hasNonFinite(torch::tensor(std::vector<std::int64_t>{1})));

    const proto::TensorSnapshot empty = runners::snapshotOf("empty", torch::zeros({0, 4}));
    CHECK(empty.count() == 0);
    CHECK(empty.values_size() == 0);
    CHECK(empty.histogram_size() == 0);
    CHECK(runners::snapshotOf("none", torch::Tensor()).dtype().empty());
}
