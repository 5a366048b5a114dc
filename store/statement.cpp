#include "store/statement.h"

#include "store/sqlite_error.h"

#include <sqlite3.h>

#include <limits>

namespace tl::store {

void Statement::Finalizer::operator()(sqlite3_stmt *stmt) const
{
    sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3_stmt *stmt, std::string context)
    : m_stmt(stmt)
    , m_context(std::move(context))
{}

Statement::~Statement() = default;

void Statement::noteBind(int rc)
{
    if (rc != SQLITE_OK && m_bindError == 0) {
        m_bindError = rc;
    }
}

Statement &Statement::bind(int index, std::int64_t value)
{
    noteBind(sqlite3_bind_int64(m_stmt.get(), index, value));
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    noteBind(sqlite3_bind_double(m_stmt.get(), index, value));
    return *this;
}

Statement &Statement::bind(int index, std::string_view text)
{
    noteBind(sqlite3_bind_text64(m_stmt.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8));
    return *this;
}

Statement &Statement::bindBlob(int index, std::string_view bytes)
{
    // A zero-length blob with a null pointer would bind NULL; the column wants an empty blob.
    static const char kEmpty = 0;
    const char *data = bytes.empty() ? &kEmpty : bytes.data();
    noteBind(sqlite3_bind_blob64(m_stmt.get(), index, data, bytes.size(), SQLITE_TRANSIENT));
    return *this;
}

base::Result<bool> Statement::step()
{
    if (m_bindError != 0) {
        const int rc = m_bindError;
        m_bindError = 0;
        return sqliteError(rc, "Binding a query parameter", sqlite3_errstr(rc), m_context);
    }
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    base::Error error = sqliteError(rc, "A database query",
                                    sqlite3_errmsg(sqlite3_db_handle(m_stmt.get())), m_context);
    sqlite3_reset(m_stmt.get());
    return error;
}

base::Status Statement::run()
{
    for (;;) {
        auto row = step();
        if (!row) {
            reset();
            return row.error();
        }
        if (!row.value()) {
            break;
        }
    }
    reset();
    return base::okStatus();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt.get());
}

std::int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt.get(), column);
}

double Statement::real(int column) const
{
    if (isNull(column)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return sqlite3_column_double(m_stmt.get(), column);
}

std::string Statement::text(int column) const
{
    const auto *data = sqlite3_column_text(m_stmt.get(), column);
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    return data ? std::string(reinterpret_cast<const char *>(data), static_cast<std::size_t>(size))
                : std::string();
}

std::string Statement::blob(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt.get(), column);
    const int size = sqlite3_column_bytes(m_stmt.get(), column);
    return data ? std::string(static_cast<const char *>(data), static_cast<std::size_t>(size))
                : std::string();
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

} // namespace tl::store
