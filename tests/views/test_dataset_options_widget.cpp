#include "datasets/dataset_summary.h"
#include "views/dataset_options_widget.h"

#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>

using namespace tl;
using tl::views::DatasetOptionsWidget;

namespace {

template<typename T>
T *child(const DatasetOptionsWidget &widget, const char *name)
{
    T *found = widget.findChild<T *>(QString::fromLatin1(name));
    REQUIRE(found != nullptr);
    return found;
}

// Clicks Apply and returns the spec it emitted.
proto::DatasetSpec apply(DatasetOptionsWidget &widget)
{
    QSignalSpy edited(&widget, &DatasetOptionsWidget::optionsEdited);
    child<QPushButton>(widget, "applyDatasetOptions")->click();
    REQUIRE(edited.count() == 1);
    return edited.at(0).at(0).value<proto::DatasetSpec>();
}

void choose(QComboBox *box, const QVariant &data)
{
    const int at = box->findData(data);
    REQUIRE(at >= 0);
    box->setCurrentIndex(at);
}

datasets::DatasetSummary csvSummary(bool sourceHadTest)
{
    datasets::DatasetSummary summary;
    summary.format = "csv";
    summary.featureNames = {"sepal_length", "sepal_width", "petal_length", "species_code"};
    summary.sourceHadTestSplit = sourceHadTest;
    return summary;
}

} // namespace

TEST_CASE("Untouched options are applied exactly as the spec had them", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_name("iris");
    spec.set_format(proto::DATASET_FORMAT_CSV);
    spec.add_sources("/data/iris.csv");
    spec.mutable_csv()->set_label_column("species");
    spec.mutable_split()->set_val_fraction(0.125);
    spec.mutable_split()->set_seed(18446744073709551615ULL); // beyond any spin box
    spec.set_train_limit(50);
    DatasetOptionsWidget widget;
    widget.setDataset(spec, csvSummary(false));
    CHECK(child<QDoubleSpinBox>(widget, "splitTestPercent")->value() == 20.0); // 0 = 20 %
    CHECK(child<QComboBox>(widget, "csvLabelColumn")->currentText() == QStringLiteral("species"));
    const proto::DatasetSpec applied = apply(widget);
    CHECK(applied.SerializeAsString() == spec.SerializeAsString());
}

TEST_CASE("Edited CSV options and split come back in the applied spec", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_name("iris");
    spec.set_format(proto::DATASET_FORMAT_CSV);
    spec.add_sources("/data/iris.csv");
    DatasetOptionsWidget widget;
    widget.setDataset(spec, csvSummary(false));
    CHECK_FALSE(child<QGroupBox>(widget, "csvGroup")->isHidden());
    CHECK_FALSE(child<QGroupBox>(widget, "readingGroup")->isHidden());
    CHECK(child<QGroupBox>(widget, "numpyGroup")->isHidden());
    CHECK(child<QGroupBox>(widget, "imageGroup")->isHidden());

    auto *label = child<QComboBox>(widget, "csvLabelColumn");
    CHECK(label->currentIndex() == 0); // automatic
    choose(label, QStringLiteral("species_code"));
    choose(child<QComboBox>(widget, "csvDelimiter"), QStringLiteral("\t"));
    choose(child<QComboBox>(widget, "csvHeader"), static_cast<int>(proto::CSV_HEADER_PRESENT));
    choose(child<QComboBox>(widget, "badSamples"), static_cast<int>(proto::BAD_SAMPLE_SKIP));
    child<QDoubleSpinBox>(widget, "splitValPercent")->setValue(15);
    child<QDoubleSpinBox>(widget, "splitTestPercent")->setValue(25);
    child<QLineEdit>(widget, "splitSeed")->setText(QStringLiteral("42"));

    const proto::DatasetSpec applied = apply(widget);
    CHECK(applied.name() == "iris");
    CHECK(applied.sources_size() == 1);
    CHECK(applied.csv().label_column() == "species_code");
    CHECK(applied.csv().delimiter() == "\t");
    CHECK(applied.csv().header() == proto::CSV_HEADER_PRESENT);
    CHECK(applied.bad_samples() == proto::BAD_SAMPLE_SKIP);
    CHECK(applied.split().val_fraction() == Approx(0.15));
    CHECK(applied.split().test_fraction() == Approx(0.25));
    CHECK(applied.split().seed() == 42);
}

