#include "storage/sqlite/sqlite_ledger.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "json/json.h"
#include "storage/sqlite/dir_lock.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_db.h"

namespace bp::storage::sqlite {
namespace {

using metering::UsageRecord;

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
};

constexpr std::string_view kColumns =
    "time_ms, request_id, principal, profile_name, profile_arn, model_id, source_region, "
    "serving_region, attempts, operation, status, error_code, cut_short, input_tokens, "
    "output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, latency_ms, "
    "ttft_ms, service_tier, request_metadata, tags, cost_micro_usd, price_version";

std::string TagsJson(const Tags& tags) {
  json::Object obj;
  for (const auto& [key, value] : tags) obj[key] = value;
  return json::Serialize(json::Value(std::move(obj)));
}

std::string MetadataJson(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json::Object obj;
  for (const auto& [key, value] : pairs) obj[key] = value;
  return json::Serialize(json::Value(std::move(obj)));
}

// A JSON object column back into pairs; anything else reads as none.
std::vector<std::pair<std::string, std::string>> PairsOf(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  Result<json::Value> v = json::Parse(text);
  if (!v.ok() || !v->is_object()) return out;
  for (const auto& member : v->get_object()) {
    if (member.value().is_string()) {
      out.emplace_back(std::string(member.key()), std::string(member.value().get_string()));
    }
  }
  return out;
}

Status ConfigureLedgerConnection(Database& db) {
  BP_RETURN_IF_ERROR(db.EnableWal());
  // NORMAL in WAL mode: a committed transaction survives a process crash
  // (kill -9); only a power loss can lose the last ones (docs/storage.md).
  return db.Exec("PRAGMA synchronous = NORMAL", "setting synchronous = NORMAL");
}

}  // namespace

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::Open(const std::filesystem::path& state_dir,
                                                         LedgerOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec)
    return IoError("cannot create state directory " + state_dir.string() + ": " + ec.message());
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::Open(state_dir / kFileName, options.busy_timeout));
  BP_RETURN_IF_ERROR(ConfigureLedgerConnection(*db));
  BP_RETURN_IF_ERROR(ApplyMigrations(*db, kLedgerMigrations));
  BP_RETURN_IF_ERROR(SyncDirectory(state_dir));
  if (options.max_batch == 0) options.max_batch = 1;
  return std::make_unique<SqliteLedger>(Passkey{}, std::move(db), options);
}

SqliteLedger::SqliteLedger(Passkey, std::unique_ptr<Database> db, LedgerOptions options)
    : options_(options), db_(std::move(db)), writer_([this] { WriterLoop(); }) {}

SqliteLedger::~SqliteLedger() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyOne();
  writer_.join();
}

void SqliteLedger::Record(UsageRecord&& record) {
  bool wake = false;
  {
    MutexLock lock(mu_);
    ++stats_.recorded;
    if (queue_.size() >= options_.max_queued) {
      ++stats_.dropped;
      return;
    }
    if (queue_.empty()) queued_since_ = std::chrono::steady_clock::now();
    queue_.push_back(std::move(record));
    ++enqueued_seq_;
    wake = queue_.size() == options_.max_batch;
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

LedgerStats SqliteLedger::stats() const {
  MutexLock lock(mu_);
  LedgerStats out = stats_;
  out.queued = queue_.size();
  const std::chrono::steady_clock::time_point none{};
  const auto oldest = writing_since_ != none ? writing_since_
                      : queue_.empty()       ? none
                                             : queued_since_;
  if (oldest != none) {
    out.oldest_pending_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - oldest)
                                .count();
  }
  return out;
}

void SqliteLedger::WriterLoop() {
  std::vector<UsageRecord> batch;
  for (;;) {
    uint64_t batch_end = 0;
    bool stopping = false;
    {
      MutexLock lock(mu_);
      if (!stop_ && !flush_now_ && queue_.size() < options_.max_batch) {
        wake_.WaitFor(mu_, options_.flush_interval);
      }
      stopping = stop_;
      flush_now_ = false;
      if (queue_.empty()) {
        done_seq_ = enqueued_seq_;
        written_.NotifyAll();
        if (stopping) return;
        continue;
      }
      batch.swap(queue_);
      batch_end = enqueued_seq_;
      writing_since_ = queued_since_;
    }
    const auto started = std::chrono::steady_clock::now();
    Status status = WriteBatch(batch);
    const int64_t took = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    MutexLock lock(mu_);
    if (status.ok()) {
      stats_.written += batch.size();
      stats_.last_commit_ms = took;
      batch.clear();
    } else {
      ++stats_.failed_batches;
      last_error_ = status;
      spdlog::error("usage ledger: a batch of {} record(s) was not written: {}", batch.size(),
                    status.message());
      if (!stopping && queue_.size() + batch.size() <= options_.max_queued) {
        // Kept for the next round, ahead of what came since.
        batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
        queue_.swap(batch);
        queued_since_ = writing_since_;  // the kept batch is the oldest
      } else {
        stats_.dropped += batch.size();
      }
      batch.clear();
    }
    writing_since_ = {};
    done_seq_ = batch_end;
    written_.NotifyAll();
  }
}

Status SqliteLedger::WriteBatch(const std::vector<UsageRecord>& batch) {
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_, Transaction::Kind::kWrite));
  const std::string sql = "INSERT INTO usage_records (" + std::string(kColumns) +
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                          "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
  for (const UsageRecord& r : batch) {
    BP_ASSIGN_OR_RETURN(Query q, db_->Prepare(sql));
    q.Bind(1, r.time_ms)
        .Bind(2, r.request_id)
        .Bind(3, r.principal)
        .Bind(4, r.profile_name)
        .Bind(5, r.profile_arn)
        .Bind(6, r.model_id)
        .Bind(7, r.source_region)
        .Bind(8, r.serving_region)
        .Bind(9, int64_t{r.attempts})
        .Bind(10, metering::OperationName(r.operation))
        .Bind(11, int64_t{r.status})
        .Bind(12, r.error_code)
        .Bind(13, int64_t{r.cut_short ? 1 : 0})
        .Bind(14, r.tokens.input)
        .Bind(15, r.tokens.output)
        .Bind(16, r.tokens.cache_read)
        .Bind(17, r.tokens.cache_write_5m)
        .Bind(18, r.tokens.cache_write_1h)
        .Bind(19, r.latency_ms)
        .Bind(20, r.ttft_ms)
        .Bind(21, r.service_tier)
        .Bind(22, MetadataJson(r.request_metadata))
        .Bind(23, TagsJson(r.tags))
        .Bind(24, r.cost_micro_usd)
        .Bind(25, r.price_version);
    BP_RETURN_IF_ERROR(q.Run());
  }
  return txn.Commit();
}

