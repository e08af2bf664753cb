#include "storage/sqlite/sqlite_ledger.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>
#include <tuple>
#include <utility>

#include <spdlog/spdlog.h>

#include "storage/sqlite/dir_lock.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/record_codec.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/sqlite_ledger_schema.h"

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;
using metering::UsageRollup;

// The roll-up tables each batch adds to, in the order of rollups_.
constexpr std::array<const RollupTable*, 3> kWrittenRollups = {&kHourlyRollups, &kMinuteRollups,
                                                               &kDailyRollups};

// How the retention prunes each roll-up table, in the order of
// RetentionPass::rollup_cutoff_ms: the rows of `chunk_ms` of bucket starts
// per transaction (a day of hourly ones, an hour of minute ones: about 2.5
// times as many rows at a steady set of keys; 30 days of daily ones: about
// as many as a day of hourly ones), the horizon raised with them (empty:
// none; minute and daily rows are documented without one) and the counter
// of rows deleted.
struct RollupPruning {
  const RollupTable& table;
  int64_t chunk_ms;
  std::string_view horizon;
  uint64_t LedgerStats::*expired;
};
constexpr RollupPruning kPrunedRollups[] = {
    {kHourlyRollups, 24 * metering::kHourMs, "rollups", &LedgerStats::rollups_expired},
    {kMinuteRollups, metering::kHourMs, "", &LedgerStats::minute_rollups_expired},
    {kDailyRollups, 30 * metering::kDayMs, "", &LedgerStats::daily_rollups_expired},
};

constexpr size_t kKeptBatchBytes = size_t{8} << 20;  // a buffer capacity kept (a full batch)

Status ConfigureLedgerConnection(Database& db) {
  BP_RETURN_IF_ERROR(db.EnableWal());
  // NORMAL in WAL mode: a committed transaction survives a process crash
  // (kill -9); only a power loss can lose the last ones (docs/storage.md).
  return db.Exec("PRAGMA synchronous = NORMAL", "setting synchronous = NORMAL");
}

Status CheckRetention(const LedgerOptions& o) {
  using std::chrono::milliseconds;
  if (o.raw_retention < milliseconds(0) || o.rollup_retention < milliseconds(0)) {
    return ValidationError("usage ledger: a retention must not be negative");
  }
  if (o.rollup_retention > milliseconds(0) &&
      (o.raw_retention == milliseconds(0) || o.rollup_retention < o.raw_retention)) {
    return ValidationError("usage ledger: roll-ups must be kept at least as long as raw records");
  }
  const bool any = o.raw_retention > milliseconds(0) || o.rollup_retention > milliseconds(0);
  if (any && o.clock == nullptr) {
    return ValidationError("usage ledger: a retention needs a clock");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::Open(const std::filesystem::path& state_dir,
                                                         LedgerOptions options) {
  BP_RETURN_IF_ERROR(CheckRetention(options));
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec)
    return IoError("cannot create state directory " + state_dir.string() + ": " + ec.message());
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(state_dir / kFileName, options.busy_timeout));
  BP_RETURN_IF_ERROR(ConfigureLedgerConnection(*db));
  BP_RETURN_IF_ERROR(ApplyMigrations(*db, LedgerMigrations()));
  BP_RETURN_IF_ERROR(SyncDirectory(state_dir));
  BP_ASSIGN_OR_RETURN(std::string instance_id, ReadInstanceId(*db));
  if (options.max_batch == 0) options.max_batch = 1;
  if (options.retention_chunk == 0) options.retention_chunk = 1;
  return std::make_unique<SqliteLedger>(Passkey{}, std::move(db), options, std::move(instance_id));
}

SqliteLedger::SqliteLedger(Passkey, std::unique_ptr<Database> db, LedgerOptions options,
                           std::string instance_id)
    : options_(options),
      instance_id_(std::move(instance_id)),
      db_(std::move(db)),
      rollups_{metering::RollupSums(kWrittenRollups[0]->width_ms),
               metering::RollupSums(kWrittenRollups[1]->width_ms),
               metering::RollupSums(kWrittenRollups[2]->width_ms)},
      writer_([this] { WriterLoop(); }) {}

