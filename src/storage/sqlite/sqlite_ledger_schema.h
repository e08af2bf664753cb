#pragma once
// The usage ledger's schema and row mapping (docs/metering.md "The ledger"):
// its migrations, how a UsageRecord and an hourly UsageRollup are written to
// and read from their tables, and the horizons below which the retention
// deleted rows. Private to storage/sqlite (SqliteLedger, the ledger's
// queries and their tests).
//
// Tables (schema version 2):
//   usage_records     one row per call (v1), indexed by time_ms
//   usage_hourly      one row per (hour, profile, principal, model, serving
//                     region, operation, tag set): the figures of those calls
//                     and their latency / TTFT histograms (metering/usage_rollup.h)
//   ledger_horizons   'raw' / 'rollups' -> from_ms: rows older than this may
//                     have been deleted by the retention (absent: none were)
// Raw rows and roll-ups are written in the same transaction, so they never
// disagree, also after a crash.
//
// Not thread-safe: the caller owns the Database (see sqlite_db.h).

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "metering/usage_record.h"
#include "metering/usage_rollup.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"

namespace bp::storage::sqlite {

// The first schema version with usage_hourly and ledger_horizons.
inline constexpr int kLedgerRollupVersion = 2;

std::span<const Migration> LedgerMigrations();

// Appends one raw row.
Status InsertRecord(Database& db, const metering::UsageRecord& record);

// Adds `rollup` to the row of its key (creating it): counts and tokens
// summed, histograms merged. kIo when the stored row's histograms are
// damaged. REQUIRES: inside a write transaction.
Status UpsertRollup(Database& db, const metering::UsageRollup& rollup);

// Adds every raw record to the roll-ups, hour by hour (the v2 migration;
// usable on a ledger whose usage_hourly is empty).
Status BuildRollupsFromRaw(Database& db);

// SELECT lists and readers of the two tables. `tags` / `metadata`: whether
// to parse those JSON columns (left empty otherwise, which is cheaper).
extern const std::string_view kRecordColumns;
extern const std::string_view kRollupColumns;
void ReadRecord(const Query& q, bool tags, bool metadata, metering::UsageRecord& out);
// Which key columns of a roll-up to read (the others are left empty):
// reading is most of what a long report costs.
struct RollupFields {
  bool profile = true;
  bool principal = true;
  bool model = true;
  bool region = true;
  bool tags = true;
};
// `out` is reused from row to row (its strings and histograms keep their
// memory). kIo naming the row's hour for a damaged histogram or operation.
Status ReadRollup(const Query& q, const RollupFields& fields, metering::UsageRollup& out);

struct LedgerHorizons {
  int64_t raw_from_ms = 0;      // raw records older than this may be gone; 0: none are
  int64_t rollups_from_ms = 0;  // likewise the roll-ups (by hour start)
};
Result<LedgerHorizons> ReadHorizons(Database& db);
// Sets the horizon `name` ("raw" or "rollups") to at least `from_ms`.
Status RaiseHorizon(Database& db, std::string_view name, int64_t from_ms);

}  // namespace bp::storage::sqlite
