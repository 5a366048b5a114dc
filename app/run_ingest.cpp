#include "app/run_ingest.h"

#include <system_error>

namespace tl::app {
namespace {

// For each event the store ingests: what the signals will carry.
void collectEvent(const proto::RunEvent &event, IngestBatch &batch)
{
    auto &progress = batch.progress;
    if (event.has_evaluation()) {
        batch.evaluations.push_back(event.evaluation());
    } else if (event.has_checkpoint()) {
        batch.checkpoints.push_back(event.checkpoint());
    } else if (event.has_scalar()) {
        batch.points.push_back(
            {event.scalar().tag(), event.scalar().step(), event.scalar().value()});
    } else if (event.has_progress() && !progress.empty()
               && progress.back().epoch() == event.progress().epoch()) {
        progress.back() = event.progress();
    } else if (event.has_progress()) {
        progress.push_back(event.progress());
    } else if (event.has_log()) {
        batch.logs.emplace_back(event.log().level(), event.log().text());
    } else if (event.has_debug()) {
        batch.debug.push_back(event.debug());
    }
}

} // namespace

base::Result<IngestBatch> ingestRunEvents(store::RunStore &store,
                                          std::int64_t runId,
                                          const std::filesystem::path &events,
                                          std::stop_token stop)
{
    IngestBatch batch;
    std::error_code ec;
    if (std::filesystem::exists(events, ec)) {
        // The store reads the new records once; the observer hands them to the views.
        auto observe = [&batch](const proto::RunEvent &event) {
            collectEvent(event, batch);
        };
        base::Result<store::IngestReport> report =
            store.ingest(runId, events, std::move(stop), observe);
        if (!report) {
            batch.problem = report.error().describe();
        }
    }
    base::Result<store::RunRecord> record = store.run(runId);
    if (!record) {
        return record.error();
    }
    batch.record = std::move(record).value();
    return batch;
}

} // namespace tl::app
