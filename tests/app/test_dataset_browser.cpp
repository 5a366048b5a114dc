#include "app/dataset_controller.h"
#include "app/dataset_menu.h"
#include "app/main_window.h"
#include "app/recent_datasets.h"
#include "app/training_controller.h"
#include "app/worker_path.h"
#include "app_test_support.h"
#include "views/class_histogram.h"
#include "views/dataset_header.h"
#include "views/dataset_options_widget.h"
#include "views/dataset_panel.h"
#include "views/model_panel.h"
#include "views/models/sample_table_model.h"
#include "views/sample_grid.h"
#include "views/train_panel.h"
#include "views/train_settings_form.h"

#include <catch2/catch.hpp>

#include <QDir>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QUrl>

#include <memory>

using namespace tl;
using namespace tl::app::testing;

namespace {

constexpr int kLoadTimeoutMs = 60'000;

// A window on the bundled sample, once its own dataset load is over (loaded, or failed where
// Fashion-MNIST is absent), so that it cannot supersede the load a test starts.
std::unique_ptr<app::MainWindow> openSettledWindow(const QTemporaryDir &data)
{
    app::WindowOptions options;
    options.experiment = app::kSampleExperiment;
    options.dataDir = data.filePath(QStringLiteral("data")).toStdString();
    options.workerPath = app::workerPath();
    auto window = std::make_unique<app::MainWindow>(std::move(options));
    QSignalSpy opened(window.get(), &app::MainWindow::experimentOpened);
    window->show();
    REQUIRE(waitUntil([&] { return opened.count() == 1; }, kLoadTimeoutMs));
    REQUIRE(waitUntil([&] { return !window->datasets().isLoading(); }, kLoadTimeoutMs));
    return window;
}

// An iris-like CSV with a header: 30 rows of 3 classes (setosa, versicolor, virginica).
QString writeFlowersCsv(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("flowers.csv"));
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("sepal_length,sepal_width,petal_length,petal_width,species\n");
    const char *const species[] = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < 30; ++i) {
        const int k = i % 3;
        file.write(QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(4.5 + k + i * 0.01)
                       .arg(3.0 + k * 0.1)
                       .arg(1.4 + k * 2)
                       .arg(0.2 + k * 0.8)
                       .arg(QString::fromLatin1(species[k]))
                       .toUtf8());
    }
    return path;
}

// Loads paths as a drop would and waits for the outcome; true when it loaded.
bool drop(app::MainWindow &window, const QString &path)
{
    QSignalSpy loaded(&window.datasets(), &app::DatasetController::loaded);
    QSignalSpy failed(&window.datasets(), &app::DatasetController::loadFailed);
    window.datasets().loadDropped({path.toStdString()});
    REQUIRE(waitUntil([&] { return loaded.count() + failed.count() == 1; }, kLoadTimeoutMs));
    if (failed.count() == 1) {
        UNSCOPED_INFO("load failed: " << failed.at(0).at(0).toString().toStdString());
    }
    return loaded.count() == 1;
}

} // namespace

TEST_CASE("A dropped CSV shows its rows, class histogram and summary, and sizes the model", "[app]")
{
    QTemporaryDir data;
    const QString csv = writeFlowersCsv(data);
    auto window = openSettledWindow(data);
    QSignalSpy progressed(&window->datasets(), &app::DatasetController::progressed);
    REQUIRE(drop(*window, csv));
    CHECK(progressed.count() >= 1); // at least "Computing statistics"

    views::DatasetPanel &panel = window->datasetPanel();
    CHECK(panel.header()->title() == QStringLiteral("flowers"));
    const QString summary = panel.header()->summaryText();
    INFO(summary.toStdString());
    CHECK(summary.contains(QStringLiteral("CSV · flowers.csv")));
    CHECK(summary.contains(QStringLiteral("4 float32 features · 3 classes")));
    CHECK(summary.contains(QStringLiteral("(test drawn from the samples)")));
    views::SampleTableModel *rows = panel.rowsModel();
    CHECK(rows->rowCount() > 0);
    CHECK(rows->columnCount() == 5);
    CHECK(rows->headerData(1, Qt::Horizontal).toString() == QStringLiteral("sepal_length"));
    CHECK(panel.sampleGrid()->thumbnailCount() == 0);
    REQUIRE(panel.classHistogram()->barCount() == 3);
    CHECK(panel.classHistogram()->tickLabel(2) == QStringLiteral("virginica"));
    CHECK(panel.message().isEmpty());

    // The model is rebuilt for 4 features and 3 classes: 4*128+128 + 128*3+3 parameters.
    CHECK(window->modelPanel().totalParametersText().contains(QStringLiteral("1,027")));
    const app::LoadedDataset &current = window->datasets().current();
    CHECK(current.spec.format() == proto::DATASET_FORMAT_CSV);
    REQUIRE_FALSE(window->datasetMenu().recent().entries().isEmpty());
    CHECK(window->datasetMenu().recent().entries().front()
          == QStringList{QString::fromStdString(current.spec.sources(0))});
}

