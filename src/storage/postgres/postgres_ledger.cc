#include "storage/postgres/postgres_ledger.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/utf8.h"
#include "metering/metrics.h"
#include "metering/record_json.h"
#include "storage/postgres/pg_conn.h"

namespace bp::storage {

using metering::UsageRecord;
using postgres::Connection;
using postgres::Params;
using postgres::Rows;
using postgres::Transaction;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
// Rows per INSERT statement: 28 parameters each, within PostgreSQL's 65535.
constexpr size_t kRowsPerStatement = 1000;
constexpr int kQueryConnectTimeoutSeconds = 5;
// Rows per page when a report reads the records.
constexpr int64_t kQueryPage = 10'000;

// usage_records' columns after (instance_id, local_id), in the order both
// the INSERT and the SELECT use.
#define BP_USAGE_COLUMNS                                                                         \
  "time_ms, request_id, principal, profile_name, profile_arn, model_id, source_region, "         \
  "serving_region, attempts, operation, status, error_code, cut_short, input_tokens, "           \
  "output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, latency_ms, " \
  "ttft_ms, service_tier, request_metadata, tags, cost_micro_usd, price_version, "               \
  "tokens_estimated"
constexpr int kColumnsPerRow = 28;  // instance_id, local_id and the 26 above
constexpr std::string_view kInsertHead =
    "INSERT INTO usage_records (instance_id, local_id, " BP_USAGE_COLUMNS ") VALUES ";
constexpr std::string_view kSelectRecords =
    "SELECT " BP_USAGE_COLUMNS
    ", instance_id, local_id FROM usage_records WHERE time_ms >= $1 AND time_ms < $2 AND "
    "(time_ms, instance_id, local_id) > ($3, $4, $5) ORDER BY time_ms, instance_id, local_id "
    "LIMIT $6";
#undef BP_USAGE_COLUMNS

// TEXT holds valid UTF-8 without NUL; a record's strings nearly always are
// (ARNs, ids, names the control plane validated), but one that is not must
// not stop the shipping of every record after it.
void MakePgText(std::string& s) {
  if (s.find('\0') != std::string::npos) std::erase(s, '\0');
  std::string valid = ToValidUtf8(s);
  if (valid.size() != s.size() || valid != s) s = std::move(valid);
}

// A record as shipped: its own copy (the reader's is reused), strings fit
// for TEXT, tags and metadata as JSON.
struct Row {
  int64_t local_id = 0;
  UsageRecord record;
  std::string metadata;
  std::string tags;
  std::string operation;
};

Row ToRow(int64_t local_id, const UsageRecord& r) {
  Row row{.local_id = local_id,
          .record = r,
          .metadata = metering::MetadataToJson(r.request_metadata),
          .tags = metering::TagsToJson(r.tags),
          .operation = std::string(metering::OperationName(r.operation))};
  UsageRecord& c = row.record;
  for (std::string* s : {&c.request_id, &c.principal, &c.profile_name, &c.profile_arn, &c.model_id,
                         &c.source_region, &c.serving_region, &c.error_code, &c.service_tier,
                         &c.price_version, &row.metadata, &row.tags}) {
    MakePgText(*s);
  }
  return row;
}

void AddRow(Params& p, std::string_view instance_id, const Row& row) {
  const UsageRecord& r = row.record;
  p.Text(instance_id)
      .Int(row.local_id)
      .Int(r.time_ms)
      .Text(r.request_id)
      .Text(r.principal)
      .Text(r.profile_name)
      .Text(r.profile_arn)
      .Text(r.model_id)
      .Text(r.source_region)
      .Text(r.serving_region)
      .Int(r.attempts)
      .Text(row.operation)
      .Int(r.status)
      .Text(r.error_code)
      .Bool(r.cut_short)
      .Int(r.tokens.input)
      .Int(r.tokens.output)
      .Int(r.tokens.cache_read)
      .Int(r.tokens.cache_write_5m)
      .Int(r.tokens.cache_write_1h)
      .Int(r.latency_ms)
      .Int(r.ttft_ms)
      .Text(r.service_tier)
      .Text(row.metadata)
      .Text(row.tags)
      .Int(r.cost_micro_usd)
      .Text(r.price_version)
      .Bool(r.tokens_estimated);
}

std::string InsertSql(size_t rows) {
  std::string sql(kInsertHead);
  int n = 0;
  for (size_t i = 0; i < rows; ++i) {
    sql += i == 0 ? "(" : ",(";
    for (int c = 0; c < kColumnsPerRow; ++c) {
      if (c > 0) sql += ',';
      sql += '$';
      sql += std::to_string(++n);
    }
    sql += ')';
  }
  sql += " ON CONFLICT (instance_id, local_id) DO NOTHING RETURNING local_id";
  return sql;
}

// The calls a batch actually inserted, summed by the metrics' labels, added
// to usage_totals in the same transaction (so the totals count each record
// exactly once, as usage_records holds it).
Status AddTotals(Connection& conn, const std::vector<Row>& rows,
                 const std::unordered_set<int64_t>& inserted, std::string_view context) {
  std::map<std::array<std::string, 5>, UsageTotal> sums;
  for (const Row& row : rows) {
    if (!inserted.contains(row.local_id)) continue;
    const UsageRecord& r = row.record;
    std::array<std::string, 5> key = {r.profile_name, r.model_id, row.operation, r.serving_region,
                                      std::string(metering::StatusClass(r))};
    UsageTotal& t = sums[key];
    t.requests += 1;
    t.tokens.input += r.tokens.input;
    t.tokens.output += r.tokens.output;
    t.tokens.cache_read += r.tokens.cache_read;
    t.tokens.cache_write_5m += r.tokens.cache_write();
    t.cost_micro_usd += std::max<int64_t>(0, r.cost_micro_usd);
  }
  for (const auto& [key, t] : sums) {
    BP_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO usage_totals (profile_name, model_id, operation, serving_region, "
                  "status_class, requests, input_tokens, output_tokens, cache_read_tokens, "
                  "cache_write_tokens, cost_micro_usd) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                  "$9, $10, $11) ON CONFLICT (profile_name, model_id, operation, serving_region, "
                  "status_class) DO UPDATE SET requests = usage_totals.requests + "
                  "EXCLUDED.requests, input_tokens = usage_totals.input_tokens + "
                  "EXCLUDED.input_tokens, output_tokens = usage_totals.output_tokens + "
                  "EXCLUDED.output_tokens, cache_read_tokens = usage_totals.cache_read_tokens + "
                  "EXCLUDED.cache_read_tokens, cache_write_tokens = "
                  "usage_totals.cache_write_tokens + EXCLUDED.cache_write_tokens, "
                  "cost_micro_usd = usage_totals.cost_micro_usd + EXCLUDED.cost_micro_usd",
                  Params()
                      .Text(key[0])
                      .Text(key[1])
                      .Text(key[2])
                      .Text(key[3])
                      .Text(key[4])
                      .Int(t.requests)
                      .Int(t.tokens.input)
                      .Int(t.tokens.output)
                      .Int(t.tokens.cache_read)
                      .Int(t.tokens.cache_write_5m)
                      .Int(t.cost_micro_usd),
                  context)
            .status());
  }
  return Status::Ok();
}

