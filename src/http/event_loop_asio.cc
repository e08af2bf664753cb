#include "http/event_loop_asio.h"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/upstream_pool.h"

namespace bp::http {
namespace {

// Shared by the handle and the pending wait, so the wait can tell whether the
// handle is gone even if the timer had already expired when it was cancelled.
struct TimerState {
  explicit TimerState(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::function<void()> fn;
  bool cancelled = false;
};

class AsioTimerHandle final : public TimerHandle {
 public:
  explicit AsioTimerHandle(std::shared_ptr<TimerState> state) : state_(std::move(state)) {}
  ~AsioTimerHandle() override {
    state_->cancelled = true;  // enough on its own: the wait checks it
    state_->fn = nullptr;      // release captures now, not when the wait completes
    try {
      state_->timer.cancel();
    } catch (...) {  // asio reports a failed cancel by throwing; the flag covers it
    }
  }
  AsioTimerHandle(const AsioTimerHandle&) = delete;
  AsioTimerHandle& operator=(const AsioTimerHandle&) = delete;

 private:
  std::shared_ptr<TimerState> state_;
};

}  // namespace

AsioEventLoop::AsioEventLoop(boost::asio::io_context& io) : io_(io) {}

AsioEventLoop::~AsioEventLoop() { CloseUpstreamPools(); }

UpstreamPools& AsioEventLoop::upstream_pools() {
  if (!pools_) pools_ = std::make_unique<UpstreamPools>(io_);
  return *pools_;
}

void AsioEventLoop::CloseUpstreamPools() {
  if (!pools_) return;
  pools_->Shutdown();
  pools_.reset();
}

void AsioEventLoop::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

std::unique_ptr<TimerHandle> AsioEventLoop::After(std::chrono::milliseconds delay,
                                                  std::function<void()> fn) {
  auto state = std::make_shared<TimerState>(io_);
  state->fn = std::move(fn);
  if (delay <= std::chrono::milliseconds::zero()) {
    // Due now: a post, not an armed timer (arming costs a timerfd syscall,
    // ~20 µs on small VMs). Still cancellable through the handle.
    boost::asio::post(io_, [state] {
      if (state->cancelled || !state->fn) return;
      std::function<void()> fn = std::move(state->fn);
      state->fn = nullptr;
      fn();
    });
    return std::make_unique<AsioTimerHandle>(std::move(state));
  }
  state->timer.expires_after(delay);
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec || state->cancelled || !state->fn) return;
    std::function<void()> fn = std::move(state->fn);
    state->fn = nullptr;
    fn();
  });
  return std::make_unique<AsioTimerHandle>(std::move(state));
}

}  // namespace bp::http
