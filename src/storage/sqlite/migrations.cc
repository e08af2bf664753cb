#include "storage/sqlite/migrations.h"

#include <charconv>
#include <string>

namespace bp::storage::sqlite {
namespace {

// STRICT tables make SQLite enforce the declared column types.
constexpr Migration kMigrations[] = {
    {1, "profiles, their model ARNs and tags", R"sql(
CREATE TABLE profiles (
  id            TEXT    NOT NULL PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  description   TEXT,
  arn           TEXT    NOT NULL,
  source_arn    TEXT    NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE profile_models (
  profile_id TEXT    NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  ord        INTEGER NOT NULL,
  model_arn  TEXT    NOT NULL,
  PRIMARY KEY (profile_id, ord)
) STRICT;
CREATE TABLE profile_tags (
  profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (profile_id, key)
) STRICT;
)sql"},
    // No foreign key to profiles: a token outlives its profile, so that a
    // replayed create of a deleted profile answers kConflict.
    {2, "idempotency tokens of CreateInferenceProfile", R"sql(
CREATE TABLE idempotency_tokens (
  token          TEXT    NOT NULL PRIMARY KEY,
  request_digest TEXT    NOT NULL,
  profile_id     TEXT    NOT NULL,
  created_at_ms  INTEGER NOT NULL
) STRICT;
)sql"},
};

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT)sql";

Status ApplyStep(Database& db, const Migration& step) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Transaction::Kind::kWrite));
  // Re-read under the write lock: another opener may have applied it.
  BP_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(db));
  if (current >= step.version) return txn.Commit();
  const std::string context = "applying schema migration " + std::to_string(step.version) + " (" +
                              std::string(step.description) + ")";
  BP_RETURN_IF_ERROR(db.Exec(std::string(step.sql), context));
  if (step.then != nullptr) {
    if (Status s = step.then(db); !s.ok()) {
      return Status(s.code(), context + ": " + s.message());
    }
  }
  BP_ASSIGN_OR_RETURN(Query record,
                      db.Prepare("INSERT INTO schema_migrations(version) VALUES (?1)"));
  BP_RETURN_IF_ERROR(record.Bind(1, int64_t{step.version}).Run());
  return txn.Commit();
}

}  // namespace

std::span<const Migration> ProfileStoreMigrations() { return kMigrations; }

int LatestVersion(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

Result<int> CurrentSchemaVersion(Database& db) {
  BP_ASSIGN_OR_RETURN(std::string has_table,
                      db.QueryText("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                   "AND name = 'schema_migrations'",
                                   "reading the schema version"));
  if (has_table == "0") return 0;
  BP_ASSIGN_OR_RETURN(std::string version,
                      db.QueryText("SELECT coalesce(max(version), 0) FROM schema_migrations",
                                   "reading the schema version"));
  int parsed = 0;
  const char* end = version.data() + version.size();
  if (std::from_chars(version.data(), end, parsed).ptr != end || version.empty()) {
    return IoError("database " + db.path().string() + ": schema_migrations holds a version '" +
                   version + "' that is not a number");
  }
  return parsed;
}

Status ApplyMigrations(Database& db, std::span<const Migration> migrations) {
  BP_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(db));
  const int latest = LatestVersion(migrations);
  if (current > latest) {
    return IoError("database " + db.path().string() + ": schema version " +
                   std::to_string(current) + " is newer than this binary supports (" +
                   std::to_string(latest) + "); upgrade bedrock-profiles");
  }
  if (current == latest) return Status::Ok();
  BP_RETURN_IF_ERROR(db.Exec(std::string(kCreateMigrationsTable), "creating schema_migrations"));
  for (const Migration& step : migrations) {
    BP_ASSERT(step.version >= 1);
    if (step.version <= current) continue;
    BP_RETURN_IF_ERROR(ApplyStep(db, step));
  }
  return Status::Ok();
}

}  // namespace bp::storage::sqlite