void ReadRow(const Rows& rows, int i, UsageRecord& r) {
  r.time_ms = rows.Int(i, 0);
  r.request_id = rows.Bytes(i, 1);
  r.principal = rows.Bytes(i, 2);
  r.profile_name = rows.Bytes(i, 3);
  r.profile_arn = rows.Bytes(i, 4);
  r.model_id = rows.Bytes(i, 5);
  r.source_region = rows.Bytes(i, 6);
  r.serving_region = rows.Bytes(i, 7);
  r.attempts = static_cast<int32_t>(rows.Int(i, 8));
  r.operation =
      metering::OperationFromName(rows.Bytes(i, 9)).value_or(metering::Operation::kConverse);
  r.status = static_cast<int32_t>(rows.Int(i, 10));
  r.error_code = rows.Bytes(i, 11);
  r.cut_short = rows.Bool(i, 12);
  r.tokens = {.input = rows.Int(i, 13),
              .output = rows.Int(i, 14),
              .cache_read = rows.Int(i, 15),
              .cache_write_5m = rows.Int(i, 16),
              .cache_write_1h = rows.Int(i, 17)};
  r.latency_ms = rows.Int(i, 18);
  r.ttft_ms = rows.Int(i, 19);
  r.service_tier = rows.Bytes(i, 20);
  r.request_metadata = metering::MetadataFromJson(rows.Bytes(i, 21));
  r.tags = metering::TagsFromJson(rows.Bytes(i, 22));
  r.cost_micro_usd = rows.Int(i, 23);
  r.price_version = rows.Bytes(i, 24);
  r.tokens_estimated = rows.Bool(i, 25);
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace

std::unique_ptr<PostgresLedgerShipper> PostgresLedgerShipper::Start(std::string conninfo,
                                                                    std::string instance_id,
                                                                    LocalLedgerReader reader,
                                                                    LedgerShipperOptions options) {
  if (options.batch == 0) options.batch = 1;
  return std::make_unique<PostgresLedgerShipper>(
      Passkey{}, std::move(conninfo), std::move(instance_id), std::move(reader), options);
}

PostgresLedgerShipper::PostgresLedgerShipper(Passkey, std::string conninfo, std::string instance_id,
                                             LocalLedgerReader reader, LedgerShipperOptions options)
    : conninfo_(std::move(conninfo)),
      display_name_(postgres::RedactedConnInfo(conninfo_)),
      instance_id_(std::move(instance_id)),
      reader_(std::move(reader)),
      options_(options),
      thread_([this] { Run(); }) {}

PostgresLedgerShipper::~PostgresLedgerShipper() { Stop(); }

void PostgresLedgerShipper::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

Status PostgresLedgerShipper::Drain(std::chrono::milliseconds timeout) {
  const SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  MutexLock lock(mu_);
  // Served by a pass that starts after this point, so it reads what the
  // caller's local ledger holds now.
  const uint64_t ask = ++drain_asked_;
  wake_.NotifyAll();
  while (drain_served_ < ask && !stop_) {
    const auto left = deadline - SteadyClock::now();
    if (left <= SteadyClock::duration::zero()) break;
    drained_.WaitFor(mu_, left);
  }
  if (drain_served_ >= ask) return drain_status_;
  if (stop_) return Status(ErrorCode::kServiceUnavailable, "the usage shipper has stopped");
  return Status(ErrorCode::kServiceUnavailable, "usage records not all shipped to " +
                                                    display_name_ + " within " +
                                                    std::to_string(timeout.count()) + " ms");
}

LedgerShipperStats PostgresLedgerShipper::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void PostgresLedgerShipper::Run() {
  std::unique_ptr<Connection> conn;
  std::chrono::milliseconds backoff = kFirstBackoff;
  for (;;) {
    uint64_t serving = 0;  // the drains this pass answers
    {
      MutexLock lock(mu_);
      if (stop_) break;
      serving = drain_asked_;
    }
    Status outcome = Status::Ok();
    if (conn == nullptr) {
      Result<std::unique_ptr<Connection>> opened =
          Connection::Open(conninfo_, options_.connect_timeout_s);
      if (opened.ok()) {
        conn = std::move(opened).value();
      } else {
        outcome = opened.status();
      }
    }
    if (conn != nullptr) {
      Result<size_t> shipped = ShipAll(*conn);
      if (shipped.ok()) {
        if (Status read = ReadTotals(*conn); !read.ok()) shipped = read;
      }
      if (!shipped.ok()) {
        outcome = shipped.status();
        if (conn->lost()) conn.reset();
      }
    }
    std::chrono::milliseconds wait = options_.interval;
    if (outcome.ok()) {
      backoff = kFirstBackoff;
    } else {
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    MutexLock lock(mu_);
    stats_.connected = conn != nullptr;
    if (outcome.ok()) {
      stats_.caught_up_at_ms = SteadyMillis();
      stats_.last_error.clear();
    } else {
      ++stats_.failed_batches;
      if (stats_.last_error != outcome.message()) {
        spdlog::warn("usage shipper: {}; the records wait in the local ledger", outcome.message());
      }
      stats_.last_error = outcome.message();
    }
    drain_served_ = serving;
    drain_status_ = outcome;
    drained_.NotifyAll();
    const SteadyClock::time_point until = SteadyClock::now() + wait;
    while (!stop_ && drain_asked_ == drain_served_) {
      const auto left = until - SteadyClock::now();
      if (left <= SteadyClock::duration::zero()) break;
      wake_.WaitFor(mu_, left);
    }
  }
  MutexLock lock(mu_);
  drained_.NotifyAll();
}

Result<size_t> PostgresLedgerShipper::ShipAll(Connection& conn) {
  size_t total = 0;
  for (;;) {
    BP_ASSIGN_OR_RETURN(size_t n, ShipBatch(conn));
    total += n;
    if (n < options_.batch) return total;
    MutexLock lock(mu_);
    if (stop_) return total;
  }
}

Result<size_t> PostgresLedgerShipper::ShipBatch(Connection& conn) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn));
  const std::string context = "shipping usage records";
  BP_RETURN_IF_ERROR(conn.Exec("INSERT INTO ledger_cursors (instance_id, shipped_id, "
                               "shipped_at_ms) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING",
                               Params().Text(instance_id_), context)
                         .status());
  // The row lock makes a second process with this instance id (a copied
  // state directory) wait rather than ship the same records beside us.
  BP_ASSIGN_OR_RETURN(Rows cursor_row,
                      conn.Exec("SELECT shipped_id FROM ledger_cursors WHERE instance_id = $1 "
                                "FOR UPDATE",
                                Params().Text(instance_id_), context));
  const int64_t cursor = cursor_row.size() == 1 ? cursor_row.Int(0, 0) : 0;
  std::vector<Row> rows;
  BP_ASSIGN_OR_RETURN(size_t read,
                      reader_(cursor, options_.batch, [&rows](int64_t id, const UsageRecord& r) {
                        rows.push_back(ToRow(id, r));
                      }));
  if (read == 0) {
    txn.Rollback();
    MutexLock lock(mu_);
    stats_.cursor = cursor;
    return size_t{0};
  }
  std::unordered_set<int64_t> inserted;
  for (size_t at = 0; at < rows.size(); at += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, rows.size() - at);
    Params params;
    for (size_t i = at; i < at + n; ++i) AddRow(params, instance_id_, rows[i]);
    BP_ASSIGN_OR_RETURN(Rows ids, conn.Exec(InsertSql(n), params, context));
    for (int i = 0; i < ids.size(); ++i) inserted.insert(ids.Int(i, 0));
  }
  BP_RETURN_IF_ERROR(AddTotals(conn, rows, inserted, context));
  const int64_t last = rows.back().local_id;
  BP_RETURN_IF_ERROR(conn.Exec("UPDATE ledger_cursors SET shipped_id = $2, shipped_at_ms = $3 "
                               "WHERE instance_id = $1",
                               Params()
                                   .Text(instance_id_)
                                   .Int(last)
                                   .Int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()),
                               context)
                         .status());
  BP_RETURN_IF_ERROR(txn.Commit());
  MutexLock lock(mu_);
  stats_.shipped += rows.size();
  stats_.cursor = last;
  return rows.size();
}

