#include "store/database.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

struct EvaluatedRun
{
    TempDir dir;
    RunStore store = RunStore::open(dir / "torchlight.db").value();
    EventsWriter events{dir / "events.tlog"};
    std::int64_t runId = store.createRun(makeSpec(), dir.path()).value();

    std::vector<EvaluationRecord> evaluations()
    {
        REQUIRE(store.ingest(runId, events.path()).ok());
        auto result = store.evaluations(runId);
        REQUIRE(result.ok());
        return result.value();
    }
};

std::vector<std::uint64_t> confusion(const EvaluationRecord &record)
{
    return {record.evaluation.confusion().begin(), record.evaluation.confusion().end()};
}

} // namespace

TEST_CASE("The latest evaluation of each split is kept whole, the earlier one replaced", "[store]")
{
    EvaluatedRun run;
    run.events.evaluation("val", 10, 8, 2, 3, 7);
    run.events.evaluation("val", 20, 9, 1, 1, 9);
    run.events.evaluation("test", 20, 40, 10, 5, 45);

    const std::vector<EvaluationRecord> stored = run.evaluations();
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].split == "test"); // by split name
    CHECK(stored[1].split == "val");
    CHECK(stored[1].step == 20);
    CHECK(stored[1].epoch == 2);
    CHECK(stored[1].wallTime == 1720.0);
    CHECK(confusion(stored[1]) == std::vector<std::uint64_t>{9, 1, 1, 9});
    CHECK(stored[1].evaluation.accuracy() == Approx(0.9));
    CHECK(stored[0].evaluation.samples() == 100);
    REQUIRE(stored[0].evaluation.class_names_size() == 2);
    CHECK(stored[0].evaluation.class_names(1) == "dog");
    CHECK(stored[0].evaluation.class_accuracy(0) == Approx(0.8));
}

TEST_CASE("Ingesting an evaluation again after a crash stores it once", "[store]")
{
    EvaluatedRun run;
    run.events.evaluation("val", 10, 8, 2, 3, 7);
    REQUIRE(run.evaluations().size() == 1);
    run.events.evaluation("val", 20, 5, 5, 5, 5);
    const std::vector<EvaluationRecord> stored = run.evaluations();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].step == 20);
    CHECK(confusion(stored[0]) == std::vector<std::uint64_t>{5, 5, 5, 5});
}

TEST_CASE("A run that was never evaluated has no evaluations", "[store]")
{
    EvaluatedRun run;
    run.events.scalar("train/loss", 1, 1.0);
    CHECK(run.evaluations().empty());
    auto unknown = run.store.evaluations(run.runId + 1);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == base::ErrorCode::NotFound);
}

TEST_CASE("Checkpoints keep their kind and the metric a best checkpoint won on", "[store]")
{
    EvaluatedRun run;
    run.events.checkpoint("checkpoints/step-100.pt", 100, proto::CHECKPOINT_PERIODIC);
    run.events.checkpoint("checkpoints/best.pt", 120, proto::CHECKPOINT_BEST, "val/accuracy",
                          0.875);
    run.events.checkpoint("checkpoints/step-130.pt", 130, proto::CHECKPOINT_REQUESTED);
    run.events.checkpoint("checkpoints/last.pt", 150, proto::CHECKPOINT_LAST);
    REQUIRE(run.store.ingest(run.runId, run.events.path()).ok());

    auto stored = run.store.checkpoints(run.runId);
    REQUIRE(stored.ok());
    REQUIRE(stored.value().size() == 4);
    CHECK(stored.value()[0].kind == proto::CHECKPOINT_PERIODIC);
    CHECK(stored.value()[1].kind == proto::CHECKPOINT_BEST);
    CHECK(stored.value()[1].metric == "val/accuracy");
    CHECK(stored.value()[1].value == 0.875);
    CHECK(stored.value()[1].path == "checkpoints/best.pt");
    CHECK(stored.value()[2].kind == proto::CHECKPOINT_REQUESTED);
    CHECK(stored.value()[2].step == 130);
    CHECK(stored.value()[3].kind == proto::CHECKPOINT_LAST);
    CHECK(stored.value()[3].metric.empty());
}

TEST_CASE("A version 1 store gains evaluations and checkpoint kinds and keeps its checkpoints",
          "[store]")
{
    TempDir dir;
    const fs::path file = dir / "old.db";
    {
        auto db = Database::open(file);
        REQUIRE(db.ok());
        REQUIRE(migrate(db.value(), schemaMigrations().first(1)).ok());
        REQUIRE(db.value()
                    .exec("INSERT INTO runs (name, run_dir, device, spec, created_at, state) "
                          "VALUES ('old', '/tmp', 'cpu', x'', 1.0, 4);"
                          "INSERT INTO checkpoints (run_id, byte_offset, path, epoch, step) "
                          "VALUES (1, 64, 'checkpoints/latest.pt', 2, 40)")
                    .ok());
    }
    auto store = RunStore::open(file);
    REQUIRE(store.ok());
    auto checkpoints = store.value().checkpoints(1);
    REQUIRE(checkpoints.ok());
    REQUIRE(checkpoints.value().size() == 1);
    CHECK(checkpoints.value()[0].path == "checkpoints/latest.pt");
    CHECK(checkpoints.value()[0].kind == proto::CHECKPOINT_LAST);
    CHECK(std::isnan(checkpoints.value()[0].value));
    auto evaluations = store.value().evaluations(1);
    REQUIRE(evaluations.ok());
    CHECK(evaluations.value().empty());
}

TEST_CASE("Deleting a run deletes its evaluations", "[store]")
{
    EvaluatedRun run;
    run.events.evaluation("test", 5, 1, 0, 0, 1);
    REQUIRE(run.evaluations().size() == 1);
    REQUIRE(run.store.deleteRun(run.runId).ok());
    auto db = Database::open(run.dir / "torchlight.db");
    REQUIRE(db.ok());
    CHECK(db.value().queryInt("SELECT count(*) FROM evaluations").value() == 0);
}
