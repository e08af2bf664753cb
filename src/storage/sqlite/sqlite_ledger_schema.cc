#include "storage/sqlite/sqlite_ledger_schema.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metering/record_json.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;
using metering::UsageRollup;

// Migration 2's step: every raw record's hourly roll-ups.
Status BuildHourlyRollups(Database& db) {
  return BuildRollupsFromRaw(db, kHourlyRollups, INT64_MIN, kLedgerRollupVersion);
}

// Migration 5's step: the minute roll-ups of the raw records of the last
// kMinuteRollupRetention before the newest one (a migration has no clock,
// and the newest call is as near to now as the ledger knows), so that a
// ledger has its recent minutes at once rather than 48 hours later.
Status BuildRecentMinuteRollups(Database& db) {
  int64_t newest = 0;
  {
    BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT max(time_ms) FROM usage_records"));
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row || !q.OptionalText(0).has_value()) return Status::Ok();  // no records
    newest = q.Int(0);
  }
  const int64_t keep_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(kMinuteRollupRetention).count();
  return BuildRollupsFromRaw(db, kMinuteRollups,
                             metering::BucketStart(newest - keep_ms, metering::kMinuteMs),
                             kLedgerMinuteVersion);
}

// Creates the roll-up table `to` with the columns of `like` as the file has
// them now (types, NOT NULL, defaults, the primary key in its order),
// to.time_column in place of like's, STRICT and WITHOUT ROWID as every
// roll-up table, and its (principal, time) index. Read from the file rather
// than written out again so that the two tables cannot differ, including
// the columns later migrations added with ALTER TABLE (v3's estimated).
Status CreateRollupTableLike(Database& db, const RollupTable& like, const RollupTable& to) {
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM "
                                          "pragma_table_info(?1) ORDER BY cid"));
  q.Bind(1, like.name);
  std::string columns;
  std::vector<std::pair<int64_t, std::string>> key;  // (position in the key, column)
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    std::string name(q.View(0));
    if (name == like.time_column) name = to.time_column;
    columns += "  " + name + " " + std::string(q.View(1)) + (q.Int(2) != 0 ? " NOT NULL" : "");
    if (std::optional<std::string> value = q.OptionalText(3)) columns += " DEFAULT " + *value;
    columns += ",\n";
    if (q.Int(4) > 0) key.emplace_back(q.Int(4), std::move(name));
  }
  if (key.empty()) {
    return IoError("usage ledger: " + std::string(like.name) + " has no primary key to copy");
  }
  std::sort(key.begin(), key.end());
  std::string key_list;
  for (const auto& [position, column] : key) {
    key_list += (key_list.empty() ? "" : ", ") + column;
  }
  const std::string name(to.name);
  const std::string time(to.time_column);
  return db.Exec("CREATE TABLE " + name + " (\n" + columns + "  PRIMARY KEY (" + key_list +
                     ")\n) STRICT, WITHOUT ROWID;\nCREATE INDEX " + name + "_by_principal ON " +
                     name + " (principal, " + time + ");",
                 "creating " + name);
}

// Migration 6's step: usage_daily, made like usage_hourly, and filled from
// its rows: the days whose hours are all there, so from the first day that
// starts at or after the roll-ups' horizon (the day holding it has lost
// hours to the retention, and a partial day would pass for a whole one).
Status CreateDailyRollups(Database& db) {
  BP_RETURN_IF_ERROR(CreateRollupTableLike(db, kHourlyRollups, kDailyRollups));
  BP_ASSIGN_OR_RETURN(LedgerHorizons horizons, ReadHorizons(db));
  int64_t from = INT64_MIN;
  if (const int64_t h = horizons.rollups_from_ms; h != 0) {
    const int64_t day = metering::BucketStart(h, metering::kDayMs);
    from = day == h ? h : day + metering::kDayMs;
  }
  return BuildRollupsFromRollups(db, kHourlyRollups, kDailyRollups, from, kLedgerDailyVersion);
}

