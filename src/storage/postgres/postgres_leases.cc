#include "storage/postgres/postgres_leases.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "storage/postgres/pg_conn.h"

namespace bp::storage {

using postgres::Connection;
using postgres::Params;
using postgres::Rows;
using postgres::Transaction;

namespace {

constexpr int kConnectTimeoutSeconds = 2;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kCleanupEveryMs = 600'000;

}  // namespace

PostgresLeases::PostgresLeases(std::string conninfo, std::string instance_id)
    : conninfo_(std::move(conninfo)), instance_id_(std::move(instance_id)) {}

PostgresLeases::~PostgresLeases() = default;

Result<std::vector<metering::Lease>> PostgresLeases::Exchange(
    const std::vector<metering::LeaseRequest>& requests) {
  if (conn_ != nullptr && conn_->lost()) conn_.reset();
  if (conn_ == nullptr) {
    Result<std::unique_ptr<Connection>> opened =
        Connection::Open(conninfo_, kConnectTimeoutSeconds);
    if (!opened.ok()) {
      return Status(ErrorCode::kServiceUnavailable, "limit leases: " + opened.status().message());
    }
    conn_ = std::move(opened).value();
  }
  Connection& conn = *conn_;
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(requests[a].key, requests[a].period) <
           std::tie(requests[b].key, requests[b].period);
  });
  const std::string context = "exchanging limit leases";
  auto failed = [&](Status s) -> Status {
    if (conn.lost()) {
      return Status(ErrorCode::kServiceUnavailable, "limit leases: " + s.message());
    }
    return s;
  };
  Result<Transaction> txn = Transaction::Begin(conn);
  if (!txn.ok()) return failed(txn.status());
  Result<Rows> clock =
      conn.Exec("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint", context);
  if (!clock.ok()) return failed(clock.status());
  const int64_t now_ms = clock->Int(0, 0);
  std::vector<metering::Lease> out(requests.size());
  for (size_t i : order) {
    const metering::LeaseRequest& q = requests[i];
    Result<Rows> spent = conn.Exec(
        "INSERT INTO limit_usage (key, period, used, updated_at_ms) VALUES ($1, $2, $3, $4) ON "
        "CONFLICT (key, period) DO UPDATE SET used = limit_usage.used + EXCLUDED.used, "
        "updated_at_ms = EXCLUDED.updated_at_ms RETURNING used",
        Params().Text(q.key).Int(q.period).Int(q.report).Int(now_ms), context);
    if (!spent.ok()) return failed(spent.status());
    Result<Rows> others = conn.Exec(
        "SELECT coalesce(sum(granted), 0)::bigint FROM limit_leases WHERE key = $1 AND period "
        "= $2 AND instance_id <> $3 AND expires_at_ms > $4",
        Params().Text(q.key).Int(q.period).Text(instance_id_).Int(now_ms), context);
    if (!others.ok()) return failed(others.status());
    const int64_t used = spent->Int(0, 0);
    const int64_t granted = metering::GrantLease(q.limit, used, others->Int(0, 0), q.keep, q.want);
    Result<Rows> leased = conn.Exec(
        "INSERT INTO limit_leases (key, period, instance_id, granted, expires_at_ms) VALUES ($1, "
        "$2, $3, $4, $5) ON CONFLICT (key, period, instance_id) DO UPDATE SET granted = "
        "EXCLUDED.granted, expires_at_ms = EXCLUDED.expires_at_ms",
        Params()
            .Text(q.key)
            .Int(q.period)
            .Text(instance_id_)
            .Int(granted)
            .Int(now_ms + metering::kLeaseTtlMs),
        context);
    if (!leased.ok()) return failed(leased.status());
    out[i] = {.granted = granted, .shared_used = used};
  }
  // Past periods' rows, now and then (every instance does it; any one
  // suffices).
  if (now_ms - last_cleanup_ms_ > kCleanupEveryMs) {
    last_cleanup_ms_ = now_ms;
    Result<Rows> leases = conn.Exec("DELETE FROM limit_leases WHERE expires_at_ms < $1",
                                    Params().Int(now_ms - kDayMs), context);
    if (!leases.ok()) return failed(leases.status());
    Result<Rows> usage =
        conn.Exec("DELETE FROM limit_usage WHERE updated_at_ms < $1 AND key NOT LIKE 'budget/%'",
                  Params().Int(now_ms - 2 * kDayMs), context);
    if (!usage.ok()) return failed(usage.status());
  }
  if (Status committed = txn->Commit(); !committed.ok()) return failed(committed);
  return out;
}

}  // namespace bp::storage
