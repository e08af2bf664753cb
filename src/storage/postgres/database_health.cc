#include "storage/postgres/database_health.h"

#include <chrono>
#include <utility>

namespace bp::storage {

DatabaseHealth::DatabaseHealth(std::string database, const Clock* clock)
    : database_(std::move(database)), clock_(clock) {
  state_.since_ms = NowMs();
}

int64_t DatabaseHealth::NowMs() const {
  return ToUnixMillis(clock_ != nullptr ? clock_->Now() : std::chrono::system_clock::now());
}

void DatabaseHealth::ReportReachable() {
  if (reachable()) return;  // the common case (every successful call) takes no lock
  MutexLock lock(mu_);
  if (state_.reachable) return;
  state_ = State{.reachable = true, .since_ms = NowMs(), .error = {}};
  reachable_.store(true, std::memory_order_release);
}

void DatabaseHealth::ReportUnreachable(std::string error) {
  MutexLock lock(mu_);
  if (state_.reachable) state_.since_ms = NowMs();
  state_.reachable = false;
  state_.error = std::move(error);
  reachable_.store(false, std::memory_order_release);
}

DatabaseHealth::State DatabaseHealth::Current() const {
  MutexLock lock(mu_);
  return state_;
}

}  // namespace bp::storage
