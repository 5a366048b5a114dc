#pragma once
// Downsampling one tag's scalars to a pixel width, in SQL (internal to store/).

#include "base/result.h"
#include "store/database.h"
#include "store/run_records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl::store {

// Splits the tag's step range into `buckets` equal spans and folds each span's points into
// one ScalarBucket (min, max, mean), so a one-step spike still reaches its pixel column. With
// no more points than buckets, every point is its own bucket. buckets must be positive.
base::Result<std::vector<ScalarBucket>>
queryScalarBuckets(Database &db, std::int64_t runId, const std::string &tag, int buckets);

} // namespace tl::store
