#include "http/http_date.h"

#include <cstdint>
#include <cstdio>

namespace bp::http {
namespace {

constexpr const char* kDayNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Writes the 29 characters plus a NUL into `out`.
void FormatInto(std::chrono::system_clock::time_point t, char (&out)[32]) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const weekday wd(day);
  const hh_mm_ss<seconds> hms(secs - day);
  std::snprintf(out, sizeof(out), "%s, %02u %s %04d %02d:%02d:%02d GMT", kDayNames[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()),
                kMonthNames[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
}

}  // namespace

std::string FormatHttpDate(std::chrono::system_clock::time_point t) {
  char buf[32];
  FormatInto(t, buf);
  return buf;
}

std::string_view CachedHttpDate(const Clock& clock) {
  struct Cache {
    int64_t second = INT64_MIN;
    char text[32] = {};
    size_t size = 0;
  };
  thread_local Cache cache;
  const auto now = clock.Now();
  const int64_t second = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != cache.second) {
    FormatInto(now, cache.text);
    cache.size = std::char_traits<char>::length(cache.text);
    cache.second = second;
  }
  return std::string_view(cache.text, cache.size);
}

}  // namespace bp::http
