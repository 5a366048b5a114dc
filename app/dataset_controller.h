#pragma once
// Loads datasets off the UI thread: recognises what was dropped or opened (sniffIdxDataset)
// and computes the preview (previewDataset) with QtConcurrent on the "tl-datasets" pool.
// A newer request supersedes an older one (generation counter); Cancel stops the current one
// through its std::stop_source. Lives on the UI thread; its destructor cancels and joins.

#include "datasets/dataset_preview.h"
#include "proto/torchlight.pb.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

namespace tl::app {

struct LoadedDataset
{
    proto::DatasetSpec spec;
    datasets::DatasetPreview preview;
};

class DatasetController : public QObject
{
    Q_OBJECT

public:
    static constexpr int kPreviewSamples = 32; // an 8x4 grid of thumbnails

    explicit DatasetController(QObject *parent = nullptr);
    ~DatasetController() override;

    // Recognises the dropped folder or files as a dataset, then previews it.
    void loadDropped(std::vector<std::filesystem::path> paths);
    // Previews a dataset whose spec is already known (from an experiment file).
    void loadSpec(proto::DatasetSpec spec);
    void cancel();

    bool isLoading() const { return m_loading; }
    // The dataset loaded last; empty spec until one loads.
    const LoadedDataset &current() const { return m_current; }
    bool hasDataset() const { return m_hasDataset; }

signals:
    void loadStarted(const QString &what);
    void progressed(quint64 done, quint64 total, const QString &what);
    void loaded(const tl::app::LoadedDataset &dataset);
    // The message names the file and why (Error::describe()); the previous dataset stays.
    void loadFailed(const QString &message);
    void loadCancelled();

private:
    using Job =
        std::function<base::Result<LoadedDataset>(std::stop_token, const base::ProgressFn &)>;
    // A job's result with the generation that asked for it.
    struct Outcome
    {
        std::uint64_t generation = 0;
        base::Result<LoadedDataset> result;
    };
    void run(const QString &what, Job job);
    void onFinished();

    QThreadPool m_pool;
    QFutureWatcher<std::shared_ptr<Outcome>> m_watcher;
    std::stop_source m_stop;
    std::uint64_t m_generation = 0;
    bool m_loading = false;
    bool m_hasDataset = false;
    LoadedDataset m_current;
};

} // namespace tl::app
