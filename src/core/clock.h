#pragma once
// Clock and randomness seams (STYLE.md F.26). Real implementations are created
// only in composition roots; tests use FakeClock / a seeded Random.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace bp {

// Wall-clock time for timestamps, signature skew and expiry; steady time for
// timeouts and latency. Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

// The process clock. Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
};

// Source of random bytes for ids and request ids. Implementations must be
// thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next() = 0;
};

// Seeded from the OS; per-thread state, so no lock on the hot path.
class SystemRandom final : public Random {
 public:
  uint64_t Next() override;
};

// Milliseconds since the Unix epoch.
int64_t ToUnixMillis(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromUnixMillis(int64_t ms);

// RFC 3339 UTC with milliseconds: "2025-08-12T10:20:30.123Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// A random 12-character id over [a-z0-9], as AWS issues profile ids.
std::string NewProfileId(Random& random);
// A random UUID v4 in 8-4-4-4-12 form (request ids).
std::string NewUuid(Random& random);

}  // namespace bp
