// The ledger's readers (sqlite_ledger.h): ScanUsage, ScanUsageHourly,
// QueryUsage, ScanUsageRollups and LatestUsageRecords, over a read-only
// connection and one read transaction, so raw records and roll-ups come from
// the same snapshot.

#include <algorithm>
#include <optional>
#include <utility>

#include "core/clock.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "storage/sqlite/sqlite_ledger_schema.h"

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;
using metering::UsageRollup;

// A read-only view of the ledger: connection, then the transaction over it
// (destroyed first).
struct Snapshot {
  std::unique_ptr<Database> db;
  std::optional<Transaction> txn;
  int version = 0;  // 0: created, never migrated (no records)
  LedgerHorizons horizons;

  bool has_rollups() const { return version >= kLedgerRollupVersion; }
};

Result<Snapshot> OpenSnapshot(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = state_dir / SqliteLedger::kFileName;
  Snapshot s;
  BP_ASSIGN_OR_RETURN(s.db, Database::OpenReadOnly(path, std::chrono::milliseconds(5000)));
  // Long reports read much of the file: mapped pages spare a copy per page.
  // (SQLite falls back to reads where mapping is not possible.)
  BP_RETURN_IF_ERROR(s.db->Exec("PRAGMA mmap_size = 1073741824", "setting mmap_size"));
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*s.db, Transaction::Kind::kRead));
  s.txn.emplace(std::move(txn));
  BP_ASSIGN_OR_RETURN(s.version, CurrentSchemaVersion(*s.db));
  const int known = LatestVersion(LedgerMigrations());
  if (s.version > known) {
    return IoError("usage ledger " + path.string() + " has schema version " +
                   std::to_string(s.version) + ", newer than this binary knows (" +
                   std::to_string(known) + "); use a newer bedrock-profiles");
  }
  if (s.has_rollups()) {
    BP_ASSIGN_OR_RETURN(s.horizons, ReadHorizons(*s.db));
  }
  return s;
}

struct Interval {
  int64_t from = 0;
  int64_t to = 0;
  bool empty() const { return from >= to; }
};

// What to read for a window: raw records of some intervals, roll-ups of
// whole hours of another, and what is missing, in words.
struct Plan {
  std::vector<Interval> raw;
  Interval rollups;
  std::vector<std::string> notes;
};

int64_t HourCeil(int64_t ms) {
  const int64_t floor = metering::HourStart(ms);
  return floor == ms ? ms : floor + metering::kHourMs;
}

std::string At(int64_t ms) { return FormatRfc3339(FromUnixMillis(ms)); }

// Raw records of `wanted` from the raw horizon on; a note for what lies before it.
void AddRaw(Plan& plan, Interval wanted, int64_t raw_from, std::string_view why) {
  if (wanted.empty()) return;
  if (wanted.from < raw_from) {
    plan.notes.push_back("calls from " + At(wanted.from) + " to " +
                         At(std::min(wanted.to, raw_from)) + " are not counted: raw records " +
                         "before " + At(raw_from) + " have expired (metering.raw_retention)" +
                         std::string(why));
    wanted.from = raw_from;
  }
  if (!wanted.empty()) plan.raw.push_back(wanted);
}

// Whole hours from roll-ups, the partial first and last hours from raw records.
Plan HourlyPlan(int64_t from, int64_t to, const LedgerHorizons& h) {
  Plan plan;
  const int64_t h0 = HourCeil(from);
  const int64_t h1 = metering::HourStart(to);
  constexpr std::string_view kWhy = " and roll-ups hold whole hours only";
  if (h0 >= h1) {
    AddRaw(plan, {from, to}, h.raw_from_ms, kWhy);
    return plan;
  }
  AddRaw(plan, {from, h0}, h.raw_from_ms, kWhy);
  plan.rollups = {h0, h1};
  if (h0 < h.rollups_from_ms) {
    plan.notes.push_back("calls from " + At(h0) + " to " + At(std::min(h1, h.rollups_from_ms)) +
                         " are not counted: roll-ups before " + At(h.rollups_from_ms) +
                         " have expired (metering.rollup_retention)");
    plan.rollups.from = std::min(h1, h.rollups_from_ms);
  }
  AddRaw(plan, {h1, to}, h.raw_from_ms, kWhy);
  return plan;
}

Plan RawPlan(int64_t from, int64_t to, const LedgerHorizons& h) {
  Plan plan;
  AddRaw(plan, {from, to}, h.raw_from_ms, "");
  return plan;
}

