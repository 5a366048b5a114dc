#include "store/database.h"
#include "store/run_store.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

RunStore openStore(const fs::path &file)
{
    auto store = RunStore::open(file);
    REQUIRE(store.ok());
    return std::move(store).value();
}

std::int64_t countRows(const fs::path &dbFile, const std::string &sql)
{
    auto db = Database::open(dbFile);
    REQUIRE(db.ok());
    auto n = db.value().queryInt(sql);
    REQUIRE(n.ok());
    return n.value();
}

// Sets an environment variable for one scope and restores it afterwards.
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const char *value) : m_name(name)
    {
        if (const char *old = std::getenv(name)) {
            m_old = old;
        }
        if (value) {
            setenv(name, value, 1);
        } else {
            unsetenv(name);
        }
    }
    ~ScopedEnv()
    {
        if (m_old) {
            setenv(m_name, m_old->c_str(), 1);
        } else {
            unsetenv(m_name);
        }
    }

private:
    const char *m_name;
    std::optional<std::string> m_old;
};

} // namespace

TEST_CASE("A new store creates its folders and schema and lists no runs", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "nested/data/torchlight.db";
    RunStore store = openStore(file);
    CHECK(fs::exists(file));
    CHECK(store.databaseFile() == file);
    auto runs = store.runs();
    REQUIRE(runs.ok());
    CHECK(runs.value().empty());
    CHECK(countRows(file, "PRAGMA user_version") == RunStore::kSchemaVersion);
    CHECK(countRows(file, "PRAGMA foreign_keys") == 1);
}

TEST_CASE("The store runs in WAL mode", "[store]")
{
    TempDir dir;
    RunStore store = openStore(dir / "t.db");
    auto db = Database::open(dir / "t.db");
    REQUIRE(db.ok());
    auto mode = db.value().prepare("PRAGMA journal_mode");
    REQUIRE(mode.ok());
    REQUIRE(mode.value().step().value());
    CHECK(mode.value().text(0) == "wal");
}

TEST_CASE("createRun stores the spec, its params and state STARTING", "[store]")
{
    TempDir dir;
    RunStore store = openStore(dir / "t.db");
    const proto::ExperimentSpec spec = makeSpec("first");
    auto id = store.createRun(spec, dir / "runs/first");
    REQUIRE(id.ok());

    auto run = store.run(id.value());
    REQUIRE(run.ok());
    CHECK(run.value().id == id.value());
    CHECK(run.value().name == "first");
    CHECK(run.value().runDir == dir / "runs/first");
    CHECK(run.value().state == proto::RUN_STATE_STARTING);
    CHECK(run.value().device == "cuda:0");
    CHECK(run.value().createdAt > 1.6e9); // seconds since the epoch, not milliseconds
    CHECK(run.value().createdAt < 1e11);
    CHECK(run.value().finishedAt == 0);
    CHECK(run.value().ingestedOffset == 0);

    auto params = store.params(id.value());
    REQUIRE(params.ok());
    const std::map<std::string, std::string> expected = {{"optimizer", "adam"},
                                                         {"learning_rate", "0.001"},
                                                         {"momentum", "0"},
                                                         {"weight_decay", "0"},
                                                         {"epochs", "2"},
                                                         {"batch_size", "64"},
                                                         {"seed", "42"},
                                                         {"threads", "0"},
                                                         {"log_every_steps", "0"},
                                                         {"model", "mlp-784-128-10"},
                                                         {"dataset", "fashion-mnist"},
                                                         {"train_limit", "1000"},
                                                         {"test_limit", "0"},
                                                         {"device", "cuda:0"}};
    CHECK(params.value() == expected);

    auto stored = store.spec(id.value());
    REQUIRE(stored.ok());
    CHECK(stored.value().SerializeAsString() == spec.SerializeAsString());
}

TEST_CASE("Params say what the spec says, not the defaults a runner applies", "[store]")
{
    proto::ExperimentSpec spec;
    auto params = specParams(spec);
    CHECK(params.at("optimizer") == "unspecified");
    CHECK(params.at("learning_rate") == "0");
    CHECK(params.at("batch_size") == "0");
    CHECK(params.at("device").empty());
    spec.mutable_train()->set_optimizer(proto::OPTIMIZER_SGD);
    spec.mutable_train()->set_learning_rate(0.1);
    spec.mutable_train()->set_momentum(0.9);
    CHECK(specParams(spec).at("optimizer") == "sgd");
    CHECK(specParams(spec).at("learning_rate") == "0.1");
    CHECK(specParams(spec).at("momentum") == "0.9");
    spec.mutable_model()->set_name("mlp");
    CHECK(specParams(spec).at("model") == "mlp");
    spec.set_model_file("/home/me/models/resnet18.onnx");
    CHECK(specParams(spec).at("model") == "resnet18.onnx");
}

