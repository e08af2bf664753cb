// bp_dashboard_bench: the ledger reads behind the dashboard's data API
// (docs/dashboard.md, docs/performance.md "Dashboard reads"): roll-ups over
// 30 and 60 days by the day, 30 days and 24 h by the hour, 1 h and 6 h by
// the minute, with and without a principal filter (ScanUsageRollups), and
// the latest calls with and without a filter (LatestUsageRecords), on a
// ledger holding 30 days of an endpoint serving 100 calls/s; the writer's
// cost per one-second batch (raw records and three roll-up tables); the v5
// and v6 migrations.
//
//   bp_dashboard_bench [--days=N] [--rate=R] [--principals=P] [--dir=PATH]
//                      [--no-principal-index] [benchmark flags]
// The ledger as the writer would have left it: the last hour written through
// SqliteLedger (R calls/s of raw records, default 100: 360,000, with their
// hourly, minute and daily roll-ups), and before it the roll-ups alone,
// inserted directly: hourly ones for N days (default 30), daily ones for 2 N
// days (the window and the one before it, which the usage page reads too),
// minute ones for the rest of kMinuteRollupRetention. 12 P keys per bucket:
// 2 profiles x 3 serving regions x P principals (default 3: 36 keys) x 2
// operations, the calls spread evenly. --no-principal-index drops the
// (principal, time) indexes first, to price them (with more principals the
// filter reads fewer rows). --dir keeps the ledger there.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include "api/dashboard/dashboard.h"
#include "api/router.h"
#include "auth/authenticator.h"
#include "bench/ledger_bench_util.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/mutex.h"
#include "core/worker_pool.h"
#include "metering/record_json.h"
#include "metering/usage_rollup.h"
#include "storage/caching_store.h"
#include "storage/memory/memory_profile_store.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::bench {
namespace {

using metering::kDayMs;
using metering::kHourMs;
using metering::kMinuteMs;
using storage::sqlite::RecordFilter;
using storage::sqlite::RollupGrain;

struct Setup {
  std::filesystem::path dir;
  int64_t days = 30;
  int64_t rate = 100;  // calls per second
  int principals = 3;
  bool drop_index = false;
  int64_t now_ms = 0;  // an hour's start: the raw hour is [now - 1 h, now)
};
Setup g_setup;

constexpr const char* kProfiles[] = {"rd-haiku-45", "rd-sonnet-45"};
constexpr const char* kModels[] = {"anthropic.claude-haiku-4-5-20251001-v1:0",
                                   "anthropic.claude-sonnet-4-5-20250929-v1:0"};
constexpr const char* kRegions[] = {"eu-central-1", "eu-west-1", "eu-west-3"};
std::string Principal(int i) {
  return "arn:aws:iam::123456789012:role/rd-user-" + std::to_string(i);
}
int Keys() { return 12 * g_setup.principals; }
constexpr metering::Operation kOps[] = {metering::Operation::kConverse,
                                        metering::Operation::kConverseStream};

Tags ProfileTags(int profile) {
  return {{"team", profile == 0 ? "ml" : "search"}, {"billing-mode", "rd"}};
}

// Key k (0 <= k < Keys()) at `start_ms`.
metering::UsageRollupKey Key(int k, int64_t start_ms) {
  const int profile = k % 2;
  const int p = g_setup.principals;
  return {.start_ms = start_ms,
          .profile_name = kProfiles[profile],
          .principal = Principal((k / 2) % p),
          .model_id = kModels[profile],
          .serving_region = kRegions[(k / (2 * p)) % 3],
          .operation = kOps[(k / (6 * p)) % 2],
          .tags = ProfileTags(profile)};
}

// A call of key `k`: 96 % succeed, 2 % throttled, 2 % refused.
metering::UsageRecord Call(std::mt19937_64& rng, int k, int64_t time_ms, int64_t i) {
  const metering::UsageRollupKey key = Key(k, 0);
  metering::UsageRecord r;
  r.time_ms = time_ms;
  r.request_id = "bench-" + std::to_string(i);
  r.principal = key.principal;
  r.profile_name = key.profile_name;
  r.profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/p" +
                  std::to_string(k % 2);
  r.model_id = key.model_id;
  r.source_region = "eu-central-1";
  r.serving_region = key.serving_region;
  r.attempts = 1;
  r.operation = key.operation;
  const uint64_t fate = rng() % 100;
  r.status = fate < 96 ? 200 : (fate < 98 ? 429 : 400);
  r.error_code = fate < 96 ? "" : (fate < 98 ? "ThrottlingException" : "ValidationException");
  r.tokens = {.input = static_cast<int64_t>(rng() % 4000),
              .output = static_cast<int64_t>(rng() % 800),
              .cache_read = static_cast<int64_t>(rng() % 2000)};
  r.latency_ms = 200 + static_cast<int64_t>(rng() % 6000);
  r.ttft_ms = 150 + static_cast<int64_t>(rng() % 600);
  r.request_metadata = {{"run", "run-" + std::to_string(rng() % 50)}};
  r.tags = key.tags;
  r.cost_micro_usd = static_cast<int64_t>(rng() % 20'000);
  r.price_version = "bench";
  return r;
}

// A roll-up of `calls` calls with the figures Call() would give on average
// and histograms spread as its latencies are (64 values, equal counts).
metering::UsageRollup Rollup(std::mt19937_64& rng, int k, int64_t start_ms, int64_t calls) {
  metering::UsageRollup u{.key = Key(k, start_ms)};
  u.requests = calls;
  u.errors = calls * 4 / 100;
  u.throttles = calls * 2 / 100;
  u.tokens = {.input = calls * 2000, .output = calls * 400, .cache_read = calls * 1000};
  u.cost_micro_usd = calls * 10'000;
  const int64_t per = std::max<int64_t>(1, calls / 64);
  for (int64_t n = 0; n < std::min<int64_t>(calls, 64); ++n) {
    u.latency.Add(200 + static_cast<int64_t>(rng() % 6000), static_cast<uint64_t>(per));
    u.ttft.Add(150 + static_cast<int64_t>(rng() % 600), static_cast<uint64_t>(per));
  }
  return u;
}

bool Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK) return true;
  std::fprintf(stderr, "dashboard bench: %s: %s\n", sql, error != nullptr ? error : "?");
  sqlite3_free(error);
  return false;
}

