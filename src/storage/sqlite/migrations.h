#pragma once
// Versioned schema migrations for the SQLite profile store. Private to
// storage/sqlite (the store's tests use it too).
//
// Policy (docs/storage.md): the list is append-only. A released step is never
// edited or removed; a schema change is a new step with the next version.
// Each step runs in its own IMMEDIATE transaction together with the insert of
// its row into schema_migrations, so a crash leaves the database at a whole
// version. A binary refuses a database whose version is newer than its list.

#include <span>
#include <string_view>

#include "core/status.h"
#include "storage/sqlite/sqlite_db.h"

namespace bp::storage::sqlite {

struct Migration {
  int version;                   // 1, 2, 3, ... without gaps
  std::string_view description;  // for logs and docs
  std::string_view sql;          // one or more statements
  // Optional: runs after `sql`, in the same transaction, for what SQL alone
  // cannot do (the ledger's roll-ups built from its raw records).
  Status (*then)(Database& db) = nullptr;
};

// The profile store's schema history, oldest first.
std::span<const Migration> ProfileStoreMigrations();

// The version a database has after `migrations` ran: the last step's, or 0.
int LatestVersion(std::span<const Migration> migrations);

// The highest version recorded in schema_migrations; 0 for a database that
// has no such table yet (a new file).
Result<int> CurrentSchemaVersion(Database& db);

// Creates schema_migrations if needed, then applies every step of
// `migrations` newer than the database's version, in order. kIo naming both
// versions if the database is newer than `migrations` knows (an older binary
// on a newer database); kIo if a step fails (that step is rolled back, earlier
// ones stay). REQUIRES: versions in `migrations` are 1..N in order.
Status ApplyMigrations(Database& db, std::span<const Migration> migrations);

}  // namespace bp::storage::sqlite
