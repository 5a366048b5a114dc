#pragma once
// Statement: one prepared SQLite statement, stepped and reset many times (internal to store/).
// Owned by whoever prepared it; it must not outlive its Database. sqlite3.h stays in the .cpp.

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace tl::store {

class Statement
{
public:
    Statement(Statement &&) noexcept = default;
    Statement &operator=(Statement &&) noexcept = default;
    ~Statement();

    // Parameters are 1-based, as in SQL's ?1. A failed bind is reported by the next step().
    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, double value); // NaN is stored as NULL (SQLite has no NaN)
    Statement &bind(int index, std::string_view text);
    Statement &bindBlob(int index, std::string_view bytes);

    // True when a row is ready to read, false when the statement has finished.
    base::Result<bool> step();
    // Steps a statement that returns no rows to its end and resets it for the next use.
    base::Status run();
    // Ready to step again from the start; bindings are kept.
    void reset();

    // Columns are 0-based. real() reads NULL as NaN, the inverse of bind(double).
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::string blob(int column) const;
    bool isNull(int column) const;

private:
    friend class Database;
    struct Finalizer
    {
        void operator()(sqlite3_stmt *stmt) const;
    };
    Statement(sqlite3_stmt *stmt, std::string context);
    void noteBind(int rc);

    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
    std::string m_context; // the database file, for errors
    int m_bindError = 0;   // first failed bind's result code; 0 when all succeeded
};

// Steps a query to its end, handing each row to onRow.
template<typename OnRow>
base::Status forEachRow(Statement &query, OnRow onRow)
{
    for (;;) {
        auto row = query.step();
        if (!row) {
            return row.error();
        }
        if (!row.value()) {
            return base::okStatus();
        }
        onRow(query);
    }
}

} // namespace tl::store
