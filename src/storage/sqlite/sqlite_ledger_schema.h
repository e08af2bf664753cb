#pragma once
// The usage ledger's schema and row mapping (docs/metering.md "The ledger"):
// its migrations, how a UsageRecord and a UsageRollup (hourly, by the minute
// or daily) are written to and read from their tables, and the horizons
// below which the retention deleted rows. Private to storage/sqlite
// (SqliteLedger, the ledger's queries and their tests).
//
// Tables (schema version 6):
//   usage_records     one row per call (v1; v3 added tokens_estimated), indexed by time_ms
//   usage_hourly      one row per (hour, profile, principal, model, serving
//                     region, operation, tag set): the figures of those calls
//                     and their latency / TTFT histograms (metering/usage_rollup.h;
//                     v3 added estimated, the count of calls with estimated tokens)
//   usage_minutely    the same per minute (v5; minute_ms, the minute's start,
//                     in place of hour_ms), kept for kMinuteRollupRetention
//   usage_daily       the same per UTC day (v6; day_ms, the day's start), made
//                     with usage_hourly's columns and built from its rows
//   ledger_horizons   'raw' / 'rollups' -> from_ms: rows older than this may
//                     have been deleted by the retention (absent: none were)
//   ledger_meta       'instance_id' -> 32 hex digits, made with the file (v4)
// Every roll-up table is also indexed by (principal, time) (v5, v6), for a
// reader of one principal's roll-ups.
// usage_records.id only grows: the retention never deletes the newest row,
// so SQLite never hands out an id again (a shipper's cursor relies on it).
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
// The first with usage_records.tokens_estimated and usage_hourly.estimated.
inline constexpr int kLedgerEstimatedVersion = 3;
// The first with ledger_meta (the instance id).
inline constexpr int kLedgerMetaVersion = 4;
// The first with usage_minutely and the principal indexes.
inline constexpr int kLedgerMinuteVersion = 5;
// The first with usage_daily.
inline constexpr int kLedgerDailyVersion = 6;
// The version this binary writes (the last migration's).
inline constexpr int kLedgerLatestVersion = kLedgerDailyVersion;

// One roll-up table: its name, its key's time column and how wide its
// buckets are. The tables have the same columns but the time's name.
struct RollupTable {
  std::string_view name;
  std::string_view time_column;
  int64_t width_ms;
};
inline constexpr RollupTable kHourlyRollups{"usage_hourly", "hour_ms", metering::kHourMs};
inline constexpr RollupTable kMinuteRollups{"usage_minutely", "minute_ms", metering::kMinuteMs};
inline constexpr RollupTable kDailyRollups{"usage_daily", "day_ms", metering::kDayMs};

std::span<const Migration> LedgerMigrations();

// Appends one raw row to a ledger at schema `version` (before v3 without
// tokens_estimated: how the migration tests write an older ledger).
Status InsertRecord(Database& db, const metering::UsageRecord& record,
                    int version = kLedgerLatestVersion);

// Adds `rollup` to the row of its key in `table` (creating it): counts and
// tokens summed, histograms merged. kIo when the stored row's histograms are
// damaged. `version`: the ledger's schema version (before v3 the estimated
// count is neither read nor written). REQUIRES: inside a write transaction;
// rollup.key.start_ms on one of the table's bucket starts.
Status UpsertRollup(Database& db, const RollupTable& table, const metering::UsageRollup& rollup,
                    int version = kLedgerLatestVersion);

// Adds every raw record with time_ms >= from_ms to the roll-ups of `table`,
// bucket by bucket in time order (memory: one bucket's keys). The ledger is
// read and written at schema `version`. The v2 migration's step (every
// record, hourly) and the v5 one's (the last kMinuteRollupRetention, by the
// minute); meant for a table that holds none of those buckets yet.
Status BuildRollupsFromRaw(Database& db, const RollupTable& table, int64_t from_ms, int version);

// Adds every roll-up of `from` whose start is >= from_ms to the roll-ups of
// `to`, whose buckets are wider (a multiple of from's): bucket by bucket of
// `to` in time order, figures summed and histograms merged (memory: one of
// to's buckets' keys). The v6 migration's step (hourly into daily); meant
// for a table that holds none of those buckets yet.
Status BuildRollupsFromRollups(Database& db, const RollupTable& from, const RollupTable& to,
                               int64_t from_ms, int version);

// SELECT lists and readers of the tables. The lists are those of a
// ledger at schema `version` (a reader opens an older ledger unmigrated, and
// migration 2 runs on a v1 one): a column added later reads as its default,
// 0, so the readers see one shape. `tags` / `metadata`: whether to parse
// those JSON columns (left empty otherwise, which is cheaper).
std::string RecordColumns(int version = kLedgerLatestVersion);
// How many columns RecordColumns lists (a query may select more after them).
inline constexpr int kRecordColumnCount = 26;
std::string RollupColumns(const RollupTable& table, int version = kLedgerLatestVersion);
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

// The ledger's instance id (ledger_meta, schema version 4 on). kIo when
// the row is missing (a damaged file).
Result<std::string> ReadInstanceId(Database& db);

struct LedgerHorizons {
  int64_t raw_from_ms = 0;      // raw records older than this may be gone; 0: none are
  int64_t rollups_from_ms = 0;  // likewise the roll-ups (by hour start)
};
Result<LedgerHorizons> ReadHorizons(Database& db);
// Sets the horizon `name` ("raw" or "rollups") to at least `from_ms`.
Status RaiseHorizon(Database& db, std::string_view name, int64_t from_ms);

}  // namespace bp::storage::sqlite