// The ledger's schema history (the same append-only policy as the profile
// store's, docs/storage.md), in its own file and schema_migrations table.
constexpr Migration kLedgerMigrations[] = {
    {1, "usage records", R"sql(
CREATE TABLE usage_records (
  id                    INTEGER NOT NULL PRIMARY KEY,
  time_ms               INTEGER NOT NULL,
  request_id            TEXT    NOT NULL,
  principal             TEXT    NOT NULL,
  profile_name          TEXT    NOT NULL,
  profile_arn           TEXT    NOT NULL,
  model_id              TEXT    NOT NULL,
  source_region         TEXT    NOT NULL,
  serving_region        TEXT    NOT NULL,
  attempts              INTEGER NOT NULL,
  operation             TEXT    NOT NULL,
  status                INTEGER NOT NULL,
  error_code            TEXT    NOT NULL,
  cut_short             INTEGER NOT NULL,
  input_tokens          INTEGER NOT NULL,
  output_tokens         INTEGER NOT NULL,
  cache_read_tokens     INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL,
  cache_write_1h_tokens INTEGER NOT NULL,
  latency_ms            INTEGER NOT NULL,
  ttft_ms               INTEGER NOT NULL,
  service_tier          TEXT    NOT NULL,
  request_metadata      TEXT    NOT NULL,
  tags                  TEXT    NOT NULL,
  cost_micro_usd        INTEGER NOT NULL,
  price_version         TEXT    NOT NULL
) STRICT;
CREATE INDEX usage_records_by_time ON usage_records (time_ms);
)sql"},
    // WITHOUT ROWID: the key is the table's b-tree, so an hour range is one
    // contiguous read and an upsert one lookup.
    {2, "hourly roll-ups and retention horizons", R"sql(
CREATE TABLE usage_hourly (
  hour_ms               INTEGER NOT NULL,
  profile_name          TEXT    NOT NULL,
  principal             TEXT    NOT NULL,
  model_id              TEXT    NOT NULL,
  serving_region        TEXT    NOT NULL,
  operation             TEXT    NOT NULL,
  tags                  TEXT    NOT NULL,
  requests              INTEGER NOT NULL,
  errors                INTEGER NOT NULL,
  throttles             INTEGER NOT NULL,
  input_tokens          INTEGER NOT NULL,
  output_tokens         INTEGER NOT NULL,
  cache_read_tokens     INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL,
  cache_write_1h_tokens INTEGER NOT NULL,
  cost_micro_usd        INTEGER NOT NULL,
  latency_histogram     BLOB    NOT NULL,
  ttft_histogram        BLOB    NOT NULL,
  PRIMARY KEY (hour_ms, profile_name, principal, model_id, serving_region, operation, tags)
) STRICT, WITHOUT ROWID;
CREATE TABLE ledger_horizons (
  name    TEXT    NOT NULL PRIMARY KEY,
  from_ms INTEGER NOT NULL
) STRICT;
)sql",
     &BuildHourlyRollups},
    // Calls whose token counts are the endpoint's local estimate (an
    // OpenAI-compatible upstream that reported no usage). Older rows were
    // all reported figures: 0, in the raw rows and the roll-ups alike.
    {3, "estimated token counts", R"sql(
ALTER TABLE usage_records ADD COLUMN tokens_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_hourly ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
)sql"},
    // The ledger's identity, made once with the file: a ledger shipped to a
    // shared PostgreSQL is told apart from the other instances' by it
    // (docs/storage.md "The usage ledger on PostgreSQL"). randomblob() is
    // SQLite's own generator, seeded from the operating system.
    {4, "the ledger's instance id", R"sql(
CREATE TABLE ledger_meta (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO ledger_meta (name, value) VALUES ('instance_id', lower(hex(randomblob(16))));
)sql"},
    // Roll-ups by the minute, for the dashboard's short windows (kept 48 h,
    // kMinuteRollupRetention): usage_hourly's columns as they are now, the
    // minute's start in place of the hour's. The principal indexes serve a
    // reader of one principal's roll-ups (the dashboard's "own" view)
    // without reading everyone's rows of the window (docs/performance.md
    // "Dashboard reads").
    {5, "minute roll-ups and principal indexes", R"sql(
CREATE TABLE usage_minutely (
  minute_ms             INTEGER NOT NULL,
  profile_name          TEXT    NOT NULL,
  principal             TEXT    NOT NULL,
  model_id              TEXT    NOT NULL,
  serving_region        TEXT    NOT NULL,
  operation             TEXT    NOT NULL,
  tags                  TEXT    NOT NULL,
  requests              INTEGER NOT NULL,
  errors                INTEGER NOT NULL,
  throttles             INTEGER NOT NULL,
  input_tokens          INTEGER NOT NULL,
  output_tokens         INTEGER NOT NULL,
  cache_read_tokens     INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL,
  cache_write_1h_tokens INTEGER NOT NULL,
  cost_micro_usd        INTEGER NOT NULL,
  latency_histogram     BLOB    NOT NULL,
  ttft_histogram        BLOB    NOT NULL,
  estimated             INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute_ms, profile_name, principal, model_id, serving_region, operation, tags)
) STRICT, WITHOUT ROWID;
CREATE INDEX usage_hourly_by_principal ON usage_hourly (principal, hour_ms);
CREATE INDEX usage_minutely_by_principal ON usage_minutely (principal, minute_ms);
)sql",
     &BuildRecentMinuteRollups},
    // Roll-ups by the UTC day, for the dashboard's long windows: 30 days are
    // 30 rows a key instead of 720 (docs/performance.md "Dashboard reads").
    // No SQL of its own: the step makes the table like usage_hourly and
    // fills it from usage_hourly's rows (histograms merged).
    {6, "daily roll-ups", "", &CreateDailyRollups},
};

