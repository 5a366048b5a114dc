#pragma once
// Loads datasets off the UI thread: recognises what was dropped or opened (recognizeDataset),
// reads and splits it (loadDataset) and computes the browser's preview (previewDataset) with
// QtConcurrent on the "tl-datasets" pool; only the spec and the preview are kept, not the
// samples (the worker reads the dataset itself). A newer request supersedes an older one
// (generation counter); Cancel stops the current one through its std::stop_source. Lives on
// the UI thread; its destructor cancels and joins.

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
#include <string>
#include <vector>

namespace tl::app {

struct LoadedDataset
{
    proto::DatasetSpec spec; // as recognised or given, with the user's options
    datasets::DatasetPreview preview;
    std::vector<std::string> notes; // how a drop was read, for the user; may be empty
};

class DatasetController : public QObject
{
    Q_OBJECT

public:
    // Thumbnails per class in the browser; rows of a tabular dataset.
    static constexpr int kSamplesPerClass = 32;
    static constexpr int kPreviewRows = 1000;

    explicit DatasetController(QObject *parent = nullptr);
    ~DatasetController() override;

    // Recognises the dropped folders or files as a dataset, loads it and previews it.
    void loadDropped(std::vector<std::filesystem::path> paths);
    // Loads and previews a dataset whose spec is already known: from an experiment file, or
    // the current one with options the user changed.
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
    // Emitted on the pool thread, delivered here queued; becomes progressed() while its
    // generation is the current one.
    void progressPosted(
        quint64 generation, quint64 done, quint64 total, const QString &what, QPrivateSignal);

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