Status PostgresLedgerShipper::ReadTotals(Connection& conn) {
  BP_ASSIGN_OR_RETURN(
      Rows rows,
      conn.Exec("SELECT profile_name, model_id, operation, serving_region, status_class, "
                "requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
                "cost_micro_usd FROM usage_totals ORDER BY requests DESC LIMIT $1",
                Params().Int(static_cast<int64_t>(kMaxTotals)), "reading the usage totals"));
  std::vector<UsageTotal> totals(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    UsageTotal& t = totals[static_cast<size_t>(i)];
    t.profile = rows.Bytes(i, 0);
    t.model = rows.Bytes(i, 1);
    t.operation = rows.Bytes(i, 2);
    t.region = rows.Bytes(i, 3);
    t.status_class = rows.Bytes(i, 4);
    t.requests = rows.Int(i, 5);
    t.tokens = {.input = rows.Int(i, 6),
                .output = rows.Int(i, 7),
                .cache_read = rows.Int(i, 8),
                .cache_write_5m = rows.Int(i, 9),
                .cache_write_1h = 0};
    t.cost_micro_usd = rows.Int(i, 10);
  }
  MutexLock lock(mu_);
  totals_ = std::move(totals);
  return Status::Ok();
}

std::vector<UsageTotal> PostgresLedgerShipper::Totals() const {
  MutexLock lock(mu_);
  return totals_;
}

