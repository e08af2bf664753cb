#include "bench/ledger_bench_util.h"

#include <string>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

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

}  // namespace bp::bench