SqliteLedger::~SqliteLedger() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyOne();
  writer_.join();
}

void SqliteLedger::Record(const UsageRecord& record) {
  // Encoded outside the lock into this thread's buffer: the record's memory
  // stays with the thread that made it.
  thread_local std::string encoded;
  encoded.clear();
  AppendRecord(record, encoded);
  bool wake = false;
  {
    MutexLock lock(mu_);
    ++stats_.recorded;
    if (queued_ >= options_.max_queued) {
      ++stats_.dropped;
      return;
    }
    if (queued_ == 0) queued_since_ = std::chrono::steady_clock::now();
    queue_.append(encoded);
    ++queued_;
    ++enqueued_seq_;
    wake = queued_ == options_.max_batch;
  }
  if (wake) wake_.NotifyOne();
}

Status SqliteLedger::Flush() {
  MutexLock lock(mu_);
  const uint64_t target = enqueued_seq_;
  const uint64_t failures_before = stats_.failed_batches;
  flush_now_ = true;
  wake_.NotifyOne();
  while (done_seq_ < target) written_.Wait(mu_);
  return stats_.failed_batches == failures_before ? Status::Ok() : last_error_;
}

Status SqliteLedger::EnforceRetention() {
  if (!RetentionEnabled()) return Status::Ok();
  MutexLock lock(mu_);
  const uint64_t ticket = ++retention_asked_;
  wake_.NotifyOne();
  while (retention_done_ < ticket) written_.Wait(mu_);
  return retention_error_;
}

LedgerStats SqliteLedger::stats() const {
  MutexLock lock(mu_);
  LedgerStats out = stats_;
  out.queued = queued_;
  const std::chrono::steady_clock::time_point none{};
  const auto oldest = writing_since_ != none ? writing_since_ : queued_ == 0 ? none : queued_since_;
  if (oldest != none) {
    out.oldest_pending_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - oldest)
                                .count();
  }
  return out;
}

// With a clock there is always something to prune: the minute roll-ups
// (CheckRetention made sure a retention comes with a clock).
bool SqliteLedger::RetentionEnabled() const { return options_.clock != nullptr; }

void SqliteLedger::MaybeStartRetention(std::chrono::steady_clock::time_point now) {
  if (pass_.active || !RetentionEnabled()) return;
  const bool asked = retention_asked_ > retention_done_;
  if (!asked && now < next_retention_) return;
  next_retention_ = now + options_.retention_interval;
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  auto cutoff = [now_ms](std::chrono::milliseconds keep, int64_t width_ms) {
    return keep.count() > 0 ? metering::BucketStart(now_ms - keep.count(), width_ms) : int64_t{0};
  };
  static_assert(std::size(kPrunedRollups) == std::tuple_size_v<decltype(pass_.rollup_cutoff_ms)>);
  const int64_t hourly = cutoff(options_.rollup_retention, metering::kHourMs);
  // A day goes once all of it is older than the hourly cutoff (it ended at
  // or before it): the day holding the cutoff is kept whole, although its
  // first hours' hourly rows are gone.
  pass_ = {.active = true,
           .raw_cutoff_ms = cutoff(options_.raw_retention, metering::kHourMs),
           .rollup_cutoff_ms = {hourly, cutoff(kMinuteRollupRetention, metering::kMinuteMs),
                                metering::BucketStart(hourly, metering::kDayMs)},
           .serves = retention_asked_};
  retention_error_ = Status::Ok();
}

