#include "store/database.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "store_test_support.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tl;
using namespace tl::store;
using namespace tl::store::test;

namespace {

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

Database openDatabase(const fs::path &file)
{
    auto db = Database::open(file);
    REQUIRE(db.ok());
    return std::move(db).value();
}

} // namespace

TEST_CASE("A garbage file as the database is a clear error and stays untouched", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "not-a-db.db";
    std::string garbage;
    for (int i = 0; i < 8192; ++i) {
        garbage.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    }
    writeFile(file, garbage);

    auto store = RunStore::open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == base::ErrorCode::InvalidInput);
    CHECK(store.error().context == file.string());
    CHECK_THAT(store.error().message, Catch::Contains("not a SQLite database"));
    CHECK(readFile(file) == garbage);
    CHECK_FALSE(fs::exists(dir / "not-a-db.db-wal"));
}

TEST_CASE("A text file as the database is refused", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "notes.txt";
    writeFile(file, "These are my notes, not a database.\n");
    auto store = RunStore::open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().context == file.string());
}

TEST_CASE("A directory where the database file should be is an error naming it", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "torchlight.db";
    fs::create_directories(file);
    auto store = RunStore::open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().context == file.string());
}

TEST_CASE("A database from a newer Torchlight is refused, not guessed at", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    REQUIRE(RunStore::open(file).ok());
    {
        Database db = openDatabase(file);
        REQUIRE(
            db.exec("PRAGMA user_version = " + std::to_string(RunStore::kSchemaVersion + 1)).ok());
    }
    auto store = RunStore::open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == base::ErrorCode::InvalidInput);
    CHECK(store.error().context == file.string());
    CHECK_THAT(store.error().message, Catch::Contains("newer Torchlight"));
    CHECK_THAT(store.error().message,
               Catch::Contains("schema version " + std::to_string(RunStore::kSchemaVersion + 1)));
}

TEST_CASE("Another program's SQLite database is refused and left alone", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "other.db";
    {
        Database db = openDatabase(file);
        REQUIRE(
            db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x')").ok());
    }
    auto store = RunStore::open(file);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("another program"));
    CHECK(store.error().context == file.string());
    Database db = openDatabase(file);
    CHECK(db.queryInt("PRAGMA user_version").value() == 0);
    CHECK(db.queryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'runs'").value() == 0);
}

TEST_CASE("A later migration adds a table and keeps the data", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    {
        RunStore store = RunStore::open(file).value();
        REQUIRE(store.createRun(makeSpec("before"), dir).ok());
    }
    std::vector<Migration> steps(schemaMigrations().begin(), schemaMigrations().end());
    const int next = RunStore::kSchemaVersion + 1;
    steps.push_back({next, "CREATE TABLE histograms (run_id INTEGER NOT NULL REFERENCES "
                           "runs(id) ON DELETE CASCADE, tag TEXT NOT NULL)"});
    Database db = openDatabase(file);
    REQUIRE(migrate(db, steps).ok());
    CHECK(db.queryInt("PRAGMA user_version").value() == next);
    CHECK(db.queryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'histograms'").value() == 1);
    CHECK(db.queryInt("SELECT count(*) FROM runs").value() == 1);
    // Running it again finds nothing to do.
    REQUIRE(migrate(db, steps).ok());
    CHECK(db.queryInt("PRAGMA user_version").value() == next);
}

TEST_CASE("A failing migration leaves the database at its old version", "[store]")
{
    TempDir dir;
    const fs::path file = dir / "t.db";
    REQUIRE(RunStore::open(file).ok());
    std::vector<Migration> steps(schemaMigrations().begin(), schemaMigrations().end());
    const int next = RunStore::kSchemaVersion + 1;
    steps.push_back({next, "CREATE TABLE extra (x INTEGER); CREATE TABLE runs (again INTEGER)"});
    Database db = openDatabase(file);
    auto status = migrate(db, steps);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message, Catch::Contains("schema version " + std::to_string(next)));
    CHECK(status.error().context == file.string());
    CHECK(db.queryInt("PRAGMA user_version").value() == RunStore::kSchemaVersion);
    CHECK(db.queryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'").value() == 0);
}

TEST_CASE("Migration steps are numbered 1, 2, 3 without gaps", "[store]")
{
    int expected = 1;
    for (const Migration &step : schemaMigrations()) {
        CHECK(step.version == expected++);
    }
    CHECK(schemaMigrations().back().version == RunStore::kSchemaVersion);
}