Status ScanUsage(const std::filesystem::path& state_dir, int64_t from_ms, int64_t to_ms,
                 const std::function<void(const UsageRecord&)>& fn) {
  const std::filesystem::path path = state_dir / SqliteLedger::kFileName;
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                      Database::OpenReadOnly(path, std::chrono::milliseconds(5000)));
  BP_ASSIGN_OR_RETURN(int version, CurrentSchemaVersion(*db));
  const int known = LatestVersion(kLedgerMigrations);
  if (version > known) {
    return IoError("usage ledger " + path.string() + " has schema version " +
                   std::to_string(version) + ", newer than this binary knows (" +
                   std::to_string(known) + "); use a newer bedrock-profiles");
  }
  if (version == 0) return Status::Ok();  // created, never migrated: no records
  BP_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db, Transaction::Kind::kRead));
  BP_ASSIGN_OR_RETURN(Query q,
                      db->Prepare("SELECT " + std::string(kColumns) +
                                  " FROM usage_records WHERE time_ms >= ?1 AND time_ms < ?2 "
                                  "ORDER BY time_ms, id"));
  q.Bind(1, from_ms).Bind(2, to_ms);
  UsageRecord r;
  for (;;) {
    BP_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    r.time_ms = q.Int(0);
    r.request_id = q.Text(1);
    r.principal = q.Text(2);
    r.profile_name = q.Text(3);
    r.profile_arn = q.Text(4);
    r.model_id = q.Text(5);
    r.source_region = q.Text(6);
    r.serving_region = q.Text(7);
    r.attempts = static_cast<int32_t>(q.Int(8));
    r.operation = metering::OperationFromName(q.Text(9)).value_or(metering::Operation::kConverse);
    r.status = static_cast<int32_t>(q.Int(10));
    r.error_code = q.Text(11);
    r.cut_short = q.Int(12) != 0;
    r.tokens = {.input = q.Int(13),
                .output = q.Int(14),
                .cache_read = q.Int(15),
                .cache_write_5m = q.Int(16),
                .cache_write_1h = q.Int(17)};
    r.latency_ms = q.Int(18);
    r.ttft_ms = q.Int(19);
    r.service_tier = q.Text(20);
    r.request_metadata = PairsOf(q.Text(21));
    r.tags.clear();
    for (auto& [key, value] : PairsOf(q.Text(22))) r.tags.emplace(std::move(key), std::move(value));
    r.cost_micro_usd = q.Int(23);
    r.price_version = q.Text(24);
    fn(r);
  }
  return Status::Ok();
}

Result<metering::UsageReport> QueryUsage(const std::filesystem::path& state_dir,
                                         std::vector<metering::Dimension> dimensions,
                                         int64_t from_ms, int64_t to_ms) {
  metering::UsageAggregator aggregator(std::move(dimensions));
  BP_RETURN_IF_ERROR(
      ScanUsage(state_dir, from_ms, to_ms, [&](const UsageRecord& r) { aggregator.Add(r); }));
  return std::move(aggregator).Finish(from_ms, to_ms);
}

}  // namespace bp::storage::sqlite
