#include "core/clock.h"

#include <ctime>
#include <random>

namespace bp {

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

uint64_t SystemRandom::Next() {
  thread_local std::mt19937_64 engine([] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }());
  return engine();
}

int64_t ToUnixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromUnixMillis(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  int64_t ms = ToUnixMillis(t);
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - secs * 1000);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string NewProfileId(Random& random) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(12, 'a');
  uint64_t bits = random.Next();
  for (char& c : id) {
    if (bits < 36) bits = random.Next();
    c = kAlphabet[bits % 36];
    bits /= 36;
  }
  return id;
}

std::string NewUuid(Random& random) {
  uint64_t hi = random.Next();
  uint64_t lo = random.Next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);  // variant 10
  // Hex digits written directly (snprintf showed up in the request path's
  // profile: one id per call).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t v, int digits) {
    for (int d = digits - 1; d >= 0; --d) out[pos++] = kHex[(v >> (4 * d)) & 15];
    ++pos;  // the '-' after the group (past the end after the last)
  };
  put(hi >> 32, 8);
  put((hi >> 16) & 0xFFFF, 4);
  put(hi & 0xFFFF, 4);
  put(lo >> 48, 4);
  put(lo & 0xFFFFFFFFFFFFULL, 12);
  return out;
}

}  // namespace bp
