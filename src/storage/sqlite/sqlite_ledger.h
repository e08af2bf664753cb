#pragma once
// SqliteLedger: the usage ledger of `serve` (issue 15), one record per
// runtime call in `<state dir>/usage.db`, beside (not inside) the profile
// database so that metering never waits on a control-plane write.
// Public header of bp_storage_sqlite (named by the composition root, the
// `usage` command and tests).
//
// Writing: Record() (any thread, every event loop) appends to an in-memory
// queue under a mutex held for one push; a writer thread drains the queue
// every flush_interval (or sooner once max_batch records wait) and commits
// the batch in ONE transaction. The request path never touches SQLite.
// Durability: a committed batch survives kill -9 (WAL, synchronous=NORMAL:
// a process crash loses nothing committed; a power loss may lose the last
// batches, never corrupting the file). So a kill -9 loses at most the
// records of the last flush_interval (default 1 s). Flush() and the
// destructor (a clean shutdown) write everything queued.
// Bound: at most max_queued records wait in memory; beyond that new records
// are dropped and counted (stats().dropped, logged once per batch), rather
// than the server running out of memory when the disk stalls.
//
// Roll-ups: with each batch the writer adds its records to the hourly, the
// minute and the daily roll-ups (metering/usage_rollup.h) in the SAME
// transaction, so raw records and roll-ups never disagree, also after a
// crash. A ledger of schema version 1 gets its hourly roll-ups built from its
// raw records when it is opened (the v2 migration, one transaction); one
// older than v5 its minute roll-ups of the last kMinuteRollupRetention of raw
// records (v5); one older than v6 its daily roll-ups from its hourly ones.
// Retention: with raw_retention / rollup_retention set, the writer deletes
// raw records (and hourly roll-ups) older than that, rounded down to the
// hour, and the daily roll-ups of the days wholly older than the hourly
// cutoff (the day holding it is kept whole); with a clock set, minute
// roll-ups older than kMinuteRollupRetention, rounded down to the minute. At
// most every retention_interval, in chunks of retention_chunk raw rows (a day
// of hourly, an hour of minute, 30 days of daily roll-ups) per transaction,
// between batches: never one long write transaction, never on the request
// path. What was deleted of the raw records and the hourly roll-ups is
// recorded as a horizon, so readers know from when detail exists.
//
// Reading (ScanUsage, QueryUsage, ScanUsageRollups, LatestUsageRecords): a
// separate read-only connection, so `usage` and the dashboard work on the
// state directory while `serve` writes it.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "metering/usage_record.h"
#include "metering/usage_report.h"
#include "metering/usage_rollup.h"

namespace bp::storage::sqlite {

class Database;

// How long minute roll-ups are kept: the dashboard's short windows (up to
// 6 h by the minute) with room to spare; longer windows read hourly ones.
// Pruned by the retention pass whenever the ledger has a clock, whatever
// raw_retention / rollup_retention say (docs/metering.md "Minute roll-ups").
inline constexpr std::chrono::hours kMinuteRollupRetention{48};

struct LedgerOptions {
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch = 10'000;      // a batch this big is written without waiting
  size_t max_queued = 1'000'000;  // records waiting beyond this are dropped
  std::chrono::milliseconds busy_timeout{5000};
  // Raw records / roll-ups older than this are deleted (0: kept forever,
  // the default here; serve passes the config's `metering` settings).
  // REQUIRES: rollup_retention is 0 or >= raw_retention > 0.
  std::chrono::milliseconds raw_retention{0};
  std::chrono::milliseconds rollup_retention{0};
  std::chrono::milliseconds retention_interval{std::chrono::minutes(5)};
  size_t retention_chunk = 5'000;  // raw rows deleted per transaction
  // The wall clock retention measures against. REQUIRES: set (and
  // outliving the ledger) when a retention is. Without one, minute roll-ups
  // are never pruned either (tools and tests; serve always sets it).
  const Clock* clock = nullptr;
};

struct LedgerStats {
  uint64_t recorded = 0;  // Record() calls
  uint64_t written = 0;   // records committed
  uint64_t dropped = 0;   // records refused because the queue was full
  uint64_t failed_batches = 0;
  size_t queued = 0;           // waiting now
  int64_t last_commit_ms = 0;  // duration of the last commit
  // Write lag: how long the oldest record not yet committed (queued, or in
  // the batch being written) has waited, ms; 0 when none waits.
  int64_t oldest_pending_ms = 0;
  uint64_t raw_expired = 0;             // raw records deleted by the retention
  uint64_t rollups_expired = 0;         // hourly roll-up rows deleted by the retention
  uint64_t minute_rollups_expired = 0;  // minute roll-up rows deleted by the retention
  uint64_t daily_rollups_expired = 0;   // daily roll-up rows deleted by the retention
  uint64_t retention_passes = 0;
};

class SqliteLedger final : public metering::UsageSink {
 public:
  static constexpr std::string_view kFileName = "usage.db";

