#pragma once
// EventLoop over one Asio io_context (the loop a connection lives on), and
// the loop-local state of the upstream client (its pools). Private to
// bp_http: other modules see only core/event_loop.h; the upstream client finds
// the Asio loop behind an EventLoop& with dynamic_cast.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "core/event_loop.h"

namespace bp::http {

class UpstreamPools;  // upstream_pool.h

class AsioEventLoop final : public EventLoop {
 public:
  // `io` must outlive the loop and every TimerHandle it returns.
  explicit AsioEventLoop(boost::asio::io_context& io);
  ~AsioEventLoop() override;
  AsioEventLoop(const AsioEventLoop&) = delete;
  AsioEventLoop& operator=(const AsioEventLoop&) = delete;

  // Thread-safe.
  void Post(std::function<void()> fn) override;
  // Loop thread only. The handle must be destroyed on the loop thread; doing
  // so guarantees `fn` does not run afterwards (and releases it at once).
  [[nodiscard]] std::unique_ptr<TimerHandle> After(std::chrono::milliseconds delay,
                                                   std::function<void()> fn) override;

  boost::asio::io_context& io() { return io_; }
  // The upstream client's pools on this loop, made on first use. Loop
  // thread only.
  UpstreamPools& upstream_pools();
  // Closes the pools' idle connections and forgets the pools. Must run
  // while `io` still exists (the Worker calls it before destroying its
  // io_context), on the loop thread or once the loop stopped.
  void CloseUpstreamPools();

 private:
  boost::asio::io_context& io_;
  std::unique_ptr<UpstreamPools> pools_;
};

}  // namespace bp::http
