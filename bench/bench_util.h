#pragma once
// Shared helpers of the bench/ binaries: failing loudly, the shared endpoint,
// logging as `serve` does it, and CPU clocks. Private to bench/.

#include <string>
#include <string_view>
#include <utility>

#include <benchmark/benchmark.h>

#include "bench/alloc_counter.h"
#include "bench/endpoint_stack.h"
#include "core/status.h"

namespace bp::bench {

// Prints "bench: <what>" to stderr and aborts. Benchmarks measure only the
// path they claim to (e.g. a 200 Converse answer), so any other outcome ends
// the run instead of producing a number (and fails the ctest smoke run).
[[noreturn]] void Die(std::string_view what);

// Dies with `what` and the status unless `status` is OK.
void CheckOk(const Status& status, std::string_view what);

template <class T>
T ValueOrDie(Result<T>&& result, std::string_view what) {
  CheckOk(result.status(), what);
  return std::move(result).value();
}

// The endpoint every benchmark of the process shares, built on first use
// (dies when it cannot be built). Lives until exit.
EndpointStack& SharedStack();

// Installs the process's default logger: serve's pattern (cli/main.cc), to
// /dev/null, flushed after every line, so that logging costs what it costs
// serve writing to stderr (formatting plus one write(2) per line) without
// flooding the terminal. The level starts at warn (off for the hot path).
void SetUpLogging();

// While alive, the default logger's level is info (serve's default; the
// access-log line and the IAM decision lines are written) when `info`, else
// warn. Restores warn on destruction.
class ScopedLogLevel final {
 public:
  explicit ScopedLogLevel(bool info);
  ~ScopedLogLevel();
  ScopedLogLevel(const ScopedLogLevel&) = delete;
  ScopedLogLevel& operator=(const ScopedLogLevel&) = delete;
};

// Sets the "allocs" counter: the calling thread's operator new calls per
// iteration since `before` (a ThreadAllocations() taken before the loop).
void ReportAllocations(benchmark::State& state, uint64_t before);

// CPU seconds used so far by the whole process / the calling thread.
double ProcessCpuSeconds();
double ThreadCpuSeconds();

}  // namespace bp::bench
