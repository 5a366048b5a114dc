#pragma once
// The store's schema as an ordered list of migrations, tracked by PRAGMA user_version
// (internal to store/). A later version appends a migration; a shipped one never changes.

#include "base/result.h"
#include "store/database.h"

#include <cstdint>
#include <span>

namespace tl::store {

// "TLST": marks the file as a Torchlight store, so another program's database is refused.
inline constexpr std::int64_t kApplicationId = 0x544c5354;

struct Migration
{
    int version;     // user_version after this step; 1, 2, 3, … without gaps
    const char *sql; // statements run inside the migration's transaction
};

// Every migration this build knows; the last one's version is RunStore::kSchemaVersion.
std::span<const Migration> schemaMigrations();

// Brings db up to the last of `steps` in one transaction. A database with a newer version, or
// a SQLite file that is not a Torchlight store, is an error naming the file.
base::Status migrate(Database &db, std::span<const Migration> steps = schemaMigrations());

} // namespace tl::store
