#pragma once
// EventIngester: the work of one RunStore::ingest() call (internal to store/). Reads a run's
// events file from the stored offset and writes its events and the new offset in one
// transaction. Lives on the stack of that call, on the store's thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "store/database.h"
#include "store/run_records.h"
#include "store/transaction.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string_view>

namespace tl::store {

class EventIngester
{
public:
    EventIngester(Database &db,
                  std::int64_t runId,
                  std::filesystem::path eventsFile,
                  const EventObserver &observer);

    base::Result<IngestReport> run(std::stop_token stop);

private:
    struct Statements
    {
        Statement upsertScalar;
        Statement insertLog;
        Statement insertCheckpoint;
        Statement upsertEvaluation;
        Statement updateStatus;
        Statement updateProgress;
        Statement updateOffset;
    };

    base::Result<std::uint64_t> storedOffset();
    base::Status checkFileSize(std::uint64_t startOffset) const;
    base::Status prepareStatements();
    base::Status onRecord(std::string_view payload, std::uint64_t offset);
    base::Status apply(std::uint64_t offset);
    base::Status applyStatus(const proto::StatusEvent &status);
    base::Status applyProgress();
    base::Status commitUpTo(Transaction &tx, std::uint64_t offset);
    base::Result<IngestReport> finishAfterFailure(Transaction &tx, const base::Error &scanError);
    base::Error dataError(std::string message, std::uint64_t offset) const;

    Database &m_db;
    std::int64_t m_runId;
    std::filesystem::path m_eventsFile;
    const EventObserver &m_observer; // outlives this object: both live in ingest()
    std::optional<Statements> m_statements;
    proto::RunEvent m_event; // reused for every record to avoid reallocating
    // Progress events only overwrite the run's latest-progress columns, so only the last one
    // of a batch is written.
    std::optional<proto::ProgressEvent> m_progress;
    std::uint64_t m_next = 0; // just past the last record applied: where a commit may stop
    IngestReport m_report;
    // Set by onRecord(); a data failure keeps the good records, a database failure keeps none.
    std::optional<base::Error> m_dataFailure;
    std::optional<base::Error> m_databaseFailure;
};

} // namespace tl::store
