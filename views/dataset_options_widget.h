#pragma once
// Edits the options of a loaded dataset's spec that matter for its format: the CSV label
// column, delimiter and header; what to do with unreadable samples; the NumPy array names; the
// image size and colour; CIFAR-100's coarse labels; and for every format the train/val/test
// split. Apply emits the edited spec; app/ reloads with it. A UI-thread widget given the spec
// and the summary of its load; it never opens files.

#include "proto/torchlight.pb.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace tl::datasets {
struct DatasetSummary;
}

namespace tl::views {

class DatasetOptionsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetOptionsWidget(QWidget *parent = nullptr);

    // Shows the options of spec's format, filled from the spec. The summary gives the CSV
    // columns (its feature names) and whether the source has a test split of its own.
    void setDataset(const proto::DatasetSpec &spec, const datasets::DatasetSummary &summary);
    // Nothing to edit: every group hidden, Apply disabled.
    void clear();

    // The spec given to setDataset() with the shown options written into it. Options left as
    // they were shown keep the spec's exact values (a test fraction of 0, "the default", stays
    // 0 rather than becoming the 20 % it is shown as).
    proto::DatasetSpec editedSpec() const;

signals:
    // Apply was clicked; spec is editedSpec().
    void optionsEdited(const tl::proto::DatasetSpec &spec);

private:
    QGroupBox *buildCsvGroup();
    QGroupBox *buildReadingGroup();
    QGroupBox *buildNumpyGroup();
    QGroupBox *buildImageGroup();
    QGroupBox *buildCifarGroup();
    QGroupBox *buildSplitGroup();
    void showCsv(const proto::CsvOptions &csv, const datasets::DatasetSummary &summary);
    void showSplit(const proto::SplitOptions &split, bool sourceHasTest);
    void writeCsv(proto::CsvOptions &csv) const;
    void writeSplit(proto::SplitOptions &split) const;

    proto::DatasetSpec m_spec;
    double m_shownValPercent = 0;
    double m_shownTestPercent = 0;
    bool m_cifar100 = false;  // the coarse-labels choice applies
    bool m_testShown = false; // the source has no test split: its share is chosen here

    QGroupBox *m_csvGroup = nullptr;
    QComboBox *m_labelColumn = nullptr;
    QComboBox *m_delimiter = nullptr;
    QComboBox *m_header = nullptr;
    QGroupBox *m_readingGroup = nullptr;
    QComboBox *m_badSamples = nullptr;
    QGroupBox *m_numpyGroup = nullptr;
    QLineEdit *m_features = nullptr;
    QLineEdit *m_labels = nullptr;
    QGroupBox *m_imageGroup = nullptr;
    QSpinBox *m_width = nullptr;
    QSpinBox *m_height = nullptr;
    QComboBox *m_color = nullptr;
    QGroupBox *m_cifarGroup = nullptr;
    QCheckBox *m_coarse = nullptr;
    QGroupBox *m_splitGroup = nullptr;
    QFormLayout *m_splitForm = nullptr;
    QDoubleSpinBox *m_valPercent = nullptr;
    QDoubleSpinBox *m_testPercent = nullptr;
    QLineEdit *m_seed = nullptr;
    QPushButton *m_apply = nullptr;
};

} // namespace tl::views
