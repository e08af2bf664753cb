#include "storage/postgres/postgres_budget_leases.h"

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

}  // namespace

PostgresBudgetLeases::PostgresBudgetLeases(std::string conninfo, std::string instance_id)
    : conninfo_(std::move(conninfo)), instance_id_(std::move(instance_id)) {}

PostgresBudgetLeases::~PostgresBudgetLeases() = default;

Result<std::vector<metering::BudgetLease>> PostgresBudgetLeases::Exchange(
    const std::vector<metering::BudgetLeaseRequest>& requests) {
  if (conn_ != nullptr && conn_->lost()) conn_.reset();
  if (conn_ == nullptr) {
    Result<std::unique_ptr<Connection>> opened =
        Connection::Open(conninfo_, kConnectTimeoutSeconds);
    if (!opened.ok()) {
      return Status(ErrorCode::kServiceUnavailable, "budget leases: " + opened.status().message());
    }
    conn_ = std::move(opened).value();
  }
  Connection& conn = *conn_;
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(requests[a].key, requests[a].month) <
           std::tie(requests[b].key, requests[b].month);
  });
  const std::string context = "exchanging budget leases";
  auto failed = [&](Status s) -> Status {
    if (conn.lost()) {
      return Status(ErrorCode::kServiceUnavailable, "budget leases: " + s.message());
    }
    return s;
  };
  Result<Transaction> txn = Transaction::Begin(conn);
  if (!txn.ok()) return failed(txn.status());
  Result<Rows> clock =
      conn.Exec("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint", context);
  if (!clock.ok()) return failed(clock.status());
  const int64_t now_ms = clock->Int(0, 0);
  std::vector<metering::BudgetLease> out(requests.size());
  for (size_t i : order) {
    const metering::BudgetLeaseRequest& q = requests[i];
    Result<Rows> spent = conn.Exec(
        "INSERT INTO budget_spend (key, month, spent) VALUES ($1, $2, $3) ON CONFLICT (key, "
        "month) DO UPDATE SET spent = budget_spend.spent + EXCLUDED.spent RETURNING spent",
        Params().Text(q.key).Int(q.month).Int(std::max<int64_t>(0, q.report)), context);
    if (!spent.ok()) return failed(spent.status());
    Result<Rows> others = conn.Exec(
        "SELECT coalesce(sum(granted), 0)::bigint FROM budget_leases WHERE key = $1 AND month "
        "= $2 AND instance_id <> $3 AND expires_at_ms > $4",
        Params().Text(q.key).Int(q.month).Text(instance_id_).Int(now_ms), context);
    if (!others.ok()) return failed(others.status());
    const int64_t shared_spent = spent->Int(0, 0);
    const int64_t granted =
        metering::GrantBudgetLease(q.limit, shared_spent, others->Int(0, 0), q.keep, q.want);
    Result<Rows> leased = conn.Exec(
        "INSERT INTO budget_leases (key, month, instance_id, granted, expires_at_ms) VALUES ($1, "
        "$2, $3, $4, $5) ON CONFLICT (key, month, instance_id) DO UPDATE SET granted = "
        "EXCLUDED.granted, expires_at_ms = EXCLUDED.expires_at_ms",
        Params().Text(q.key).Int(q.month).Text(instance_id_).Int(granted).Int(now_ms + kLeaseTtlMs),
        context);
    if (!leased.ok()) return failed(leased.status());
    out[i] = {.granted = granted, .shared_spent = shared_spent};
  }
  if (Status committed = txn->Commit(); !committed.ok()) return failed(committed);
  return out;
}

}  // namespace bp::storage
