#include "storage/postgres/postgres_profile_listener.h"

#include <algorithm>
#include <cerrno>
#include <sys/eventfd.h>
#include <utility>

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "storage/postgres/database_health.h"
#include "storage/postgres/pg_conn.h"
#include "storage/postgres/postgres_profile_store.h"

namespace bp::storage {

using postgres::Connection;
using postgres::Notification;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
// A reconnect blocks Stop() at most this long against an unreachable host.
constexpr int kReconnectTimeoutSeconds = 2;

int MillisUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
}

}  // namespace

Result<std::unique_ptr<Connection>> PostgresProfileListener::Connect(std::string_view conninfo) {
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                      Connection::Open(conninfo, kReconnectTimeoutSeconds));
  // A constant identifier: nothing of the caller's is spliced in.
  BP_RETURN_IF_ERROR(conn->Exec("LISTEN " + std::string(PostgresProfileStore::kChangeChannel),
                                "listening for profile changes")
                         .status());
  return conn;
}

Result<std::unique_ptr<PostgresProfileListener>> PostgresProfileListener::Start(
    std::string_view conninfo, Options options, std::function<void()> on_change) {
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connect(conninfo));
  const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) return IoError("profile listener: eventfd failed");
  return std::make_unique<PostgresProfileListener>(Passkey{}, std::string(conninfo), options,
                                                   std::move(on_change), wake_fd, std::move(conn));
}

PostgresProfileListener::PostgresProfileListener(Passkey, std::string conninfo, Options options,
                                                 std::function<void()> on_change, int wake_fd,
                                                 std::unique_ptr<Connection> conn)
    : conninfo_(std::move(conninfo)),
      options_(options),
      on_change_(std::move(on_change)),
      wake_fd_(wake_fd) {
  thread_ = std::thread([this, c = std::move(conn)]() mutable { Run(std::move(c)); });
}

PostgresProfileListener::~PostgresProfileListener() {
  Stop();
  ::close(wake_fd_);
}

void PostgresProfileListener::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  thread_.join();
}

bool PostgresProfileListener::SleepUnlessStopped(std::chrono::milliseconds timeout) {
  if (stopping_.load(std::memory_order_acquire)) return true;
  pollfd wake{.fd = wake_fd_, .events = POLLIN, .revents = 0};
  (void)::poll(&wake, 1, static_cast<int>(timeout.count()));
  return stopping_.load(std::memory_order_acquire);
}

void PostgresProfileListener::ReportLost(std::string error) const {
  if (options_.health != nullptr) options_.health->ReportUnreachable(std::move(error));
}

void PostgresProfileListener::Run(std::unique_ptr<Connection> conn) {
  std::chrono::milliseconds backoff = kFirstBackoff;
  bool caught_up = false;  // on_change called since the connection was made
  Clock::time_point next_check = Clock::now();
  while (!stopping_.load(std::memory_order_acquire)) {
    if (conn == nullptr) {
      if (SleepUnlessStopped(backoff)) break;
      Result<std::unique_ptr<Connection>> reconnected = Connect(conninfo_);
      if (!reconnected.ok()) {
        spdlog::warn("profile listener: {}; retrying in {} ms", reconnected.status().message(),
                     backoff.count());
        ReportLost(reconnected.status().message());
        backoff = std::min(backoff * 2, options_.max_backoff);
        continue;
      }
      conn = std::move(reconnected).value();
      backoff = kFirstBackoff;
      caught_up = false;
      reconnects_.fetch_add(1, std::memory_order_relaxed);
      if (options_.health != nullptr) options_.health->ReportReachable();
      spdlog::info("profile listener: listening again on {}", conn->display_name());
    }
    if (!caught_up || Clock::now() >= next_check) {
      on_change_();
      caught_up = true;
      next_check = Clock::now() + options_.check_interval;
    }
    if (conn->socket() < 0) {
      ReportLost(conn->error_message());
      conn.reset();
      continue;
    }
    pollfd fds[2] = {{.fd = wake_fd_, .events = POLLIN, .revents = 0},
                     {.fd = conn->socket(), .events = POLLIN, .revents = 0}};
    const int ready = ::poll(fds, 2, MillisUntil(next_check));
    if (ready < 0 && errno != EINTR) {
      spdlog::error("profile listener: poll failed (errno {}); reconnecting", errno);
      conn.reset();
      continue;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents == 0) continue;  // the periodic check comes next
    Result<std::vector<Notification>> received = conn->TakeNotifications();
    if (!received.ok()) {
      spdlog::warn("profile listener: {}; reconnecting", received.status().message());
      ReportLost(conn->error_message());
      conn.reset();
      continue;
    }
    if (!received->empty()) {
      on_change_();
      next_check = Clock::now() + options_.check_interval;
    }
  }
}

Result<std::unique_ptr<PostgresStartupLock>> PostgresStartupLock::Acquire(
    std::string_view conninfo) {
  BP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(conninfo));
  // Waits for another instance's start; void result, hence the sub-select.
  BP_RETURN_IF_ERROR(conn->Exec("SELECT count(*) FROM (SELECT pg_advisory_lock($1)) l",
                                postgres::Params().Int(kLockKey), "taking the startup lock")
                         .status());
  return std::make_unique<PostgresStartupLock>(Passkey{}, std::move(conn));
}

PostgresStartupLock::PostgresStartupLock(Passkey, std::unique_ptr<Connection> conn)
    : conn_(std::move(conn)) {}

// Closing the session releases the lock (and so does a crash of this
// process: the server ends the session).
PostgresStartupLock::~PostgresStartupLock() = default;

}  // namespace bp::storage
