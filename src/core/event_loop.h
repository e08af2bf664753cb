#pragma once
// EventLoop: the seam through which request code schedules work on the thread
// that owns a connection (one loop per core; see docs/architecture.md).
// Implemented by http::Server over Asio; tests may use a manual loop.

#include <chrono>
#include <functional>
#include <memory>

namespace bp {

// A pending timer. Destroying the handle cancels the callback if it has not
// run yet (STYLE.md E.24: per-stream objects own what must stop with them).
class TimerHandle {
 public:
  virtual ~TimerHandle() = default;
};

class EventLoop {
 public:
  virtual ~EventLoop() = default;
  // Runs `fn` on this loop's thread soon. Thread-safe.
  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` on this loop's thread after `delay` unless the handle is
  // destroyed first. Must be called on the loop's thread.
  [[nodiscard]] virtual std::unique_ptr<TimerHandle> After(std::chrono::milliseconds delay,
                                                           std::function<void()> fn) = 0;
};

}  // namespace bp
