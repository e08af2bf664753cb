// What the operating system charges for calls the HTTP server makes per
// request (docs/performance.md): a system call that does nothing, and
// re-arming a timerfd, which is what an Asio steady_timer does whenever the
// earliest timer of a loop changes. On virtual machines the latter can cost
// several microseconds (the hrtimer reprogramming traps to the hypervisor).

#include <cstdint>
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "bench/bench_util.h"

namespace bp::bench {
namespace {

// The floor: one trivial system call (getppid, bypassing any libc caching).
void Os_TrivialSyscall(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(::syscall(SYS_getppid));
}
BENCHMARK(Os_TrivialSyscall)->Unit(benchmark::kNanosecond);

// One timerfd armed `state.range(0)` µs ahead, then disarmed: two
// timerfd_settime calls per iteration, as an Asio loop makes for a timer that
// becomes its earliest and then goes away. 0 is what a zero-delay
// steady_timer asks for (expiry "now": the kernel programs the hardware timer
// and takes its interrupt at once); 1000 becomes the CPU's earliest timer;
// 60 s stays behind the scheduler tick (no reprogramming).
void Os_TimerfdSettime(benchmark::State& state) {
  const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (fd < 0) Die("timerfd_create failed");
  const int64_t ahead_us = state.range(0);
  itimerspec armed{};
  armed.it_value.tv_sec = ahead_us / 1'000'000;
  armed.it_value.tv_nsec = ahead_us % 1'000'000 * 1000 + (ahead_us == 0 ? 1 : 0);
  const itimerspec disarmed{};
  for (auto _ : state) {
    if (::timerfd_settime(fd, 0, &armed, nullptr) != 0 ||
        ::timerfd_settime(fd, 0, &disarmed, nullptr) != 0) {
      Die("timerfd_settime failed");
    }
  }
  ::close(fd);
}
BENCHMARK(Os_TimerfdSettime)
    ->ArgName("ahead_us")
    ->Arg(0)
    ->Arg(1000)
    ->Arg(60'000'000)
    ->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace bp::bench
