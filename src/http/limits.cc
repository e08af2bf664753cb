#include "http/limits.h"

#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace bp::http {
namespace {

// Freeing a large request leaves its pages in malloc's free lists (and in
// per-thread arenas the next request may not use); hand them back to the OS.
constexpr size_t kTrimAfterBytes = size_t{4} * 1024 * 1024;

void TrimHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

bool SharedLimits::TryReserveBody(size_t bytes) {
  size_t current = body_in_flight_.load(std::memory_order_relaxed);
  do {
    if (bytes > body_limit_ || current > body_limit_ - bytes) return false;
  } while (
      !body_in_flight_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  return true;
}

void SharedLimits::ReleaseBody(size_t bytes) {
  body_in_flight_.fetch_sub(bytes, std::memory_order_relaxed);
}

BodyReservation& BodyReservation::operator=(BodyReservation&& other) noexcept {
  if (this != &other) {
    Reset();
    limits_ = other.limits_;
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

bool BodyReservation::GrowTo(size_t total) {
  if (limits_ == nullptr || total <= bytes_) return true;
  if (!limits_->TryReserveBody(total - bytes_)) return false;
  bytes_ = total;
  return true;
}

void BodyReservation::Reset() {
  if (limits_ == nullptr || bytes_ == 0) return;
  limits_->ReleaseBody(bytes_);
  const bool large = bytes_ >= kTrimAfterBytes;
  bytes_ = 0;
  if (large) TrimHeap();
}

Status BodyBudgetExhausted(size_t bytes, size_t in_flight, size_t limit) {
  return Status(ErrorCode::kServiceUnavailable,
                "The server is busy: a request body of " + std::to_string(bytes) +
                    " bytes does not fit next to the " + std::to_string(in_flight) +
                    " bytes of request bodies already in flight (limit " + std::to_string(limit) +
                    "). Retry later.");
}

}  // namespace bp::http