constexpr std::string_view kInsertRecord =
    "INSERT INTO usage_records (time_ms, request_id, principal, profile_name, profile_arn, "
    "model_id, source_region, serving_region, attempts, operation, status, error_code, cut_short, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, "
    "cache_write_1h_tokens, latency_ms, ttft_ms, service_tier, request_metadata, tags, "
    "cost_micro_usd, price_version, tokens_estimated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";
// The same before migration 3 (a ledger of an older schema, as the
// migration tests write one): without tokens_estimated.
constexpr std::string_view kInsertRecordV1 =
    "INSERT INTO usage_records (time_ms, request_id, principal, profile_name, profile_arn, "
    "model_id, source_region, serving_region, attempts, operation, status, error_code, cut_short, "
    "input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, "
    "cache_write_1h_tokens, latency_ms, ttft_ms, service_tier, request_metadata, tags, "
    "cost_micro_usd, price_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";

// The columns of each table as migrations 1 and 2 made them; migration 3
// appended one to each (kRecordColumnsV1 + tokens_estimated,
// kRollupColumnsV2 + estimated). A roll-up table's columns follow its time
// column (hour_ms, minute_ms).
constexpr std::string_view kRecordColumnsV1 =
    "time_ms, request_id, principal, profile_name, profile_arn, model_id, source_region, "
    "serving_region, attempts, operation, status, error_code, cut_short, input_tokens, "
    "output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, latency_ms, "
    "ttft_ms, service_tier, request_metadata, tags, cost_micro_usd, price_version";

constexpr std::string_view kRollupColumnsV2 =
    "profile_name, principal, model_id, serving_region, operation, tags, requests, errors, "
    "throttles, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, "
    "cache_write_1h_tokens, cost_micro_usd, latency_histogram, ttft_histogram";

std::string KeyWhere(const RollupTable& table) {
  return " WHERE " + std::string(table.time_column) +
         " = ?1 AND profile_name = ?2 AND principal = ?3 AND model_id = ?4 AND "
         "serving_region = ?5 AND operation = ?6 AND tags = ?7";
}

