#pragma once
// Versioned schema migrations for the PostgreSQL profile store. Private to
// storage/postgres (the store's tests use it too).
//
// Policy (docs/storage.md): the list is append-only, as SQLite's is. Open
// applies every missing step in ONE transaction that first takes a
// transaction-scoped advisory lock (pg_advisory_xact_lock), so any number of
// instances starting together apply each step exactly once: the others wait
// for the lock, then find the steps recorded. A database whose version is
// newer than this binary's list is refused.

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "storage/postgres/pg_conn.h"

namespace bp::storage::postgres {

struct Migration {
  int version;                   // 1, 2, 3, ... without gaps
  std::string_view description;  // for logs and docs
  std::string_view sql;          // one or more statements, no parameters
};

// The advisory lock key the migrations hold (one for this application, so
// other users of the database's advisory locks are unaffected).
inline constexpr int64_t kMigrationLockKey = 0x62702d736368656d;  // "bp-schem"

// The profile store's schema history, oldest first.
std::span<const Migration> ProfileStoreMigrations();

// The version a database has after `migrations` ran: the last step's, or 0.
int LatestVersion(std::span<const Migration> migrations);

// The highest version in schema_migrations; 0 when the table does not exist.
Result<int64_t> CurrentSchemaVersion(Connection& conn);

// Under the advisory lock, in one transaction: creates schema_migrations if
// needed and applies every step newer than the database's version. kIo
// "<db> has schema version N; this bedrock-profiles knows up to M" for a
// newer database; kIo naming the step if one fails (nothing is applied).
// REQUIRES: versions in `migrations` are 1..N in order.
Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations);

}  // namespace bp::storage::postgres