TEST_CASE("A typed label column index is applied as typed", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_format(proto::DATASET_FORMAT_CSV);
    DatasetOptionsWidget widget;
    widget.setDataset(spec, csvSummary(false));
    child<QComboBox>(widget, "csvLabelColumn")->setEditText(QStringLiteral(" 2 "));
    CHECK(apply(widget).csv().label_column() == "2");
}

TEST_CASE("A source's own test split has no test share to edit", "[views]")
{
    proto::DatasetSpec spec;
    spec.set_format(proto::DATASET_FORMAT_IDX);
    spec.mutable_split()->set_test_fraction(0.3); // meaningless here, and left alone
    DatasetOptionsWidget widget;
    widget.setDataset(spec, csvSummary(true));
    CHECK(child<QGroupBox>(widget, "csvGroup")->isHidden());
    CHECK(child<QGroupBox>(widget, "readingGroup")->isHidden());
    CHECK_FALSE(child<QGroupBox>(widget, "splitGroup")->isHidden());
    CHECK(child<QDoubleSpinBox>(widget, "splitTestPercent")->isHidden());
    child<QDoubleSpinBox>(widget, "splitTestPercent")->setValue(40);
    child<QDoubleSpinBox>(widget, "splitValPercent")->setValue(10);
    const proto::DatasetSpec applied = apply(widget);
    CHECK(applied.split().test_fraction() == 0.3);
    CHECK(applied.split().val_fraction() == Approx(0.1));
}

TEST_CASE("Image folder, NumPy and CIFAR-100 options round trip", "[views]")
{
    DatasetOptionsWidget widget;
    proto::DatasetSpec images;
    images.set_format(proto::DATASET_FORMAT_IMAGE_FOLDER);
    widget.setDataset(images, {});
    CHECK_FALSE(child<QGroupBox>(widget, "imageGroup")->isHidden());
    child<QSpinBox>(widget, "imageWidth")->setValue(64);
    child<QSpinBox>(widget, "imageHeight")->setValue(48);
    choose(child<QComboBox>(widget, "imageColor"), static_cast<int>(proto::COLOR_MODE_GRAY));
    const proto::DatasetSpec appliedImages = apply(widget);
    CHECK(appliedImages.image().width() == 64);
    CHECK(appliedImages.image().height() == 48);
    CHECK(appliedImages.image().color() == proto::COLOR_MODE_GRAY);

    proto::DatasetSpec arrays;
    arrays.set_format(proto::DATASET_FORMAT_NUMPY);
    widget.setDataset(arrays, {});
    CHECK(child<QGroupBox>(widget, "imageGroup")->isHidden());
    CHECK_FALSE(child<QGroupBox>(widget, "numpyGroup")->isHidden());
    child<QLineEdit>(widget, "numpyFeatures")->setText(QStringLiteral("X_all"));
    child<QLineEdit>(widget, "numpyLabels")->setText(QStringLiteral("y_all"));
    const proto::DatasetSpec appliedArrays = apply(widget);
    CHECK(appliedArrays.numpy().features() == "X_all");
    CHECK(appliedArrays.numpy().labels() == "y_all");

    proto::DatasetSpec cifar;
    cifar.set_format(proto::DATASET_FORMAT_CIFAR);
    datasets::DatasetSummary cifar10;
    cifar10.format = "cifar-10";
    widget.setDataset(cifar, cifar10);
    CHECK(child<QGroupBox>(widget, "cifarGroup")->isHidden());
    datasets::DatasetSummary cifar100;
    cifar100.format = "cifar-100";
    widget.setDataset(cifar, cifar100);
    CHECK_FALSE(child<QGroupBox>(widget, "cifarGroup")->isHidden());
    child<QCheckBox>(widget, "cifarCoarseLabels")->setChecked(true);
    CHECK(apply(widget).cifar100_coarse_labels());
}

TEST_CASE("The options widget has nothing to apply before a dataset is loaded", "[views]")
{
    DatasetOptionsWidget widget;
    CHECK_FALSE(child<QPushButton>(widget, "applyDatasetOptions")->isEnabled());
    CHECK(child<QGroupBox>(widget, "splitGroup")->isHidden());
}
