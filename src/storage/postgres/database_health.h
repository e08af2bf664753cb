#pragma once
// DatabaseHealth: whether this instance reaches its PostgreSQL database, as
// the profile store (at each call) and the profile listener (at each loss and
// reconnect) last found it; /readyz reads it (docs/storage.md "When
// PostgreSQL is lost"). The last report wins: a listener that reconnected
// makes the database reachable again before the next write has tried.
//
// Thread-safety: every method may be called from any thread; a small mutex
// guards the state, never held across a database call, so a reader never
// waits for the database. Public header of bp_storage_postgres.

#include <atomic>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/mutex.h"

namespace bp::storage {

class DatabaseHealth final {
 public:
  struct State {
    bool reachable = true;
    // Unix milliseconds of the last change between reachable and not (of
    // the construction until the first).
    int64_t since_ms = 0;
    // Why it is unreachable, on one line, naming the database without its
    // password; empty while reachable.
    std::string error;
  };

  // `database`: the connection string as messages show it (no password).
  // `clock` (for since_ms; the system clock when null) must outlive this.
  DatabaseHealth(std::string database, const Clock* clock);
  DatabaseHealth(const DatabaseHealth&) = delete;
  DatabaseHealth& operator=(const DatabaseHealth&) = delete;

  const std::string& database() const { return database_; }

  void ReportReachable() BP_EXCLUDES(mu_);
  // Keeps since_ms when it was unreachable already; the error is replaced.
  void ReportUnreachable(std::string error) BP_EXCLUDES(mu_);

  State Current() const BP_EXCLUDES(mu_);
  // Current().reachable without copying the error.
  bool reachable() const { return reachable_.load(std::memory_order_acquire); }

 private:
  int64_t NowMs() const;

  const std::string database_;
  const Clock* const clock_;
  mutable Mutex mu_;
  State state_ BP_GUARDED_BY(mu_);
  std::atomic<bool> reachable_{true};  // mirrors state_.reachable
};

}  // namespace bp::storage
