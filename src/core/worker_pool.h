#pragma once
// WorkerPool: a few threads with a bounded queue, for the blocking work that
// must never run on an event loop thread (SQLite reads of the usage ledger
// behind GET /usage; docs/architecture.md "Concurrency model"). A job that
// finds the queue full is refused at once, never waited for, so the caller
// (a loop thread) can answer ThrottlingException instead of blocking.
//
// Each job accepted by TrySubmit() is called exactly once:
//   - run == true on one of the pool's threads when its turn comes, or
//   - run == false on the thread calling Stop() when the pool stops before
//     its turn (so it can release or hand back what it holds).
// A job must not throw (an escaping exception ends the process, as on any
// thread of ours) and must not call Stop().
//
// Thread-safety: TrySubmit() and queued() from any thread at once; Stop()
// from one thread (the owner), any number of times. Public header of bp_core.

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace bp {

class WorkerPool final {
 public:
  struct Options {
    int threads = 1;             // at least 1
    size_t queue_capacity = 16;  // jobs waiting for a thread (not counting running ones); >= 1
  };
  using Job = std::function<void(bool run)>;

  explicit WorkerPool(Options options);
  // Stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`. False, without calling or keeping `job`, when
  // queue_capacity jobs are already waiting or the pool is stopping.
  [[nodiscard]] bool TrySubmit(Job job) BP_EXCLUDES(mu_);

  // Refuses new jobs, calls every waiting job with run == false (on this
  // thread, in queue order), waits for the running ones to return and joins
  // the threads. Idempotent.
  void Stop() BP_EXCLUDES(mu_);

  // Jobs waiting for a thread now.
  size_t queued() const BP_EXCLUDES(mu_);

 private:
  void Loop() BP_EXCLUDES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  CondVar wake_;
  std::deque<Job> queue_ BP_GUARDED_BY(mu_);  // FIFO
  bool stopping_ BP_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // touched by the constructor and Stop() only
};

}  // namespace bp
