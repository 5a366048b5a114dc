#include "app/store_lane.h"

#include <QMetaObject>
#include <QRunnable>

namespace tl::app {

StoreLane::StoreLane(QObject *parent) : QObject(parent), m_self(this)
{
    m_pool.setObjectName(QStringLiteral("tl-store-lane"));
    // One thread: SQLite handles are used from one thread at a time, and calls keep their order.
    m_pool.setMaxThreadCount(1);
    // The lane thread stays for the app's lifetime: no re-creation between bursts of ingest.
    m_pool.setExpiryTimeout(-1);
}

StoreLane::~StoreLane()
{
    // Whoever starts work joins it: ask long calls (ingest) to stop, then wait for the lane.
    m_stop.request_stop();
    m_pool.clear();
    m_pool.waitForDone();
}

void StoreLane::open(const std::filesystem::path &dbFile)
{
    post([this, dbFile] {
        base::Result<store::RunStore> opened = store::RunStore::open(dbFile);
        const QString file = QString::fromStdString(dbFile.string());
        if (opened) {
            m_store.emplace(std::move(opened).value());
            m_openError.reset();
            deliver(m_self, [this, file] { emit this->opened(file); });
            return;
        }
        m_openError = opened.error();
        const QString message = QString::fromStdString(opened.error().describe());
        deliver(m_self, [this, message] { emit openFailed(message); });
    });
}

void StoreLane::post(std::function<void()> job)
{
    m_pool.start(std::move(job));
}

base::Result<store::RunStore *> StoreLane::storeOnLane()
{
    if (m_store) {
        return &*m_store;
    }
    if (m_openError) {
        return *m_openError;
    }
    return base::makeError(base::ErrorCode::Io, "The run store has not been opened.");
}

void StoreLane::deliver(QPointer<QObject> context, std::function<void()> onUiThread)
{
    // Queued to the lane object itself, which outlives every job (its destructor joins them);
    // the QPointer then drops the result if the requester is gone by the time it arrives.
    QMetaObject::invokeMethod(
        this,
        [context = std::move(context), onUiThread = std::move(onUiThread)] {
            if (context) {
                onUiThread();
            }
        },
        Qt::QueuedConnection);
}

} // namespace tl::app
