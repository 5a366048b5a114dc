#include "datasets/dataset_preview.h"
#include "views/class_histogram.h"
#include "views/dataset_header.h"
#include "views/dataset_panel.h"
#include "views/models/sample_table_model.h"
#include "views/sample_browser.h"
#include "views/sample_grid.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>

using namespace tl;

namespace {

proto::DatasetSpec idxSpec()
{
    proto::DatasetSpec spec;
    spec.set_name("tiny-set");
    spec.set_format(proto::DATASET_FORMAT_IDX);
    return spec;
}

// A 3-class preview of 2x4 grey samples whose pixels encode their index, so a test can tell
// which sample ended where; `samples` of them, labels cycling 0, 1, 2.
datasets::DatasetPreview makePreview(int samples)
{
    datasets::DatasetPreview preview;
    datasets::DatasetSummary &summary = preview.summary;
    summary.name = "tiny-set";
    summary.format = "idx";
    summary.sources = {"/data/tiny/train-images-idx3-ubyte.gz", "/data/tiny/train-labels.gz",
                       "/data/tiny/t10k-images.gz", "/data/tiny/t10k-labels.gz"};
    summary.sampleShape = {1, 2, 4};
    summary.valueType = datasets::ValueType::UInt8;
    summary.classNames = {"T-shirt/top", "Trouser", "Pullover"};
    summary.splits = {{"train", 54000, {18000, 22500, 13500}},
                      {"val", 6000, {2000, 2500, 1500}},
                      {"test", 10000, {3000, 4000, 3000}}};
    summary.sourceHadTestSplit = true;
    summary.channels = {{0.2860, 0.3530, 0, 1}};
    summary.memoryBytes = 560'000;
    for (int i = 0; i < samples; ++i) {
        datasets::SampleImage sample;
        sample.index = i;
        sample.label = i % 3;
        sample.pixels.assign(8, static_cast<std::uint8_t>(i * 7));
        preview.samples.push_back(std::move(sample));
    }
    return preview;
}

// Iris-like: 4 features, 3 classes, `rows` rows.
datasets::DatasetPreview tabularPreview(int rows)
{
    datasets::DatasetPreview preview;
    datasets::DatasetSummary &summary = preview.summary;
    summary.name = "iris";
    summary.format = "csv";
    summary.sources = {"/data/iris.csv"};
    summary.sampleShape = {4};
    summary.valueType = datasets::ValueType::Float32;
    summary.classNames = {"setosa", "versicolor", "virginica"};
    summary.featureNames = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
    summary.splits = {{"train", 120, {40, 40, 40}}, {"test", 30, {10, 10, 10}}};
    summary.warnings = {"iris.csv, line 7: skipped a row with 3 cells; expected 5.",
                        "iris.csv: 2 rows were skipped."};
    for (int i = 0; i < rows; ++i) {
        preview.rows.push_back(
            {i, i % 3, {5.1F + static_cast<float>(i), 3.5F, 1.4F, 0.2F * static_cast<float>(i)}});
    }
    return preview;
}

} // namespace

TEST_CASE("The dataset header shows format, sources, shape, memory, splits and statistics",
          "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(6));
    views::DatasetHeader *header = panel.header();
    CHECK(header->title() == QStringLiteral("tiny-set"));
    const QString text = header->summaryText();
    INFO(text.toStdString());
    CHECK(text.contains(
        QStringLiteral("idx · train-images-idx3-ubyte.gz, train-labels.gz and 2 more")));
    CHECK(text.contains(QStringLiteral("1×2×4 uint8 images")));
    CHECK(text.contains(QStringLiteral("3 classes")));
    CHECK(text.contains(QStringLiteral("560.0 KB in memory")));
    CHECK(text.contains(QStringLiteral("train 54,000 · val 6,000 · test 10,000 (the source's own "
                                       "test split)")));
    CHECK(text.contains(QStringLiteral("pixel mean 0.2860 · std 0.3530")));
    CHECK(header->warningsText().isEmpty());
    CHECK(panel.findChild<QLabel *>(QStringLiteral("datasetTitle"))->text()
          == QStringLiteral("tiny-set"));
}

TEST_CASE("The header says when the test split was drawn and lists every warning", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_format(proto::DATASET_FORMAT_CSV);
    datasets::DatasetPreview preview = tabularPreview(3);
    views::DatasetPanel panel;
    panel.showDataset(spec, preview);
    const QString text = panel.header()->summaryText();
    CHECK(text.contains(QStringLiteral("CSV · iris.csv")));
    CHECK(text.contains(QStringLiteral("4 float32 features")));
    CHECK(text.contains(QStringLiteral("train 120 · test 30 (test drawn from the samples)")));
    CHECK_FALSE(text.contains(QStringLiteral("mean")));
    const QString warnings = panel.header()->warningsText();
    CHECK(warnings.contains(QStringLiteral("line 7: skipped a row")));
    CHECK(warnings.contains(QStringLiteral("2 rows were skipped")));
    CHECK(warnings.count(QLatin1Char('\n')) == 1);
}

