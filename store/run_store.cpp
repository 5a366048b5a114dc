#include "store/run_store.h"

#include "proto/run_state.h"
#include "store/database.h"
#include "store/event_ingester.h"
#include "store/run_outputs.h"
#include "store/scalar_buckets.h"
#include "store/schema.h"
#include "store/transaction.h"
#include "store/wall_clock.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace tl::store {
namespace {

namespace fs = std::filesystem;

constexpr const char *kRunColumns =
    "SELECT id, name, run_dir, state, status_message, created_at, finished_at, epoch, epochs, "
    "step, total_steps, samples_per_second, eta_seconds, loss, ingested_offset, device "
    "FROM runs";

RunRecord readRun(const Statement &row)
{
    RunRecord run;
    run.id = row.int64(0);
    run.name = row.text(1);
    run.runDir = row.text(2);
    run.state = static_cast<proto::RunState>(row.int64(3));
    run.statusMessage = row.text(4);
    run.createdAt = row.real(5);
    run.finishedAt = row.real(6);
    run.epoch = static_cast<std::uint32_t>(row.int64(7));
    run.epochs = static_cast<std::uint32_t>(row.int64(8));
    run.step = static_cast<std::uint64_t>(row.int64(9));
    run.totalSteps = static_cast<std::uint64_t>(row.int64(10));
    run.samplesPerSecond = row.real(11);
    run.etaSeconds = row.real(12);
    run.loss = row.real(13);
    run.ingestedOffset = static_cast<std::uint64_t>(row.int64(14));
    run.device = row.text(15);
    return run;
}

fs::path homeDir()
{
    if (const char *home = std::getenv("HOME"); home && *home) {
        return home;
    }
    if (const passwd *pw = getpwuid(getuid()); pw && pw->pw_dir) {
        return pw->pw_dir;
    }
    return fs::temp_directory_path();
}

base::Status
insertParams(Database &db, std::int64_t runId, const std::map<std::string, std::string> &params)
{
    auto insert = db.prepare("INSERT INTO params (run_id, key, value) VALUES (?1, ?2, ?3)");
    if (!insert) {
        return insert.error();
    }
    for (const auto &[key, value] : params) {
        if (auto status = insert.value().bind(1, runId).bind(2, key).bind(3, value).run();
            !status) {
            return status;
        }
    }
    return base::okStatus();
}

} // namespace

RunStore::RunStore(std::unique_ptr<Database> db) : m_db(std::move(db))
{}

RunStore::RunStore(RunStore &&) noexcept = default;
RunStore &RunStore::operator=(RunStore &&) noexcept = default;
RunStore::~RunStore() = default;

base::Result<RunStore> RunStore::open(const fs::path &dbFile)
{
    if (dbFile.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(dbFile.parent_path(), ec);
        if (ec) {
            return base::makeError(base::ErrorCode::Io,
                                   "The folder for the database cannot be created: " + ec.message()
                                       + ".",
                                   dbFile.parent_path().string());
        }
    }
    auto db = Database::open(dbFile);
    if (!db) {
        return db.error();
    }
    if (auto status = migrate(db.value()); !status) {
        return status.error();
    }
    return RunStore(std::make_unique<Database>(std::move(db).value()));
}

fs::path RunStore::defaultDataDir()
{
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && fs::path(xdg).is_absolute()) {
        return fs::path(xdg) / "torchlight";
    }
    return homeDir() / ".local" / "share" / "torchlight";
}

const fs::path &RunStore::databaseFile() const
{
    return m_db->path();
}

base::Result<std::int64_t> RunStore::createRun(const proto::ExperimentSpec &spec,
                                               const fs::path &runDir)
{
    auto tx = Transaction::begin(*m_db);
    if (!tx) {
        return tx.error();
    }
    auto insert = m_db->prepare("INSERT INTO runs (name, run_dir, device, spec, created_at, state) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) {
        return insert.error();
    }
    auto inserted = insert.value()
                        .bind(1, spec.name())
                        .bind(2, runDir.string())
                        .bind(3, spec.device())
                        .bindBlob(4, spec.SerializeAsString())
                        .bind(5, nowSeconds())
                        .bind(6, static_cast<std::int64_t>(proto::RUN_STATE_STARTING))
                        .run();
    if (!inserted) {
        return inserted.error();
    }
    const std::int64_t id = m_db->lastInsertRowid();
    if (auto status = insertParams(*m_db, id, specParams(spec)); !status) {
        return status.error();
    }
    if (auto status = tx.value().commit(); !status) {
        return status.error();
    }
    return id;
}

