#pragma once
// Reading what a run produced besides its scalars and logs: checkpoints and evaluations
// (internal to store/). Called by RunStore on its thread, after it checked the run exists.

#include "base/result.h"
#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <vector>

namespace tl::store {

// Every checkpoint event of the run, in file order.
base::Result<std::vector<CheckpointRecord>> queryCheckpoints(Database &db, std::int64_t runId);

// The latest evaluation of each split, ordered by split name. A stored payload that no longer
// parses is an error naming the run and the split.
base::Result<std::vector<EvaluationRecord>> queryEvaluations(Database &db, std::int64_t runId);

} // namespace tl::store
