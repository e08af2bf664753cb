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
// Reading (ScanUsage): a separate read-only connection, so `usage` works on
// the state directory while `serve` writes it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "metering/usage_record.h"
#include "metering/usage_report.h"

namespace bp::storage::sqlite {

class Database;

struct LedgerOptions {
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch = 10'000;      // a batch this big is written without waiting
  size_t max_queued = 1'000'000;  // records waiting beyond this are dropped
  std::chrono::milliseconds busy_timeout{5000};
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
};

class SqliteLedger final : public metering::UsageSink {
 public:
  static constexpr std::string_view kFileName = "usage.db";

  // Opens (creating) `<state_dir>/usage.db`, migrates its schema (refusing
  // a newer one: kIo naming both versions) and starts the writer thread.
  static Result<std::unique_ptr<SqliteLedger>> Open(const std::filesystem::path& state_dir,
                                                    LedgerOptions options = {});
  ~SqliteLedger() override;  // writes everything queued, then stops the writer
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  void Record(metering::UsageRecord&& record) override;

  // Returns once every record recorded before the call is committed (or its
  // batch failed: the error of the last failed batch).
  Status Flush();

  LedgerStats stats() const;

 private:
  struct Passkey {};

 public:
  SqliteLedger(Passkey, std::unique_ptr<Database> db, LedgerOptions options);

 private:
  void WriterLoop();
  Status WriteBatch(const std::vector<metering::UsageRecord>& batch);

  const LedgerOptions options_;
  std::unique_ptr<Database> db_;  // the writer thread's only

  mutable Mutex mu_;
  CondVar wake_;     // the writer: work or stop
  CondVar written_;  // Flush(): a batch is over
  std::vector<metering::UsageRecord> queue_ BP_GUARDED_BY(mu_);
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

  std::thread writer_;  // last: started once everything above exists
};

// Calls `fn` for every record of `<state_dir>/usage.db` with from_ms <=
// time_ms < to_ms, oldest first, over a read-only connection (works while a
// server writes). kResourceNotFound when there is no ledger yet; kIo for a
// damaged file or a schema newer than this binary knows.
Status ScanUsage(const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
                 const std::function<void(const metering::UsageRecord&)>& fn);

// The report `usage` prints (locally and through the endpoint's read API):
// the ledger's calls with from_ms <= time_ms < to_ms grouped by
// `dimensions`. kResourceNotFound when there is no ledger yet; kIo as
// ScanUsage. Blocking (SQLite reads): never call it on an event loop.
Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms);

}  // namespace bp::storage::sqlite
