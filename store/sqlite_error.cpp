#include "store/sqlite_error.h"

#include <sqlite3.h>

namespace tl::store {

base::Error
sqliteError(int resultCode, const std::string &what, const char *sqliteMessage, std::string context)
{
    using base::ErrorCode;
    const std::string detail = sqliteMessage ? sqliteMessage : sqlite3_errstr(resultCode);
    switch (resultCode & 0xff) {
    case SQLITE_NOTADB:
        return base::makeError(ErrorCode::InvalidInput,
                               "The file is not a SQLite database (" + detail + ").",
                               std::move(context));
    case SQLITE_CORRUPT:
        return base::makeError(ErrorCode::InvalidInput,
                               "The database file is damaged (" + detail + ").",
                               std::move(context));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return base::makeError(ErrorCode::Io,
                               what + " failed: another program holds the database locked ("
                                   + detail + ").",
                               std::move(context));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return base::makeError(ErrorCode::Io, what + " failed (" + detail + ").",
                               std::move(context));
    default:
        return base::makeError(ErrorCode::Backend, what + " failed (" + detail + ").",
                               std::move(context));
    }
}

} // namespace tl::store
