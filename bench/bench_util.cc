#include "bench/bench_util.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

namespace bp::bench {

namespace {

double CpuSeconds(clockid_t clock) {
  timespec ts{};
  if (::clock_gettime(clock, &ts) != 0) Die("clock_gettime failed");
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

void Die(std::string_view what) {
  std::fprintf(stderr, "bench: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

void CheckOk(const Status& status, std::string_view what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

EndpointStack& SharedStack() {
  static EndpointStack* const stack =
      ValueOrDie(EndpointStack::Create({}), "building the endpoint").release();
  return *stack;
}

void SetUpLogging() {
  try {
    auto logger = spdlog::basic_logger_mt("bedrock-profiles-bench", "/dev/null");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    spdlog::set_level(spdlog::level::warn);
  } catch (const spdlog::spdlog_ex& e) {
    Die(std::string("setting up logging: ") + e.what());
  }
}

ScopedLogLevel::ScopedLogLevel(bool info) {
  spdlog::set_level(info ? spdlog::level::info : spdlog::level::warn);
}

ScopedLogLevel::~ScopedLogLevel() { spdlog::set_level(spdlog::level::warn); }

void ReportAllocations(benchmark::State& state, uint64_t before) {
  if (state.iterations() == 0) return;
  state.counters["allocs"] =
      static_cast<double>(ThreadAllocations() - before) / static_cast<double>(state.iterations());
}

double ProcessCpuSeconds() { return CpuSeconds(CLOCK_PROCESS_CPUTIME_ID); }
double ThreadCpuSeconds() { return CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }

}  // namespace bp::bench
