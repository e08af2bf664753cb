#include "auth/sigv4/canonical_request.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <openssl/crypto.h>

#include "auth/sigv4/crypto.h"
#include "core/sha256.h"
#include "core/uri.h"

namespace bp::auth::sigv4 {

namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::system_clock;

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses `text` (all ASCII digits) as a non-negative number; -1 otherwise.
int ParseDigits(std::string_view text) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

void AppendTwoDigits(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10 % 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

// The path's segments after removing ".", "..", and empty ones.
std::vector<std::string_view> NormalizedSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

}  // namespace

std::string CredentialScope::ToString() const {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + 3 + kScopeTerminator.size());
  out.append(date).append("/").append(region).append("/").append(service).append("/");
  out.append(kScopeTerminator);
  return out;
}

std::string FormatAmzDate(system_clock::time_point t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto day = std::chrono::floor<days>(secs);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss<seconds> hms(secs - day);
  std::string out;
  out.reserve(16);
  int year = static_cast<int>(ymd.year());
  AppendTwoDigits(out, static_cast<unsigned>(year / 100));
  AppendTwoDigits(out, static_cast<unsigned>(year % 100));
  AppendTwoDigits(out, static_cast<unsigned>(ymd.month()));
  AppendTwoDigits(out, static_cast<unsigned>(ymd.day()));
  out.push_back('T');
  AppendTwoDigits(out, static_cast<unsigned>(hms.hours().count()));
  AppendTwoDigits(out, static_cast<unsigned>(hms.minutes().count()));
  AppendTwoDigits(out, static_cast<unsigned>(hms.seconds().count()));
  out.push_back('Z');
  return out;
}

std::optional<system_clock::time_point> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int year = ParseDigits(text.substr(0, 4));
  int month = ParseDigits(text.substr(4, 2));
  int day = ParseDigits(text.substr(6, 2));
  int hour = ParseDigits(text.substr(9, 2));
  int minute = ParseDigits(text.substr(11, 2));
  int second = ParseDigits(text.substr(13, 2));
  if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 59) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(year),
                                  std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits (about 1678..2262): a date
  // outside that, less a month kept for the skew and expiry arithmetic done on
  // the result, cannot be represented and is refused as malformed rather than
  // overflowing.
  constexpr int64_t kLimitDays =
      std::chrono::floor<days>(system_clock::time_point::max()).time_since_epoch().count() - 31;
  int64_t day_count = sys_days(ymd).time_since_epoch().count();
  if (day_count > kLimitDays || day_count < -kLimitDays) return std::nullopt;
  return system_clock::time_point(sys_days(ymd)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + seconds(second);
}

namespace {

// True when normalizing `path` changes nothing but the encoding: it starts
// with '/' and has no empty, "." or ".." segment (a trailing '/' is fine).
bool IsNormalPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

void AppendCanonicalUri(std::string& out, std::string_view raw_path, bool normalize) {
  if (!normalize) {
    if (raw_path.empty()) {
      out.push_back('/');
    } else {
      AppendUriEncoded(out, raw_path, false);
    }
    return;
  }
  // The common case: the segments are the path's own, so encoding the path
  // with its slashes kept is encoding each segment and joining them.
  if (IsNormalPath(raw_path)) {
    AppendUriEncoded(out, raw_path, false);
    return;
  }
  std::vector<std::string_view> segments = NormalizedSegments(raw_path);
  out.push_back('/');
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    AppendUriEncoded(out, segments[i], true);
  }
  if (!segments.empty() && raw_path.ends_with('/')) out.push_back('/');
}

std::string CanonicalUri(std::string_view raw_path, bool normalize) {
  std::string out;
  out.reserve(raw_path.size() + raw_path.size() / 2 + 1);
  AppendCanonicalUri(out, raw_path, normalize);
  return out;
}

