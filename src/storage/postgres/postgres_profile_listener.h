#pragma once
// PostgresProfileListener: tells this instance when another one changed the
// profiles in a shared PostgreSQL database (issue 17), so its in-memory
// snapshot (CachingProfileStore::Reload) follows within about a second.
//
// One thread with its own connection LISTENs on
// PostgresProfileStore::kChangeChannel and waits in poll(2) on the socket
// and on a wake-up eventfd. It calls `on_change`:
//   - after each batch of notifications (a committed write anywhere,
//     this instance's own included);
//   - after each (re)connect, the first included, since notifications sent
//     while it was not listening are lost;
//   - every `check_interval` without a notification, so a notification
//     lost any other way only delays a change by that much.
// A connection that fails is re-established with exponential backoff
// (100 ms doubling up to max_backoff). Stop() (or the destructor) wakes the
// thread and joins it; it returns at once unless a reconnect attempt is
// under way (bounded by its 2 s connect timeout) or on_change is running.
//
// With Options::health set, each loss and failed reconnect reports the
// database unreachable there, and each (re)connect reachable: /readyz
// follows the database while no call reaches the store.
//
// Thread-safety: Start/Stop from one thread; on_change runs on the
// listener's thread only, never concurrently with itself.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"

namespace bp::storage {

namespace postgres {
class Connection;
}  // namespace postgres

class DatabaseHealth;

class PostgresProfileListener {
 public:
  struct Options {
    std::chrono::milliseconds check_interval{10'000};
    std::chrono::milliseconds max_backoff{5'000};
    // Where the connection's state is reported (the store's health()); none
    // when null. Must outlive the listener.
    DatabaseHealth* health = nullptr;
  };

  // Connects and LISTENs before returning (kIo naming the database without
  // its password when it cannot), then starts the thread.
  static Result<std::unique_ptr<PostgresProfileListener>> Start(std::string_view conninfo,
                                                                Options options,
                                                                std::function<void()> on_change);
  ~PostgresProfileListener();
  PostgresProfileListener(const PostgresProfileListener&) = delete;
  PostgresProfileListener& operator=(const PostgresProfileListener&) = delete;

  void Stop();

  // How often the connection was re-established after a failure.
  uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }

 private:
  struct Passkey {};

 public:
  PostgresProfileListener(Passkey, std::string conninfo, Options options,
                          std::function<void()> on_change, int wake_fd,
                          std::unique_ptr<postgres::Connection> conn);

 private:
  static Result<std::unique_ptr<postgres::Connection>> Connect(std::string_view conninfo);
  void Run(std::unique_ptr<postgres::Connection> conn);
  // Waits up to `timeout` for Stop(); true when stopping.
  bool SleepUnlessStopped(std::chrono::milliseconds timeout);
  void ReportLost(std::string error) const;

  const std::string conninfo_;
  const Options options_;
  const std::function<void()> on_change_;
  const int wake_fd_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> reconnects_{0};
  std::thread thread_;
};

// A session-level advisory lock on a connection of its own, held until
// destroyed. serve holds it around loading its snapshot and Bootstrap or
// Reconcile, so instances that start together run those one after the
// other: the second sees the profiles the first created and skips.
class PostgresStartupLock {
 public:
  static constexpr int64_t kLockKey = 0x62702d7374617274;  // "bp-start"

  // Blocks until the lock is granted. kIo when the database is unreachable.
  static Result<std::unique_ptr<PostgresStartupLock>> Acquire(std::string_view conninfo);
  ~PostgresStartupLock();
  PostgresStartupLock(const PostgresStartupLock&) = delete;
  PostgresStartupLock& operator=(const PostgresStartupLock&) = delete;

 private:
  struct Passkey {};

 public:
  PostgresStartupLock(Passkey, std::unique_ptr<postgres::Connection> conn);

 private:
  std::unique_ptr<postgres::Connection> conn_;
};

}  // namespace bp::storage