  // Opens (creating) `<state_dir>/usage.db`, migrates its schema (refusing
  // a newer one: kIo naming both versions; building the roll-ups of a v1
  // ledger, which takes a while on a large one) and starts the writer
  // thread. kValidation for options breaking their REQUIRES.
  static Result<std::unique_ptr<SqliteLedger>> Open(const std::filesystem::path& state_dir,
                                                    LedgerOptions options = {});
  ~SqliteLedger() override;  // writes everything queued, then stops the writer
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  void Record(const metering::UsageRecord& record) override;

  // Returns once every record recorded before the call is committed (or its
  // batch failed: the error of the last failed batch).
  Status Flush();

  // Runs a whole retention pass now on the writer thread (as the interval
  // would) and returns once it is over: its error, if any. Ok at once when
  // the ledger has no clock (then no retention is set).
  Status EnforceRetention();

  LedgerStats stats() const;

  // The ledger file's identity: 32 hex digits made when the file was
  // created, kept for its life (a new state directory, a new id).
  const std::string& instance_id() const { return instance_id_; }

 private:
  struct Passkey {};

 public:
  SqliteLedger(Passkey, std::unique_ptr<Database> db, LedgerOptions options,
               std::string instance_id);

 private:
  // A retention pass in progress: its cutoffs (bucket starts: raw records
  // deleted before an hour's, each roll-up table before one of its own
  // buckets; 0: nothing to delete) and which request of EnforceRetention()
  // it serves.
  struct RetentionPass {
    bool active = false;
    int64_t raw_cutoff_ms = 0;
    // By the order of the pruned roll-up tables (sqlite_ledger.cc).
    std::array<int64_t, 3> rollup_cutoff_ms{};
    uint64_t serves = 0;
  };

  void WriterLoop();
  // Writes the `count` records encoded in `batch` in one transaction.
  Status WriteBatch(std::string_view batch, size_t count);
  bool RetentionEnabled() const;
  // Starts a pass when one is due or asked for. REQUIRES: mu_ held.
  void MaybeStartRetention(std::chrono::steady_clock::time_point now) BP_REQUIRES(mu_);
  // Deletes one chunk of the pass in progress; ends the pass when nothing
  // is left (or on error).
  void RetentionStep();
  Result<bool> DeleteRawChunk(int64_t cutoff_ms);
  // `table`: an index into the pruned roll-up tables.
  Result<bool> DeleteRollupChunk(size_t table, int64_t cutoff_ms);

  const LedgerOptions options_;
  const std::string instance_id_;
  std::unique_ptr<Database> db_;  // the writer thread's only