void SqliteLedger::WriterLoop() {
  std::string batch;  // the records being written, encoded; swapped with queue_
  size_t batch_count = 0;
  for (;;) {
    uint64_t batch_end = 0;
    bool stopping = false;
    {
      MutexLock lock(mu_);
      // A retention pass in progress (or asked for) keeps the writer going:
      // its chunks run back to back, each after the batch waiting, if any.
      const bool idle = !stop_ && !flush_now_ && queued_ < options_.max_batch && !pass_.active &&
                        retention_asked_ == retention_done_;
      if (idle) {
        auto wait = options_.flush_interval;
        if (RetentionEnabled()) {
          const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
              next_retention_ - std::chrono::steady_clock::now());
          wait = std::clamp(until, std::chrono::milliseconds(0), wait);
        }
        wake_.WaitFor(mu_, wait);
      }
      stopping = stop_;
      flush_now_ = false;
      if (!stopping) MaybeStartRetention(std::chrono::steady_clock::now());
      if (queued_ == 0) {
        done_seq_ = enqueued_seq_;
        written_.NotifyAll();
        if (stopping) {
          retention_done_ = retention_asked_;  // nobody waits past the end
          return;
        }
      } else {
        batch.swap(queue_);  // queue_ gets the emptied buffer back, capacity kept
        batch_count = std::exchange(queued_, 0);
        batch_end = enqueued_seq_;
        writing_since_ = queued_since_;
      }
    }
    if (batch_count > 0) {
      const auto started = std::chrono::steady_clock::now();
      Status status = WriteBatch(batch, batch_count);
      const int64_t took = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count();
      MutexLock lock(mu_);
      if (status.ok()) {
        stats_.written += batch_count;
        stats_.last_commit_ms = took;
      } else {
        ++stats_.failed_batches;
        last_error_ = status;
        spdlog::error("usage ledger: a batch of {} record(s) was not written: {}", batch_count,
                      status.message());
        if (!stopping && queued_ + batch_count <= options_.max_queued) {
          // Kept for the next round, ahead of what came since.
          batch.append(queue_);
          queue_.swap(batch);
          queued_ += batch_count;
          queued_since_ = writing_since_;  // the kept batch is the oldest
        } else {
          stats_.dropped += batch_count;
        }
      }
      batch.clear();
      // After a burst the buffers stay as large as it was; beyond this the
      // memory goes back (the next batch regrows what it needs).
      if (batch.capacity() > kKeptBatchBytes) std::string().swap(batch);
      batch_count = 0;
      writing_since_ = {};
      done_seq_ = batch_end;
      written_.NotifyAll();
    }
    if (pass_.active && !stopping) RetentionStep();
  }
}

Status SqliteLedger::WriteBatch(std::string_view batch, size_t count) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  // The batch's roll-ups, summed in memory first: one upsert per key and
  // width, in the same transaction as the raw rows.
  for (metering::RollupSums& sums : rollups_) sums.Clear();
  UsageRecord& r = scratch_;  // decoded into, its strings' capacity reused
  for (size_t i = 0; i < count; ++i) {
    if (!ReadRecord(batch, r)) {
      return InternalError("usage ledger: queued record " + std::to_string(i) + " of " +
                           std::to_string(count) + " does not decode");
    }
    BP_RETURN_IF_ERROR(InsertRecord(*db_, r));
    for (metering::RollupSums& sums : rollups_) sums.Add(r);
  }
  if (!batch.empty()) return InternalError("usage ledger: bytes left after a batch's records");
  for (size_t i = 0; i < rollups_.size(); ++i) {
    for (const auto& [key, rollup] : rollups_[i].rollups()) {
      BP_RETURN_IF_ERROR(UpsertRollup(*db_, *kWrittenRollups[i], rollup));
    }
  }
  return txn.Commit();
}

