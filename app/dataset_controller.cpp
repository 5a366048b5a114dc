#include "app/dataset_controller.h"

#include "datasets/idx_sniffer.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

namespace tl::app {

DatasetController::DatasetController(QObject *parent) : QObject(parent), m_watcher(this)
{
    m_pool.setObjectName(QStringLiteral("tl-datasets"));
    m_pool.setMaxThreadCount(1); // one load at a time; a newer one cancels the older
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &DatasetController::onFinished);
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
            base::Result<proto::DatasetSpec> spec = datasets::sniffIdxDataset(paths);
            if (!spec) {
                return spec.error();
            }
            base::Result<datasets::DatasetPreview> preview =
                datasets::previewDataset(spec.value(), kPreviewSamples, stop, progress);
            if (!preview) {
                return preview.error();
            }
            return LoadedDataset{std::move(spec).value(), std::move(preview).value()};
        });
}

void DatasetController::loadSpec(proto::DatasetSpec spec)
{
    const QString what = tr("Reading %1").arg(QString::fromStdString(spec.name()));
    run(what,
        [spec = std::move(spec)](std::stop_token stop,
                                 const base::ProgressFn &progress) -> base::Result<LoadedDataset> {
            base::Result<datasets::DatasetPreview> preview =
                datasets::previewDataset(spec, kPreviewSamples, stop, progress);
            if (!preview) {
                return preview.error();
            }
            return LoadedDataset{spec, std::move(preview).value()};
        });
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

    // Progress arrives on the pool thread; it is posted here, thinned to per-mille changes so
    // a fast loader cannot flood the event queue.
    QPointer<DatasetController> self(this);
    auto lastPermille = std::make_shared<std::atomic<int>>(-1);
    base::ProgressFn progress = [self, generation, lastPermille](std::uint64_t done,
                                                                 std::uint64_t total,
                                                                 std::string_view text) {
        const int permille = total == 0 ? 0 : static_cast<int>(done * 1000 / total);
        if (lastPermille->exchange(permille) == permille) {
            return;
        }
        const QString label = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, done, total, label] {
                if (self && self->m_generation == generation) {
                    emit self->progressed(done, total, label);
                }
            },
            Qt::QueuedConnection);
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