Query& BindKey(Query& q, const metering::UsageRollupKey& k, const std::string& tags_json) {
  return q.Bind(1, k.start_ms)
      .Bind(2, k.profile_name)
      .Bind(3, k.principal)
      .Bind(4, k.model_id)
      .Bind(5, k.serving_region)
      .Bind(6, metering::OperationName(k.operation))
      .Bind(7, tags_json);
}

// Sums rows that come in time order into the buckets of `table` and
// writes each bucket's roll-ups once a row of a later bucket comes: a
// migration holds one bucket's keys at a time.
class BucketWriter final {
 public:
  BucketWriter(Database& db, const RollupTable& table, int version)
      : db_(db), table_(table), version_(version), sums_(table.width_ms) {}

  // Call before adding a row that starts at `time_ms` to sums(): writes the
  // bucket summed so far when the row is of a later one.
  Status Next(int64_t time_ms) {
    const int64_t start = metering::BucketStart(time_ms, table_.width_ms);
    if (!sums_.empty() && start != current_) BP_RETURN_IF_ERROR(Flush());
    current_ = start;
    return Status::Ok();
  }
  metering::RollupSums& sums() { return sums_; }
  // Writes what is summed.
  Status Flush() {
    for (const auto& [key, rollup] : sums_.rollups()) {
      BP_RETURN_IF_ERROR(UpsertRollup(db_, table_, rollup, version_));
    }
    sums_.Clear();
    return Status::Ok();
  }

 private:
  Database& db_;
  const RollupTable& table_;
  const int version_;
  metering::RollupSums sums_;
  int64_t current_ = 0;
};

Status DamagedRollup(int64_t start_ms, std::string_view what) {
  return IoError("usage ledger: the roll-up starting at " + std::to_string(start_ms) + " has " +
                 std::string(what) + " (a damaged row)");
}

}  // namespace

Result<std::string> ReadInstanceId(Database& db) {
  BP_ASSIGN_OR_RETURN(std::string id,
                      db.QueryText("SELECT value FROM ledger_meta WHERE name = 'instance_id'",
                                   "reading the ledger's instance id"));
  if (id.empty()) return IoError("usage ledger " + db.path().string() + " has no instance id");
  return id;
}

std::string RecordColumns(int version) {
  return std::string(kRecordColumnsV1) +
         (version >= kLedgerEstimatedVersion ? ", tokens_estimated" : ", 0");
}

std::string RollupColumns(const RollupTable& table, int version) {
  return std::string(table.time_column) + ", " + std::string(kRollupColumnsV2) +
         (version >= kLedgerEstimatedVersion ? ", estimated" : ", 0");
}

std::span<const Migration> LedgerMigrations() { return kLedgerMigrations; }

Status InsertRecord(Database& db, const UsageRecord& r, int version) {
  // Every text outlives the query (BindKept: SQLite copies none of them).
  const std::string metadata = metering::MetadataToJson(r.request_metadata);
  const std::string tags = metering::TagsToJson(r.tags);
  const bool with_estimated = version >= kLedgerEstimatedVersion;
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare(with_estimated ? kInsertRecord : kInsertRecordV1));
  q.Bind(1, r.time_ms)
      .BindKept(2, r.request_id)
      .BindKept(3, r.principal)
      .BindKept(4, r.profile_name)
      .BindKept(5, r.profile_arn)
      .BindKept(6, r.model_id)
      .BindKept(7, r.source_region)
      .BindKept(8, r.serving_region)
      .Bind(9, int64_t{r.attempts})
      .BindKept(10, metering::OperationName(r.operation))
      .Bind(11, int64_t{r.status})
      .BindKept(12, r.error_code)
      .Bind(13, int64_t{r.cut_short ? 1 : 0})
      .Bind(14, r.tokens.input)
      .Bind(15, r.tokens.output)
      .Bind(16, r.tokens.cache_read)
      .Bind(17, r.tokens.cache_write_5m)
      .Bind(18, r.tokens.cache_write_1h)
      .Bind(19, r.latency_ms)
      .Bind(20, r.ttft_ms)
      .BindKept(21, r.service_tier)
      .BindKept(22, metadata)
      .BindKept(23, tags)
      .Bind(24, r.cost_micro_usd)
      .BindKept(25, r.price_version);
  if (with_estimated) q.Bind(26, int64_t{r.tokens_estimated ? 1 : 0});
  return q.Run();
}