Result<metering::UsageReport> QueryPostgresUsage(std::string_view conninfo,
                                                 std::vector<metering::Dimension> dimensions,
                                                 int64_t from_ms, int64_t to_ms) {
  Result<std::unique_ptr<Connection>> opened =
      Connection::Open(conninfo, kQueryConnectTimeoutSeconds);
  if (!opened.ok()) {
    return Status(ErrorCode::kServiceUnavailable,
                  "the usage ledger's database is unreachable: " + opened.status().message());
  }
  Connection& conn = **opened;
  // One snapshot for every page.
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, Transaction::Kind::kRead));
  metering::UsageAggregator aggregator(std::move(dimensions));
  UsageRecord r;
  int64_t after_time = from_ms - 1;
  std::string after_instance;
  int64_t after_id = 0;
  for (;;) {
    BP_ASSIGN_OR_RETURN(Rows rows, conn.Exec(kSelectRecords,
                                             Params()
                                                 .Int(from_ms)
                                                 .Int(to_ms)
                                                 .Int(after_time)
                                                 .Text(after_instance)
                                                 .Int(after_id)
                                                 .Int(kQueryPage),
                                             "reading usage records"));
    for (int i = 0; i < rows.size(); ++i) {
      ReadRow(rows, i, r);
      aggregator.Add(r);
    }
    if (rows.size() < kQueryPage) break;
    const int last = rows.size() - 1;
    after_time = rows.Int(last, 0);
    after_instance = rows.Bytes(last, 26);
    after_id = rows.Int(last, 27);
  }
  BP_RETURN_IF_ERROR(txn.Commit());
  return std::move(aggregator).Finish(from_ms, to_ms);
}

}  // namespace bp::storage