// Inserts the roll-ups of every bucket in [from_ms, to_ms) of `table`, the
// way the writer stores them (a test fixture: it knows the schema, v6).
bool InsertRollups(sqlite3* db, std::string_view table, std::string_view time_column,
                   int64_t width_ms, int64_t from_ms, int64_t to_ms, std::mt19937_64& rng) {
  const std::string sql =
      "INSERT INTO " + std::string(table) + " (" + std::string(time_column) +
      ", profile_name, principal, model_id, serving_region, operation, tags, requests, errors, "
      "throttles, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, "
      "cache_write_1h_tokens, cost_micro_usd, latency_histogram, ttft_histogram, estimated) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19)";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "dashboard bench: %s\n", sqlite3_errmsg(db));
    return false;
  }
  const int64_t calls = g_setup.rate * (width_ms / 1000) / Keys();
  bool ok = true;
  for (int64_t start = from_ms; ok && start < to_ms; start += width_ms) {
    for (int k = 0; ok && k < Keys(); ++k) {
      const metering::UsageRollup u = Rollup(rng, k, start, std::max<int64_t>(calls, 1));
      const std::string tags = metering::TagsToJson(u.key.tags);
      const std::string latency = u.latency.Encode();
      const std::string ttft = u.ttft.Encode();
      const std::string_view op = metering::OperationName(u.key.operation);
      sqlite3_bind_int64(stmt, 1, u.key.start_ms);
      sqlite3_bind_text(stmt, 2, u.key.profile_name.data(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 3, u.key.principal.data(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 4, u.key.model_id.data(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 5, u.key.serving_region.data(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 6, op.data(), static_cast<int>(op.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 7, tags.data(), static_cast<int>(tags.size()), SQLITE_TRANSIENT);
      const int64_t figures[] = {
          u.requests,          u.errors, u.throttles, u.tokens.input,  u.tokens.output,
          u.tokens.cache_read, 0,        0,           u.cost_micro_usd};
      for (int i = 0; i < 9; ++i) sqlite3_bind_int64(stmt, 8 + i, figures[i]);
      sqlite3_bind_blob(stmt, 17, latency.data(), static_cast<int>(latency.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_blob(stmt, 18, ttft.data(), static_cast<int>(ttft.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(stmt, 19, 0);
      ok = sqlite3_step(stmt) == SQLITE_DONE;
      if (!ok) std::fprintf(stderr, "dashboard bench: %s\n", sqlite3_errmsg(db));
      sqlite3_reset(stmt);
    }
  }
  sqlite3_finalize(stmt);
  return ok;
}

// The last hour's calls through the ledger's writer, in time order.
bool WriteRawHour() {
  auto ledger = storage::sqlite::SqliteLedger::Open(
      g_setup.dir, {.flush_interval = std::chrono::hours(1), .max_batch = 10'000});
  if (!ledger.ok()) {
    std::fprintf(stderr, "dashboard bench: %s\n", ledger.status().message().c_str());
    return false;
  }
  std::mt19937_64 rng(301);
  const int64_t n = g_setup.rate * 3600;
  const int64_t from = g_setup.now_ms - kHourMs;
  for (int64_t i = 0; i < n; ++i) {
    (*ledger)->Record(Call(rng, static_cast<int>(rng() % static_cast<uint64_t>(Keys())),
                           from + kHourMs * i / n, i));
    if (i % 50'000 == 49'999 && !(*ledger)->Flush().ok()) return false;  // bounded memory
  }
  return (*ledger)->Flush().ok();
}

bool BuildLedger() {
  std::filesystem::remove_all(g_setup.dir);
  const auto started = std::chrono::steady_clock::now();
  if (!WriteRawHour()) return false;
  const auto db_path = g_setup.dir / storage::sqlite::SqliteLedger::kFileName;
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return false;
  std::mt19937_64 rng(7);
  const int64_t raw_from = g_setup.now_ms - kHourMs;
  const int64_t keep_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(storage::sqlite::kMinuteRollupRetention)
          .count();
  bool ok = Exec(db, "BEGIN IMMEDIATE") &&
            InsertRollups(db, "usage_hourly", "hour_ms", kHourMs,
                          g_setup.now_ms - g_setup.days * 24 * kHourMs, raw_from, rng) &&
            InsertRollups(db, "usage_minutely", "minute_ms", kMinuteMs, g_setup.now_ms - keep_ms,
                          raw_from, rng) &&
            InsertRollups(db, "usage_daily", "day_ms", kDayMs,
                          metering::BucketStart(g_setup.now_ms - 2 * g_setup.days * kDayMs, kDayMs),
                          metering::BucketStart(raw_from, kDayMs), rng) &&
            Exec(db, "COMMIT");
  if (ok && g_setup.drop_index) {
    ok = Exec(db, "DROP INDEX usage_hourly_by_principal") &&
         Exec(db, "DROP INDEX usage_minutely_by_principal") &&
         Exec(db, "DROP INDEX usage_daily_by_principal");
  }
  sqlite3_close(db);
  std::fprintf(stderr, "dashboard bench: built the ledger in %.1f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return ok;
}

int64_t LedgerScalar(const char* sql) {
  return bp::bench::ScalarQuery(g_setup.dir / storage::sqlite::SqliteLedger::kFileName, sql);
}

// ScanUsageRollups over the `span_ms` up to now; state.range(0): 1 for one
// principal's roll-ups only. Counts rows and calls (what a series needs).
void ScanRollups(benchmark::State& state, RollupGrain grain, int64_t span_ms) {
  const std::string principal = state.range(0) != 0 ? Principal(1) : "";
  int64_t rows = 0;
  int64_t calls = 0;
  for (auto _ : state) {
    rows = 0;
    calls = 0;
    const Status s = storage::sqlite::ScanUsageRollups(g_setup.dir, grain, g_setup.now_ms - span_ms,
                                                       g_setup.now_ms, principal,
                                                       [&](const metering::UsageRollup& u) {
                                                         ++rows;
                                                         calls += u.requests;
                                                       });
    if (!s.ok() || rows == 0) {
      state.SkipWithError(s.ok() ? "no roll-ups" : s.message().c_str());
      return;
    }
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["calls"] = static_cast<double>(calls);
}

void BM_Rollups_Hourly30d(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kHour, 30 * 24 * kHourMs);
}
void BM_Rollups_Hourly24h(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kHour, 24 * kHourMs);
}
void BM_Rollups_Minute1h(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kMinute, kHourMs);
}
BENCHMARK(BM_Rollups_Hourly30d)
    ->ArgName("principal")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rollups_Hourly24h)
    ->ArgName("principal")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
void BM_Rollups_Minute6h(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kMinute, 6 * kHourMs);
}
BENCHMARK(BM_Rollups_Minute1h)->ArgName("principal")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rollups_Minute6h)->ArgName("principal")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
// By the day: the usage page's 30-day window, and 60 days (the window and
// the one before it, which the page reads for its change column).
void BM_Rollups_Daily30d(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kDay, 30 * kDayMs);
}
void BM_Rollups_Daily60d(benchmark::State& state) {
  ScanRollups(state, RollupGrain::kDay, 60 * kDayMs);
}
BENCHMARK(BM_Rollups_Daily30d)->ArgName("principal")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rollups_Daily60d)->ArgName("principal")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// LatestUsageRecords(limit 100); state.range(0): 0 no filter, 1 one
// principal (with 3: a third of the calls), 2 one principal's throttled
// calls in one region (with 3: about 0.2 %, some 45,000 rows read for 100).
void BM_LatestRecords100(benchmark::State& state) {
  RecordFilter filter;
  if (state.range(0) >= 1) filter.principal_arn = Principal(1);
  if (state.range(0) >= 2) {
    filter.outcome = RecordFilter::Outcome::kThrottled;
    filter.serving_region = kRegions[2];
  }
  size_t found = 0;
  for (auto _ : state) {
    auto records = storage::sqlite::LatestUsageRecords(g_setup.dir, filter, 100);
    if (!records.ok() || records->empty()) {
      state.SkipWithError(records.ok() ? "no records" : records.status().message().c_str());
      return;
    }
    found = records->size();
    benchmark::DoNotOptimize(records->data());
  }
  state.counters["records"] = static_cast<double>(found);
}
BENCHMARK(BM_LatestRecords100)
    ->ArgName("filter")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

// The writer's cost per batch with its three roll-up tables: one second of
// `rate` calls (what a busy endpoint commits per flush) over this mix's
// keys, second after second into one ledger, so most batches update
// existing hourly and daily rows and a minute's first batch makes its rows.
void BM_LedgerWrite_OneSecond(benchmark::State& state) {
  std::mt19937_64 rng(11);
  int64_t second = 0;
  TimeLedgerBatches(state, g_setup.dir.string() + "-write", g_setup.rate, [&] {
    std::vector<metering::UsageRecord> batch;
    for (int64_t i = 0; i < g_setup.rate; ++i) {
      batch.push_back(Call(rng, static_cast<int>(rng() % static_cast<uint64_t>(Keys())),
                           g_setup.now_ms + second * 1000 + 1000 * i / g_setup.rate, i));
    }
    ++second;
    return batch;
  });
}
BENCHMARK(BM_LedgerWrite_OneSecond)->Unit(benchmark::kMillisecond)->UseRealTime();

// A migration timed on a copy of the ledger turned back into an older
// version by `downgrade` (SQL). Items: `items` per iteration.
void Migrate(benchmark::State& state, const char* downgrade, int64_t items) {
  const std::filesystem::path copy = g_setup.dir.string() + "-old";
  const std::filesystem::path file = storage::sqlite::SqliteLedger::kFileName;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(copy);
    std::filesystem::create_directories(copy);
    std::filesystem::copy_file(g_setup.dir / file, copy / file);
    sqlite3* db = nullptr;
    bool ok = sqlite3_open((copy / file).c_str(), &db) == SQLITE_OK && Exec(db, downgrade);
    sqlite3_close(db);
    if (!ok) {
      state.SkipWithError("could not turn the copy into an older ledger");
      return;
    }
    state.ResumeTiming();
    auto ledger = storage::sqlite::SqliteLedger::Open(copy);
    if (!ledger.ok()) {
      state.SkipWithError(ledger.status().message().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * items);
  std::filesystem::remove_all(copy);
}

// The v5 and v6 migrations from a v4 ledger: the minute roll-ups built
// from the raw records of the last 48 h (here the raw hour's), then the
// daily ones from the hourly ones. Per raw record, so that it scales to a
// ledger's 48 hours (v6's share: BM_MigrateV5Ledger).
void BM_MigrateV4Ledger(benchmark::State& state) {
  Migrate(state,
          "DROP TABLE usage_minutely; DROP TABLE usage_daily; "
          "DROP INDEX IF EXISTS usage_hourly_by_principal; "
          "DELETE FROM schema_migrations WHERE version >= 5",
          g_setup.rate * 3600);
}
BENCHMARK(BM_MigrateV4Ledger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// The v6 migration from a v5 ledger: the daily roll-ups built from the
// hourly ones (N days of them). Per hourly row.
void BM_MigrateV5Ledger(benchmark::State& state) {
  Migrate(state, "DROP TABLE usage_daily; DELETE FROM schema_migrations WHERE version >= 6",
          LedgerScalar("SELECT count(*) FROM usage_hourly"));
}
BENCHMARK(BM_MigrateV5Ledger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// The whole data API, as a page asks it: GET /ui/api/usage through the
// ApiHandler and the dashboard's routes (session cookie and CSRF token,
// authorization, the worker hand-off, the roll-up reads of the window, the
// period before and the month's budgets, the series and ranking, the JSON
// answer), on the ledger above. The clock stands just before `now_ms`, the
// end of the data. arg 0: every principal's calls (GetUsage); 1: one
// principal's own (GetOwnUsage only).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t ms) : now_(FromUnixMillis(ms)) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }

 private:
  const std::chrono::system_clock::time_point now_;
};

// Allows everything but GetUsage when `own`: the shipped consumer's case.
class BenchAuthorizer final : public auth::Authorizer {
 public:
  explicit BenchAuthorizer(bool own) : own_(own) {}
  Status Authorize(const auth::Principal&, const auth::RequestFacts&,
                   const auth::AuthorizationRequest& q) const override {
    if (own_ && q.action == "bedrock-profiles:GetUsage") {
      return Status(ErrorCode::kAccessDenied, "not authorized to perform: GetUsage");
    }
    return Status::Ok();
  }

 private:
  const bool own_;
};

// Posted work, run by the bench's thread when it waits for an answer.
class WaitLoop final : public EventLoop {
 public:
  void Post(std::function<void()> fn) override {
    MutexLock lock(mu_);
    posted_.push_back(std::move(fn));
    cv_.NotifyAll();
  }
  std::unique_ptr<TimerHandle> After(std::chrono::milliseconds, std::function<void()>) override {
    return std::make_unique<TimerHandle>();
  }
  void RunOne() {
    std::function<void()> fn;
    {
      MutexLock lock(mu_);
      while (posted_.empty()) cv_.Wait(mu_);
      fn = std::move(posted_.front());
      posted_.erase(posted_.begin());
    }
    fn();
  }

 private:
  Mutex mu_;
  CondVar cv_;
  std::vector<std::function<void()>> posted_ BP_GUARDED_BY(mu_);
};

class AnswerStream final : public http::ResponseStream {
 public:
  explicit AnswerStream(EventLoop& loop) : loop_(loop) {}
  void Respond(http::Response&& r) override {
    response = std::move(r);
    answered = true;
  }
  void StartStream(unsigned, http::Headers&&) override {}
  void Write(std::string&&) override {}
  void Finish() override {}
  bool Closed() const override { return false; }
  size_t BufferedBytes() const override { return 0; }
  EventLoop& loop() override { return loop_; }
  http::Response response;
  bool answered = false;

 private:
  EventLoop& loop_;
};

void DataApiUsage(benchmark::State& state, std::string_view window) {
  const bool own = state.range(0) != 0;
  FixedClock clock(g_setup.now_ms - 1);
  storage::MemoryProfileStore inner;
  auto store = storage::CachingProfileStore::Create(inner);
  auth::AnonymousAuthenticator api;
  BenchAuthorizer authorizer(own);
  routing::Router router({}, {kRegions[0], kRegions[1], kRegions[2]}, clock);
  api::dashboard::DashboardSessions sessions({}, clock);
  WorkerPool worker({.threads = 2, .queue_capacity = 8});
  api::ApiHandler handler(api, clock);
  const std::filesystem::path dir = g_setup.dir;
  Status registered = api::dashboard::RegisterDashboard(
      handler,
      {.region = "eu-central-1",
       .account_id = "123456789012",
       .principals = {},
       .usage_arn = "arn:aws:bedrock-profiles:eu-central-1:123456789012:usage"},
      {.sessions = sessions,
       .authenticator = api,
       .authorizer = authorizer,
       .profiles = **store,
       .router = router,
       .budgets = nullptr,
       .clock = clock,
       .ledger = {.rollups =
                      [dir](api::dashboard::RollupGrain grain, int64_t from, int64_t to,
                            std::string_view principal,
                            const std::function<void(const metering::UsageRollup&)>& fn) {
                        return storage::sqlite::ScanUsageRollups(
                            dir,
                            grain == api::dashboard::RollupGrain::kMinute ? RollupGrain::kMinute
                            : grain == api::dashboard::RollupGrain::kHour ? RollupGrain::kHour
                                                                          : RollupGrain::kDay,
                            from, to, principal, fn);
                      },
                  .latest = {},
                  .minute_rollups_kept_ms = 48 * kHourMs},
       .worker = &worker});
  auto session =
      sessions.store().Create({.name = "bench", .arn = Principal(0), .access_key_id = {}});
  if (!registered.ok() || !session.ok()) {
    state.SkipWithError("could not set the dashboard up");
    return;
  }
  WaitLoop loop;
  const std::string target = "/ui/api/usage?window=" + std::string(window);
  size_t bytes = 0;
  for (auto _ : state) {
    http::Request r;
    r.method = "GET";
    r.target = target;
    r.request_id = "bench";
    r.remote_address = "127.0.0.1";
    r.headers = {{"cookie", "bp_session=" + session->token},
                 {"x-csrf-token", session->session.csrf_token}};
    auto stream = std::make_shared<AnswerStream>(loop);
    handler.Handle(std::move(r), stream);
    while (!stream->answered) loop.RunOne();
    if (stream->response.status != 200) {
      state.SkipWithError(stream->response.body.c_str());
      break;
    }
    bytes = stream->response.body.size();
  }
  state.counters["answer_bytes"] = static_cast<double>(bytes);
  worker.Stop();
}
void BM_DataApi_Usage1h(benchmark::State& state) { DataApiUsage(state, "1h"); }
void BM_DataApi_Usage24h(benchmark::State& state) { DataApiUsage(state, "24h"); }
void BM_DataApi_Usage7d(benchmark::State& state) { DataApiUsage(state, "7d"); }
void BM_DataApi_Usage30d(benchmark::State& state) { DataApiUsage(state, "30d"); }
BENCHMARK(BM_DataApi_Usage1h)
    ->ArgName("own")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DataApi_Usage24h)
    ->ArgName("own")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DataApi_Usage7d)
    ->ArgName("own")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_DataApi_Usage30d)
    ->ArgName("own")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace bp::bench

int main(int argc, char** argv) {
  using bp::bench::g_setup;
  std::vector<char*> rest;
  std::string dir;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--days=")) {
      g_setup.days = std::atoll(argv[i] + 7);
    } else if (arg.starts_with("--rate=")) {
      g_setup.rate = std::atoll(argv[i] + 7);
    } else if (arg.starts_with("--principals=")) {
      g_setup.principals = std::atoi(argv[i] + 13);
    } else if (arg.starts_with("--dir=")) {
      dir = std::string(arg.substr(6));
    } else if (arg == "--no-principal-index") {
      g_setup.drop_index = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  const bp::bench::LedgerDir ledger_dir = bp::bench::ChooseLedgerDir(dir, "bp-dashboard-bench");
  g_setup.dir = ledger_dir.path;
  bp::SystemClock clock;
  g_setup.now_ms = bp::metering::HourStart(bp::ToUnixMillis(clock.Now()));
  if (g_setup.days < 2 || g_setup.rate < 1 || g_setup.principals < 2 || !bp::bench::BuildLedger()) {
    return 1;
  }
  std::fprintf(
      stderr,
      "dashboard bench: %lld raw records, %lld hourly, %lld minute and %lld daily roll-up rows, "
      "%lld MiB%s\n",
      static_cast<long long>(bp::bench::LedgerScalar("SELECT count(*) FROM usage_records")),
      static_cast<long long>(bp::bench::LedgerScalar("SELECT count(*) FROM usage_hourly")),
      static_cast<long long>(bp::bench::LedgerScalar("SELECT count(*) FROM usage_minutely")),
      static_cast<long long>(bp::bench::LedgerScalar("SELECT count(*) FROM usage_daily")),
      static_cast<long long>(
          std::filesystem::file_size(g_setup.dir / bp::storage::sqlite::SqliteLedger::kFileName) >>
          20),
      g_setup.drop_index ? ", without the principal indexes" : "");
  return bp::bench::RunBenchmarks(rest, ledger_dir);
}