Status UpsertRollup(Database& db, const RollupTable& table, const UsageRollup& rollup,
                    int version) {
  const std::string tags_json = metering::TagsToJson(rollup.key.tags);
  UsageRollup merged = rollup;
  {
    BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT " + RollupColumns(table, version) + " FROM " +
                                            std::string(table.name) + KeyWhere(table)));
    BindKey(q, rollup.key, tags_json);
    BP_ASSIGN_OR_RETURN(bool found, q.Step());
    if (found) {
      UsageRollup stored;
      BP_RETURN_IF_ERROR(ReadRollup(q, RollupFields{.tags = false}, stored));
      merged.Merge(stored);
    }
  }
  // Before migration 3 (migration 2 building the roll-ups of a v1 ledger)
  // there is no estimated column, and no estimated call to count.
  const bool with_estimated = version >= kLedgerEstimatedVersion;
  BP_ASSIGN_OR_RETURN(
      Query q, db.Prepare("INSERT OR REPLACE INTO " + std::string(table.name) + " (" +
                          std::string(table.time_column) + ", " + std::string(kRollupColumnsV2) +
                          (with_estimated ? ", estimated" : "") +
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                          "?15, ?16, ?17, ?18" +
                          (with_estimated ? ", ?19)" : ")")));
  BindKey(q, rollup.key, tags_json)
      .Bind(8, merged.requests)
      .Bind(9, merged.errors)
      .Bind(10, merged.throttles)
      .Bind(11, merged.tokens.input)
      .Bind(12, merged.tokens.output)
      .Bind(13, merged.tokens.cache_read)
      .Bind(14, merged.tokens.cache_write_5m)
      .Bind(15, merged.tokens.cache_write_1h)
      .Bind(16, merged.cost_micro_usd)
      .BindBlob(17, merged.latency.Encode())
      .BindBlob(18, merged.ttft.Encode());
  if (with_estimated) q.Bind(19, merged.estimated);
  return q.Run();
}

Status BuildRollupsFromRaw(Database& db, const RollupTable& table, int64_t from_ms, int version) {
  // Raw rows in time order, so the roll-ups of one bucket are complete (and
  // written) before the next bucket starts.
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT " + RecordColumns(version) +
                                          " FROM usage_records WHERE time_ms >= ?1 "
                                          "ORDER BY time_ms"));
  q.Bind(1, from_ms);
  BucketWriter out(db, table, version);
  UsageRecord r;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ReadRecord(q, /*tags=*/true, /*metadata=*/false, r);
    BP_RETURN_IF_ERROR(out.Next(r.time_ms));
    out.sums().Add(r);
  }
  return out.Flush();
}

Status BuildRollupsFromRollups(Database& db, const RollupTable& from, const RollupTable& to,
                               int64_t from_ms, int version) {
  // In from's key order, which starts with the time: no sort, and each of
  // to's buckets is complete before the next one starts.
  const std::string time(from.time_column);
  BP_ASSIGN_OR_RETURN(
      Query q, db.Prepare("SELECT " + RollupColumns(from, version) + " FROM " +
                          std::string(from.name) + " WHERE " + time + " >= ?1 ORDER BY " + time));
  q.Bind(1, from_ms);
  BucketWriter out(db, to, version);
  UsageRollup u;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    BP_RETURN_IF_ERROR(ReadRollup(q, RollupFields{}, u));
    BP_RETURN_IF_ERROR(out.Next(u.key.start_ms));
    out.sums().Merge(u);
  }
  return out.Flush();
}