Status ScanRaw(const Snapshot& s, Interval window, bool tags, bool metadata,
               const std::function<void(const UsageRecord&)>& fn) {
  BP_ASSIGN_OR_RETURN(Query q,
                      s.db->Prepare("SELECT " + RecordColumns(s.version) +
                                    " FROM usage_records WHERE time_ms >= ?1 AND time_ms < ?2 "
                                    "ORDER BY time_ms, id"));
  q.Bind(1, window.from).Bind(2, window.to);
  UsageRecord r;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Ok();
    ReadRecord(q, tags, metadata, r);
    fn(r);
  }
}

// The roll-ups of `table` whose start is in `window`, oldest first; only
// `principal`'s when it is not empty.
Status ScanRollups(const Snapshot& s, const RollupTable& table, Interval window,
                   std::string_view principal, const RollupFields& fields,
                   const std::function<void(const UsageRollup&)>& fn) {
  const std::string time(table.time_column);
  // Two statements rather than "(?3 = '' OR principal = ?3)", which would
  // keep SQLite from using the principal index.
  BP_ASSIGN_OR_RETURN(
      Query q,
      s.db->Prepare("SELECT " + RollupColumns(table, s.version) + " FROM " +
                    std::string(table.name) + " WHERE " + time + " >= ?1 AND " + time + " < ?2" +
                    (principal.empty() ? "" : " AND principal = ?3") + " ORDER BY " + time));
  q.Bind(1, window.from).Bind(2, window.to);
  if (!principal.empty()) q.Bind(3, principal);
  UsageRollup r;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Ok();
    BP_RETURN_IF_ERROR(ReadRollup(q, fields, r));
    fn(r);
  }
}

// The table ScanUsageRollups reads for a grain, the schema version that
// made it and its name in messages.
struct GrainTable {
  const RollupTable& table;
  int version;
  std::string_view what;
};
const GrainTable& GrainTableOf(RollupGrain grain) {
  static constexpr GrainTable kMinute{kMinuteRollups, kLedgerMinuteVersion, "minute"};
  static constexpr GrainTable kHour{kHourlyRollups, kLedgerRollupVersion, "hourly"};
  static constexpr GrainTable kDay{kDailyRollups, kLedgerDailyVersion, "daily"};
  switch (grain) {
    case RollupGrain::kMinute:
      return kMinute;
    case RollupGrain::kHour:
      return kHour;
    case RollupGrain::kDay:
      return kDay;
  }
  return kHour;  // unreachable: every grain is named above
}

// The calls the roll-ups of `hours` count, reading at most max_rows rows
// (each counts at least one call, so a sum above max_rows - 1 is enough to
// know "more than").
Result<int64_t> RollupCalls(Database& db, Interval hours, int64_t max_rows) {
  BP_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT coalesce(sum(requests), 0) FROM (SELECT "
                                          "requests FROM usage_hourly WHERE hour_ms >= ?1 AND "
                                          "hour_ms < ?2 LIMIT ?3)"));
  q.Bind(1, hours.from).Bind(2, hours.to).Bind(3, max_rows);
  BP_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : 0;
}

bool HasKind(const std::vector<metering::Dimension>& dims, metering::Dimension::Kind kind) {
  return std::any_of(dims.begin(), dims.end(),
                     [kind](const metering::Dimension& d) { return d.kind == kind; });
}

// The plan of a report over [from, to).
Result<Plan> PlanReport(Snapshot& s, const std::vector<metering::Dimension>& dims, int64_t from,
                        int64_t to, const UsageQueryOptions& options) {
  using Source = UsageQueryOptions::Source;
  const LedgerHorizons& h = s.horizons;
  if (!s.has_rollups()) return RawPlan(from, to, h);
  if (const auto it = std::find_if(dims.begin(), dims.end(),
                                   [](const metering::Dimension& d) {
                                     return d.kind == metering::Dimension::Kind::kMetadata;
                                   });
      it != dims.end()) {
    Plan plan;
    AddRaw(plan, {from, to}, h.raw_from_ms, "");
    if (!plan.notes.empty()) {
      const Interval lost_hours{std::max(HourCeil(from), h.rollups_from_ms),
                                std::min(h.raw_from_ms, metering::HourStart(to))};
      int64_t lost = 0;
      if (!lost_hours.empty()) {
        BP_ASSIGN_OR_RETURN(lost, RollupCalls(*s.db, lost_hours, INT64_MAX));
      }
      plan.notes.back() = it->Name() + " comes from raw records only, kept from " +
                          At(h.raw_from_ms) + " (metering.raw_retention): the report covers " +
                          At(std::max(from, h.raw_from_ms)) + " to " + At(to) + "; " +
                          std::to_string(lost) + " earlier call(s) in the window (" +
                          "counted by the hourly roll-ups) have no metadata any more";
    }
    return plan;
  }
  if (options.source == Source::kRaw) return RawPlan(from, to, h);
  Plan hourly = HourlyPlan(from, to, h);
  if (options.source == Source::kAuto && !hourly.rollups.empty() && from >= h.raw_from_ms) {
    BP_ASSIGN_OR_RETURN(int64_t calls, RollupCalls(*s.db, hourly.rollups, options.exact_up_to + 1));
    if (calls <= options.exact_up_to) return RawPlan(from, to, h);  // exact percentiles
  }
  return hourly;
}

}  // namespace

