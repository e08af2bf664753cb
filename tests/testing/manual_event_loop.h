#pragma once
// An EventLoop for unit tests: nothing runs until the test says so, and timers
// fire in virtual time (optionally advancing a FakeClock with it). Single
// threaded: Post() may be called from any thread, everything else from the
// test's thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "core/event_loop.h"
#include "testing/testing.h"

namespace bp::testing {

class ManualEventLoop final : public EventLoop {
 public:
  // `clock` (optional) is advanced as virtual time passes.
  explicit ManualEventLoop(FakeClock* clock = nullptr) : clock_(clock) {}

  void Post(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    posted_.push_back(std::move(fn));
  }

  std::unique_ptr<TimerHandle> After(std::chrono::milliseconds delay,
                                     std::function<void()> fn) override {
    uint64_t id = next_id_++;
    timers_.emplace(Key{now_ + delay, id}, std::move(fn));
    return std::make_unique<Handle>(this, Key{now_ + delay, id});
  }

  // Runs posted work, then due timers, advancing virtual time to each timer,
  // until nothing is left or `max_steps` callbacks ran. Returns callbacks run.
  int RunUntilIdle(int max_steps = 1'000'000) {
    int steps = 0;
    while (steps < max_steps) {
      if (RunOnePosted()) {
        ++steps;
        continue;
      }
      if (timers_.empty()) break;
      auto it = timers_.begin();
      AdvanceTo(it->first.at);
      auto fn = std::move(it->second);
      timers_.erase(it);
      fn();
      ++steps;
    }
    return steps;
  }

  // Runs posted work and timers due within `delta` of virtual time.
  void RunFor(std::chrono::milliseconds delta) {
    const std::chrono::milliseconds end = now_ + delta;
    for (;;) {
      if (RunOnePosted()) continue;
      if (timers_.empty() || timers_.begin()->first.at > end) break;
      auto it = timers_.begin();
      AdvanceTo(it->first.at);
      auto fn = std::move(it->second);
      timers_.erase(it);
      fn();
    }
    AdvanceTo(end);
  }

  std::chrono::milliseconds now() const { return now_; }
  size_t pending_timers() const { return timers_.size(); }

 private:
  struct Key {
    std::chrono::milliseconds at;
    uint64_t id;
    bool operator<(const Key& o) const { return at != o.at ? at < o.at : id < o.id; }
  };
  class Handle final : public TimerHandle {
   public:
    Handle(ManualEventLoop* loop, Key key) : loop_(loop), key_(key) {}
    ~Handle() override { loop_->timers_.erase(key_); }

   private:
    ManualEventLoop* loop_;
    Key key_;
  };

  bool RunOnePosted() {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (posted_.empty()) return false;
      fn = std::move(posted_.front());
      posted_.pop_front();
    }
    fn();
    return true;
  }

  void AdvanceTo(std::chrono::milliseconds at) {
    if (at <= now_) return;
    if (clock_ != nullptr) clock_->Advance(at - now_);
    now_ = at;
  }

  FakeClock* clock_;
  std::mutex mu_;
  std::deque<std::function<void()>> posted_;
  std::map<Key, std::function<void()>> timers_;
  std::chrono::milliseconds now_{0};
  uint64_t next_id_ = 0;
};

}  // namespace bp::testing
