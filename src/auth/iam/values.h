#pragma once
// Typed readings of condition values (auth.md §3): numbers, dates, IP
// addresses and CIDR blocks, booleans and base64. The parser uses them on
// policy values at load; the evaluator on context values per request. All
// return std::nullopt for text that is not of the type; none allocates
// except DecodeBase64. Included by policy.h; not for other modules.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bp::auth::iam {

// Decimal number: optional sign, digits, optional '.' and digits
// ("10", "-2.5"). No exponent, no hex, no inf/nan; at most 64 characters.
std::optional<double> ParseNumber(std::string_view text);

// An instant, in microseconds since 1970-01-01T00:00:00Z. Accepts
//   - epoch seconds: optional '-', digits, optional '.' fraction ("1767225600");
//   - ISO 8601 extended: YYYY-MM-DD, optionally followed by 'T' and hh:mm,
//     hh:mm:ss or hh:mm:ss.fraction, and a zone Z, +hh:mm, -hh:mm, +hhmm or
//     +hh (no zone means UTC). Years 0000-9999; fields are range-checked.
std::optional<int64_t> ParseTimestampMicros(std::string_view text);

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
};

// Dotted-quad IPv4 or RFC 4291 IPv6 text. An IPv4-mapped IPv6 address
// (::ffff:10.1.2.3) is returned as the IPv4 address it maps.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

struct Cidr {
  IpAddress base;  // host bits cleared
  uint8_t prefix = 0;

  // True when `ip` is of the same family and inside the block.
  bool Contains(const IpAddress& ip) const;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128 block).
// Host bits set in the address are cleared ("10.1.2.3/8" is 10.0.0.0/8).
std::optional<Cidr> ParseCidr(std::string_view text);

// "true" or "false", any letter case.
std::optional<bool> ParseBool(std::string_view text);

// Standard base64 (RFC 4648 §4), '=' padding optional.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace bp::auth::iam