Status ScanUsage(const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
                 const std::function<void(const UsageRecord&)>& fn) {
  BP_ASSIGN_OR_RETURN(Snapshot s, OpenSnapshot(state_dir));
  if (s.version == 0) return Status::Ok();  // created, never migrated: no records
  return ScanRaw(s, {from_ms, to_ms}, /*tags=*/true, /*metadata=*/true, fn);
}

Result<std::vector<std::string>> ScanUsageHourly(
    const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
    const std::function<void(const UsageRecord&)>& on_record,
    const std::function<void(const UsageRollup&)>& on_rollup) {
  BP_ASSIGN_OR_RETURN(Snapshot s, OpenSnapshot(state_dir));
  if (s.version == 0) return std::vector<std::string>{};
  Plan plan = s.has_rollups() ? HourlyPlan(from_ms, to_ms, s.horizons)
                              : RawPlan(from_ms, to_ms, s.horizons);
  for (const Interval& raw : plan.raw) {
    BP_RETURN_IF_ERROR(ScanRaw(s, raw, /*tags=*/true, /*metadata=*/true, on_record));
  }
  if (!plan.rollups.empty()) {
    BP_RETURN_IF_ERROR(ScanRollups(s, kHourlyRollups, plan.rollups, "", RollupFields{}, on_rollup));
  }
  return std::move(plan.notes);
}

Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms) {
  return QueryUsage(state_dir, std::move(dimensions), from_ms, to_ms, UsageQueryOptions{});
}

Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms,
                                         const UsageQueryOptions& options) {
  BP_ASSIGN_OR_RETURN(Snapshot s, OpenSnapshot(state_dir));
  Plan plan;
  if (s.version > 0) {
    BP_ASSIGN_OR_RETURN(plan, PlanReport(s, dimensions, from_ms, to_ms, options));
  }
  const bool tags = HasKind(dimensions, metering::Dimension::Kind::kTag);
  const bool metadata = HasKind(dimensions, metering::Dimension::Kind::kMetadata);
  using Kind = metering::Dimension::Kind;
  const RollupFields fields{.profile = HasKind(dimensions, Kind::kProfile),
                            .principal = HasKind(dimensions, Kind::kPrincipal),
                            .model = HasKind(dimensions, Kind::kModel),
                            .region = HasKind(dimensions, Kind::kRegion),
                            .tags = tags};
  metering::UsageAggregator aggregator(std::move(dimensions));
  for (const Interval& raw : plan.raw) {
    BP_RETURN_IF_ERROR(
        ScanRaw(s, raw, tags, metadata, [&](const UsageRecord& r) { aggregator.Add(r); }));
  }
  if (!plan.rollups.empty()) {
    BP_RETURN_IF_ERROR(ScanRollups(s, kHourlyRollups, plan.rollups, "", fields,
                                   [&](const UsageRollup& r) { aggregator.AddRollup(r); }));
  }
  metering::UsageReport report = std::move(aggregator).Finish(from_ms, to_ms);
  report.raw_from_ms = s.horizons.raw_from_ms;
  report.notes = std::move(plan.notes);
  return report;
}

Status ScanUsageRollups(const std::filesystem::path& state_dir, RollupGrain grain, int64_t from_ms,
                        int64_t to_ms, std::string_view principal_arn,
                        const std::function<void(const UsageRollup&)>& fn) {
  BP_ASSIGN_OR_RETURN(Snapshot s, OpenSnapshot(state_dir));
  if (s.version == 0) return Status::Ok();  // created, never migrated: no calls
  const GrainTable& g = GrainTableOf(grain);
  if (s.version < g.version) {
    return IoError("usage ledger " + s.db->path().string() + " has schema version " +
                   std::to_string(s.version) + "; its " + std::string(g.what) +
                   " roll-ups need version " + std::to_string(g.version) +
                   " (serve migrates it when it starts)");
  }
  return ScanRollups(s, g.table, {from_ms, to_ms}, principal_arn, RollupFields{}, fn);
}

