#pragma once
// EventLoop over one Asio io_context (the loop a connection lives on).
// Private to bp_http: other modules see only core/event_loop.h.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "core/event_loop.h"

namespace bp::http {

class AsioEventLoop final : public EventLoop {
 public:
  // `io` must outlive the loop and every TimerHandle it returns.
  explicit AsioEventLoop(boost::asio::io_context& io) : io_(io) {}
  AsioEventLoop(const AsioEventLoop&) = delete;
  AsioEventLoop& operator=(const AsioEventLoop&) = delete;

  // Thread-safe.
  void Post(std::function<void()> fn) override;
  // Loop thread only. The handle must be destroyed on the loop thread; doing
  // so guarantees `fn` does not run afterwards (and releases it at once).
  [[nodiscard]] std::unique_ptr<TimerHandle> After(std::chrono::milliseconds delay,
                                                   std::function<void()> fn) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace bp::http
