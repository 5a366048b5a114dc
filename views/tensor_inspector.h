#pragma once
// One tensor of the step debugger (a proto::TensorSnapshot): its name, shape, type and element
// count, its statistics with NaN and Inf counts in red when any, a histogram of its finite values
// and a table of its first values. A UI-thread widget; the DebuggerPanel owns it and feeds it.

#include "proto/torchlight.pb.h"

#include <QString>
#include <QWidget>

class QAbstractItemModel;
class QCPBars;
class QCustomPlot;
class QLabel;
class QStandardItemModel;
class QTableView;

namespace tl::views {

// "[64, 128]"; "[]" for a scalar.
QString shapeText(const proto::TensorSnapshot &snapshot);

class TensorInspector : public QWidget
{
    Q_OBJECT

public:
    // The values table shows at most this many columns of the last dimension; wider rows are cut.
    static constexpr int kMaxColumns = 64;

    explicit TensorInspector(QWidget *parent = nullptr);

    void setSnapshot(const proto::TensorSnapshot &snapshot);
    // Back to "No tensor": no statistics, no bars, no values.
    void clear();
    bool isEmpty() const { return m_empty; }
    const proto::TensorSnapshot &snapshot() const { return m_snapshot; }

    // What the header shows: the tensor's name, and "[64, 128] · float32 · 8,192 elements".
    QString name() const;
    QString headerText() const;
    // The first values: rows of the last dimension for rank >= 2, else one column.
    const QAbstractItemModel *valuesModel() const;
    // "first 4,096 of 8,192 values · first 64 of 128 columns", or "all 12 values".
    QString valuesNote() const;
    int histogramBinCount() const;
    QCustomPlot *histogramPlot() const { return m_plot; }

private:
    QWidget *createStatistics();
    void showStatistics();
    void showHistogram();
    void showValues();

    proto::TensorSnapshot m_snapshot;
    bool m_empty = true;
    QLabel *m_name = nullptr;
    QLabel *m_header = nullptr;
    QLabel *m_min = nullptr;
    QLabel *m_max = nullptr;
    QLabel *m_mean = nullptr;
    QLabel *m_std = nullptr;
    QLabel *m_nan = nullptr;
    QLabel *m_inf = nullptr;
    QLabel *m_zero = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPBars *m_bars = nullptr;
    QLabel *m_note = nullptr;
    QStandardItemModel *m_values = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace tl::views
