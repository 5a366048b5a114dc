#include "app/dataset_controller.h"

#include "datasets/dataset_loader.h"

#include <QtConcurrent/QtConcurrentRun>

#include <string>

namespace tl::app {
namespace {

// Reads the spec's dataset and previews it; the samples themselves are dropped afterwards.
base::Result<LoadedDataset> loadAndPreview(proto::DatasetSpec spec,
                                           std::vector<std::string> notes,
                                           std::stop_token stop,
                                           const base::ProgressFn &progress)
{
    base::Result<datasets::Dataset> dataset =
        datasets::loadDataset(spec, datasets::ReadContext{stop, progress});
    if (!dataset) {
        return dataset.error();
    }
    base::reportProgress(progress, 0, 0, "Computing statistics");
    const datasets::PreviewOptions options{DatasetController::kSamplesPerClass,
                                           DatasetController::kPreviewRows};
    datasets::DatasetPreview preview =
        datasets::previewDataset(dataset.value(), spec, options, stop);
    if (stop.stop_requested()) {
        // A stopped preview has partial statistics: it must not replace the shown dataset.
        return base::makeError(base::ErrorCode::Cancelled, "Loading the dataset was cancelled.");
    }
    return LoadedDataset{std::move(spec), std::move(preview), std::move(notes)};
}

} // namespace

DatasetController::DatasetController(QObject *parent) : QObject(parent), m_watcher(this)
{
    m_pool.setObjectName(QStringLiteral("tl-datasets"));
    m_pool.setMaxThreadCount(1); // one load at a time; a newer one cancels the older
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &DatasetController::onFinished);
    connect(
        this, &DatasetController::progressPosted, this,
        [this](quint64 generation, quint64 done, quint64 total, const QString &what) {
            if (generation == m_generation) {
                emit progressed(done, total, what);
            }
        },
        Qt::QueuedConnection);
}

DatasetController::~DatasetController()
{
    m_stop.request_stop();
    m_watcher.disconnect(this);
    m_pool.waitForDone();
}

void DatasetController::loadDropped(std::vector<std::filesystem::path> paths)
{
    const QString what = paths.size() == 1
                             ? tr("Reading %1").arg(QString::fromStdString(paths[0].string()))
                             : tr("Reading %1 files").arg(paths.size());
    run(what,
        [paths = std::move(paths)](
            std::stop_token stop, const base::ProgressFn &progress) -> base::Result<LoadedDataset> {
            std::vector<std::string> notes;
            datasets::Recognition spec = datasets::recognizeDataset(paths, &notes);
            if (!spec) {
                return spec.error();
            }
            return loadAndPreview(std::move(spec).value(), std::move(notes), stop, progress);
        });
}

void DatasetController::loadSpec(proto::DatasetSpec spec)
{
    const QString what = tr("Reading %1").arg(QString::fromStdString(spec.name()));
    run(what,
        [spec = std::move(spec)](std::stop_token stop, const base::ProgressFn &progress)
            -> base::Result<LoadedDataset> { return loadAndPreview(spec, {}, stop, progress); });
}

void DatasetController::cancel()
{
    if (!m_loading) {
        return;
    }
    m_stop.request_stop();
}

void DatasetController::run(const QString &what, Job job)
{
    // Supersede whatever is running: it is told to stop and its result will be dropped.
    m_stop.request_stop();
    m_stop = std::stop_source();
    const std::uint64_t generation = ++m_generation;
    m_loading = true;
    emit loadStarted(what);

    // Progress arrives on the pool thread (only there: the pool runs one job at a time); it is
    // posted here when the per-mille or the text changes, so a fast loader cannot flood the
    // event queue. The destructor joins the pool, so `this` outlives every job.
    struct Shown
    {
        int permille = -2;
        std::string text;
    };
    auto shown = std::make_shared<Shown>();
    base::ProgressFn progress = [this, generation, shown](std::uint64_t done, std::uint64_t total,
                                                          std::string_view text) {
        const int permille = total == 0 ? -1 : static_cast<int>(done * 1000 / total);
        if (permille == shown->permille && text == shown->text) {
            return;
        }
        shown->permille = permille;
        shown->text = text;
        emit progressPosted(generation, done, total,
                            QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())),
                            QPrivateSignal());
    };
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [job = std::move(job), stop = m_stop.get_token(),
                                                    generation, progress = std::move(progress)] {
        return std::make_shared<Outcome>(Outcome{generation, job(stop, progress)});
    }));
}

void DatasetController::onFinished()
{
    if (m_watcher.future().resultCount() == 0) {
        return; // the job never ran (the pool was shut down)
    }
    std::shared_ptr<Outcome> outcome = m_watcher.result();
    if (!outcome || outcome->generation != m_generation) {
        return; // superseded by a newer request
    }
    m_loading = false;
    if (!outcome->result) {
        if (outcome->result.error().code == base::ErrorCode::Cancelled) {
            emit loadCancelled();
        } else {
            emit loadFailed(QString::fromStdString(outcome->result.error().describe()));
        }
        return;
    }
    m_current = std::move(outcome->result).value();
    m_hasDataset = true;
    emit loaded(m_current);
}

} // namespace tl::app