TEST_CASE("Three-channel statistics are shown per channel", "[views]")
{
    datasets::DatasetSummary summary = makePreview(0).summary;
    summary.sampleShape = {3, 32, 32};
    summary.channels = {{0.49, 0.25, 0, 1}, {0.48, 0.24, 0, 1}, {0.45, 0.26, 0, 1}};
    CHECK(views::channelStatsText(summary)
          == QStringLiteral("channel means 0.4900 / 0.4800 / 0.4500 · std 0.2500 / 0.2400 / "
                            "0.2600 (scaled to [0, 1])"));
}

TEST_CASE("The class table gives each class its train count and share", "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(6));
    QTableWidget *classes = panel.classTable();
    REQUIRE(classes->rowCount() == 3);
    CHECK(classes->item(1, 0)->text().contains(QStringLiteral("Trouser")));
    CHECK(classes->item(1, 1)->text() == QStringLiteral("22,500"));
    CHECK(classes->item(1, 2)->text() == QStringLiteral("41.7 %"));
}

TEST_CASE("The class histogram has one bar per class with the class names as ticks", "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(6));
    views::ClassHistogram *histogram = panel.classHistogram();
    REQUIRE(histogram->barCount() == 3);
    CHECK(histogram->barValue(0) == 18000.0);
    CHECK(histogram->barValue(2) == 13500.0);
    CHECK(histogram->tickLabel(1) == QStringLiteral("Trouser"));

    histogram->setCounts({"a", "b"}, {5, 7});
    CHECK(histogram->barCount() == 2);
    histogram->clear();
    CHECK(histogram->barCount() == 0);
}

TEST_CASE("The sample grid renders one thumbnail per sample with its class name", "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(32));
    views::SampleGrid *grid = panel.sampleGrid();
    REQUIRE(grid->thumbnailCount() == 32);
    CHECK(grid->caption(4) == QStringLiteral("Trouser"));
    const QImage &image = grid->thumbnail(5);
    CHECK(image.size() == QSize(4, 2));
    CHECK(qGray(image.pixel(3, 1)) == 35);

    // A smaller preview replaces the thumbnails rather than adding to them.
    panel.showDataset(idxSpec(), makePreview(4));
    CHECK(grid->thumbnailCount() == 4);
}

TEST_CASE("Choosing a class in the sample browser shows only that class", "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(30));
    views::SampleBrowser *browser = panel.sampleBrowser();
    QComboBox *chooser = browser->classChooser();
    REQUIRE(chooser->count() == 4); // all classes, then each class
    CHECK(chooser->itemText(0) == QStringLiteral("All classes"));
    CHECK(chooser->itemText(2).contains(QStringLiteral("Trouser")));

    chooser->setCurrentIndex(2);
    views::SampleGrid *grid = browser->grid();
    REQUIRE(grid->thumbnailCount() == 10);
    for (int i = 0; i < grid->thumbnailCount(); ++i) {
        CHECK(grid->label(i) == 1);
        CHECK(grid->caption(i) == QStringLiteral("Trouser"));
    }
    CHECK(browser->findChild<QLabel *>(QStringLiteral("sampleCount"))
              ->text()
              .startsWith(QStringLiteral("10 ")));

    browser->showClass(views::SampleGrid::kAllClasses);
    CHECK(grid->thumbnailCount() == 30);
    // A new dataset starts with every class shown.
    chooser->setCurrentIndex(3);
    panel.showDataset(idxSpec(), makePreview(9));
    CHECK(chooser->currentIndex() == 0);
    CHECK(grid->thumbnailCount() == 9);
}

TEST_CASE("A sample whose pixel count does not match the shape is skipped", "[views]")
{
    datasets::DatasetPreview preview = makePreview(3);
    preview.samples[1].pixels.pop_back();
    views::SampleGrid grid;
    grid.setSamples(preview.samples, preview.summary.sampleShape, preview.summary.classNames);
    CHECK(grid.thumbnailCount() == 2);
    CHECK(views::SampleGrid::renderSample({1, 2, 3}, 2, 1, 3).isNull());
    // A shape that is not [C, H, W] shows nothing rather than guessing.
    grid.setSamples(preview.samples, {8}, preview.summary.classNames);
    CHECK(grid.thumbnailCount() == 0);
}

