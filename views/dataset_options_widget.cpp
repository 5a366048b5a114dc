#include "views/dataset_options_widget.h"

#include "datasets/dataset_summary.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tl::views {
namespace {

constexpr double kDefaultTestFraction = 0.2; // SplitOptions: test_fraction 0 means 0.2
constexpr int kMaxImageSide = 4096;
const QString kTab = QStringLiteral("\t");

QComboBox *comboBox(QWidget *parent, const QString &name)
{
    auto *box = new QComboBox(parent);
    box->setObjectName(name);
    return box;
}

QDoubleSpinBox *percentBox(QWidget *parent, const QString &name, double minimum, double maximum)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    box->setDecimals(1);
    box->setSuffix(QStringLiteral(" %"));
    box->setMaximumWidth(box->fontMetrics().horizontalAdvance(QStringLiteral("0000000 %")) + 40);
    return box;
}

QSpinBox *sideBox(QWidget *parent, const QString &name)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, kMaxImageSide);
    box->setSuffix(QStringLiteral(" px"));
    box->setSpecialValueText(QObject::tr("first image's"));
    box->setMaximumWidth(box->fontMetrics().horizontalAdvance(QObject::tr("first image's")) + 60);
    return box;
}

// Selects the item whose data is `value`; an unknown value is added as an item of its own so
// that nothing the spec says is lost by showing it.
void selectData(QComboBox *box, const QVariant &value, const QString &textIfNew)
{
    int at = box->findData(value);
    if (at < 0) {
        box->addItem(textIfNew, value);
        at = box->count() - 1;
    }
    box->setCurrentIndex(at);
}

// A fraction shown as a percentage; the spec's own value when the shown one was not changed.
double fractionFrom(const QDoubleSpinBox *box, double shownPercent, double original)
{
    return std::abs(box->value() - shownPercent) < 1e-9 ? original : box->value() / 100.0;
}

} // namespace

DatasetOptionsWidget::DatasetOptionsWidget(QWidget *parent) : QWidget(parent)
{
    m_apply = new QPushButton(tr("Apply and Reload"), this);
    m_apply->setObjectName(QStringLiteral("applyDatasetOptions"));
    m_apply->setToolTip(tr("Reload the dataset with these options"));
    connect(m_apply, &QPushButton::clicked, this, [this] { emit optionsEdited(editedSpec()); });
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_apply);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildCsvGroup());
    layout->addWidget(buildNumpyGroup());
    layout->addWidget(buildImageGroup());
    layout->addWidget(buildCifarGroup());
    layout->addWidget(buildReadingGroup());
    layout->addWidget(buildSplitGroup());
    layout->addLayout(buttons);
    layout->addStretch();
    clear();
}

QGroupBox *DatasetOptionsWidget::buildCsvGroup()
{
    m_csvGroup = new QGroupBox(tr("CSV"), this);
    m_csvGroup->setObjectName(QStringLiteral("csvGroup"));
    m_labelColumn = comboBox(m_csvGroup, QStringLiteral("csvLabelColumn"));
    m_labelColumn->setEditable(true);
    m_labelColumn->setInsertPolicy(QComboBox::NoInsert);
    m_labelColumn->setToolTip(tr("The column holding the class: a header name or a 0-based "
                                 "column index. Automatic: a column named label, target, class "
                                 "or y, else the last one."));
    m_delimiter = comboBox(m_csvGroup, QStringLiteral("csvDelimiter"));
    m_delimiter->addItem(tr("automatic"), QString());
    m_delimiter->addItem(QStringLiteral(", (comma)"), QStringLiteral(","));
    m_delimiter->addItem(QStringLiteral("; (semicolon)"), QStringLiteral(";"));
    m_delimiter->addItem(tr("tab"), kTab);
    m_delimiter->addItem(QStringLiteral("| (pipe)"), QStringLiteral("|"));
    m_header = comboBox(m_csvGroup, QStringLiteral("csvHeader"));
    m_header->addItem(tr("automatic"), static_cast<int>(proto::CSV_HEADER_AUTO));
    m_header->addItem(tr("first row is a header"), static_cast<int>(proto::CSV_HEADER_PRESENT));
    m_header->addItem(tr("no header"), static_cast<int>(proto::CSV_HEADER_ABSENT));
    auto *form = new QFormLayout(m_csvGroup);
    form->addRow(tr("Label column:"), m_labelColumn);
    form->addRow(tr("Delimiter:"), m_delimiter);
    form->addRow(tr("Header:"), m_header);
    return m_csvGroup;
}

QGroupBox *DatasetOptionsWidget::buildReadingGroup()
{
    m_readingGroup = new QGroupBox(tr("Unreadable samples"), this);
    m_readingGroup->setObjectName(QStringLiteral("readingGroup"));
    m_badSamples = comboBox(m_readingGroup, QStringLiteral("badSamples"));
    m_badSamples->addItem(tr("stop at the first one"), static_cast<int>(proto::BAD_SAMPLE_STOP));
    m_badSamples->addItem(tr("skip them and warn"), static_cast<int>(proto::BAD_SAMPLE_SKIP));
    auto *form = new QFormLayout(m_readingGroup);
    form->addRow(tr("On a bad sample:"), m_badSamples);
    return m_readingGroup;
}