Result<std::string> CanonicalQuery(std::string_view raw_query,
                                   std::span<const std::string_view> excluded_names) {
  BP_ASSIGN_OR_RETURN(auto decoded, ParseQuery(raw_query));
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(decoded.size());
  for (auto& [name, value] : decoded) {
    if (std::find(excluded_names.begin(), excluded_names.end(), name) != excluded_names.end()) {
      continue;
    }
    items.emplace_back(UriEncode(name), UriEncode(value));
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& [name, value] : items) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

void AppendCanonicalHeaderValue(std::string& out, std::string_view value) {
  bool any = false;  // a character of the value was written
  bool pending_space = false;
  for (char c : value) {
    if (IsWhitespace(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
    any = true;
  }
}

std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  AppendCanonicalHeaderValue(out, value);
  return out;
}

void AppendCanonicalHeaders(std::string& out, const http::Headers& headers,
                            std::span<const std::string> signed_names) {
  for (const std::string& name : signed_names) {
    out.append(name).push_back(':');
    bool first = true;
    for (const http::Header& h : headers) {
      if (h.name != name) continue;
      if (!first) out.push_back(',');
      AppendCanonicalHeaderValue(out, h.value);
      first = false;
    }
    out.push_back('\n');
  }
}

std::string CanonicalHeaders(const http::Headers& headers,
                             std::span<const std::string> signed_names) {
  std::string out;
  AppendCanonicalHeaders(out, headers, signed_names);
  return out;
}

void AppendSignedHeaders(std::string& out, std::span<const std::string> signed_names) {
  for (size_t i = 0; i < signed_names.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += signed_names[i];
  }
}

std::string JoinSignedHeaders(std::span<const std::string> signed_names) {
  std::string out;
  AppendSignedHeaders(out, signed_names);
  return out;
}

std::string CanonicalRequest(std::string_view method, std::string_view raw_path, bool normalize,
                             std::string_view canonical_query, const http::Headers& headers,
                             std::span<const std::string> signed_names,
                             std::string_view payload_hash) {
  // What it takes, about: the path encoded once more, the signed headers'
  // values and names twice.
  size_t size =
      method.size() + raw_path.size() * 2 + canonical_query.size() + payload_hash.size() + 8;
  for (const std::string& name : signed_names) {
    size += name.size() * 2 + 3;
    for (const http::Header& h : headers) {
      if (h.name == name) size += h.value.size() + 1;
    }
  }
  std::string out;
  out.reserve(size);
  out.append(method).push_back('\n');
  AppendCanonicalUri(out, raw_path, normalize);
  out.push_back('\n');
  out.append(canonical_query).push_back('\n');
  AppendCanonicalHeaders(out, headers, signed_names);
  out.push_back('\n');
  AppendSignedHeaders(out, signed_names);
  out.push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string BuildCanonicalRequest(std::string_view method, std::string_view canonical_uri,
                                  std::string_view canonical_query,
                                  std::string_view canonical_headers,
                                  std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 5);
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(canonical_headers).push_back('\n');
  out.append(signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string BuildStringToSign(std::string_view amz_date, const CredentialScope& scope,
                              std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.date.size() + scope.region.size() +
              scope.service.size() + kScopeTerminator.size() + 6 + 64);
  out.append(kAlgorithm).push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope.date).append("/").append(scope.region).append("/").append(scope.service);
  out.append("/").append(kScopeTerminator).push_back('\n');
  AppendHexEncoded(out, Sha256(canonical_request));
  return out;
}

SigningKey DeriveSigningKey(std::string_view secret_access_key, const CredentialScope& scope) {
  std::string seed = "AWS4";
  seed.append(secret_access_key);
  SigningKey k_date = HmacSha256(seed, scope.date);
  OPENSSL_cleanse(seed.data(), seed.size());
  SigningKey k_region = HmacSha256(k_date, scope.region);
  SigningKey k_service = HmacSha256(k_region, scope.service);
  SigningKey k_signing = HmacSha256(k_service, kScopeTerminator);
  OPENSSL_cleanse(k_date.data(), k_date.size());
  OPENSSL_cleanse(k_region.data(), k_region.size());
  OPENSSL_cleanse(k_service.data(), k_service.size());
  return k_signing;
}

std::string ComputeSignature(const SigningKey& signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

}  // namespace bp::auth::sigv4
