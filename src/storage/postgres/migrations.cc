#include "storage/postgres/migrations.h"

#include <string>

namespace bp::storage::postgres {
namespace {

// The SQLite schema's shape (docs/storage.md). id and name compare by bytes
// (COLLATE "C"), as the other stores do, whatever the database's locale:
// List's order and uniqueness do not depend on it. Free text that may hold
// any bytes, an embedded NUL included (descriptions, tag keys and values),
// is BYTEA; identifiers and ARNs the control plane validated are TEXT.
constexpr Migration kMigrations[] = {
    {1, "profiles, their model ARNs and tags", R"sql(
CREATE TABLE profiles (
  id            TEXT COLLATE "C" NOT NULL,
  name          TEXT COLLATE "C" NOT NULL,
  description   BYTEA,
  arn           TEXT   NOT NULL,
  source_arn    TEXT   NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  CONSTRAINT profiles_pkey PRIMARY KEY (id),
  CONSTRAINT profiles_name_key UNIQUE (name)
);
CREATE TABLE profile_models (
  profile_id TEXT COLLATE "C" NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  ord        BIGINT NOT NULL,
  model_arn  TEXT   NOT NULL,
  PRIMARY KEY (profile_id, ord)
);
CREATE TABLE profile_tags (
  profile_id TEXT COLLATE "C" NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  key        BYTEA NOT NULL,
  value      BYTEA NOT NULL,
  PRIMARY KEY (profile_id, key)
);
)sql"},
    // No foreign key to profiles: a token outlives its profile, so that a
    // replayed create of a deleted profile answers kConflict.
    {2, "idempotency tokens of CreateInferenceProfile", R"sql(
CREATE TABLE idempotency_tokens (
  token          TEXT COLLATE "C" NOT NULL,
  request_digest TEXT   NOT NULL,
  profile_id     TEXT   NOT NULL,
  created_at_ms  BIGINT NOT NULL,
  CONSTRAINT idempotency_tokens_pkey PRIMARY KEY (token)
);
)sql"},
    // The usage ledger shared by the instances (docs/storage.md "The usage
    // ledger on PostgreSQL"): each instance's records, shipped from its
    // local ledger in batches, keyed by where they came from, so a batch
    // shipped twice is kept once. The columns are the SQLite ledger's;
    // tags and request_metadata are JSON objects as text (a tag value may
    // hold a NUL, which jsonb refuses; cast with ::jsonb where none does).
    // ledger_cursors: the last local id of each instance already here,
    // moved in the same transaction as its records.
    {3, "the usage ledger and its shipping cursors", R"sql(
CREATE TABLE usage_records (
  instance_id           TEXT COLLATE "C" NOT NULL,
  local_id              BIGINT  NOT NULL,
  time_ms               BIGINT  NOT NULL,
  request_id            TEXT    NOT NULL,
  principal             TEXT    NOT NULL,
  profile_name          TEXT    NOT NULL,
  profile_arn           TEXT    NOT NULL,
  model_id              TEXT    NOT NULL,
  source_region         TEXT    NOT NULL,
  serving_region        TEXT    NOT NULL,
  attempts              BIGINT  NOT NULL,
  operation             TEXT    NOT NULL,
  status                BIGINT  NOT NULL,
  error_code            TEXT    NOT NULL,
  cut_short             BOOLEAN NOT NULL,
  input_tokens          BIGINT  NOT NULL,
  output_tokens         BIGINT  NOT NULL,
  cache_read_tokens     BIGINT  NOT NULL,
  cache_write_5m_tokens BIGINT  NOT NULL,
  cache_write_1h_tokens BIGINT  NOT NULL,
  latency_ms            BIGINT  NOT NULL,
  ttft_ms               BIGINT  NOT NULL,
  service_tier          TEXT    NOT NULL,
  request_metadata      TEXT    NOT NULL,
  tags                  TEXT    NOT NULL,
  cost_micro_usd        BIGINT  NOT NULL,
  price_version         TEXT    NOT NULL,
  tokens_estimated      BOOLEAN NOT NULL,
  CONSTRAINT usage_records_pkey PRIMARY KEY (instance_id, local_id)
);
CREATE INDEX usage_records_time ON usage_records (time_ms);
CREATE TABLE ledger_cursors (
  instance_id   TEXT COLLATE "C" NOT NULL,
  shipped_id    BIGINT NOT NULL,
  shipped_at_ms BIGINT NOT NULL,
  CONSTRAINT ledger_cursors_pkey PRIMARY KEY (instance_id)
);
)sql"},
    // Limits shared by the instances (metering/lease_slot.h; docs/metering.md
    // "Limits across instances"): each limit's use in a period (a budget's
    // month, a quota's minute or day; keys like "budget/profile/NAME",
    // "rpm/principal/NAME"), and each instance's lease of what is left, live
    // until expires_at_ms (the database's clock). The instances delete
    // leases a day after they expired, and the quotas' use two days after
    // its last change (the budgets' monthly rows are kept).
    {4, "shared limits: use and leases", R"sql(
CREATE TABLE limit_usage (
  key    TEXT COLLATE "C" NOT NULL,
  period BIGINT NOT NULL,
  used   BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  CONSTRAINT limit_usage_pkey PRIMARY KEY (key, period)
);
CREATE TABLE limit_leases (
  key           TEXT COLLATE "C" NOT NULL,
  period        BIGINT NOT NULL,
  instance_id   TEXT COLLATE "C" NOT NULL,
  granted       BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  CONSTRAINT limit_leases_pkey PRIMARY KEY (key, period, instance_id)
);
CREATE INDEX limit_leases_expiry ON limit_leases (expires_at_ms);
CREATE INDEX limit_usage_updated ON limit_usage (updated_at_ms);
)sql"},
    // Every instance's calls summed by the per-call metrics' labels, moved
    // by the usage shipper in the transaction of the records it inserts, so
    // each instance's /metrics can show the same cluster totals.
    {5, "usage totals of all instances", R"sql(
CREATE TABLE usage_totals (
  profile_name       TEXT COLLATE "C" NOT NULL,
  model_id           TEXT COLLATE "C" NOT NULL,
  operation          TEXT COLLATE "C" NOT NULL,
  serving_region     TEXT COLLATE "C" NOT NULL,
  status_class       TEXT COLLATE "C" NOT NULL,
  requests           BIGINT NOT NULL,
  input_tokens       BIGINT NOT NULL,
  output_tokens      BIGINT NOT NULL,
  cache_read_tokens  BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cost_micro_usd     BIGINT NOT NULL,
  CONSTRAINT usage_totals_pkey
    PRIMARY KEY (profile_name, model_id, operation, serving_region, status_class)
);
)sql"},
};

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    BIGINT      NOT NULL PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
))sql";

}  // namespace

