#pragma once
// Shared by the ledger benchmarks (bp_usage_bench, bp_dashboard_bench): where
// a run keeps its ledger, single values read from the ledger's file, and
// the writer's cost per batch. Private to bench/.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "metering/usage_record.h"

namespace bp::bench {

// Where a run keeps its ledger: `dir` (a --dir=PATH flag's value) when not
// empty, kept after the run; else a fresh path `<temp dir>/<name>-<pid>`,
// for the run to remove at its end.
struct LedgerDir {
  std::filesystem::path path;
  bool keep = false;
};
LedgerDir ChooseLedgerDir(std::string_view dir, std::string_view name);

// Runs the benchmarks `args` (argv without the binary's own flags) select,
// then removes the ledger unless it is kept. Returns main()'s exit code.
int RunBenchmarks(std::vector<char*> args, const LedgerDir& dir);

// The first column of the first row of `sql` on the SQLite file `db_path`,
// opened read-only; -1 when anything fails (the numbers are only printed).
int64_t ScalarQuery(const std::filesystem::path& db_path, const char* sql);

// Times the ledger's writer: each iteration records the batch `next_batch`
// makes (outside the timing) into one SqliteLedger on `dir` (made empty
// first, removed after) and flushes it, one transaction a batch, as the
// writer commits a flush interval's calls. Items: `per_batch` a batch.
void TimeLedgerBatches(benchmark::State& state, const std::filesystem::path& dir, int64_t per_batch,
                       const std::function<std::vector<metering::UsageRecord>()>& next_batch);

}  // namespace bp::bench