TEST_CASE("Applied dataset options reload the dataset with them", "[app]")
{
    QTemporaryDir data;
    const QString csv = writeFlowersCsv(data);
    auto window = openSettledWindow(data);
    REQUIRE(drop(*window, csv));

    views::DatasetOptionsWidget *options = window->datasetPanel().options();
    auto *val = options->findChild<QDoubleSpinBox *>(QStringLiteral("splitValPercent"));
    REQUIRE(val);
    val->setValue(20);
    QSignalSpy loaded(&window->datasets(), &app::DatasetController::loaded);
    options->findChild<QPushButton *>(QStringLiteral("applyDatasetOptions"))->click();
    REQUIRE(waitUntil([&] { return loaded.count() == 1; }, kLoadTimeoutMs));

    const app::LoadedDataset &current = window->datasets().current();
    CHECK(current.spec.split().val_fraction() == Approx(0.2));
    CHECK(window->datasetPanel().header()->summaryText().contains(QStringLiteral(" · val ")));
}

TEST_CASE("A dropped file that is no dataset is named in the error and the CSV stays shown",
          "[app]")
{
    QTemporaryDir data;
    const QString csv = writeFlowersCsv(data);
    auto window = openSettledWindow(data);
    REQUIRE(drop(*window, csv));

    const QString noise = data.filePath(QStringLiteral("noise.bin"));
    {
        QFile file(noise);
        REQUIRE(file.open(QIODevice::WriteOnly));
        QByteArray bytes(4096, '\0');
        for (int i = 0; i < bytes.size(); ++i) {
            bytes[i] = static_cast<char>((i * 131 + 7) % 256);
        }
        file.write(bytes);
    }
    CHECK_FALSE(drop(*window, noise));
    CHECK(window->datasetPanel().message().contains(QStringLiteral("noise.bin")));
    CHECK(window->datasetPanel().header()->title() == QStringLiteral("flowers"));
    CHECK(window->datasetPanel().rowsModel()->rowCount() > 0);
    CHECK(window->datasets().current().spec.name() == "flowers");
}

TEST_CASE("Recent datasets remember every path of a dataset, newest first", "[app]")
{
    QSettings().remove(QStringLiteral("recentDatasets"));
    QMenu menu;
    app::RecentDatasets recent(menu);
    CHECK_FALSE(menu.isEnabled());
    const QStringList idx = {
        QStringLiteral("/d/train-images.gz"), QStringLiteral("/d/train-labels.gz"),
        QStringLiteral("/d/t10k-images.gz"), QStringLiteral("/d/t10k-labels.gz")};
    recent.add({QStringLiteral("/d/a.csv")});
    recent.add(idx);
    recent.add({QStringLiteral("/d/a.csv")}); // moves to the top, once
    REQUIRE(recent.entries().size() == 2);
    CHECK(recent.entries().at(0) == QStringList{QStringLiteral("/d/a.csv")});
    CHECK(recent.entries().at(1) == idx);
    CHECK(app::RecentDatasets::entryText(idx) == QStringLiteral("/d (4 files)"));
    REQUIRE(menu.actions().size() == 2);

    QSignalSpy chosen(&recent, &app::RecentDatasets::datasetChosen);
    menu.actions().at(1)->trigger();
    REQUIRE(chosen.count() == 1);
    CHECK(chosen.at(0).at(0).toStringList() == idx);

    // A list written by an older version (one path per entry) still reads.
    QSettings().setValue(QStringLiteral("recentDatasets"),
                         QStringList{QStringLiteral("/old/fashion"), QStringLiteral("/old/x")});
    CHECK(recent.entries().at(1) == QStringList{QStringLiteral("/old/x")});
    QSettings().remove(QStringLiteral("recentDatasets"));
}

TEST_CASE("A dataset's paths are its sources, or its four idx files", "[app]")
{
    proto::DatasetSpec csv;
    csv.set_format(proto::DATASET_FORMAT_CSV);
    csv.add_sources("/d/train.csv");
    csv.add_sources("/d/test.csv");
    CHECK(app::DatasetMenu::datasetPaths(csv)
          == QStringList{QStringLiteral("/d/train.csv"), QStringLiteral("/d/test.csv")});
    proto::DatasetSpec idx;
    idx.set_train_images("/d/ti");
    idx.set_train_labels("/d/tl");
    idx.set_test_images("/d/si");
    idx.set_test_labels("/d/sl");
    CHECK(app::DatasetMenu::datasetPaths(idx)
          == QStringList{QStringLiteral("/d/ti"), QStringLiteral("/d/tl"), QStringLiteral("/d/si"),
                         QStringLiteral("/d/sl")});
}

