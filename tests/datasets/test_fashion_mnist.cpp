// The real Fashion-MNIST files of the dataset-fashion-mnist package, when installed.
#include "datasets/dataset_loader.h"
#include "datasets/dataset_preview.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tl::datasets;
namespace fs = std::filesystem;

namespace {

const fs::path kFolder = "/usr/share/datasets/fashion-mnist";

} // namespace

TEST_CASE("The installed Fashion-MNIST is recognised, loaded and previewed", "[datasets]")
{
    if (!fs::is_directory(kFolder)) {
        WARN("skipped: " << kFolder << " is absent (install dataset-fashion-mnist)");
        return;
    }
    auto spec = recognizeDataset({kFolder});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "fashion-mnist");
    CHECK(spec.value().format() == tl::proto::DATASET_FORMAT_IDX);
    CHECK(spec.value().train_images() == (kFolder / "train-images-idx3-ubyte.gz").string());
    REQUIRE(spec.value().class_names_size() == 10);
    CHECK(spec.value().class_names(0) == "T-shirt/top");
    CHECK(spec.value().class_names(9) == "Ankle boot");

    auto dataset = loadDataset(spec.value());
    INFO((dataset ? std::string() : dataset.error().describe()));
    REQUIRE(dataset.ok());
    CHECK(dataset.value().sourceHadTestSplit);
    CHECK(dataset.value().test.count() == 10000);
    CHECK(dataset.value().test.u8.size() == std::size_t{10000} * 28 * 28);

    const DatasetPreview p = previewDataset(dataset.value(), spec.value(), {3, 10});
    const DatasetSummary &s = p.summary;
    REQUIRE(s.splits.size() == 2);
    CHECK(s.splits[0].count == 60000);
    CHECK(s.splits[1].count == 10000);
    CHECK(s.sampleShape == std::vector<std::int64_t>{1, 28, 28});
    CHECK(s.splits[0].classCounts == std::vector<std::int64_t>(10, 6000));
    // Published statistics of the Fashion-MNIST train set.
    REQUIRE(s.channels.size() == 1);
    CHECK(s.channels[0].mean == Approx(0.2860).margin(5e-4));
    CHECK(s.channels[0].std == Approx(0.3530).margin(5e-4));
    CHECK(s.channels[0].min == 0.0);
    CHECK(s.channels[0].max == 1.0);
    REQUIRE(p.samples.size() == 30);
    for (std::size_t i = 0; i < p.samples.size(); ++i) {
        CHECK(p.samples[i].label == static_cast<std::int64_t>(i / 3));
    }
    CHECK(p.rows.empty());
}