  mutable Mutex mu_;
  CondVar wake_;     // the writer: work or stop
  CondVar written_;  // Flush(): a batch is over
  // The records waiting, as bytes (record_codec.h): appended by Record(),
  // taken whole by the writer, which hands back its emptied buffer, so the
  // capacity is kept and no record's memory crosses threads.
  std::string queue_ BP_GUARDED_BY(mu_);
  size_t queued_ BP_GUARDED_BY(mu_) = 0;          // records in queue_
  uint64_t enqueued_seq_ BP_GUARDED_BY(mu_) = 0;  // records accepted so far
  uint64_t done_seq_ BP_GUARDED_BY(mu_) = 0;      // records whose batch is over
  bool flush_now_ BP_GUARDED_BY(mu_) = false;
  bool stop_ BP_GUARDED_BY(mu_) = false;
  Status last_error_ BP_GUARDED_BY(mu_);
  LedgerStats stats_ BP_GUARDED_BY(mu_);
  // When the queue's oldest record was queued, and the batch being written's
  // (epoch: none), for stats().oldest_pending_ms.
  std::chrono::steady_clock::time_point queued_since_ BP_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point writing_since_ BP_GUARDED_BY(mu_);
  uint64_t retention_asked_ BP_GUARDED_BY(mu_) = 0;  // EnforceRetention() calls
  uint64_t retention_done_ BP_GUARDED_BY(mu_) = 0;   // ... whose pass is over
  Status retention_error_ BP_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point next_retention_ BP_GUARDED_BY(mu_);
  RetentionPass pass_;             // the writer thread's only
  metering::UsageRecord scratch_;  // the writer thread's only: WriteBatch decodes into it
  // The writer thread's only: a batch's roll-ups at each width the ledger
  // keeps (by the order of the written roll-up tables, sqlite_ledger.cc),
  // emptied as each batch starts.
  std::array<metering::RollupSums, 3> rollups_;

  std::thread writer_;  // last: started once everything above exists
};

// The ledger's records in the order they were written, read from a cursor
// on: how a shipper copies them elsewhere (storage/postgres's ledger). Its
// own read-only connection, one short read transaction per call, so it
// works beside the writer. Records the retention deleted before they were
// read are not seen (the id sequence has a gap there). Not thread-safe.
class LedgerTail final {
 public:
  // kResourceNotFound when there is no ledger; kIo for one older than
  // schema version 4 (open it with SqliteLedger first) or damaged.
  static Result<std::unique_ptr<LedgerTail>> Open(const std::filesystem::path& state_dir);
  ~LedgerTail();
  LedgerTail(const LedgerTail&) = delete;
  LedgerTail& operator=(const LedgerTail&) = delete;

  const std::string& instance_id() const { return instance_id_; }

  // Calls `fn(id, record)` for at most `limit` records with id > after_id,
  // in id order (ids only grow); returns how many.
  Result<size_t> Read(int64_t after_id, size_t limit,
                      const std::function<void(int64_t, const metering::UsageRecord&)>& fn);
  // The largest id written so far (0: none).
  Result<int64_t> MaxId();

 private:
  LedgerTail(std::unique_ptr<Database> db, std::string instance_id);

