#pragma once
// The SQLite experiment store (DESIGN.md, Store): runs, params, scalars, logs, checkpoints,
// evaluations.

#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "store/run_records.h"
#include "store/spec_params.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace tl::store {

class Database;

// One database file holding every run; ingest() folds a run's events.tlog into it by byte
// offset. Used from one thread at a time (the GUI gives it one lane); movable, not copyable.
class RunStore
{
public:
    // The schema version this build writes; a file with a newer one is refused, not guessed at.
    static constexpr int kSchemaVersion = 3;

    // Opens or creates dbFile (and its parent directories) and migrates it to kSchemaVersion.
    // A file that is not a Torchlight SQLite database, or one from a newer Torchlight, is an
    // error naming the file.
    static base::Result<RunStore> open(const std::filesystem::path &dbFile);

    // $XDG_DATA_HOME/torchlight, else $HOME/.local/share/torchlight. Creates nothing.
    static std::filesystem::path defaultDataDir();

    // A moved-from store may only be assigned to or destroyed.
    RunStore(RunStore &&) noexcept;
    RunStore &operator=(RunStore &&) noexcept;
    RunStore(const RunStore &) = delete;
    RunStore &operator=(const RunStore &) = delete;
    ~RunStore();

    const std::filesystem::path &databaseFile() const;

    // Records a new run in state STARTING with the spec's bytes and its params (specParams()).
    // Returns the run id.
    base::Result<std::int64_t> createRun(const proto::ExperimentSpec &spec,
                                         const std::filesystem::path &runDir);

    // Reads the RunEvent records of eventsFile from the run's stored offset and, in one
    // transaction, stores them and advances the offset: calling it again, or after a crash,
    // never duplicates or loses an event. A torn tail is not an error (see the report). A
    // corrupt frame or a record that is not a RunEvent commits every good record before it,
    // then fails naming eventsFile and the byte offset. A missing eventsFile is NotFound.
    // Cancelling commits what was read so far and returns Cancelled. An event kind this build
    // does not know (from a newer worker) is counted and skipped. observer, when set, sees each
    // event as it is applied; if the call then fails on the database itself, nothing is kept
    // and the next call shows those events again.
    base::Result<IngestReport> ingest(std::int64_t runId,
                                      const std::filesystem::path &eventsFile,
                                      std::stop_token stop = {},
                                      const EventObserver &observer = {});

    // Sets RUN_STATE_INTERRUPTED unless the run already has a terminal state; true if it did.
    base::Result<bool> markInterrupted(std::int64_t runId, const std::string &message);
    // Sets the state and message; a terminal state stamps finished_at, another clears it.
    base::Status setState(std::int64_t runId, proto::RunState state, const std::string &message);

    base::Result<std::vector<RunRecord>> runs(); // newest first
    base::Result<RunRecord> run(std::int64_t runId);
    base::Result<proto::ExperimentSpec> spec(std::int64_t runId); // the exact spec stored
    base::Result<std::map<std::string, std::string>> params(std::int64_t runId);

    base::Result<std::vector<std::string>> tags(std::int64_t runId); // sorted
    base::Result<std::vector<ScalarPoint>> scalars(std::int64_t runId, const std::string &tag);
    // At most `buckets` buckets over the tag's step range, in step order; one per point when
    // there are fewer points than buckets. buckets must be positive.
    base::Result<std::vector<ScalarBucket>>
    scalarsForWidth(std::int64_t runId, const std::string &tag, int buckets);

    base::Result<std::vector<LogLine>> logs(std::int64_t runId);                 // in file order
    base::Result<std::vector<CheckpointRecord>> checkpoints(std::int64_t runId); // in file order
    // The latest evaluation of each split the run evaluated ("test", "val", ...), by split name.
    base::Result<std::vector<EvaluationRecord>> evaluations(std::int64_t runId);

    // Deletes the run and everything stored for it (not its run directory).
    base::Status deleteRun(std::int64_t runId);

    // Where a remote run runs (remote_jobs.cpp): stored or replaced as a whole.
    base::Status setRemoteJob(const RemoteJobRecord &job);
    // Every remote run's job, newest run first.
    base::Result<std::vector<RemoteJobRecord>> remoteJobs();

private:
    explicit RunStore(std::unique_ptr<Database> db);
    base::Status requireRun(std::int64_t runId);
    base::Error noSuchRun(std::int64_t runId) const;

    std::unique_ptr<Database> m_db;
};

} // namespace tl::store
