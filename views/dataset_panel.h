#pragma once
// Shows a loaded dataset: name, split sizes, sample shape, classes with counts, pixel
// statistics and a grid of samples; a progress bar with Cancel while one loads; and the text
// of the last failure. A UI-thread widget fed DatasetPreview structs; it opens no files.

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace tl::datasets {
struct DatasetPreview;
}

namespace tl::views {

class SampleGrid;

class DatasetPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    void showPreview(const datasets::DatasetPreview &preview);
    // Shows the progress bar and Cancel; the shown dataset stays until a new one arrives.
    void showLoading(const QString &what);
    // done/total in the loader's unit; total 0 shows a busy bar.
    void showProgress(quint64 done, quint64 total, const QString &what);
    // Hides the progress bar (the load finished, failed or was cancelled).
    void showIdle();
    // A message under the header, e.g. why a dropped file is not a dataset; empty hides it.
    void showMessage(const QString &text, bool isError);

    QString message() const;
    SampleGrid *sampleGrid() const { return m_grid; }

signals:
    void cancelClicked();
    void openClicked();

private:
    void buildLayout();

    QLabel *m_title = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_message = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QTableWidget *m_classes = nullptr;
    SampleGrid *m_grid = nullptr;
};

} // namespace tl::views