TEST_CASE("runs() lists the newest run first", "[store]")
{
    TempDir dir;
    RunStore store = openStore(dir / "t.db");
    std::vector<std::int64_t> ids;
    for (const char *name : {"a", "b", "c"}) {
        auto id = store.createRun(makeSpec(name), dir / name);
        REQUIRE(id.ok());
        ids.push_back(id.value());
    }
    auto runs = store.runs();
    REQUIRE(runs.ok());
    REQUIRE(runs.value().size() == 3);
    CHECK(runs.value()[0].name == "c");
    CHECK(runs.value()[1].name == "b");
    CHECK(runs.value()[2].name == "a");
    CHECK(runs.value()[0].id == ids[2]);
}

TEST_CASE("Reopening the database lists past runs with their scalars", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    EventsWriter events(dir / "events.tlog");
    events.scalar("train/loss", 1, 2.5);
    events.scalar("train/loss", 2, 1.5);
    events.status(proto::RUN_STATE_COMPLETED, "done");
    std::int64_t id = 0;
    {
        RunStore store = openStore(file);
        auto created = store.createRun(makeSpec("kept"), dir);
        REQUIRE(created.ok());
        id = created.value();
        REQUIRE(store.ingest(id, events.path()).ok());
    }
    RunStore reopened = openStore(file);
    auto runs = reopened.runs();
    REQUIRE(runs.ok());
    REQUIRE(runs.value().size() == 1);
    CHECK(runs.value()[0].id == id);
    CHECK(runs.value()[0].name == "kept");
    CHECK(runs.value()[0].state == proto::RUN_STATE_COMPLETED);
    auto points = reopened.scalars(id, "train/loss");
    REQUIRE(points.ok());
    REQUIRE(points.value().size() == 2);
    CHECK(points.value()[1].value == 1.5);
}

TEST_CASE("markInterrupted interrupts a running run and leaves a finished one alone", "[store]")
{
    TempDir dir;
    RunStore store = openStore(dir / "t.db");
    auto running = store.createRun(makeSpec("running"), dir / "r");
    auto completed = store.createRun(makeSpec("completed"), dir / "c");
    REQUIRE(running.ok());
    REQUIRE(completed.ok());
    REQUIRE(store.setState(running.value(), proto::RUN_STATE_RUNNING, "epoch 1").ok());
    REQUIRE(store.setState(completed.value(), proto::RUN_STATE_COMPLETED, "done").ok());
    const double completedAt = store.run(completed.value()).value().finishedAt;

    auto changed = store.markInterrupted(running.value(), "the worker died");
    REQUIRE(changed.ok());
    CHECK(changed.value());
    auto run = store.run(running.value());
    REQUIRE(run.ok());
    CHECK(run.value().state == proto::RUN_STATE_INTERRUPTED);
    CHECK(run.value().statusMessage == "the worker died");
    CHECK(run.value().finishedAt > 0);

    auto unchanged = store.markInterrupted(completed.value(), "the worker died");
    REQUIRE(unchanged.ok());
    CHECK_FALSE(unchanged.value());
    auto done = store.run(completed.value());
    REQUIRE(done.ok());
    CHECK(done.value().state == proto::RUN_STATE_COMPLETED);
    CHECK(done.value().statusMessage == "done");
    CHECK(done.value().finishedAt == completedAt);

    // Already interrupted is terminal too.
    auto again = store.markInterrupted(running.value(), "twice");
    REQUIRE(again.ok());
    CHECK_FALSE(again.value());
    CHECK(store.run(running.value()).value().statusMessage == "the worker died");
}

TEST_CASE("setState stamps finished_at for terminal states only and refuses no state", "[store]")
{
    TempDir dir;
    RunStore store = openStore(dir / "t.db");
    auto id = store.createRun(makeSpec(), dir);
    REQUIRE(id.ok());
    REQUIRE(store.setState(id.value(), proto::RUN_STATE_PAUSED, "paused").ok());
    CHECK(store.run(id.value()).value().state == proto::RUN_STATE_PAUSED);
    CHECK(store.run(id.value()).value().finishedAt == 0);
    REQUIRE(store.setState(id.value(), proto::RUN_STATE_FAILED, "out of memory").ok());
    auto run = store.run(id.value());
    REQUIRE(run.ok());
    CHECK(run.value().state == proto::RUN_STATE_FAILED);
    CHECK(run.value().statusMessage == "out of memory");
    CHECK(run.value().finishedAt > 0);

    auto none = store.setState(id.value(), proto::RUN_STATE_UNSPECIFIED, "");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == base::ErrorCode::InvalidInput);
    CHECK(store.run(id.value()).value().state == proto::RUN_STATE_FAILED);
}

