#include "store/schema.h"

#include "store/run_store.h"
#include "store/transaction.h"

#include <array>
#include <string>

namespace tl::store {
namespace {

// Version 1. Times are seconds since the Unix epoch. REAL columns that may hold NaN are
// nullable: SQLite stores NaN as NULL and Statement::real() reads NULL back as NaN.
// Scalars are keyed (run, tag, step) and logs/checkpoints (run, byte offset), so storing an
// event twice overwrites instead of duplicating.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a deleted run's id stays dead
    name TEXT NOT NULL,
    run_dir TEXT NOT NULL,
    device TEXT NOT NULL,
    spec BLOB NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL NOT NULL DEFAULT 0,
    state INTEGER NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    epoch INTEGER NOT NULL DEFAULT 0,
    epochs INTEGER NOT NULL DEFAULT 0,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL DEFAULT 0,
    samples_per_second REAL DEFAULT 0,
    eta_seconds REAL DEFAULT 0,
    loss REAL DEFAULT 0,
    ingested_offset INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE scalars (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    wall_time REAL,
    PRIMARY KEY (run_id, tag, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE logs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    byte_offset INTEGER NOT NULL,
    wall_time REAL,
    level INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (run_id, byte_offset)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    byte_offset INTEGER NOT NULL,
    wall_time REAL,
    path TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    PRIMARY KEY (run_id, byte_offset)
) STRICT, WITHOUT ROWID;
)sql";

// Version 2 (#7): a checkpoint's kind (CheckpointKind; rows of version 1 read as LAST) and, for
// BEST, the metric it won on; the latest evaluation of each split, kept whole as the worker's
// EvaluationEvent bytes (a confusion matrix is read as one piece, never queried by cell).
constexpr const char *kSchemaV2 = R"sql(
ALTER TABLE checkpoints ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checkpoints ADD COLUMN metric TEXT NOT NULL DEFAULT '';
ALTER TABLE checkpoints ADD COLUMN value REAL;

CREATE TABLE evaluations (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    split TEXT NOT NULL,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    wall_time REAL,
    payload BLOB NOT NULL,
    PRIMARY KEY (run_id, split)
) STRICT, WITHOUT ROWID;
)sql";

// Version 3 (#6): where a run pushed to a remote platform runs: the connection profile's name,
// the backend, the host as connected, the run's folder there and the job (a PID, a Slurm job
// id, a Kubernetes Job name), with the scheduler's last state and reason. A restarted app
// resumes following these runs instead of marking them interrupted.
constexpr const char *kSchemaV3 = R"sql(
CREATE TABLE remote_jobs (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    profile TEXT NOT NULL,
    backend TEXT NOT NULL,
    host TEXT NOT NULL,
    remote_dir TEXT NOT NULL,
    job_id TEXT NOT NULL,
    scheduler_state TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    outputs_fetched INTEGER NOT NULL DEFAULT 0
) STRICT;
)sql";

// Append only.
constexpr std::array kMigrations = {
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
};
static_assert(kMigrations.back().version == RunStore::kSchemaVersion);

base::Error foreignDatabase(const Database &db)
{
    return base::makeError(base::ErrorCode::InvalidInput,
                           "The file is a SQLite database of another program, not a Torchlight "
                           "store; choose another file.",
                           db.context());
}

// Refuses what this build cannot migrate; called inside the migration's transaction.
base::Status checkCompatible(Database &db, std::int64_t version, int latest)
{
    if (version > latest) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The database was written by a newer Torchlight (schema version "
                                   + std::to_string(version) + "; this build knows up to "
                                   + std::to_string(latest)
                                   + "). Open it with that version or choose another file.",
                               db.context());
    }
    if (version == 0) {
        auto objects = db.queryInt("SELECT count(*) FROM sqlite_schema");
        if (!objects) {
            return objects.error();
        }
        return objects.value() == 0 ? base::okStatus() : base::Status(foreignDatabase(db));
    }
    auto applicationId = db.queryInt("PRAGMA application_id");
    if (!applicationId) {
        return applicationId.error();
    }
    return applicationId.value() == kApplicationId ? base::okStatus()
                                                   : base::Status(foreignDatabase(db));
}

} // namespace

std::span<const Migration> schemaMigrations()
{
    return kMigrations;
}

base::Status migrate(Database &db, std::span<const Migration> steps)
{
    const int latest = steps.empty() ? 0 : steps.back().version;
    auto tx = Transaction::begin(db);
    if (!tx) {
        return tx.error();
    }
    auto version = db.queryInt("PRAGMA user_version");
    if (!version) {
        return version.error();
    }
    if (auto status = checkCompatible(db, version.value(), latest); !status) {
        return status;
    }
    if (version.value() == latest) {
        return tx.value().commit();
    }
    for (const Migration &step : steps) {
        if (step.version <= version.value()) {
            continue;
        }
        if (auto status = db.exec(step.sql); !status) {
            return base::makeError(status.error().code,
                                   "Migrating the database to schema version "
                                       + std::to_string(step.version)
                                       + " failed: " + status.error().message,
                                   db.context());
        }
    }
    // Both pragmas are part of the transaction: a crash leaves the old version and no tables.
    const std::string stamp = "PRAGMA user_version = " + std::to_string(latest)
                              + "; PRAGMA application_id = " + std::to_string(kApplicationId);
    if (auto status = db.exec(stamp); !status) {
        return status;
    }
    return tx.value().commit();
}

} // namespace tl::store
