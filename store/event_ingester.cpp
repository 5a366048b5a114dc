#include "store/event_ingester.h"

#include "proto/record_io.h"
#include "proto/run_state.h"
#include "store/wall_clock.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <cmath>
#include <system_error>
#include <vector>

namespace tl::store {
namespace {

// A status event's own time marks when the run ended; the ingest time is the fallback for a
// worker that sent none.
double finishTime(const proto::RunEvent &event)
{
    const double t = event.wall_time();
    return std::isfinite(t) && t > 0 ? t : nowSeconds();
}

// A field RunEvent declares, arriving with another wire type, lands in the unknown fields:
// the bytes were not written as a RunEvent. Undeclared numbers are a newer worker's fields.
bool hasMismatchedField(const proto::RunEvent &event)
{
    const auto &unknown = event.GetReflection()->GetUnknownFields(event);
    for (int i = 0; i < unknown.field_count(); ++i) {
        if (proto::RunEvent::descriptor()->FindFieldByNumber(unknown.field(i).number())) {
            return true;
        }
    }
    return false;
}

// Re-storing an event overwrites (scalars: the later value wins) or is ignored (logs and
// checkpoints are keyed by their byte offset), so no event is ever stored twice.
constexpr const char *kUpsertScalar =
    "INSERT INTO scalars (run_id, tag, step, value, wall_time) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (run_id, tag, step) DO UPDATE SET value = excluded.value, "
    "wall_time = excluded.wall_time";
constexpr const char *kInsertLog = "INSERT OR IGNORE INTO logs (run_id, byte_offset, wall_time, "
                                   "level, text) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char *kInsertCheckpoint =
    "INSERT OR IGNORE INTO checkpoints (run_id, byte_offset, wall_time, path, epoch, step, kind, "
    "metric, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
// One row per split: a later evaluation (in file order) replaces the earlier one.
constexpr const char *kUpsertEvaluation =
    "INSERT INTO evaluations (run_id, split, step, epoch, wall_time, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, split) DO UPDATE SET "
    "step = excluded.step, epoch = excluded.epoch, wall_time = excluded.wall_time, "
    "payload = excluded.payload";
// State 0 (unspecified) carries a message only.
constexpr const char *kUpdateStatus =
    "UPDATE runs SET state = CASE WHEN ?2 = 0 THEN state ELSE ?2 END, status_message = ?3, "
    "finished_at = CASE WHEN ?2 = 0 THEN finished_at ELSE ?4 END WHERE id = ?1";
constexpr const char *kUpdateProgress =
    "UPDATE runs SET epoch = ?2, epochs = ?3, step = ?4, total_steps = ?5, "
    "samples_per_second = ?6, eta_seconds = ?7, loss = ?8 WHERE id = ?1";
constexpr const char *kUpdateOffset = "UPDATE runs SET ingested_offset = ?2 WHERE id = ?1";

} // namespace

EventIngester::EventIngester(Database &db,
                             std::int64_t runId,
                             std::filesystem::path eventsFile,
                             const EventObserver &observer)
    : m_db(db)
    , m_runId(runId)
    , m_eventsFile(std::move(eventsFile))
    , m_observer(observer)
{}

base::Result<IngestReport> EventIngester::run(std::stop_token stop)
{
    auto tx = Transaction::begin(m_db);
    if (!tx) {
        return tx.error();
    }
    auto start = storedOffset();
    if (!start) {
        return start.error();
    }
    if (auto status = checkFileSize(start.value()); !status) {
        return status.error();
    }
    if (auto status = prepareStatements(); !status) {
        return status.error();
    }
    m_report.startOffset = m_next = start.value();
    auto scan = proto::scanRecordFile(
        m_eventsFile, start.value(),
        [this](std::string_view payload, std::uint64_t offset) {
            return onRecord(payload, offset);
        },
        stop);
    if (!scan) {
        return finishAfterFailure(tx.value(), scan.error());
    }
    m_report.tornBytes = scan.value().tornBytes;
    if (auto status = commitUpTo(tx.value(), scan.value().endOffset); !status) {
        return status.error();
    }
    return m_report;
}

base::Result<std::uint64_t> EventIngester::storedOffset()
{
    auto query = m_db.prepare("SELECT ingested_offset FROM runs WHERE id = ?1");
    if (!query) {
        return query.error();
    }
    auto row = query.value().bind(1, m_runId).step();
    if (!row) {
        return row.error();
    }
    if (!row.value()) {
        return base::makeError(base::ErrorCode::NotFound, "There is no such run to ingest into.",
                               m_db.context(m_runId));
    }
    return static_cast<std::uint64_t>(query.value().int64(0));
}

base::Status EventIngester::checkFileSize(std::uint64_t startOffset) const
{
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(m_eventsFile, ec);
    if (ec) {
        return base::makeError(base::ErrorCode::NotFound,
                               "The events file cannot be read: " + ec.message() + ".",
                               m_eventsFile.string());
    }
    if (size < startOffset) {
        return dataError("The events file is shorter (" + std::to_string(size)
                             + " bytes) than the part already ingested; it was truncated or "
                               "replaced.",
                         startOffset);
    }
    return base::okStatus();
}

base::Status EventIngester::prepareStatements()
{
    std::vector<Statement> prepared;
    for (const char *sql : {kUpsertScalar, kInsertLog, kInsertCheckpoint, kUpsertEvaluation,
                            kUpdateStatus, kUpdateProgress, kUpdateOffset}) {
        auto stmt = m_db.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        prepared.push_back(std::move(stmt).value());
    }
    m_statements.emplace(Statements{std::move(prepared[0]), std::move(prepared[1]),
                                    std::move(prepared[2]), std::move(prepared[3]),
                                    std::move(prepared[4]), std::move(prepared[5]),
                                    std::move(prepared[6])});
    return base::okStatus();
}

base::Status EventIngester::onRecord(std::string_view payload, std::uint64_t offset)
{
    if (!m_event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))
        || hasMismatchedField(m_event)) {
        m_dataFailure = dataError("The record is not a RunEvent.", offset);
        return *m_dataFailure;
    }
    if (auto status = apply(offset); !status) {
        base::Error error = status.error();
        error.context = m_db.context(m_runId) + "; " + m_eventsFile.string() + ", byte "
                        + std::to_string(offset);
        m_databaseFailure = error;
        return error;
    }
    if (m_observer) {
        m_observer(m_event);
    }
    m_next = offset + proto::kRecordOverhead + payload.size();
    ++m_report.records;
    return base::okStatus();
}

