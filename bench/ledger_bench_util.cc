#include "bench/ledger_bench_util.h"

#include <chrono>
#include <string>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include "storage/sqlite/sqlite_ledger.h"

namespace bp::bench {

LedgerDir ChooseLedgerDir(std::string_view dir, std::string_view name) {
  if (!dir.empty()) return {.path = std::filesystem::path(dir), .keep = true};
  return {.path = std::filesystem::temp_directory_path() /
                  (std::string(name) + "-" + std::to_string(getpid())),
          .keep = false};
}

int RunBenchmarks(std::vector<char*> args, const LedgerDir& dir) {
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!dir.keep) std::filesystem::remove_all(dir.path);
  return 0;
}

int64_t ScalarQuery(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  int64_t out = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

void TimeLedgerBatches(benchmark::State& state, const std::filesystem::path& dir, int64_t per_batch,
                       const std::function<std::vector<metering::UsageRecord>()>& next_batch) {
  std::filesystem::remove_all(dir);
  auto ledger = storage::sqlite::SqliteLedger::Open(
      dir, {.flush_interval = std::chrono::hours(1), .max_batch = 20'000});
  if (!ledger.ok()) {
    state.SkipWithError(ledger.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const std::vector<metering::UsageRecord> batch = next_batch();
    state.ResumeTiming();
    for (const metering::UsageRecord& r : batch) (*ledger)->Record(r);
    if (!(*ledger)->Flush().ok()) state.SkipWithError("flush failed");
  }
  state.SetItemsProcessed(state.iterations() * per_batch);
  ledger->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace bp::bench
