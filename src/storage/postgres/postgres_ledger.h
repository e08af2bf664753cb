#pragma once
// The usage ledger on a shared PostgreSQL (issue 17; docs/storage.md "The
// usage ledger on PostgreSQL"). Public header of bp_storage_postgres (named
// only by the composition root and tests).
//
// Each instance keeps writing its records to its own local ledger first
// (the SQLite one in its state directory: durable within its batch interval,
// never waiting on the network). PostgresLedgerShipper copies them from
// there to the database's usage_records, every `interval`, in batches of at
// most `batch` records per transaction. The transaction also moves the
// instance's cursor (ledger_cursors: the last local id shipped), and rows are
// keyed by (instance id, local id) with ON CONFLICT DO NOTHING, so a batch is
// shipped exactly once: a commit whose answer was lost is found committed by
// the next attempt, which reads the cursor first. While the database is
// unreachable the records wait in the local ledger (on disk, bounded only by
// the disk and the local retention) and are shipped when it is back, oldest
// first, also after a restart (the cursor is in the database).
//
// Every instance's `usage` report then reads the same table
// (QueryPostgresUsage), so it is the same whichever instance is asked, up to
// the records not shipped yet: at most `interval` plus the local ledger's
// own batch interval old while the database is reachable.
//
// Thread-safety: the shipper's methods may be called from any thread;
// it works on a thread of its own. QueryPostgresUsage is blocking (never on
// an event loop) and opens its own connection.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "metering/usage_record.h"
#include "metering/usage_report.h"

namespace bp::storage {

namespace postgres {
class Connection;
}

// Calls `fn(local id, record)` for at most `limit` records of the local
// ledger with id > after_id, in id order; returns how many (the shape of
// sqlite::LedgerTail::Read). Called on the shipper's thread only.
using LocalLedgerReader = std::function<Result<size_t>(
    int64_t after_id, size_t limit,
    const std::function<void(int64_t, const metering::UsageRecord&)>& fn)>;

struct LedgerShipperOptions {
  std::chrono::milliseconds interval{1000};
  size_t batch = 5000;  // records per transaction (several statements)
  std::chrono::milliseconds max_backoff{5000};
  int connect_timeout_s = 2;
};

// One row of usage_totals: every instance's shipped calls with these
// labels (the per-call metrics' series key, raw names).
struct UsageTotal {
  std::string profile;
  std::string model;
  std::string operation;
  std::string region;
  std::string status_class;
  int64_t requests = 0;
  metering::TokenCounts tokens;  // cache writes in cache_write_5m
  int64_t cost_micro_usd = 0;
};

struct LedgerShipperStats {
  uint64_t shipped = 0;         // records this process committed to the database
  uint64_t failed_batches = 0;  // attempts that did not commit
  int64_t cursor = 0;           // the last local id known to be in the database
  bool connected = false;
  // When the last pass found nothing left to ship (steady clock ms; 0:
  // never), and the error of the last failed attempt ("" after a success).
  int64_t caught_up_at_ms = 0;
  std::string last_error;
};

class PostgresLedgerShipper final {
 public:
  // Starts the thread; it connects (and reconnects, with backoff up to
  // max_backoff) by itself, so the database may be down at first.
  static std::unique_ptr<PostgresLedgerShipper> Start(std::string conninfo, std::string instance_id,
                                                      LocalLedgerReader reader,
                                                      LedgerShipperOptions options = {});
  ~PostgresLedgerShipper();  // Stop()
  PostgresLedgerShipper(const PostgresLedgerShipper&) = delete;
  PostgresLedgerShipper& operator=(const PostgresLedgerShipper&) = delete;

  // Ships what the local ledger holds now and waits until it is in the
  // database or `timeout` has passed: Ok when everything is, else the
  // error of the pass (kIo naming the database) or kDeadlineExceeded. The caller
  // flushes the local ledger first (a clean shutdown: what is not shipped
  // now is shipped at the next start).
  Status Drain(std::chrono::milliseconds timeout);

  // Ends the thread (an attempt in progress finishes first). Idempotent.
  void Stop();

  LedgerShipperStats stats() const;
  const std::string& instance_id() const { return instance_id_; }

  // Every instance's totals as the shipper last read them (after each pass
  // that reached the database; at most kMaxTotals rows): for /metrics.
  static constexpr size_t kMaxTotals = 10'000;
  std::vector<UsageTotal> Totals() const;
  const std::string& display_name() const { return display_name_; }

 private:
  struct Passkey {};

 public:
  PostgresLedgerShipper(Passkey, std::string conninfo, std::string instance_id,
                        LocalLedgerReader reader, LedgerShipperOptions options);

 private:
  void Run();
  // Ships batches until the local ledger has no more: the count shipped.
  Result<size_t> ShipAll(postgres::Connection& conn);
  // One transaction: at most options_.batch records after the cursor.
  Result<size_t> ShipBatch(postgres::Connection& conn);
  Status ReadTotals(postgres::Connection& conn);

  const std::string conninfo_;
  const std::string display_name_;
  const std::string instance_id_;
  const LocalLedgerReader reader_;
  const LedgerShipperOptions options_;

  mutable Mutex mu_;
  CondVar wake_;     // the thread: a drain asked for, or stop
  CondVar drained_;  // Drain(): a pass is over
  bool stop_ BP_GUARDED_BY(mu_) = false;
  uint64_t drain_asked_ BP_GUARDED_BY(mu_) = 0;   // Drain() calls so far
  uint64_t drain_served_ BP_GUARDED_BY(mu_) = 0;  // ... answered by a finished pass
  Status drain_status_ BP_GUARDED_BY(mu_);        // that pass's outcome
  LedgerShipperStats stats_ BP_GUARDED_BY(mu_);
  std::vector<UsageTotal> totals_ BP_GUARDED_BY(mu_);

  std::thread thread_;  // last: started once everything above exists
};

// The usage report of [from_ms, to_ms) over every instance's shipped
// records (raw records, so exact percentiles; metering::UsageAggregator).
// Opens its own connection (connect timeout 5 s). kServiceUnavailable naming
// the database (no password) when it cannot be reached; kIo for other
// failures. Blocking.
Result<metering::UsageReport> QueryPostgresUsage(std::string_view conninfo,
                                                 std::vector<metering::Dimension> dimensions,
                                                 int64_t from_ms, int64_t to_ms);

}  // namespace bp::storage
