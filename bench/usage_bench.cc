// bp_usage_bench: `usage --since 90d --by profile` on a synthetic ledger,
// from the hourly roll-ups against a scan of the raw records, in the same
// run (docs/performance.md "Usage reports over 90 days"), plus the v2
// migration (roll-ups built from raw records) of the same ledger.
//
//   bp_usage_bench [--records=N] [--dir=PATH] [benchmark flags]
// N records (default 1,000,000) spread over the 90 days up to now, in time
// order, written through SqliteLedger (so with their roll-ups). --dir keeps
// the ledger there (reused when it already holds N records) so that the
// real CLI can be timed on it: bedrock-profiles usage --state PATH ...

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

#include "bench/ledger_bench_util.h"
#include "core/clock.h"
#include "metering/usage_report.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::bench {
namespace {

constexpr int64_t kDayMs = 86'400'000;

struct Setup {
  std::filesystem::path dir;
  int64_t records = 1'000'000;
  int64_t now_ms = 0;
};
Setup g_setup;

// Some realistic skew: a few busy profiles and principals, mostly the home
// region, mostly Converse(Stream), a few errors and throttles.
metering::UsageRecord SyntheticCall(std::mt19937_64& rng, int64_t time_ms, int64_t i) {
  static const char* kTeams[] = {"ml", "search", "ads", "infra"};
  static const char* kRegions[] = {"eu-central-1", "eu-central-1", "eu-central-1",
                                   "eu-central-1", "eu-west-1",    "eu-west-3"};
  static const metering::Operation kOps[] = {
      metering::Operation::kConverse,       metering::Operation::kConverse,
      metering::Operation::kConverseStream, metering::Operation::kConverseStream,
      metering::Operation::kInvokeModel,    metering::Operation::kCountTokens};
  metering::UsageRecord r;
  r.time_ms = time_ms;
  r.request_id = "bench-" + std::to_string(i);
  const int principal = static_cast<int>(std::min(rng() % 16, rng() % 16));  // skewed to low ids
  const int profile = (principal * 3 + static_cast<int>(rng() % 3)) % 12;    // 3 profiles each
  r.principal = "arn:aws:iam::123456789012:role/rd-user-" + std::to_string(principal);
  r.profile_name = "rd-profile-" + std::to_string(profile);
  r.profile_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/p" +
                  std::to_string(profile);
  r.model_id = "anthropic.model-" + std::to_string(profile % 4);
  r.source_region = "eu-central-1";
  r.serving_region = kRegions[rng() % 6];
  r.attempts = 1;
  r.operation = kOps[rng() % 6];
  const uint64_t fate = rng() % 100;
  r.status = fate < 96 ? 200 : (fate < 98 ? 429 : 400);
  r.error_code = fate < 96 ? "" : (fate < 98 ? "ThrottlingException" : "ValidationException");
  r.tokens = {.input = static_cast<int64_t>(rng() % 4000),
              .output = static_cast<int64_t>(rng() % 800),
              .cache_read = static_cast<int64_t>(rng() % 2000),
              .cache_write_5m = static_cast<int64_t>(rng() % 100),
              .cache_write_1h = 0};
  r.latency_ms = 200 + static_cast<int64_t>(rng() % 6000);
  r.ttft_ms = r.operation == metering::Operation::kCountTokens
                  ? -1
                  : 150 + static_cast<int64_t>(rng() % 600);
  r.service_tier = "";
  r.request_metadata = {{"run", "run-" + std::to_string(rng() % 50)}};
  r.tags = {{"team", kTeams[profile % 4]}, {"billing-mode", "rd"}, {"cost-center", "cc-1234"}};
  r.cost_micro_usd = static_cast<int64_t>(rng() % 20'000);
  r.price_version = "bench";
  return r;
}

int64_t CountRecords(const std::filesystem::path& dir) {
  int64_t n = 0;
  auto report = storage::sqlite::QueryUsage(
      dir, {}, 0, INT64_MAX, {.source = storage::sqlite::UsageQueryOptions::Source::kRollups});
  if (report.ok()) n = report->total.requests;
  return n;
}

bool BuildLedger() {
  if (std::filesystem::exists(g_setup.dir / storage::sqlite::SqliteLedger::kFileName) &&
      CountRecords(g_setup.dir) == g_setup.records) {
    std::fprintf(stderr, "usage bench: reusing the ledger in %s\n", g_setup.dir.c_str());
    return true;
  }
  std::filesystem::remove_all(g_setup.dir);
  const auto started = std::chrono::steady_clock::now();
  auto ledger = storage::sqlite::SqliteLedger::Open(g_setup.dir);
  if (!ledger.ok()) {
    std::fprintf(stderr, "usage bench: %s\n", ledger.status().message().c_str());
    return false;
  }
  std::mt19937_64 rng(301);
  const int64_t span = 90 * kDayMs;
  const int64_t from = g_setup.now_ms - span;
  for (int64_t i = 0; i < g_setup.records; ++i) {
    (*ledger)->Record(SyntheticCall(rng, from + span * i / g_setup.records, i));
    if (i % 100'000 == 99'999 && !(*ledger)->Flush().ok()) return false;  // bounded memory
  }
  if (!(*ledger)->Flush().ok()) return false;
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "usage bench: wrote %lld records with their roll-ups in %.1f s (%.1f us each)\n",
               static_cast<long long>(g_setup.records), took,
               took * 1e6 / static_cast<double>(g_setup.records));
  return true;
}

void UsageByProfile90d(benchmark::State& state, storage::sqlite::UsageQueryOptions::Source source) {
  const std::vector<metering::Dimension> by = {{.kind = metering::Dimension::Kind::kProfile}};
  int64_t requests = 0;
  bool estimated = false;
  for (auto _ : state) {
    auto report = storage::sqlite::QueryUsage(g_setup.dir, by, g_setup.now_ms - 90 * kDayMs,
                                              g_setup.now_ms + 1, {.source = source});
    if (!report.ok()) {
      state.SkipWithError(report.status().message().c_str());
      return;
    }
    requests = report->total.requests;
    estimated = report->percentiles_estimated;
    benchmark::DoNotOptimize(report->groups.data());
  }
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["estimated"] = estimated ? 1 : 0;
}

void BM_UsageByProfile90d_Rollups(benchmark::State& state) {
  UsageByProfile90d(state, storage::sqlite::UsageQueryOptions::Source::kAuto);
}
void BM_UsageByProfile90d_RawScan(benchmark::State& state) {
  UsageByProfile90d(state, storage::sqlite::UsageQueryOptions::Source::kRaw);
}
BENCHMARK(BM_UsageByProfile90d_Rollups)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_UsageByProfile90d_RawScan)->Unit(benchmark::kMillisecond)->UseRealTime();

