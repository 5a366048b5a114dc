#include "store/run_outputs.h"

#include "store/statement.h"

#include <optional>

namespace tl::store {

base::Result<std::vector<CheckpointRecord>> queryCheckpoints(Database &db, std::int64_t runId)
{
    auto query = db.prepare("SELECT byte_offset, wall_time, path, epoch, step, kind, metric, value "
                            "FROM checkpoints WHERE run_id = ?1 ORDER BY byte_offset");
    if (!query) {
        return query.error();
    }
    std::vector<CheckpointRecord> out;
    auto status = forEachRow(query.value().bind(1, runId), [&](const Statement &row) {
        CheckpointRecord record;
        record.offset = static_cast<std::uint64_t>(row.int64(0));
        record.wallTime = row.real(1);
        record.path = row.text(2);
        record.epoch = static_cast<std::uint32_t>(row.int64(3));
        record.step = row.int64(4);
        const std::int64_t kind = row.int64(5);
        // A kind a newer worker added reads as the plain end-of-run checkpoint.
        record.kind = proto::CheckpointKind_IsValid(static_cast<int>(kind))
                          ? static_cast<proto::CheckpointKind>(kind)
                          : proto::CHECKPOINT_LAST;
        record.metric = row.text(6);
        record.value = row.real(7);
        out.push_back(std::move(record));
    });
    if (!status) {
        return status.error();
    }
    return out;
}

base::Result<std::vector<EvaluationRecord>> queryEvaluations(Database &db, std::int64_t runId)
{
    auto query = db.prepare("SELECT split, step, epoch, wall_time, payload FROM evaluations "
                            "WHERE run_id = ?1 ORDER BY split");
    if (!query) {
        return query.error();
    }
    std::vector<EvaluationRecord> out;
    std::optional<std::string> damaged;
    auto status = forEachRow(query.value().bind(1, runId), [&](const Statement &row) {
        EvaluationRecord record;
        record.split = row.text(0);
        record.step = row.int64(1);
        record.epoch = static_cast<std::uint32_t>(row.int64(2));
        record.wallTime = row.real(3);
        if (!record.evaluation.ParseFromString(row.blob(4)) && !damaged) {
            damaged = record.split;
        }
        out.push_back(std::move(record));
    });
    if (!status) {
        return status.error();
    }
    if (damaged) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The stored evaluation of split \"" + *damaged + "\" is damaged.",
                               db.context(runId));
    }
    return out;
}

} // namespace tl::store
