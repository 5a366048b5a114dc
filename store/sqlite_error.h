#pragma once
// Turning an SQLite result code into a base::Error a user can read (internal to store/).

#include "base/result.h"

#include <string>

namespace tl::store {

// what: the operation in a few words ("Preparing a query"); sqliteMessage: sqlite3_errmsg().
base::Error sqliteError(int resultCode,
                        const std::string &what,
                        const char *sqliteMessage,
                        std::string context);

} // namespace tl::store
