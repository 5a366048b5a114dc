// The real Fashion-MNIST files of the dataset-fashion-mnist package, when installed.
#include "datasets/dataset_preview.h"
#include "datasets/idx_sniffer.h"
#include "datasets/labeled_images.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tl::datasets;
namespace fs = std::filesystem;

namespace {

const fs::path kFolder = "/usr/share/datasets/fashion-mnist";

} // namespace

TEST_CASE("The installed Fashion-MNIST is sniffed, counted and previewed", "[datasets]")
{
    if (!fs::is_directory(kFolder)) {
        WARN("skipped: " << kFolder << " is absent (install dataset-fashion-mnist)");
        return;
    }
    auto spec = sniffIdxDataset({kFolder});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "fashion-mnist");
    CHECK(spec.value().train_images() == (kFolder / "train-images-idx3-ubyte.gz").string());
    REQUIRE(spec.value().class_names_size() == 10);
    CHECK(spec.value().class_names(0) == "T-shirt/top");
    CHECK(spec.value().class_names(9) == "Ankle boot");

    auto preview = previewDataset(spec.value(), 30);
    INFO((preview ? std::string() : preview.error().describe()));
    REQUIRE(preview.ok());
    const DatasetPreview &p = preview.value();
    CHECK(p.trainCount == 60000);
    CHECK(p.testCount == 10000);
    CHECK(p.channels == 1);
    CHECK(p.height == 28);
    CHECK(p.width == 28);
    CHECK(p.trainClassCounts == std::vector<std::int64_t>(10, 6000));
    // Published statistics of the Fashion-MNIST train set.
    CHECK(p.pixelMean == Approx(0.2860).margin(5e-4));
    CHECK(p.pixelStd == Approx(0.3530).margin(5e-4));
    REQUIRE(p.samples.size() == 30);
    for (std::size_t s = 0; s < p.samples.size(); ++s) {
        CHECK(p.samples[s].label == static_cast<std::int64_t>(s / 3));
    }

    auto test = loadSplit(spec.value(), Split::Test);
    REQUIRE(test.ok());
    CHECK(test.value().count == 10000);
    CHECK(test.value().pixels.size() == std::size_t{10000} * 28 * 28);
}
