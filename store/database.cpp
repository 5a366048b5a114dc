#include "store/database.h"

#include "store/sqlite_error.h"

#include <sqlite3.h>

namespace tl::store {
namespace {

// Long enough to ride out another process's ingest transaction, short enough that a stuck
// lock surfaces as an error instead of a frozen lane.
constexpr int kBusyTimeoutMs = 5000;

} // namespace

void Database::Closer::operator()(sqlite3 *db) const
{
    // _v2 defers the close until any statement still alive is finalized.
    sqlite3_close_v2(db);
}

Database::Database(sqlite3 *db, std::filesystem::path path) : m_db(db), m_path(std::move(path))
{}

Database::~Database() = default;

base::Result<Database> Database::open(const std::filesystem::path &file)
{
    sqlite3 *raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    // Even a failed open may hand back a handle that must be closed.
    Database db(raw, file);
    if (rc != SQLITE_OK) {
        return sqliteError(rc, "Opening the database", raw ? sqlite3_errmsg(raw) : nullptr,
                           file.string());
    }
    if (auto status = db.configure(); !status) {
        return status.error();
    }
    return db;
}

base::Status Database::configure()
{
    sqlite3_extended_result_codes(m_db.get(), 1);
    sqlite3_busy_timeout(m_db.get(), kBusyTimeoutMs);
    // Reading the header before any pragma that writes keeps a foreign file untouched.
    if (auto version = queryInt("PRAGMA schema_version"); !version) {
        return version.error();
    }
    if (auto status = exec("PRAGMA foreign_keys = ON"); !status) {
        return status;
    }
    // WAL lets the GUI read while an ingest writes. With WAL, synchronous=NORMAL can lose the
    // last commits on power loss but never corrupts; the events file is the source of truth
    // and the stored offset rolls back with the rows, so a lost commit is re-ingested.
    if (auto status = exec("PRAGMA journal_mode = WAL"); !status) {
        return status;
    }
    return exec("PRAGMA synchronous = NORMAL");
}

base::Status Database::exec(const std::string &sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) {
        return base::okStatus();
    }
    base::Error error = sqliteError(rc, "A database command",
                                    message ? message : sqlite3_errmsg(m_db.get()), context());
    sqlite3_free(message);
    return error;
}

base::Result<Statement> Database::prepare(std::string_view sql)
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return sqliteError(rc, "Preparing a query", sqlite3_errmsg(m_db.get()), context());
    }
    return Statement(stmt, context());
}

base::Result<std::int64_t> Database::queryInt(std::string_view sql)
{
    auto stmt = prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt.value().step();
    if (!row) {
        return row.error();
    }
    if (!row.value()) {
        return base::makeError(base::ErrorCode::Backend,
                               "A database query returned no row: " + std::string(sql) + ".",
                               context());
    }
    return stmt.value().int64(0);
}

std::int64_t Database::lastInsertRowid() const
{
    return sqlite3_last_insert_rowid(m_db.get());
}

std::int64_t Database::changes() const
{
    return sqlite3_changes64(m_db.get());
}

std::string Database::context(std::int64_t runId) const
{
    return m_path.string() + ", run " + std::to_string(runId);
}

} // namespace tl::store