std::span<const Migration> ProfileStoreMigrations() { return kMigrations; }

int LatestVersion(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

Result<int64_t> CurrentSchemaVersion(Connection& conn) {
  // to_regclass follows search_path, as the unqualified names below do.
  BP_ASSIGN_OR_RETURN(Rows exists, conn.Exec("SELECT count(*) FROM (SELECT 1 WHERE "
                                             "to_regclass('schema_migrations') IS NOT NULL) t",
                                             "reading the schema version"));
  if (exists.Int(0, 0) == 0) return int64_t{0};
  BP_ASSIGN_OR_RETURN(Rows version,
                      conn.Exec("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
                                "reading the schema version"));
  return version.Int(0, 0);
}

Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations) {
  const int latest = LatestVersion(migrations);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  // Held until COMMIT or ROLLBACK; a second opener waits here, then reads
  // the version this one recorded. (pg_advisory_xact_lock returns void,
  // which has no binary output: hence the sub-select.)
  BP_RETURN_IF_ERROR(conn.Exec("SELECT count(*) FROM (SELECT pg_advisory_xact_lock($1)) l",
                               Params().Int(kMigrationLockKey), "taking the migration lock")
                         .status());
  BP_ASSIGN_OR_RETURN(int64_t current, CurrentSchemaVersion(conn));
  if (current > latest) {
    return IoError("database " + conn.display_name() + " has schema version " +
                   std::to_string(current) + "; this bedrock-profiles knows up to " +
                   std::to_string(latest) + " (upgrade bedrock-profiles)");
  }
  if (current == latest) return txn.Commit();
  BP_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable, "creating schema_migrations").status());
  for (const Migration& step : migrations) {
    BP_ASSERT(step.version >= 1);
    if (step.version <= current) continue;
    const std::string context = "applying schema migration " + std::to_string(step.version) + " (" +
                                std::string(step.description) + ")";
    // No parameters: the simple query protocol may run several statements.
    BP_RETURN_IF_ERROR(conn.ExecScript(step.sql, context));
    BP_RETURN_IF_ERROR(conn.Exec("INSERT INTO schema_migrations(version) VALUES ($1)",
                                 Params().Int(step.version), context)
                           .status());
  }
  return txn.Commit();
}

}  // namespace bp::storage::postgres
