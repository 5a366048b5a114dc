#pragma once
// Database: an open SQLite connection with Torchlight's pragmas (internal to store/). Owned by a
// RunStore and used from that store's thread. sqlite3.h stays in the .cpp.

#include "base/result.h"
#include "store/statement.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;

namespace tl::store {

class Database
{
public:
    // Opens (creating) file with foreign keys on, a busy timeout, WAL and synchronous=NORMAL.
    // Reads the header first, so a file that is not SQLite fails here and is left untouched.
    static base::Result<Database> open(const std::filesystem::path &file);

    Database(Database &&) noexcept = default;
    Database &operator=(Database &&) noexcept = default;
    ~Database();

    // Runs one or more statements that return nothing.
    base::Status exec(const std::string &sql);
    base::Result<Statement> prepare(std::string_view sql);
    // The first column of the first row of a query as an integer (PRAGMAs, counts).
    base::Result<std::int64_t> queryInt(std::string_view sql);

    std::int64_t lastInsertRowid() const;
    std::int64_t changes() const; // rows changed by the last INSERT, UPDATE or DELETE

    const std::filesystem::path &path() const { return m_path; }
    // Error context: "<file>" or "<file>, run <id>".
    std::string context() const { return m_path.string(); }
    std::string context(std::int64_t runId) const;

private:
    struct Closer
    {
        void operator()(sqlite3 *db) const;
    };
    Database(sqlite3 *db, std::filesystem::path path);
    base::Status configure();

    std::unique_ptr<sqlite3, Closer> m_db;
    std::filesystem::path m_path;
};

} // namespace tl::store