base::Status EventIngester::apply(std::uint64_t offset)
{
    const proto::RunEvent &e = m_event;
    Statements &s = *m_statements;
    const auto at = static_cast<std::int64_t>(offset);
    switch (e.payload_case()) {
    case proto::RunEvent::kScalar:
        ++m_report.scalars;
        return s.upsertScalar.bind(1, m_runId)
            .bind(2, e.scalar().tag())
            .bind(3, static_cast<std::int64_t>(e.scalar().step()))
            .bind(4, e.scalar().value())
            .bind(5, e.wall_time())
            .run();
    case proto::RunEvent::kStatus:
        return applyStatus(e.status());
    case proto::RunEvent::kProgress:
        m_progress = e.progress();
        return base::okStatus();
    case proto::RunEvent::kLog:
        return s.insertLog.bind(1, m_runId)
            .bind(2, at)
            .bind(3, e.wall_time())
            .bind(4, static_cast<std::int64_t>(e.log().level()))
            .bind(5, e.log().text())
            .run();
    case proto::RunEvent::kCheckpoint:
        return s.insertCheckpoint.bind(1, m_runId)
            .bind(2, at)
            .bind(3, e.wall_time())
            .bind(4, e.checkpoint().path())
            .bind(5, static_cast<std::int64_t>(e.checkpoint().epoch()))
            .bind(6, static_cast<std::int64_t>(e.checkpoint().step()))
            .bind(7, static_cast<std::int64_t>(e.checkpoint().kind()))
            .bind(8, e.checkpoint().metric())
            .bind(9, e.checkpoint().value())
            .run();
    case proto::RunEvent::kEvaluation:
        return s.upsertEvaluation.bind(1, m_runId)
            .bind(2, e.evaluation().split())
            .bind(3, static_cast<std::int64_t>(e.evaluation().step()))
            .bind(4, static_cast<std::int64_t>(e.evaluation().epoch()))
            .bind(5, e.wall_time())
            .bindBlob(6, e.evaluation().SerializeAsString())
            .run();
    case proto::RunEvent::kDevices:        // an answer to `devices --records`, not part of a run
    case proto::RunEvent::kDebug:          // a debugger stop: live only, events.tlog keeps it
    case proto::RunEvent::PAYLOAD_NOT_SET: // a newer worker's event kind
        return base::okStatus();
    }
    return base::okStatus();
}

base::Status EventIngester::applyStatus(const proto::StatusEvent &status)
{
    const double finishedAt = proto::isTerminal(status.state()) ? finishTime(m_event) : 0.0;
    return m_statements->updateStatus.bind(1, m_runId)
        .bind(2, static_cast<std::int64_t>(status.state()))
        .bind(3, status.message())
        .bind(4, finishedAt)
        .run();
}

base::Status EventIngester::applyProgress()
{
    if (!m_progress) {
        return base::okStatus();
    }
    const proto::ProgressEvent &p = *m_progress;
    return m_statements->updateProgress.bind(1, m_runId)
        .bind(2, static_cast<std::int64_t>(p.epoch()))
        .bind(3, static_cast<std::int64_t>(p.epochs()))
        .bind(4, static_cast<std::int64_t>(p.step()))
        .bind(5, static_cast<std::int64_t>(p.total_steps()))
        .bind(6, p.samples_per_second())
        .bind(7, p.eta_seconds())
        .bind(8, p.loss())
        .run();
}

base::Status EventIngester::commitUpTo(Transaction &tx, std::uint64_t offset)
{
    if (auto status = applyProgress(); !status) {
        return status;
    }
    auto status = m_statements->updateOffset.bind(1, m_runId)
                      .bind(2, static_cast<std::int64_t>(offset))
                      .run();
    if (!status) {
        return status;
    }
    m_report.endOffset = offset;
    return tx.commit();
}

base::Result<IngestReport> EventIngester::finishAfterFailure(Transaction &tx,
                                                             const base::Error &scanError)
{
    if (m_databaseFailure) {
        return *m_databaseFailure; // the transaction rolls back: nothing half-stored
    }
    // A bad record, a corrupt frame or a cancel: everything before m_next is good and stays.
    if (auto status = commitUpTo(tx, m_next); !status) {
        return status.error();
    }
    if (m_dataFailure) {
        return *m_dataFailure;
    }
    // The framing names the file without its directory; give the full path and the offset
    // (the corrupt frame starts right where the last good record ended).
    if (scanError.code == base::ErrorCode::InvalidInput) {
        return dataError(scanError.message, m_next);
    }
    return scanError;
}

base::Error EventIngester::dataError(std::string message, std::uint64_t offset) const
{
    return base::makeError(base::ErrorCode::InvalidInput, std::move(message),
                           m_eventsFile.string() + ", byte " + std::to_string(offset));
}

} // namespace tl::store
