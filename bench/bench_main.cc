// main() of bp_runtime_bench: runs the registered benchmarks through the
// default display reporter (so every --benchmark_* flag works as usual), then
// prints a summary with each benchmark's time as a ratio against the plain
// loopback round trip measured in the same run (docs/performance.md).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/bench_util.h"

namespace bp::bench {
namespace {

constexpr std::string_view kBaseline = "Baseline_LoopbackRoundTrip";
constexpr std::string_view kBaselineConverseBytes = "Baseline_LoopbackRoundTrip_ConverseBytes";
constexpr std::string_view kInProcess = "InProcess_Converse/log:1";
constexpr std::string_view kLoopback = "Loopback_Converse/log:1";

// Per-call figures of one benchmark instance, in microseconds; the median
// over repetitions. server_cpu_us is NaN when the benchmark has no server.
struct Row {
  std::string name;
  double wall_us = 0;
  double cpu_us = 0;
  double server_cpu_us = NAN;
};

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Forwards everything to the default display reporter and keeps each
// successful iteration run (not the aggregates) for the summary.
class SummaryReporter final : public benchmark::BenchmarkReporter {
 public:
  explicit SummaryReporter(benchmark::BenchmarkReporter& display) : display_(display) {}

  bool ReportContext(const Context& context) override { return display_.ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    display_.ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations <= 0) continue;
      Samples& s = Find(run.benchmark_name());
      double n = static_cast<double>(run.iterations);
      s.wall_us.push_back(run.real_accumulated_time / n * 1e6);
      s.cpu_us.push_back(run.cpu_accumulated_time / n * 1e6);
      auto counter = run.counters.find("server_cpu_us");
      if (counter != run.counters.end()) s.server_cpu_us.push_back(counter->second.value);
    }
  }
  void Finalize() override { display_.Finalize(); }

  std::vector<Row> Rows() const {
    std::vector<Row> rows;
    for (const Samples& s : samples_) {
      rows.push_back({.name = s.name,
                      .wall_us = Median(s.wall_us),
                      .cpu_us = Median(s.cpu_us),
                      .server_cpu_us = Median(s.server_cpu_us)});
    }
    return rows;
  }

 private:
  struct Samples {
    std::string name;
    std::vector<double> wall_us, cpu_us, server_cpu_us;
  };
  Samples& Find(const std::string& name) {
    for (Samples& s : samples_) {
      if (s.name == name) return s;
    }
    samples_.push_back({.name = name, .wall_us = {}, .cpu_us = {}, .server_cpu_us = {}});
    return samples_.back();
  }

  benchmark::BenchmarkReporter& display_;
  std::vector<Samples> samples_;  // in the order first reported
};

const Row* FindRow(const std::vector<Row>& rows, std::string_view name) {
  for (const Row& row : rows) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

void PrintDerived(const std::vector<Row>& rows) {
  const Row* base = FindRow(rows, kBaseline);
  const Row* base_bytes = FindRow(rows, kBaselineConverseBytes);
  const Row* in_process = FindRow(rows, kInProcess);
  const Row* loopback = FindRow(rows, kLoopback);
  if (base != nullptr && in_process != nullptr) {
    std::printf(
        "Endpoint CPU per Converse call (in process; SigV4, IAM, access log; no metering yet): "
        "%.1f us = %.2f x the plain loopback round trip (%.1f us)\n",
        in_process->cpu_us, in_process->cpu_us / base->wall_us, base->wall_us);
  }
  if (base_bytes != nullptr && loopback != nullptr) {
    std::printf(
        "Over loopback, same request bytes: %.1f us vs %.1f us wall per call (+%.1f us); "
        "server CPU %.1f us vs %.1f us\n",
        loopback->wall_us, base_bytes->wall_us, loopback->wall_us - base_bytes->wall_us,
        loopback->server_cpu_us, base_bytes->server_cpu_us);
  }
}

void PrintSummary(const std::vector<Row>& rows) {
  if (rows.empty()) return;
  const Row* base = FindRow(rows, kBaseline);
  size_t width = 10;
  for (const Row& row : rows) width = std::max(width, row.name.size());
  std::printf(
      "\nSummary: per call, median over repetitions; x_baseline = wall time / %s wall time%s\n",
      std::string(kBaseline).c_str(), base == nullptr ? " (baseline not run)" : "");
  std::printf("%-*s %10s %10s %14s %11s\n", static_cast<int>(width), "benchmark", "wall_us",
              "cpu_us", "server_cpu_us", "x_baseline");
  for (const Row& row : rows) {
    char server[32] = "-";
    if (!std::isnan(row.server_cpu_us))
      std::snprintf(server, sizeof(server), "%.2f", row.server_cpu_us);
    char ratio[32] = "-";
    if (base != nullptr) std::snprintf(ratio, sizeof(ratio), "%.3f", row.wall_us / base->wall_us);
    std::printf("%-*s %10.3f %10.3f %14s %11s\n", static_cast<int>(width), row.name.c_str(),
                row.wall_us, row.cpu_us, server, ratio);
  }
  PrintDerived(rows);
}

// True when the user asked for machine-readable output on stdout, where a
// trailing summary would not belong.
bool MachineReadableStdout(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--benchmark_format=json" || arg == "--benchmark_format=csv") return true;
  }
  return false;
}

}  // namespace
}  // namespace bp::bench

int main(int argc, char** argv) {
  const bool summary = !bp::bench::MachineReadableStdout(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bp::bench::SetUpLogging();
  bp::bench::SummaryReporter reporter(*benchmark::CreateDefaultDisplayReporter());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  if (summary) bp::bench::PrintSummary(reporter.Rows());
  benchmark::Shutdown();
  return 0;
}