// One transaction: the oldest retention_chunk raw rows before the cutoff.
// True when none is left.
Result<bool> SqliteLedger::DeleteRawChunk(int64_t cutoff_ms) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  // The newest row is never deleted, so SQLite (which gives a new row the
  // largest id + 1) never hands out an id again: a shipper's cursor
  // (LedgerTail) would skip a reused one.
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("DELETE FROM usage_records WHERE id IN (SELECT id FROM "
                                            "usage_records WHERE time_ms < ?1 AND id < (SELECT "
                                            "max(id) FROM usage_records) ORDER BY time_ms "
                                            "LIMIT ?2)"));
  BP_RETURN_IF_ERROR(
      q.Bind(1, cutoff_ms).Bind(2, static_cast<int64_t>(options_.retention_chunk)).Run());
  const int64_t deleted = db_->Changes();
  // Readers take raw records only from the horizon on, so a pass cut short
  // (an error, a stop) never shows a half-deleted hour as whole.
  if (deleted > 0) BP_RETURN_IF_ERROR(RaiseHorizon(*db_, "raw", cutoff_ms));
  BP_RETURN_IF_ERROR(txn.Commit());
  MutexLock lock(mu_);
  stats_.raw_expired += static_cast<uint64_t>(deleted);
  return deleted < static_cast<int64_t>(options_.retention_chunk);
}

// One transaction: the roll-ups of kPrunedRollups[table] in its oldest
// chunk before the cutoff. True when none is left.
Result<bool> SqliteLedger::DeleteRollupChunk(size_t table, int64_t cutoff_ms) {
  const RollupPruning& pruning = kPrunedRollups[table];
  const std::string name(pruning.table.name);
  const std::string time(pruning.table.time_column);
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  int64_t first = 0;
  {
    BP_ASSIGN_OR_RETURN(Query oldest, db_->Prepare("SELECT min(" + time + ") FROM " + name));
    BP_ASSIGN_OR_RETURN(bool row, oldest.Step());
    if (!row || !oldest.OptionalText(0).has_value()) return true;  // no roll-ups at all
    first = oldest.Int(0);
  }
  if (first >= cutoff_ms) return true;
  const int64_t end = std::min(cutoff_ms, first + pruning.chunk_ms);
  BP_ASSIGN_OR_RETURN(Query q, db_->Prepare("DELETE FROM " + name + " WHERE " + time + " < ?1"));
  BP_RETURN_IF_ERROR(q.Bind(1, end).Run());
  const int64_t deleted = db_->Changes();
  if (!pruning.horizon.empty()) BP_RETURN_IF_ERROR(RaiseHorizon(*db_, pruning.horizon, cutoff_ms));
  BP_RETURN_IF_ERROR(txn.Commit());
  MutexLock lock(mu_);
  stats_.*pruning.expired += static_cast<uint64_t>(deleted);
  return end >= cutoff_ms;
}

void SqliteLedger::RetentionStep() {
  // One chunk: of the raw records first, then of each roll-up table in turn.
  Result<bool> done = true;
  auto& rollups = pass_.rollup_cutoff_ms;
  const auto next = std::find_if(rollups.begin(), rollups.end(), [](int64_t c) { return c != 0; });
  if (pass_.raw_cutoff_ms != 0) {
    done = DeleteRawChunk(pass_.raw_cutoff_ms);
    if (done.ok() && *done) pass_.raw_cutoff_ms = 0;
  } else if (next != rollups.end()) {
    done = DeleteRollupChunk(static_cast<size_t>(next - rollups.begin()), *next);
    if (done.ok() && *done) *next = 0;
  }
  const bool over =
      !done.ok() || (pass_.raw_cutoff_ms == 0 &&
                     std::all_of(rollups.begin(), rollups.end(), [](int64_t c) { return c == 0; }));
  if (!over) return;
  pass_.active = false;
  MutexLock lock(mu_);
  ++stats_.retention_passes;
  if (!done.ok()) {
    retention_error_ = done.status();
    spdlog::error("usage ledger: retention pass stopped: {}", done.status().message());
  }
  retention_done_ = std::max(retention_done_, pass_.serves);
  written_.NotifyAll();
}

}  // namespace bp::storage::sqlite