  std::unique_ptr<Database> db_;
  const std::string instance_id_;
  metering::UsageRecord scratch_;
};

// Calls `fn` for every record of `<state_dir>/usage.db` with from_ms <=
// time_ms < to_ms, oldest first, over a read-only connection (works while a
// server writes). Raw records only: those the retention deleted are not
// seen. kResourceNotFound when there is no ledger yet; kIo for a damaged
// file or a schema newer than this binary knows.
Status ScanUsage(const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
                 const std::function<void(const metering::UsageRecord&)>& fn);

// The calls of [from_ms, to_ms) hour by hour: `on_rollup` for every roll-up
// of a whole hour of the window, `on_record` for every raw record of its
// partial first and last hours (a v1 ledger, not yet migrated by a serve:
// every record raw). Both see the same snapshot. Returns notes on parts of
// the window the ledger no longer holds (retention), empty when whole.
// Errors as ScanUsage. Blocking.
Result<std::vector<std::string>> ScanUsageHourly(
    const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
    const std::function<void(const metering::UsageRecord&)>& on_record,
    const std::function<void(const metering::UsageRollup&)>& on_rollup);

// The width of the roll-ups ScanUsageRollups reads.
enum class RollupGrain : uint8_t {
  kMinute,  // usage_minutely: the last kMinuteRollupRetention only
  kHour,    // usage_hourly: as long as metering.rollup_retention
  kDay,     // usage_daily (UTC days): as long as the hourly ones, whole days
};

// Calls `fn` for every roll-up of `grain` whose bucket start is in
// [from_ms, to_ms), oldest first (by start, then by key); with principal_arn
// non-empty only that principal's (an index on (principal, start) reads just
// those rows). Roll-ups only, never a raw record: a bucket counts whole when
// its start is in the window (align the window to the grain for exact
// figures), and the bucket still running (this minute, hour or day) holds
// the calls committed so far. What the retention deleted is
// not seen; for kMinute that is anything older than kMinuteRollupRetention
// (give or take the retention interval), for kHour see QueryUsage's notes;
// kDay keeps each day whole until all of it is older than the hourly cutoff (a
// ledger migrated to v6 has its days from the first one whose hours were
// all still there).
// `fn` sees each roll-up with every key field and its histograms; the value
// is reused, so copy what you keep. Read-only connection, one read
// transaction: works beside the writer. kResourceNotFound when there is no
// ledger yet; kIo for a damaged file, a schema newer than this binary knows,
// or one older than the grain (hourly: v2, minute: v5, daily: v6; open the
// ledger with SqliteLedger to migrate it). Blocking.
Status ScanUsageRollups(const std::filesystem::path& state_dir, RollupGrain grain, int64_t from_ms,
                        int64_t to_ms, std::string_view principal_arn,
                        const std::function<void(const metering::UsageRollup&)>& fn);

// Which raw records LatestUsageRecords returns; every field set must match.
struct RecordFilter {
  std::string profile_name, principal_arn, serving_region;  // empty: any
  enum class Outcome : uint8_t {
    kAny,
    kOk,         // no error code
    kError,      // any error code (throttles included)
    kThrottled,  // ThrottlingException
  } outcome = Outcome::kAny;
};

// At most `limit` raw records matching `filter`, newest (highest id) first,
// whole (tags and request metadata included). Only the `scan_cap` latest
// ids are examined, so a rare filter cannot make it read the whole ledger:
// fewer than `limit` come back when fewer match among those. Filters are
// applied in SQL. Read-only connection, as ScanUsageRollups.
// kResourceNotFound when there is no ledger yet; kIo as ScanUsage. Blocking.
Result<std::vector<metering::UsageRecord>> LatestUsageRecords(
    const std::filesystem::path& state_dir, const RecordFilter& filter, size_t limit,
    size_t scan_cap = 200'000);

// Where QueryUsage takes a report's figures from.
struct UsageQueryOptions {
  enum class Source : uint8_t {
    // Roll-ups for the window's whole hours and raw records for its edges,
    // unless the window's raw records are all kept and number at most
    // exact_up_to: then from them alone, with exact percentiles.
    kAuto,
    kRaw,      // raw records only (slow on a long window; what has expired is missing)
    kRollups,  // roll-ups for every whole hour, however few calls
  };
  Source source = Source::kAuto;
  int64_t exact_up_to = 20'000;
};

// The report `usage` prints (locally and through the endpoint's read API):
// the ledger's calls with from_ms <= time_ms < to_ms grouped by
// `dimensions`. Counts, tokens and cost equal a scan of the raw records;
// percentiles from roll-ups are estimates (report.percentiles_estimated).
// A metadata:KEY dimension is answered from raw records only. Whatever the
// window needs that the retention deleted is missing from the figures and
// said in report.notes (report.raw_from_ms: from when raw records exist).
// kResourceNotFound when there is no ledger yet; kIo as ScanUsage.
// Blocking (SQLite reads): never call it on an event loop.
Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms);
Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms,
                                         const UsageQueryOptions& options);

}  // namespace bp::storage::sqlite