// The writer's cost per record (records and their roll-ups, one
// transaction per batch of `count`) when a batch falls in one hour (a few
// hundred keys per batch), when it spreads over 20 hours (this ledger's own
// mix: nearly one roll-up key per record, the worst case), and as a busy
// endpoint writes: one second of 100 calls/s per batch (the flush interval).
void LedgerWrite(benchmark::State& state, int64_t span_ms, int64_t count) {
  std::mt19937_64 rng(7);
  std::vector<metering::UsageRecord> calls;
  for (int64_t i = 0; i < count; ++i) {
    calls.push_back(SyntheticCall(rng, g_setup.now_ms - span_ms + span_ms * i / count, i));
  }
  TimeLedgerBatches(state, g_setup.dir.string() + "-write", count, [&] { return calls; });
}
void BM_LedgerWrite_OneHour(benchmark::State& state) { LedgerWrite(state, 3'600'000, 10'000); }
void BM_LedgerWrite_20Hours(benchmark::State& state) { LedgerWrite(state, 20 * 3'600'000, 10'000); }
void BM_LedgerWrite_OneSecond(benchmark::State& state) { LedgerWrite(state, 1'000, 100); }
BENCHMARK(BM_LedgerWrite_OneHour)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LedgerWrite_20Hours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LedgerWrite_OneSecond)->Unit(benchmark::kMillisecond)->UseRealTime();

// The v2 migration on a copy of the ledger turned back into a v1 one.
void BM_MigrateV1Ledger(benchmark::State& state) {
  const std::filesystem::path copy = g_setup.dir.string() + "-v1";
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(copy);
    std::filesystem::create_directories(copy);
    std::filesystem::copy_file(g_setup.dir / storage::sqlite::SqliteLedger::kFileName,
                               copy / storage::sqlite::SqliteLedger::kFileName);
    sqlite3* db = nullptr;
    sqlite3_open((copy / storage::sqlite::SqliteLedger::kFileName).c_str(), &db);
    const int rc = sqlite3_exec(db,
                                "DROP TABLE usage_hourly; DROP TABLE ledger_horizons; "
                                "DELETE FROM schema_migrations WHERE version >= 2; VACUUM",
                                nullptr, nullptr, nullptr);
    sqlite3_close(db);
    if (rc != SQLITE_OK) {
      state.SkipWithError("could not turn the copy into a v1 ledger");
      return;
    }
    state.ResumeTiming();
    auto ledger = storage::sqlite::SqliteLedger::Open(copy);
    if (!ledger.ok()) {
      state.SkipWithError(ledger.status().message().c_str());
      return;
    }
  }
  std::filesystem::remove_all(copy);
}
BENCHMARK(BM_MigrateV1Ledger)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace bp::bench

int main(int argc, char** argv) {
  using bp::bench::g_setup;
  std::vector<char*> rest;
  std::string dir;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--records=")) {
      g_setup.records = std::atoll(argv[i] + 10);
    } else if (arg.starts_with("--dir=")) {
      dir = std::string(arg.substr(6));
    } else {
      rest.push_back(argv[i]);
    }
  }
  const bp::bench::LedgerDir ledger_dir = bp::bench::ChooseLedgerDir(dir, "bp-usage-bench");
  g_setup.dir = ledger_dir.path;
  bp::SystemClock clock;
  g_setup.now_ms = bp::ToUnixMillis(clock.Now());
  if (g_setup.records < 1 || !bp::bench::BuildLedger()) return 1;
  const auto db = g_setup.dir / bp::storage::sqlite::SqliteLedger::kFileName;
  std::fprintf(
      stderr, "usage bench: %lld raw records, %lld roll-up rows, %lld MiB\n",
      static_cast<long long>(bp::bench::ScalarQuery(db, "SELECT count(*) FROM usage_records")),
      static_cast<long long>(bp::bench::ScalarQuery(db, "SELECT count(*) FROM usage_hourly")),
      static_cast<long long>(std::filesystem::file_size(db) >> 20));
  return bp::bench::RunBenchmarks(rest, ledger_dir);
}