void ReadRecord(const Query& q, bool tags, bool metadata, UsageRecord& r) {
  r.time_ms = q.Int(0);
  r.request_id = q.View(1);
  r.principal = q.View(2);
  r.profile_name = q.View(3);
  r.profile_arn = q.View(4);
  r.model_id = q.View(5);
  r.source_region = q.View(6);
  r.serving_region = q.View(7);
  r.attempts = static_cast<int32_t>(q.Int(8));
  r.operation = metering::OperationFromName(q.View(9)).value_or(metering::Operation::kConverse);
  r.status = static_cast<int32_t>(q.Int(10));
  r.error_code = q.View(11);
  r.cut_short = q.Int(12) != 0;
  r.tokens = {.input = q.Int(13),
              .output = q.Int(14),
              .cache_read = q.Int(15),
              .cache_write_5m = q.Int(16),
              .cache_write_1h = q.Int(17)};
  r.latency_ms = q.Int(18);
  r.ttft_ms = q.Int(19);
  r.service_tier = q.View(20);
  r.request_metadata =
      metadata ? metering::MetadataFromJson(q.View(21)) : decltype(r.request_metadata){};
  r.tags = tags ? metering::TagsFromJson(q.View(22)) : Tags{};
  r.cost_micro_usd = q.Int(23);
  r.price_version = q.View(24);
  r.tokens_estimated = q.Int(25) != 0;
}

Status ReadRollup(const Query& q, const RollupFields& fields, UsageRollup& out) {
  metering::UsageRollupKey& k = out.key;
  k.start_ms = q.Int(0);
  auto text = [&q](bool wanted, int column, std::string& into) {
    if (wanted) {
      into.assign(q.View(column));
    } else {
      into.clear();
    }
  };
  text(fields.profile, 1, k.profile_name);
  text(fields.principal, 2, k.principal);
  text(fields.model, 3, k.model_id);
  text(fields.region, 4, k.serving_region);
  std::optional<metering::Operation> op = metering::OperationFromName(q.View(5));
  if (!op) return DamagedRollup(k.start_ms, "an unknown operation");
  k.operation = *op;
  k.tags = fields.tags ? metering::TagsFromJson(q.View(6)) : Tags{};
  out.requests = q.Int(7);
  out.errors = q.Int(8);
  out.throttles = q.Int(9);
  out.tokens = {.input = q.Int(10),
                .output = q.Int(11),
                .cache_read = q.Int(12),
                .cache_write_5m = q.Int(13),
                .cache_write_1h = q.Int(14)};
  out.cost_micro_usd = q.Int(15);
  if (!metering::LatencyHistogram::DecodeInto(q.View(16), out.latency) ||
      !metering::LatencyHistogram::DecodeInto(q.View(17), out.ttft)) {
    return DamagedRollup(k.start_ms, "a damaged histogram");
  }
  out.estimated = q.Int(18);
  return Status::Ok();
}

Result<LedgerHorizons> ReadHorizons(Database& db) {
  LedgerHorizons out;
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT name, from_ms FROM ledger_horizons"));
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (q.View(0) == "raw") out.raw_from_ms = q.Int(1);
    if (q.View(0) == "rollups") out.rollups_from_ms = q.Int(1);
  }
  return out;
}

Status RaiseHorizon(Database& db, std::string_view name, int64_t from_ms) {
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare("INSERT INTO ledger_horizons (name, from_ms) VALUES "
                                          "(?1, ?2) ON CONFLICT (name) DO UPDATE SET from_ms = "
                                          "max(from_ms, excluded.from_ms)"));
  return q.Bind(1, name).Bind(2, from_ms).Run();
}

}  // namespace bp::storage::sqlite
