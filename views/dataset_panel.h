#pragma once
// The dataset browser: a header (name, format, sources, shape, memory, splits, statistics,
// warnings), a progress bar with Cancel while a dataset loads, the text of the last failure,
// and tabs: the samples of image datasets (by class) or the first rows of tabular ones, the
// class balance (histogram and table), and the format's options. A UI-thread widget fed a spec
// and its DatasetPreview; it opens no files.

#include "proto/torchlight.pb.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QTableWidget;

namespace tl::datasets {
struct DatasetPreview;
}

namespace tl::views {

class ClassHistogram;
class DatasetHeader;
class DatasetOptionsWidget;
class SampleBrowser;
class SampleGrid;
class SampleTableModel;

class DatasetPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    // Shows a loaded dataset: the spec it was loaded with and its preview.
    void showDataset(const proto::DatasetSpec &spec, const datasets::DatasetPreview &preview);
    // Shows the progress bar and Cancel; the shown dataset stays until a new one arrives.
    void showLoading(const QString &what);
    // done/total in the loader's unit; total 0 shows a busy bar.
    void showProgress(quint64 done, quint64 total, const QString &what);
    // Hides the progress bar (the load finished, failed or was cancelled).
    void showIdle();
    // A message under the header, e.g. why a dropped file is not a dataset; empty hides it.
    void showMessage(const QString &text, bool isError);

    QString message() const;
    DatasetHeader *header() const { return m_header; }
    SampleBrowser *sampleBrowser() const { return m_samples; }
    SampleGrid *sampleGrid() const;
    SampleTableModel *rowsModel() const { return m_rowsModel; }
    QTableView *rowsView() const { return m_rows; }
    ClassHistogram *classHistogram() const { return m_histogram; }
    QTableWidget *classTable() const { return m_classes; }
    DatasetOptionsWidget *options() const { return m_options; }
    QTabWidget *tabs() const { return m_tabs; }

signals:
    void cancelClicked();
    void openClicked();
    // The user applied new options on the Options tab.
    void optionsEdited(const tl::proto::DatasetSpec &spec);

private:
    void buildLayout();
    QWidget *buildClassesTab();
    void showClasses(const datasets::DatasetPreview &preview);

    DatasetHeader *m_header = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QTabWidget *m_tabs = nullptr;
    SampleBrowser *m_samples = nullptr;
    QTableView *m_rows = nullptr;
    SampleTableModel *m_rowsModel = nullptr;
    ClassHistogram *m_histogram = nullptr;
    QTableWidget *m_classes = nullptr;
    DatasetOptionsWidget *m_options = nullptr;
};

} // namespace tl::views
