// What metering costs per runtime call, piece by piece (docs/performance.md,
// "Under load"): copying a usage record like the runtime does, counting it
// in the metrics, and the SQLite ledger (the queue push on the request
// path, plus its writer thread's batched insert). The ledger benchmark
// reports the whole process's CPU per record, writer thread included, and
// flushes before the clock stops so every record is paid for. And a
// budget's admission and settlement, on one instance and shared through a
// lease (several instances on PostgreSQL; metering/lease_slot.h).

#include <filesystem>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "core/clock.h"
#include "metering/budgets.h"
#include "metering/metrics.h"
#include "metering/usage_record.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::bench {
namespace {

// A successful Converse call's record, as RuntimeService fills it in for
// rd-e2e calling rd-haiku-45 (the load run's call).
metering::UsageRecord ConverseRecord() {
  metering::UsageRecord r;
  r.time_ms = 1'796'000'000'000;
  r.request_id = "6f1d0f6e-6a55-4d47-9a4e-7d5a0c1e2b3f";
  r.principal = "arn:aws:iam::123456789012:role/rd-e2e";
  r.profile_name = "rd-haiku-45";
  r.profile_arn =
      "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
  r.model_id = "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
  r.source_region = "eu-central-1";
  r.serving_region = "eu-central-1";
  r.attempts = 1;
  r.operation = metering::Operation::kConverse;
  r.status = 200;
  r.tokens = {.input = 16, .output = 10};
  r.latency_ms = 0;
  r.ttft_ms = 0;
  r.tags = {{"Environment", "rd"},
            {"Owner", "platform-engineering"},
            {"CostCenter", "rd"},
            {"billing-mode", "rd"},
            {"managed-by", "bedrock-profiles"}};
  r.cost_micro_usd = 66;
  r.price_version = "builtin-2026-11";
  return r;
}

// The copy the runtime makes of a record (its strings and tag map).
void Piece_UsageRecordCopy(benchmark::State& state) {
  const metering::UsageRecord record = ConverseRecord();
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    metering::UsageRecord copy = record;
    benchmark::DoNotOptimize(copy);
  }
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_UsageRecordCopy)->Unit(benchmark::kNanosecond);

// Metrics::Observe of one record: the counters and histograms of its series.
void Piece_MetricsObserve(benchmark::State& state) {
  metering::Metrics metrics;
  metrics.Allow({.profiles = {"rd-haiku-45"},
                 .models = {"eu.anthropic.claude-haiku-4-5-20251001-v1:0"},
                 .regions = {"eu-central-1"}});
  const metering::UsageRecord record = ConverseRecord();
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) metrics.Observe(record);
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_MetricsObserve)->Unit(benchmark::kNanosecond);

// SqliteLedger::Record of a copied record, then (in the timed region) the
// flush: the process's CPU per record, the writer thread's inserts included.
void Piece_LedgerRecord(benchmark::State& state) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bp-bench-ledger-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto ledger = ValueOrDie(storage::sqlite::SqliteLedger::Open(dir), "opening the ledger");
    const metering::UsageRecord record = ConverseRecord();
    for (auto _ : state) ledger->Record(record);
    CheckOk(ledger->Flush(), "flushing the ledger");
    const storage::sqlite::LedgerStats stats = ledger->stats();
    if (stats.dropped != 0) Die("the ledger dropped records");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(Piece_LedgerRecord)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kNanosecond);

// Budgets::Admit + Settle of one call against a profile budget: alone
// (arg 0), and shared (arg 1) with a lease that never runs out, granted by
// one exchange as the leaser makes it (the database's side is not timed:
// it is the leaser thread's, off the request path).
void Piece_BudgetAdmitSettle(benchmark::State& state) {
  const bool shared = state.range(0) == 1;
  SystemClock clock;
  metering::BudgetSettings settings;
  settings.profiles["rd-haiku-45"] = {.monthly_micro_usd = int64_t{1} << 60};
  settings.shared = shared;
  metering::Budgets budgets(settings, clock);
  if (shared) {
    for (const metering::LeaseRequest& q : budgets.BeginLeaseExchange()) {
      budgets.EndLeaseExchange(q, metering::Lease{.granted = int64_t{1} << 59, .shared_used = 0},
                               metering::LeaseNowMs());
    }
  }
  const Tags tags = ConverseRecord().tags;
  const uint64_t allocations = ThreadAllocations();
  for (auto _ : state) {
    Result<metering::Budgets::Reservation> r = budgets.Admit("rd-e2e", "rd-haiku-45", tags, 500);
    if (!r.ok()) Die("the budget refused: " + r.status().message());
    budgets.Settle(*r, 66);
  }
  ReportAllocations(state, allocations);
}
BENCHMARK(Piece_BudgetAdmitSettle)->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace bp::bench
