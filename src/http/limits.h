#pragma once
// Process-wide resource limits shared by every loop of the server: the
// budget of request-body bytes in flight and the connection cap. Private to
// bp_http (the connections and Http2Session use it; the fuzz target too).
//
// Thread-safety: the counters are atomics, so any loop may reserve and
// release without a lock; the caps are plain fields fixed by
// Server::Listen() before any loop runs.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/status.h"

namespace bp::http {

// Process-wide limits shared by every loop. The counters are atomics (no
// locks on the request path); the caps are fixed by Listen() before any
// loop runs.
class SharedLimits final {
 public:
  explicit SharedLimits(size_t body_bytes_in_flight) : body_limit_(body_bytes_in_flight) {}

  // Adds `bytes` to the body bytes in flight unless the sum would exceed
  // the limit (then nothing is added and false is returned).
  bool TryReserveBody(size_t bytes);
  void ReleaseBody(size_t bytes);
  size_t body_bytes_in_flight() const { return body_in_flight_.load(std::memory_order_relaxed); }
  size_t body_limit() const { return body_limit_; }

  // Connections one loop may hold (max_connections / loops, at least 1).
  size_t per_worker_connections = SIZE_MAX;
  size_t max_connections = SIZE_MAX;
  // True the first time only: the shedding warning is logged once.
  bool FirstShed() { return !shed_logged_.exchange(true, std::memory_order_relaxed); }

 private:
  const size_t body_limit_;
  std::atomic<size_t> body_in_flight_{0};
  std::atomic<bool> shed_logged_{false};
};

// A share of SharedLimits' body budget held by one request from its header
// until its response is done. Move-only; releases on destruction. A large
// release also hands freed heap memory back to the OS (malloc_trim).
class BodyReservation final {
 public:
  BodyReservation() = default;
  explicit BodyReservation(SharedLimits& limits) : limits_(&limits) {}
  BodyReservation(BodyReservation&& other) noexcept
      : limits_(other.limits_), bytes_(std::exchange(other.bytes_, 0)) {}
  BodyReservation& operator=(BodyReservation&& other) noexcept;
  ~BodyReservation() { Reset(); }

  // Grows the reservation to `total` bytes; false (unchanged) over budget.
  bool GrowTo(size_t total);
  void Reset();
  size_t bytes() const { return bytes_; }

 private:
  SharedLimits* limits_ = nullptr;
  size_t bytes_ = 0;
};

// The answer to a request refused because the body budget is spent
// (kServiceUnavailable, answered 503).
Status BodyBudgetExhausted(size_t bytes, size_t in_flight, size_t limit);

}  // namespace bp::http