Result<std::vector<UsageRecord>> LatestUsageRecords(const std::filesystem::path& state_dir,
                                                    const RecordFilter& filter, size_t limit,
                                                    size_t scan_cap) {
  BP_ASSIGN_OR_RETURN(Snapshot s, OpenSnapshot(state_dir));
  std::vector<UsageRecord> out;
  if (s.version == 0 || limit == 0 || scan_cap == 0) return out;
  // The cap is a range of ids, the newest scan_cap of them: ids only grow
  // and the retention deletes the oldest rows, so the range is the latest
  // rows (fewer where a batch failed and left a gap), read backwards on the
  // rowid b-tree. One statement whatever the filter: an empty field (or
  // kAny) matches every row.
  BP_ASSIGN_OR_RETURN(
      Query q,
      s.db->Prepare("SELECT " + RecordColumns(s.version) +
                    " FROM usage_records WHERE id > (SELECT coalesce(max(id), 0) FROM "
                    "usage_records) - ?1 AND (?2 = '' OR profile_name = ?2) AND "
                    "(?3 = '' OR principal = ?3) AND (?4 = '' OR serving_region = ?4) AND "
                    "(?5 = 0 OR (?5 = 1 AND error_code = '') OR (?5 = 2 AND error_code <> '') "
                    "OR (?5 = 3 AND error_code = 'ThrottlingException')) ORDER BY id DESC "
                    "LIMIT ?6"));
  using Outcome = RecordFilter::Outcome;
  static_assert(static_cast<int>(Outcome::kAny) == 0 && static_cast<int>(Outcome::kOk) == 1 &&
                    static_cast<int>(Outcome::kError) == 2 &&
                    static_cast<int>(Outcome::kThrottled) == 3,
                "the statement above tests ?5 by these numbers");
  const auto clamp = [](size_t n) {
    return static_cast<int64_t>(std::min<size_t>(n, size_t{INT64_MAX}));
  };
  q.Bind(1, clamp(scan_cap))
      .Bind(2, filter.profile_name)
      .Bind(3, filter.principal_arn)
      .Bind(4, filter.serving_region)
      .Bind(5, static_cast<int64_t>(filter.outcome))
      .Bind(6, clamp(limit));
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return out;
    ReadRecord(q, /*tags=*/true, /*metadata=*/true, out.emplace_back());
  }
}

}  // namespace bp::storage::sqlite

namespace bp::storage::sqlite {

Result<std::unique_ptr<LedgerTail>> LedgerTail::Open(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = state_dir / SqliteLedger::kFileName;
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::OpenReadOnly(path, std::chrono::milliseconds(5000)));
  BP_ASSIGN_OR_RETURN(int version, CurrentSchemaVersion(*db));
  if (version < kLedgerMetaVersion || version > LatestVersion(LedgerMigrations())) {
    return IoError("usage ledger " + path.string() + " has schema version " +
                   std::to_string(version) + "; reading it from a cursor needs version " +
                   std::to_string(kLedgerMetaVersion));
  }
  BP_ASSIGN_OR_RETURN(std::string instance_id, ReadInstanceId(*db));
  return std::unique_ptr<LedgerTail>(new LedgerTail(std::move(db), std::move(instance_id)));
}

LedgerTail::LedgerTail(std::unique_ptr<Database> db, std::string instance_id)
    : db_(std::move(db)), instance_id_(std::move(instance_id)) {}

LedgerTail::~LedgerTail() = default;

Result<size_t> LedgerTail::Read(
    int64_t after_id, size_t limit,
    const std::function<void(int64_t, const metering::UsageRecord&)>& fn) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kRead));
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT " + RecordColumns() +
                                            ", id FROM usage_records WHERE id > ?1 "
                                            "ORDER BY id LIMIT ?2"));
  q.Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  size_t n = 0;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ReadRecord(q, /*tags=*/true, /*metadata=*/true, scratch_);
    fn(q.Int(kRecordColumnCount), scratch_);
    ++n;
  }
  return n;
}

Result<int64_t> LedgerTail::MaxId() {
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("SELECT coalesce(max(id), 0) FROM usage_records"));
  BP_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

}  // namespace bp::storage::sqlite