QGroupBox *DatasetOptionsWidget::buildNumpyGroup()
{
    m_numpyGroup = new QGroupBox(tr("NumPy arrays"), this);
    m_numpyGroup->setObjectName(QStringLiteral("numpyGroup"));
    m_features = new QLineEdit(m_numpyGroup);
    m_features->setObjectName(QStringLiteral("numpyFeatures"));
    m_features->setPlaceholderText(tr("found by name (x, data, features, images)"));
    m_labels = new QLineEdit(m_numpyGroup);
    m_labels->setObjectName(QStringLiteral("numpyLabels"));
    m_labels->setPlaceholderText(tr("found by name (y, labels, targets)"));
    auto *form = new QFormLayout(m_numpyGroup);
    form->addRow(tr("Samples array:"), m_features);
    form->addRow(tr("Labels array:"), m_labels);
    return m_numpyGroup;
}

QGroupBox *DatasetOptionsWidget::buildImageGroup()
{
    m_imageGroup = new QGroupBox(tr("Images"), this);
    m_imageGroup->setObjectName(QStringLiteral("imageGroup"));
    m_width = sideBox(m_imageGroup, QStringLiteral("imageWidth"));
    m_height = sideBox(m_imageGroup, QStringLiteral("imageHeight"));
    m_color = comboBox(m_imageGroup, QStringLiteral("imageColor"));
    m_color->addItem(tr("automatic"), static_cast<int>(proto::COLOR_MODE_AUTO));
    m_color->addItem(tr("grayscale"), static_cast<int>(proto::COLOR_MODE_GRAY));
    m_color->addItem(tr("RGB"), static_cast<int>(proto::COLOR_MODE_RGB));
    auto *form = new QFormLayout(m_imageGroup);
    form->addRow(tr("Width:"), m_width);
    form->addRow(tr("Height:"), m_height);
    form->addRow(tr("Colour:"), m_color);
    return m_imageGroup;
}

QGroupBox *DatasetOptionsWidget::buildCifarGroup()
{
    m_cifarGroup = new QGroupBox(tr("CIFAR-100"), this);
    m_cifarGroup->setObjectName(QStringLiteral("cifarGroup"));
    m_coarse = new QCheckBox(tr("Coarse labels (the 20 superclasses)"), m_cifarGroup);
    m_coarse->setObjectName(QStringLiteral("cifarCoarseLabels"));
    auto *layout = new QVBoxLayout(m_cifarGroup);
    layout->addWidget(m_coarse);
    return m_cifarGroup;
}

QGroupBox *DatasetOptionsWidget::buildSplitGroup()
{
    m_splitGroup = new QGroupBox(tr("Split"), this);
    m_splitGroup->setObjectName(QStringLiteral("splitGroup"));
    m_valPercent = percentBox(m_splitGroup, QStringLiteral("splitValPercent"), 0, 50);
    m_valPercent->setToolTip(tr("Share of the train split held out for validation"));
    m_testPercent = percentBox(m_splitGroup, QStringLiteral("splitTestPercent"), 1, 50);
    m_testPercent->setToolTip(tr("Share of all samples drawn as the test split"));
    m_seed = new QLineEdit(m_splitGroup);
    m_seed->setObjectName(QStringLiteral("splitSeed"));
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), m_seed));
    m_seed->setToolTip(tr("The same seed gives the same split on every machine"));
    m_seed->setMaximumWidth(
        m_seed->fontMetrics().horizontalAdvance(QStringLiteral("0").repeated(22)));
    m_splitForm = new QFormLayout(m_splitGroup);
    m_splitForm->addRow(tr("Validation:"), m_valPercent);
    m_splitForm->addRow(tr("Test:"), m_testPercent);
    m_splitForm->addRow(tr("Seed:"), m_seed);
    return m_splitGroup;
}

void DatasetOptionsWidget::clear()
{
    m_spec.Clear();
    m_cifar100 = false;
    m_testShown = false;
    for (QGroupBox *group :
         {m_csvGroup, m_numpyGroup, m_imageGroup, m_cifarGroup, m_readingGroup, m_splitGroup}) {
        group->setVisible(false);
    }
    m_apply->setEnabled(false);
}