TEST_CASE("deleteRun removes the run and everything stored for it", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    RunStore store = openStore(file);
    EventsWriter events(dir / "events.tlog");
    events.scalar("train/loss", 1, 1.0);
    events.log(proto::LOG_LEVEL_INFO, "hello");
    events.checkpoint("checkpoints/latest.pt", 1, 1);
    auto keep = store.createRun(makeSpec("keep"), dir / "keep");
    auto drop = store.createRun(makeSpec("drop"), dir / "drop");
    REQUIRE(keep.ok());
    REQUIRE(drop.ok());
    REQUIRE(store.ingest(keep.value(), events.path()).ok());
    REQUIRE(store.ingest(drop.value(), events.path()).ok());

    REQUIRE(store.deleteRun(drop.value()).ok());
    CHECK(store.run(drop.value()).error().code == base::ErrorCode::NotFound);
    for (const char *table : {"params", "scalars", "logs", "checkpoints"}) {
        INFO(table);
        CHECK(countRows(file, std::string("SELECT count(*) FROM ") + table
                                  + " WHERE run_id = " + std::to_string(drop.value()))
              == 0);
        CHECK(countRows(file, std::string("SELECT count(*) FROM ") + table
                                  + " WHERE run_id = " + std::to_string(keep.value()))
              > 0);
    }
    auto again = store.deleteRun(drop.value());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == base::ErrorCode::NotFound);

    // A deleted run's id is never handed out again.
    auto next = store.createRun(makeSpec("next"), dir / "next");
    REQUIRE(next.ok());
    CHECK(next.value() > drop.value());
}

TEST_CASE("Asking about an unknown run is NotFound naming the database and the run", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    RunStore store = openStore(file);
    const std::string where = file.string() + ", run 77";
    CHECK(store.run(77).error().context == where);
    CHECK(store.run(77).error().code == base::ErrorCode::NotFound);
    CHECK(store.params(77).error().context == where);
    CHECK(store.tags(77).error().context == where);
    CHECK(store.scalars(77, "x").error().context == where);
    CHECK(store.scalarsForWidth(77, "x", 10).error().context == where);
    CHECK(store.logs(77).error().context == where);
    CHECK(store.checkpoints(77).error().context == where);
    CHECK(store.spec(77).error().context == where);
    CHECK(store.setState(77, proto::RUN_STATE_RUNNING, "").error().context == where);
    CHECK(store.markInterrupted(77, "").error().context == where);
    CHECK(store.deleteRun(77).error().context == where);
}

TEST_CASE("A second connection to the same file sees what the first committed", "[store]")
{
    TempDir dir;
    RunStore writer = openStore(dir / "t.db");
    RunStore reader = openStore(dir / "t.db");
    auto id = writer.createRun(makeSpec("shared"), dir);
    REQUIRE(id.ok());
    auto seen = reader.run(id.value());
    REQUIRE(seen.ok());
    CHECK(seen.value().name == "shared");
}

TEST_CASE("A moved store keeps working", "[store]")
{
    TempDir dir;
    RunStore first = openStore(dir / "t.db");
    REQUIRE(first.createRun(makeSpec(), dir).ok());
    RunStore second = std::move(first);
    auto runs = second.runs();
    REQUIRE(runs.ok());
    CHECK(runs.value().size() == 1);
}

TEST_CASE("The default data dir follows XDG_DATA_HOME, else HOME", "[store]")
{
    {
        ScopedEnv xdg("XDG_DATA_HOME", "/xdg/data");
        CHECK(RunStore::defaultDataDir() == fs::path("/xdg/data/torchlight"));
    }
    {
        ScopedEnv xdg("XDG_DATA_HOME", nullptr);
        ScopedEnv home("HOME", "/home/tester");
        CHECK(RunStore::defaultDataDir() == fs::path("/home/tester/.local/share/torchlight"));
    }
    {
        // XDG says a relative path is invalid and must be ignored.
        ScopedEnv xdg("XDG_DATA_HOME", "relative/dir");
        ScopedEnv home("HOME", "/home/tester");
        CHECK(RunStore::defaultDataDir() == fs::path("/home/tester/.local/share/torchlight"));
    }
}