TEST_CASE("Fashion-MNIST shows 32 samples of each class and the class histogram", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    auto window = openSettledWindow(data);
    REQUIRE(drop(*window, QString::fromLatin1(kFashionDir)));
    views::DatasetPanel &panel = window->datasetPanel();
    CHECK(panel.sampleGrid()->thumbnailCount() == 10 * app::DatasetController::kSamplesPerClass);
    REQUIRE(panel.classHistogram()->barCount() == 10);
    CHECK(panel.classHistogram()->tickLabel(9) == QStringLiteral("Ankle boot"));
    const QString summary = panel.header()->summaryText();
    INFO(summary.toStdString());
    CHECK(summary.contains(QStringLiteral("1×28×28 uint8 images · 10 classes")));
    CHECK(summary.contains(QStringLiteral("test 10,000 (the source's own test split)")));
    CHECK(window->modelPanel().totalParametersText().contains(QStringLiteral("101,770")));
    CHECK(window->datasetMenu().recent().entries().front().size() == 4);
}

TEST_CASE("Cancelling a load keeps the dataset shown before it", "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString csv = writeFlowersCsv(data);
    auto window = openSettledWindow(data);
    REQUIRE(drop(*window, csv));

    // Reading 60,000 images takes about a second: the cancel arrives long before it ends.
    QSignalSpy cancelled(&window->datasets(), &app::DatasetController::loadCancelled);
    QSignalSpy loaded(&window->datasets(), &app::DatasetController::loaded);
    window->datasets().loadDropped({kFashionDir});
    CHECK(window->datasets().isLoading());
    window->datasets().cancel();
    REQUIRE(waitUntil([&] { return cancelled.count() == 1; }, kLoadTimeoutMs));
    CHECK(loaded.count() == 0);
    CHECK_FALSE(window->datasets().isLoading());
    CHECK(window->datasetPanel().header()->title() == QStringLiteral("flowers"));
    CHECK(window->datasets().current().spec.name() == "flowers");
}

TEST_CASE("Two CSV files dropped on the window load as a train and test split", "[app]")
{
    QTemporaryDir data;
    const QString flowers = writeFlowersCsv(data);
    const QString train = data.filePath(QStringLiteral("train.csv"));
    const QString test = data.filePath(QStringLiteral("test.csv"));
    REQUIRE(QFile::copy(flowers, train));
    REQUIRE(QFile::copy(flowers, test));
    auto window = openSettledWindow(data);

    // What a file manager sends: file URLs, dropped anywhere on the window.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(train), QUrl::fromLocalFile(test)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window.get(), &enter);
    CHECK(enter.isAccepted());
    QSignalSpy loaded(&window->datasets(), &app::DatasetController::loaded);
    QDropEvent dropped(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window.get(), &dropped);
    REQUIRE(waitUntil([&] { return loaded.count() == 1; }, kLoadTimeoutMs));

    const QString summary = window->datasetPanel().header()->summaryText();
    INFO(summary.toStdString());
    CHECK(summary.contains(QStringLiteral("train.csv, test.csv")));
    CHECK(summary.contains(QStringLiteral("test 30 (the source's own test split)")));
    CHECK(window->datasetMenu().recent().entries().front() == QStringList({train, test}));
}

TEST_CASE("Train pressed while a dataset loads trains once the model fits the new dataset", "[app]")
{
    QTemporaryDir data;
    auto window = openSettledWindow(data);
    QSignalSpy loaded(&window->datasets(), &app::DatasetController::loaded);
    QSignalSpy finished(&window->training(), &app::TrainingController::runFinished);
    // The CSV's 24 train rows take batches of at most 24 (a larger batch is refused).
    views::TrainSettings settings = window->trainPanel().form().settings();
    settings.train.set_batch_size(8);
    window->trainPanel().form().setSettings(settings);
    window->datasets().loadDropped({writeFlowersCsv(data).toStdString()});
    REQUIRE(window->datasets().isLoading());
    window->startTraining(); // the model is still the sample's 784-input MLP
    REQUIRE(waitUntil([&] { return loaded.count() == 1; }, kLoadTimeoutMs));
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, kLoadTimeoutMs));
    INFO("final message: " << finished.at(0).at(2).toString().toStdString());
    CHECK(finished.at(0).at(1).value<proto::RunState>() == proto::RUN_STATE_COMPLETED);
    // The run trained the CSV (not the dataset shown when Train was pressed) with a 4-input model.
    const QDir runs(data.filePath(QStringLiteral("data/runs")));
    const QStringList dirs = runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    REQUIRE(dirs.size() == 1);
    QFile spec(runs.filePath(dirs.front() + QStringLiteral("/experiment.pbtxt")));
    REQUIRE(spec.open(QIODevice::ReadOnly));
    const QByteArray text = spec.readAll();
    CHECK(text.contains("DATASET_FORMAT_CSV"));
    CHECK(text.contains("values: 4\n"));
}
