#include "store/scalar_buckets.h"

namespace tl::store {
namespace {

struct StepRange
{
    std::int64_t count = 0;
    std::int64_t first = 0;
    std::int64_t last = 0;
};

base::Result<StepRange> stepRange(Database &db, std::int64_t runId, const std::string &tag)
{
    auto query = db.prepare("SELECT count(*), min(step), max(step) FROM scalars "
                            "WHERE run_id = ?1 AND tag = ?2");
    if (!query) {
        return query.error();
    }
    auto row = query.value().bind(1, runId).bind(2, tag).step();
    if (!row) {
        return row.error();
    }
    return StepRange{query.value().int64(0), query.value().int64(1), query.value().int64(2)};
}

// One bucket per row: the query returns first step, last step, min, max, mean, count.
base::Result<std::vector<ScalarBucket>> readBuckets(Statement &query)
{
    std::vector<ScalarBucket> out;
    for (;;) {
        auto row = query.step();
        if (!row) {
            return row.error();
        }
        if (!row.value()) {
            return out;
        }
        out.push_back({query.int64(0), query.int64(1), query.real(2), query.real(3), query.real(4),
                       query.int64(5)});
    }
}

} // namespace

base::Result<std::vector<ScalarBucket>>
queryScalarBuckets(Database &db, std::int64_t runId, const std::string &tag, int buckets)
{
    auto range = stepRange(db, runId, tag);
    if (!range) {
        return range.error();
    }
    if (range.value().count <= buckets) {
        // Every point is its own bucket. min/max/avg of a lone NULL (a NaN) stay NULL → NaN.
        auto query = db.prepare("SELECT step, step, value, value, value, 1 FROM scalars "
                                "WHERE run_id = ?1 AND tag = ?2 ORDER BY step");
        if (!query) {
            return query.error();
        }
        return readBuckets(query.value().bind(1, runId).bind(2, tag));
    }
    // bucket = floor((step - first) * buckets / span), in doubles so a huge step range cannot
    // overflow; min() pins the last step, which rounding could push one past the end.
    const double span =
        static_cast<double>(range.value().last) - static_cast<double>(range.value().first) + 1.0;
    auto query = db.prepare(
        "SELECT min(step), max(step), min(value), max(value), avg(value), count(*) FROM ("
        "  SELECT step, value, min(?5, CAST((step - ?3) * ?4 AS INTEGER)) AS bucket"
        "  FROM scalars WHERE run_id = ?1 AND tag = ?2)"
        " GROUP BY bucket ORDER BY bucket");
    if (!query) {
        return query.error();
    }
    return readBuckets(query.value()
                           .bind(1, runId)
                           .bind(2, tag)
                           .bind(3, range.value().first)
                           .bind(4, static_cast<double>(buckets) / span)
                           .bind(5, static_cast<std::int64_t>(buckets - 1)));
}

} // namespace tl::store
