#include "auth/iam/values.h"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

#include "core/base64.h"

namespace bp::auth::iam {

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMaxEpochSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Reads exactly `n` digits at `pos` into `out`.
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size() || !AllDigits(s.substr(pos, n))) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) out = out * 10 + (s[pos + i] - '0');
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// ".123456" -> microseconds (extra digits are dropped). `pos` is at the '.'.
bool Fraction(std::string_view s, size_t& pos, int64_t& micros) {
  size_t start = ++pos;
  while (pos < s.size() && IsDigit(s[pos])) ++pos;
  if (pos == start) return false;
  micros = 0;
  for (size_t i = 0; i < 6; ++i) {
    micros = micros * 10 + (start + i < pos ? s[start + i] - '0' : 0);
  }
  return true;
}

std::optional<int64_t> EpochSeconds(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (!AllDigits(whole) || whole.size() > 12) return std::nullopt;
  int64_t seconds = 0;
  for (char c : whole) seconds = seconds * 10 + (c - '0');
  if (seconds > kMaxEpochSeconds) return std::nullopt;
  int64_t micros = 0;
  if (dot != std::string_view::npos) {
    size_t pos = dot;
    if (!Fraction(s, pos, micros) || pos != s.size()) return std::nullopt;
  }
  int64_t total = seconds * kMicrosPerSecond + micros;
  return negative ? -total : total;
}

// Zone designator at `pos` to an offset in seconds east of UTC.
bool Zone(std::string_view s, size_t pos, int64_t& offset) {
  if (pos == s.size()) return true;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return true;
  if (s[pos] != '+' && s[pos] != '-') return false;
  int hh = 0;
  int mm = 0;
  if (!Digits(s, pos + 1, 2, hh)) return false;
  size_t rest = pos + 3;
  if (rest < s.size()) {
    if (s[rest] == ':') ++rest;
    if (!Digits(s, rest, 2, mm) || rest + 2 != s.size()) return false;
  }
  if (hh > 23 || mm > 59) return false;
  offset = (s[pos] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  return true;
}

// "Thh:mm[:ss[.f]]" at `pos` (pos is at the 'T'); advances pos past it.
bool TimeOfDay(std::string_view s, size_t& pos, int64_t& micros) {
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!Digits(s, pos + 1, 2, hh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !Digits(s, pos + 4, 2, mm)) {
    return false;
  }
  pos += 6;
  int64_t fraction = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, ss)) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == '.' && !Fraction(s, pos, fraction)) return false;
  }
  if (hh > 23 || mm > 59 || ss > 59) return false;
  micros = (hh * 3600 + mm * 60 + ss) * kMicrosPerSecond + fraction;
  return true;
}

std::optional<int64_t> Iso8601(std::string_view s) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  size_t pos = 10;
  int64_t time = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    if (!TimeOfDay(s, pos, time)) return std::nullopt;
  }
  int64_t offset = 0;
  if (!Zone(s, pos, offset)) return std::nullopt;
  return (DaysFromCivil(y, m, d) * 86400 - offset) * kMicrosPerSecond + time;
}

bool IsV4Mapped(const IpAddress& ip) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return ip.v6 && std::memcmp(ip.bytes.data(), kPrefix, sizeof kPrefix) == 0;
}

IpAddress Unmap(const IpAddress& ip) {
  IpAddress v4;
  std::memcpy(v4.bytes.data(), ip.bytes.data() + 12, 4);
  return v4;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string_view body = text;
  if (body.front() == '+' || body.front() == '-') body.remove_prefix(1);
  size_t dot = body.find('.');
  if (!AllDigits(body.substr(0, dot))) return std::nullopt;
  if (dot != std::string_view::npos && !AllDigits(body.substr(dot + 1))) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseTimestampMicros(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  if (text.size() >= 10 && text[4] == '-') return Iso8601(text);
  return EpochSeconds(text);
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  return IsV4Mapped(ip) ? Unmap(ip) : ip;
}

bool Cidr::Contains(const IpAddress& ip) const {
  if (ip.v6 != base.v6) return false;
  size_t full = prefix / 8;
  if (std::memcmp(ip.bytes.data(), base.bytes.data(), full) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == base.bytes[full];
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<IpAddress> ip = ParseIpAddress(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int max = ip->v6 ? 128 : 32;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (!AllDigits(digits) || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) prefix = prefix * 10 + (c - '0');
    if (prefix > max) return std::nullopt;
  }
  Cidr cidr{*ip, static_cast<uint8_t>(prefix)};
  for (int bit = prefix; bit < max; ++bit) {
    cidr.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return cidr;
}

std::optional<bool> ParseBool(std::string_view text) {
  auto equals = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  if (equals("true")) return true;
  if (equals("false")) return false;
  return std::nullopt;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  auto decoded = Base64Decode(text);
  if (!decoded.ok()) return std::nullopt;
  return std::move(decoded).value();
}

}  // namespace bp::auth::iam
