#pragma once
// The top of the dataset browser: the dataset's name, then what it is (format, sources, sample
// shape and type, memory), its splits with counts, per-channel statistics of image datasets,
// and every warning of the load in amber. A UI-thread widget fed a spec and its summary.

#include "proto/torchlight.pb.h"

#include <QString>
#include <QWidget>

class QLabel;

namespace tl::datasets {
struct DatasetSummary;
}

namespace tl::views {

// The header's lines, written for people; pure functions (tested on their own).
// "CSV · iris.csv", "idx · train-images-idx3-ubyte.gz and 3 more files"
QString formatAndSourcesText(const proto::DatasetSpec &spec,
                             const datasets::DatasetSummary &summary);
// "1×28×28 uint8 images · 10 classes · 219.5 MB in memory", "4 float32 features · 3 classes · …"
QString samplesText(const datasets::DatasetSummary &summary);
// "train 54,000 · val 6,000 · test 10,000 (the source's own test split)"
QString splitsText(const datasets::DatasetSummary &summary);
// Images: "channel mean 0.2860 · std 0.3530" (values scaled to [0, 1]); "" for tabular data.
QString channelStatsText(const datasets::DatasetSummary &summary);

class DatasetHeader : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetHeader(QWidget *parent = nullptr);

    void setDataset(const proto::DatasetSpec &spec, const datasets::DatasetSummary &summary);
    // Back to "No dataset loaded" with a hint on what can be dropped.
    void clear();

    QString title() const;
    QString summaryText() const;
    // Every warning, one per line; empty when the load had none.
    QString warningsText() const;

private:
    QLabel *m_title = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_warnings = nullptr;
};

} // namespace tl::views
