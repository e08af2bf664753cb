#include "core/worker_pool.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "testing/gate.h"
#include "testing/testing.h"

namespace bp {
namespace {

TEST(WorkerPoolTest, RunsEveryJobOffTheCallingThread) {
  WorkerPool pool({.threads = 2, .queue_capacity = 64});
  const std::thread::id me = std::this_thread::get_id();
  std::atomic<int> ran{0};
  std::atomic<int> on_caller{0};
  Mutex mu;
  CondVar done;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&](bool run) {
      EXPECT_TRUE(run);
      if (std::this_thread::get_id() == me) ++on_caller;
      MutexLock lock(mu);
      ++ran;
      done.NotifyAll();
    }));
  }
  {
    MutexLock lock(mu);
    while (ran < 50) done.Wait(mu);
  }
  EXPECT_EQ(on_caller, 0);
}

TEST(WorkerPoolTest, AFullQueueRefusesAtOnce) {
  WorkerPool pool({.threads = 1, .queue_capacity = 2});
  bp::testing::Gate gate{/*open=*/false};
  std::atomic<int> ran{0};
  auto blocked = [&](bool run) {
    if (!run) return;
    gate.Pass();
    ++ran;
  };
  ASSERT_TRUE(pool.TrySubmit(blocked));
  gate.AwaitWaiting(1);  // the one thread is busy
  EXPECT_TRUE(pool.TrySubmit(blocked));
  EXPECT_TRUE(pool.TrySubmit(blocked));
  EXPECT_EQ(pool.queued(), 2u);
  bool called = false;
  EXPECT_FALSE(pool.TrySubmit([&](bool) { called = true; }));
  EXPECT_FALSE(called);  // a refused job is neither called nor kept
  gate.Open();
  pool.Stop();  // waits for the running job; what was still queued is handed back
  EXPECT_GE(ran, 1);
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, StopHandsBackQueuedJobsAndJoins) {
  WorkerPool pool({.threads = 1, .queue_capacity = 4});
  bp::testing::Gate gate{/*open=*/false};
  std::vector<std::string> seen;  // the cancelled ones, written on this thread
  std::atomic<bool> first_ran{false};
  ASSERT_TRUE(pool.TrySubmit([&](bool run) {
    gate.Pass();
    first_ran = run;
  }));
  gate.AwaitWaiting(1);
  for (std::string name : {"a", "b", "c"}) {
    ASSERT_TRUE(pool.TrySubmit([&seen, &gate, name](bool run) {
      seen.push_back(name + (run ? "+" : "-"));
      // Only Stop() can get here first (the one thread is held at the gate):
      // now let the running job finish, so that Stop() can join it.
      if (name == "a") gate.Open();
    }));
  }
  pool.Stop();
  EXPECT_TRUE(first_ran);  // the running job finished before Stop() returned
  EXPECT_EQ(seen, (std::vector<std::string>{"a-", "b-", "c-"}));
  EXPECT_FALSE(pool.TrySubmit([](bool) {}));
  pool.Stop();  // idempotent
}

}  // namespace
}  // namespace bp
