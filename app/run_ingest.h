#pragma once
// One ingest of a run's events.tlog into the store, on the store lane, and what it found for
// the views: new scalars, evaluations, checkpoints, progress and log lines, and the run's row
// afterwards. Shared by local runs (TrainingSession) and remote ones (RemoteRunsController),
// whose mirrored events.tlog grows the same way.

#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "store/run_records.h"
#include "store/run_store.h"
#include "views/scalar_chart.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

namespace tl::app {

struct IngestBatch
{
    std::vector<views::ChartPoint> points;
    std::vector<proto::EvaluationEvent> evaluations;
    std::vector<proto::CheckpointEvent> checkpoints;
    // The newest progress of each epoch seen: older ones within an epoch are stale, but an
    // epoch's last one says where it ended.
    std::vector<proto::ProgressEvent> progress;
    std::vector<std::pair<proto::LogLevel, std::string>> logs;
    std::vector<proto::DebugEvent> debug; // the step debugger's stops and answers, in order
    store::RunRecord record;
    std::string problem; // a corrupt record or a failed ingest, described
};

// On the lane: ingests what is new in `events` (nothing while it does not exist) and reads the
// run's row. An ingest problem (a corrupt record) is in `problem`; only a failure to read the
// row is an error.
base::Result<IngestBatch> ingestRunEvents(store::RunStore &store,
                                          std::int64_t runId,
                                          const std::filesystem::path &events,
                                          std::stop_token stop);

} // namespace tl::app
