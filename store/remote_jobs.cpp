// RunStore's remote_jobs table (schema version 3): where each remote run runs.

#include "store/database.h"
#include "store/run_store.h"
#include "store/statement.h"

namespace tl::store {

base::Status RunStore::setRemoteJob(const RemoteJobRecord &job)
{
    if (auto exists = requireRun(job.runId); !exists) {
        return exists;
    }
    auto upsert = m_db->prepare(
        "INSERT OR REPLACE INTO remote_jobs (run_id, profile, backend, host, remote_dir, job_id, "
        "scheduler_state, reason, outputs_fetched) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!upsert) {
        return upsert.error();
    }
    return upsert.value()
        .bind(1, job.runId)
        .bind(2, job.profile)
        .bind(3, job.backend)
        .bind(4, job.host)
        .bind(5, job.remoteDir)
        .bind(6, job.jobId)
        .bind(7, job.schedulerState)
        .bind(8, job.reason)
        .bind(9, static_cast<std::int64_t>(job.outputsFetched ? 1 : 0))
        .run();
}

base::Result<std::vector<RemoteJobRecord>> RunStore::remoteJobs()
{
    auto query =
        m_db->prepare("SELECT j.run_id, j.profile, j.backend, j.host, j.remote_dir, j.job_id, "
                      "j.scheduler_state, j.reason, j.outputs_fetched FROM remote_jobs j "
                      "JOIN runs r ON r.id = j.run_id ORDER BY r.created_at DESC, r.id DESC");
    if (!query) {
        return query.error();
    }
    std::vector<RemoteJobRecord> out;
    if (auto status = forEachRow(query.value(),
                                 [&](const Statement &row) {
                                     out.push_back({row.int64(0), row.text(1), row.text(2),
                                                    row.text(3), row.text(4), row.text(5),
                                                    row.text(6), row.text(7), row.int64(8) != 0});
                                 });
        !status) {
        return status.error();
    }
    return out;
}

} // namespace tl::store