base::Result<IngestReport> RunStore::ingest(std::int64_t runId,
                                            const fs::path &eventsFile,
                                            std::stop_token stop,
                                            const EventObserver &observer)
{
    return EventIngester(*m_db, runId, eventsFile, observer).run(std::move(stop));
}

base::Result<bool> RunStore::markInterrupted(std::int64_t runId, const std::string &message)
{
    auto update = m_db->prepare("UPDATE runs SET state = ?2, status_message = ?3, finished_at = ?4 "
                                "WHERE id = ?1 AND state NOT IN (4, 5, 6, 7)");
    if (!update) {
        return update.error();
    }
    static_assert(proto::RUN_STATE_COMPLETED == 4 && proto::RUN_STATE_FAILED == 5
                  && proto::RUN_STATE_STOPPED == 6 && proto::RUN_STATE_INTERRUPTED == 7);
    auto status = update.value()
                      .bind(1, runId)
                      .bind(2, static_cast<std::int64_t>(proto::RUN_STATE_INTERRUPTED))
                      .bind(3, message)
                      .bind(4, nowSeconds())
                      .run();
    if (!status) {
        return status.error();
    }
    if (m_db->changes() == 1) {
        return true;
    }
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    return false;
}

base::Status
RunStore::setState(std::int64_t runId, proto::RunState state, const std::string &message)
{
    if (state == proto::RUN_STATE_UNSPECIFIED || !proto::RunState_IsValid(state)) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "A run cannot be set to state " + std::to_string(state) + ".",
                               m_db->context(runId));
    }
    auto update = m_db->prepare("UPDATE runs SET state = ?2, status_message = ?3, "
                                "finished_at = ?4 WHERE id = ?1");
    if (!update) {
        return update.error();
    }
    auto status = update.value()
                      .bind(1, runId)
                      .bind(2, static_cast<std::int64_t>(state))
                      .bind(3, message)
                      .bind(4, proto::isTerminal(state) ? nowSeconds() : 0.0)
                      .run();
    if (!status) {
        return status;
    }
    if (m_db->changes() == 0) {
        return noSuchRun(runId);
    }
    return base::okStatus();
}

base::Result<std::vector<RunRecord>> RunStore::runs()
{
    auto query = m_db->prepare(std::string(kRunColumns) + " ORDER BY created_at DESC, id DESC");
    if (!query) {
        return query.error();
    }
    std::vector<RunRecord> out;
    if (auto status =
            forEachRow(query.value(), [&](const Statement &row) { out.push_back(readRun(row)); });
        !status) {
        return status.error();
    }
    return out;
}

base::Result<RunRecord> RunStore::run(std::int64_t runId)
{
    auto query = m_db->prepare(std::string(kRunColumns) + " WHERE id = ?1");
    if (!query) {
        return query.error();
    }
    auto row = query.value().bind(1, runId).step();
    if (!row) {
        return row.error();
    }
    if (!row.value()) {
        return noSuchRun(runId);
    }
    return readRun(query.value());
}

base::Result<proto::ExperimentSpec> RunStore::spec(std::int64_t runId)
{
    auto query = m_db->prepare("SELECT spec FROM runs WHERE id = ?1");
    if (!query) {
        return query.error();
    }
    auto row = query.value().bind(1, runId).step();
    if (!row) {
        return row.error();
    }
    if (!row.value()) {
        return noSuchRun(runId);
    }
    proto::ExperimentSpec spec;
    if (!spec.ParseFromString(query.value().blob(0))) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The stored experiment spec is damaged.", m_db->context(runId));
    }
    return spec;
}

base::Result<std::map<std::string, std::string>> RunStore::params(std::int64_t runId)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    auto query = m_db->prepare("SELECT key, value FROM params WHERE run_id = ?1");
    if (!query) {
        return query.error();
    }
    std::map<std::string, std::string> out;
    if (auto status =
            forEachRow(query.value().bind(1, runId),
                       [&](const Statement &row) { out.emplace(row.text(0), row.text(1)); });
        !status) {
        return status.error();
    }
    return out;
}

