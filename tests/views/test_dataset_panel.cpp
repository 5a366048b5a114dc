#include "datasets/dataset_preview.h"
#include "views/dataset_panel.h"
#include "views/sample_grid.h"

#include <catch2/catch.hpp>

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>

using namespace tl;

namespace {

// A 3-class preview of 2x4 grey samples whose pixels encode their index, so a test can tell
// which sample ended where.
datasets::DatasetPreview makePreview(int samples)
{
    datasets::DatasetPreview preview;
    preview.name = "tiny-set";
    preview.trainCount = 600;
    preview.testCount = 100;
    preview.channels = 1;
    preview.height = 2;
    preview.width = 4;
    preview.classNames = {"T-shirt/top", "Trouser", "Pullover"};
    preview.trainClassCounts = {200, 250, 150};
    preview.pixelMean = 0.2860;
    preview.pixelStd = 0.3530;
    for (int i = 0; i < samples; ++i) {
        datasets::SampleImage sample;
        sample.index = i;
        sample.label = i % 3;
        sample.pixels.assign(8, static_cast<std::uint8_t>(i * 7));
        preview.samples.push_back(std::move(sample));
    }
    return preview;
}

} // namespace

TEST_CASE("The dataset panel shows counts, shape, statistics and class names", "[views]")
{
    views::DatasetPanel panel;
    panel.showPreview(makePreview(6));

    auto *title = panel.findChild<QLabel *>(QStringLiteral("datasetTitle"));
    auto *summary = panel.findChild<QLabel *>(QStringLiteral("datasetSummary"));
    auto *classes = panel.findChild<QTableWidget *>(QStringLiteral("datasetClasses"));
    REQUIRE(title);
    REQUIRE(summary);
    REQUIRE(classes);
    CHECK(title->text() == QStringLiteral("tiny-set"));
    CHECK(summary->text().contains(QStringLiteral("Train: 600")));
    CHECK(summary->text().contains(QStringLiteral("Test: 100")));
    CHECK(summary->text().contains(QStringLiteral("1×2×4")));
    CHECK(summary->text().contains(QStringLiteral("0.2860")));
    CHECK(summary->text().contains(QStringLiteral("0.3530")));
    REQUIRE(classes->rowCount() == 3);
    CHECK(classes->item(1, 0)->text().contains(QStringLiteral("Trouser")));
    CHECK(classes->item(1, 1)->text() == QStringLiteral("250"));
}

TEST_CASE("The sample grid renders one thumbnail per sample with its class name", "[views]")
{
    views::DatasetPanel panel;
    panel.showPreview(makePreview(32));
    views::SampleGrid *grid = panel.sampleGrid();
    REQUIRE(grid->thumbnailCount() == 32);
    CHECK(grid->caption(4) == QStringLiteral("Trouser"));
    const QImage &image = grid->thumbnail(5);
    CHECK(image.size() == QSize(4, 2));
    CHECK(qGray(image.pixel(3, 1)) == 35);

    // A smaller preview replaces the thumbnails rather than adding to them.
    panel.showPreview(makePreview(4));
    CHECK(grid->thumbnailCount() == 4);
}

TEST_CASE("A sample whose pixel count does not match the shape is skipped", "[views]")
{
    datasets::DatasetPreview preview = makePreview(3);
    preview.samples[1].pixels.pop_back();
    views::SampleGrid grid;
    grid.setPreview(preview);
    CHECK(grid.thumbnailCount() == 2);
    CHECK(views::SampleGrid::renderSample({1, 2, 3}, 2, 1, 3).isNull());
}

TEST_CASE("Three-channel samples render as RGB from their planes", "[views]")
{
    // One pixel: R plane 200, G plane 100, B plane 50.
    const QImage image = views::SampleGrid::renderSample({200, 100, 50}, 3, 1, 1);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.pixel(0, 0) == qRgb(200, 100, 50));
}

TEST_CASE("The dataset panel shows an error message and keeps the dataset", "[views]")
{
    views::DatasetPanel panel;
    panel.showPreview(makePreview(6));
    panel.showMessage(QStringLiteral("notes.txt: not an idx file"), true);
    CHECK(panel.message() == QStringLiteral("notes.txt: not an idx file"));
    CHECK(panel.findChild<QLabel *>(QStringLiteral("datasetTitle"))->text()
          == QStringLiteral("tiny-set"));
    CHECK(panel.sampleGrid()->thumbnailCount() == 6);
}

TEST_CASE("The dataset panel's Cancel button reports a click", "[views]")
{
    views::DatasetPanel panel;
    QSignalSpy cancelled(&panel, &views::DatasetPanel::cancelClicked);
    panel.showLoading(QStringLiteral("Reading"));
    auto buttons = panel.findChildren<QPushButton *>();
    for (QPushButton *button : buttons) {
        if (button->text() == QStringLiteral("Cancel"))
            button->click();
    }
    CHECK(cancelled.count() == 1);
}
