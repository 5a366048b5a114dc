#pragma once
// The one lane the RunStore lives on (STYLE.md: handles that are not thread-safe get one
// owning thread): a QThreadPool of one thread runs every store call in submission order, and
// results come back to the UI thread as queued calls. Owned by the composition root (the main
// window or the headless run); its destructor cancels and joins the lane.

#include "base/result.h"
#include "store/run_store.h"

#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace tl::app {

class StoreLane : public QObject
{
    Q_OBJECT

public:
    explicit StoreLane(QObject *parent = nullptr);
    ~StoreLane() override;

    // Opens (or creates) the database on the lane; calls queued after it see the open store,
    // or an error naming the file when it could not be opened. Emits opened / openFailed.
    void open(const std::filesystem::path &dbFile);

    // Runs work(store, stop) on the lane, then done(result) on the UI thread, unless context
    // was destroyed in between. stop is requested when the lane shuts down.
    template<typename T>
    void call(QObject *context,
              std::function<base::Result<T>(store::RunStore &, std::stop_token)> work,
              std::function<void(base::Result<T>)> done);

signals:
    void opened(const QString &databaseFile);
    void openFailed(const QString &message);

private:
    // Runs job on the lane thread; job receives the store or, when it is not open, an error.
    void post(std::function<void()> job);
    base::Result<store::RunStore *> storeOnLane();
    void deliver(QPointer<QObject> context, std::function<void()> onUiThread);

    QThreadPool m_pool;
    QPointer<QObject> m_self; // made on the UI thread; copied by jobs to reach back here
    std::stop_source m_stop;
    // Touched only on the lane thread (and by the destructor after the lane is joined).
    std::optional<store::RunStore> m_store;
    std::optional<base::Error> m_openError;
};

template<typename T>
void StoreLane::call(QObject *context,
                     std::function<base::Result<T>(store::RunStore &, std::stop_token)> work,
                     std::function<void(base::Result<T>)> done)
{
    post([this, context = QPointer<QObject>(context), work = std::move(work),
          done = std::move(done)]() mutable {
        base::Result<store::RunStore *> store = storeOnLane();
        auto result = std::make_shared<base::Result<T>>(
            store ? work(*store.value(), m_stop.get_token()) : base::Result<T>(store.error()));
        deliver(context, [done = std::move(done), result] { done(std::move(*result)); });
    });
}

} // namespace tl::app