TEST_CASE("Three-channel samples render as RGB from their planes", "[views]")
{
    // One pixel: R plane 200, G plane 100, B plane 50.
    const QImage image = views::SampleGrid::renderSample({200, 100, 50}, 3, 1, 1);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.pixel(0, 0) == qRgb(200, 100, 50));
}

TEST_CASE("A tabular dataset shows its rows in a table instead of the sample grid", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_format(proto::DATASET_FORMAT_CSV);
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(6));
    CHECK(panel.tabs()->isTabVisible(0));
    panel.showDataset(spec, tabularPreview(5));

    QTabWidget *tabs = panel.tabs();
    CHECK_FALSE(tabs->isTabVisible(0));
    CHECK(tabs->isTabVisible(1));
    CHECK(tabs->currentWidget() == panel.rowsView());
    views::SampleTableModel *model = panel.rowsModel();
    REQUIRE(model->rowCount() == 5);
    REQUIRE(model->columnCount() == 5);
    CHECK(model->headerData(3, Qt::Horizontal).toString() == QStringLiteral("petal_length"));
    CHECK(model->data(model->index(4, 0)).toString() == QStringLiteral("versicolor"));
    CHECK(model->data(model->index(4, 1)).toString() == QStringLiteral("9.1"));
    CHECK(panel.sampleGrid()->thumbnailCount() == 0);
}

TEST_CASE("The dataset panel shows an error message and keeps the dataset", "[views]")
{
    views::DatasetPanel panel;
    panel.showDataset(idxSpec(), makePreview(6));
    panel.showMessage(QStringLiteral("notes.txt: not an idx file"), true);
    CHECK(panel.message() == QStringLiteral("notes.txt: not an idx file"));
    CHECK(panel.header()->title() == QStringLiteral("tiny-set"));
    CHECK(panel.sampleGrid()->thumbnailCount() == 6);
}

TEST_CASE("The dataset panel's Cancel button reports a click", "[views]")
{
    views::DatasetPanel panel;
    QSignalSpy cancelled(&panel, &views::DatasetPanel::cancelClicked);
    panel.showLoading(QStringLiteral("Reading"));
    auto buttons = panel.findChildren<QPushButton *>();
    for (QPushButton *button : buttons) {
        if (button->text() == QStringLiteral("Cancel")) {
            button->click();
        }
    }
    CHECK(cancelled.count() == 1);
}

TEST_CASE("All classes shows the samples round robin so the first row has every class", "[views]")
{
    // As previewDataset orders them: by label, then index; 3 of class 0, 2 of class 1, 1 of 2.
    std::vector<datasets::SampleImage> samples;
    for (std::int64_t label : {0, 0, 0, 1, 1, 2}) {
        samples.push_back(
            {static_cast<std::int64_t>(samples.size()), label,
             std::vector<std::uint8_t>(8, static_cast<std::uint8_t>(samples.size()))});
    }
    views::SampleGrid grid;
    grid.setSamples(samples, {1, 2, 4}, {"a", "b", "c"});
    std::vector<std::int64_t> labels;
    for (int i = 0; i < grid.thumbnailCount(); ++i) {
        labels.push_back(grid.label(i));
    }
    CHECK(labels == std::vector<std::int64_t>{0, 1, 2, 0, 1, 0});
    CHECK(qGray(grid.thumbnail(3).pixel(0, 0)) == 1); // class 0's second sample
    grid.setClassFilter(0);
    REQUIRE(grid.thumbnailCount() == 3);
    CHECK(qGray(grid.thumbnail(2).pixel(0, 0)) == 2);
}

TEST_CASE("Class names that do not fit side by side are slanted", "[views]")
{
    views::ClassHistogram histogram;
    histogram.resize(600, 300);
    histogram.show();
    histogram.setCounts({"a", "b", "c"}, {1, 2, 3});
    CHECK(histogram.tickLabelRotation() == 0);

    const std::vector<std::string> names(10, "a rather long class name");
    histogram.setCounts(names, std::vector<std::int64_t>(10, 5));
    CHECK(histogram.tickLabelRotation() == -45);
    // CIFAR-100: upright, and only every n-th name is written.
    histogram.setCounts(std::vector<std::string>(100, "x"), std::vector<std::int64_t>(100, 5));
    CHECK(histogram.tickLabelRotation() == -90);
    CHECK(histogram.barCount() == 100);
    CHECK(histogram.tickLabel(3) == QStringLiteral("x")); // every third of 100
    CHECK(histogram.tickLabel(1).isEmpty());
}