void DatasetOptionsWidget::setDataset(const proto::DatasetSpec &spec,
                                      const datasets::DatasetSummary &summary)
{
    m_spec = spec;
    const proto::DatasetFormat format = spec.format();
    const bool csv = format == proto::DATASET_FORMAT_CSV;
    const bool images = format == proto::DATASET_FORMAT_IMAGE_FOLDER;
    m_csvGroup->setVisible(csv);
    m_readingGroup->setVisible(csv || images);
    m_numpyGroup->setVisible(format == proto::DATASET_FORMAT_NUMPY);
    m_imageGroup->setVisible(images);
    m_cifar100 = format == proto::DATASET_FORMAT_CIFAR
                 && (summary.format == "cifar-100" || spec.cifar100_coarse_labels());
    m_cifarGroup->setVisible(m_cifar100);
    m_splitGroup->setVisible(true);
    m_apply->setEnabled(true);

    showCsv(spec.csv(), summary);
    selectData(m_badSamples, static_cast<int>(spec.bad_samples()),
               QString::number(spec.bad_samples()));
    m_features->setText(QString::fromStdString(spec.numpy().features()));
    m_labels->setText(QString::fromStdString(spec.numpy().labels()));
    m_width->setValue(
        static_cast<int>(std::min<std::uint32_t>(spec.image().width(), kMaxImageSide)));
    m_height->setValue(
        static_cast<int>(std::min<std::uint32_t>(spec.image().height(), kMaxImageSide)));
    selectData(m_color, static_cast<int>(spec.image().color()),
               QString::number(spec.image().color()));
    m_coarse->setChecked(spec.cifar100_coarse_labels());
    showSplit(spec.split(), summary.sourceHadTestSplit);
}

void DatasetOptionsWidget::showCsv(const proto::CsvOptions &csv,
                                   const datasets::DatasetSummary &summary)
{
    m_labelColumn->clear();
    m_labelColumn->addItem(tr("automatic"), QString());
    const QString label = QString::fromStdString(csv.label_column());
    if (!label.isEmpty()) {
        m_labelColumn->addItem(label, label);
    }
    for (const std::string &feature : summary.featureNames) {
        const QString name = QString::fromStdString(feature);
        if (name != label) {
            m_labelColumn->addItem(name, name);
        }
    }
    m_labelColumn->setCurrentIndex(label.isEmpty() ? 0 : 1);
    // The reader takes "tab" or a TAB character; the chooser has one entry for both.
    const QString delimiter = QString::fromStdString(csv.delimiter());
    selectData(m_delimiter, delimiter == QStringLiteral("tab") ? kTab : delimiter, delimiter);
    selectData(m_header, static_cast<int>(csv.header()), QString::number(csv.header()));
}

void DatasetOptionsWidget::showSplit(const proto::SplitOptions &split, bool sourceHasTest)
{
    m_shownValPercent = split.val_fraction() * 100.0;
    m_valPercent->setValue(m_shownValPercent);
    m_shownValPercent = m_valPercent->value(); // as rounded and clamped by the box
    const double test = split.test_fraction() > 0 ? split.test_fraction() : kDefaultTestFraction;
    m_testPercent->setValue(test * 100.0);
    m_shownTestPercent = m_testPercent->value();
    m_testShown = !sourceHasTest; // a source's own test split is kept as it is
    m_splitForm->setRowVisible(m_testPercent, m_testShown);
    m_seed->setText(QString::number(split.seed()));
}

proto::DatasetSpec DatasetOptionsWidget::editedSpec() const
{
    proto::DatasetSpec spec = m_spec;
    const proto::DatasetFormat format = spec.format();
    if (format == proto::DATASET_FORMAT_CSV) {
        writeCsv(*spec.mutable_csv());
    }
    if (format == proto::DATASET_FORMAT_CSV || format == proto::DATASET_FORMAT_IMAGE_FOLDER) {
        spec.set_bad_samples(
            static_cast<proto::BadSamplePolicy>(m_badSamples->currentData().toInt()));
    }
    if (format == proto::DATASET_FORMAT_NUMPY) {
        spec.mutable_numpy()->set_features(m_features->text().trimmed().toStdString());
        spec.mutable_numpy()->set_labels(m_labels->text().trimmed().toStdString());
    }
    if (format == proto::DATASET_FORMAT_IMAGE_FOLDER) {
        spec.mutable_image()->set_width(static_cast<std::uint32_t>(m_width->value()));
        spec.mutable_image()->set_height(static_cast<std::uint32_t>(m_height->value()));
        spec.mutable_image()->set_color(
            static_cast<proto::ColorMode>(m_color->currentData().toInt()));
    }
    if (m_cifar100) {
        spec.set_cifar100_coarse_labels(m_coarse->isChecked());
    }
    writeSplit(*spec.mutable_split());
    return spec;
}

void DatasetOptionsWidget::writeCsv(proto::CsvOptions &csv) const
{
    // The label column's box is editable: what it shows is a listed entry or typed text.
    const QString shown = m_labelColumn->currentText().trimmed();
    const int listed = m_labelColumn->findText(shown);
    const QString label = listed >= 0 ? m_labelColumn->itemData(listed).toString() : shown;
    csv.set_label_column(label.toStdString());
    csv.set_delimiter(m_delimiter->currentData().toString().toStdString());
    csv.set_header(static_cast<proto::CsvHeader>(m_header->currentData().toInt()));
}

void DatasetOptionsWidget::writeSplit(proto::SplitOptions &split) const
{
    split.set_val_fraction(fractionFrom(m_valPercent, m_shownValPercent, split.val_fraction()));
    if (m_testShown) {
        split.set_test_fraction(
            fractionFrom(m_testPercent, m_shownTestPercent, split.test_fraction()));
    }
    bool ok = false;
    const qulonglong seed = m_seed->text().toULongLong(&ok);
    if (ok) {
        split.set_seed(seed);
    }
}

} // namespace tl::views