base::Result<std::vector<std::string>> RunStore::tags(std::int64_t runId)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    // Hops from one tag to the next through the (run_id, tag, step) key instead of reading
    // every scalar: a run has a handful of tags and maybe millions of points.
    auto query = m_db->prepare(
        "WITH RECURSIVE t(tag) AS ("
        "  SELECT min(tag) FROM scalars WHERE run_id = ?1"
        "  UNION ALL"
        "  SELECT (SELECT min(tag) FROM scalars WHERE run_id = ?1 AND tag > t.tag) FROM t"
        "  WHERE t.tag IS NOT NULL)"
        " SELECT tag FROM t WHERE tag IS NOT NULL");
    if (!query) {
        return query.error();
    }
    std::vector<std::string> out;
    if (auto status = forEachRow(query.value().bind(1, runId),
                                 [&](const Statement &row) { out.push_back(row.text(0)); });
        !status) {
        return status.error();
    }
    return out;
}

base::Result<std::vector<ScalarPoint>> RunStore::scalars(std::int64_t runId, const std::string &tag)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    auto query = m_db->prepare("SELECT step, value, wall_time FROM scalars "
                               "WHERE run_id = ?1 AND tag = ?2 ORDER BY step");
    if (!query) {
        return query.error();
    }
    std::vector<ScalarPoint> out;
    if (auto status = forEachRow(query.value().bind(1, runId).bind(2, tag),
                                 [&](const Statement &row) {
                                     out.push_back({row.int64(0), row.real(1), row.real(2)});
                                 });
        !status) {
        return status.error();
    }
    return out;
}

base::Result<std::vector<ScalarBucket>>
RunStore::scalarsForWidth(std::int64_t runId, const std::string &tag, int buckets)
{
    if (buckets <= 0) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "A plot needs at least one bucket, not " + std::to_string(buckets)
                                   + ".",
                               m_db->context(runId));
    }
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    return queryScalarBuckets(*m_db, runId, tag, buckets);
}

base::Result<std::vector<LogLine>> RunStore::logs(std::int64_t runId)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    auto query = m_db->prepare("SELECT byte_offset, wall_time, level, text FROM logs "
                               "WHERE run_id = ?1 ORDER BY byte_offset");
    if (!query) {
        return query.error();
    }
    std::vector<LogLine> out;
    if (auto status =
            forEachRow(query.value().bind(1, runId),
                       [&](const Statement &row) {
                           out.push_back({static_cast<std::uint64_t>(row.int64(0)), row.real(1),
                                          static_cast<proto::LogLevel>(row.int64(2)), row.text(3)});
                       });
        !status) {
        return status.error();
    }
    return out;
}

base::Result<std::vector<CheckpointRecord>> RunStore::checkpoints(std::int64_t runId)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    return queryCheckpoints(*m_db, runId);
}

base::Result<std::vector<EvaluationRecord>> RunStore::evaluations(std::int64_t runId)
{
    if (auto exists = requireRun(runId); !exists) {
        return exists.error();
    }
    return queryEvaluations(*m_db, runId);
}

base::Status RunStore::deleteRun(std::int64_t runId)
{
    // params, scalars, logs, checkpoints and evaluations go with it: ON DELETE CASCADE, foreign
    // keys on.
    auto remove = m_db->prepare("DELETE FROM runs WHERE id = ?1");
    if (!remove) {
        return remove.error();
    }
    if (auto status = remove.value().bind(1, runId).run(); !status) {
        return status;
    }
    if (m_db->changes() == 0) {
        return noSuchRun(runId);
    }
    return base::okStatus();
}

base::Status RunStore::requireRun(std::int64_t runId)
{
    auto query = m_db->prepare("SELECT 1 FROM runs WHERE id = ?1");
    if (!query) {
        return query.error();
    }
    auto row = query.value().bind(1, runId).step();
    if (!row) {
        return row.error();
    }
    return row.value() ? base::okStatus() : base::Status(noSuchRun(runId));
}

base::Error RunStore::noSuchRun(std::int64_t runId) const
{
    return base::makeError(base::ErrorCode::NotFound, "There is no such run in the store.",
                           m_db->context(runId));
}

} // namespace tl::store
