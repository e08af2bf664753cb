#include "auth/sigv4/auth_params.h"

#include <algorithm>

#include "auth/sigv4/endpoint_region.h"

namespace bp::auth::sigv4 {

namespace {

Status Incomplete(std::string message) {
  return Status(ErrorCode::kIncompleteSignature, std::move(message));
}

// A bounded, printable rendering of client text for messages.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    char c = text[i];
    out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  }
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(part) for each `sep`-separated part of `s` (one part when there
// is no separator); stops at the first part for which fn returns false.
template <class Fn>
void ForEachPart(std::string_view s, char sep, Fn&& fn) {
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (!fn(s.substr(start, at == std::string_view::npos ? at : at - start))) return;
    if (at == std::string_view::npos) return;
    start = at + 1;
  }
}

// "AKID/DATE/REGION/SERVICE/aws4_request" into `out`.
Status ParseCredential(std::string_view credential, AuthParams& out) {
  std::string_view parts[5];
  size_t count = 0;
  ForEachPart(credential, '/', [&](std::string_view part) {
    if (count < 5) parts[count] = part;
    ++count;
    return true;
  });
  if (count != 5 || parts[0].empty()) {
    return Incomplete("Credential " + Quote(credential) +
                      " is malformed; expected '<access key id>/<YYYYMMDD>/<region>/<service>/"
                      "aws4_request'.");
  }
  if (parts[4] != kScopeTerminator) {
    return Incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not " +
                      Quote(parts[4]) + ".");
  }
  char midnight[16] = {0, 0, 0, 0, 0, 0, 0, 0, 'T', '0', '0', '0', '0', '0', '0', 'Z'};
  if (parts[1].size() == 8) std::copy(parts[1].begin(), parts[1].end(), midnight);
  if (parts[1].size() != 8 || !ParseAmzDate(std::string_view(midnight, sizeof(midnight)))) {
    return Incomplete("Credential scope date " + Quote(parts[1]) + " is not a YYYYMMDD date.");
  }
  // Only names shaped like a region are taken, so that one can be quoted and
  // logged safely; the verifier then requires the endpoint's own region.
  if (!IsRegionName(parts[2])) {
    return Incomplete("Credential should be scoped to a valid region, not " + Quote(parts[2]) +
                      ".");
  }
  if (parts[3].empty()) return Incomplete("Credential should be scoped to a valid service.");
  out.access_key_id = parts[0];
  out.scope = CredentialScope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view list, AuthParams& out) {
  out.signed_headers.reserve(static_cast<size_t>(std::count(list.begin(), list.end(), ';')) + 1);
  bool empty_name = false;
  ForEachPart(list, ';', [&](std::string_view name) {
    if (name.empty()) {
      empty_name = true;
      return false;
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    out.signed_headers.push_back(std::move(lower));
    return true;
  });
  if (empty_name) return Incomplete("SignedHeaders " + Quote(list) + " has an empty name.");
  const auto& names = out.signed_headers;
  if (std::find(names.begin(), names.end(), "host") == names.end() &&
      std::find(names.begin(), names.end(), ":authority") == names.end()) {
    return Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return Status::Ok();
}

Status ParseDate(std::string_view value, AuthParams& out) {
  std::optional<std::chrono::system_clock::time_point> t = ParseAmzDate(value);
  if (!t) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got " + Quote(value) +
                      ". See http://en.wikipedia.org/wiki/ISO_8601");
  }
  out.amz_date = value;
  out.time = *t;
  return Status::Ok();
}

struct HeaderComponents {
  std::optional<std::string_view> credential, signed_headers, signature;
};

// Splits "Credential=..., SignedHeaders=..., Signature=..." (spaces optional).
Result<HeaderComponents> SplitComponents(std::string_view rest) {
  HeaderComponents c;
  if (rest.empty()) return c;
  Status problem;
  ForEachPart(rest, ',', [&](std::string_view part) {
    part = TrimSpaces(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      problem = Incomplete("Authorization header component " + Quote(part) +
                           " is not of the form Name=Value.");
      return false;
    }
    std::string_view key = part.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &c.credential
                                            : key == "SignedHeaders" ? &c.signed_headers
                                            : key == "Signature"     ? &c.signature
                                                                     : nullptr;
    if (slot == nullptr) {
      problem = Incomplete("Authorization header has an unknown component " + Quote(key) + ".");
      return false;
    }
    if (slot->has_value()) {
      problem =
          Incomplete("Authorization header repeats the '" + std::string(key) + "' parameter.");
      return false;
    }
    *slot = part.substr(eq + 1);
    return true;
  });
  if (!problem.ok()) return problem;
  return c;
}

Status RequireComponents(const HeaderComponents& c) {
  std::string missing;
  if (!c.credential || c.credential->empty()) {
    missing += "Authorization header requires 'Credential' parameter. ";
  }
  if (!c.signature || c.signature->empty()) {
    missing += "Authorization header requires 'Signature' parameter. ";
  }
  if (!c.signed_headers || c.signed_headers->empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (missing.empty()) return Status::Ok();
  missing.pop_back();
  return Incomplete(std::move(missing));
}

const std::string* FindParam(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view name, int& count) {
  const std::string* found = nullptr;
  count = 0;
  for (const auto& [n, v] : params) {
    if (n != name) continue;
    if (found == nullptr) found = &v;
    ++count;
  }
  return found;
}

Status ParseExpires(std::string_view text, std::chrono::seconds max_expires, AuthParams& out) {
  if (text.empty() || text.size() > 10 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Incomplete("X-Amz-Expires must be a whole number of seconds, not " + Quote(text) + ".");
  }
  int64_t value = std::stoll(std::string(text));
  if (value < 1) return Incomplete("X-Amz-Expires must be at least 1 second.");
  if (value > max_expires.count()) {
    return Incomplete("X-Amz-Expires must be less than a week (in seconds) that is " +
                      std::to_string(max_expires.count()));
  }
  out.expires = std::chrono::seconds(value);
  return Status::Ok();
}

}  // namespace

Result<AuthParams> ParseAuthorizationHeader(std::string_view value, const http::Headers& headers) {
  value = TrimSpaces(value);
  if (!value.starts_with(kAlgorithm) ||
      (value.size() > kAlgorithm.size() && value[kAlgorithm.size()] != ' ')) {
    return Incomplete("Authorization header must start with 'AWS4-HMAC-SHA256 '.");
  }
  BP_ASSIGN_OR_RETURN(
      HeaderComponents c,
      SplitComponents(TrimSpaces(value.substr(std::min(value.size(), kAlgorithm.size())))));
  BP_RETURN_IF_ERROR(RequireComponents(c));
  AuthParams out;
  out.form = AuthForm::kHeader;
  BP_RETURN_IF_ERROR(ParseCredential(*c.credential, out));
  BP_RETURN_IF_ERROR(ParseSignedHeaders(*c.signed_headers, out));
  out.signature = *c.signature;
  const std::string* date = http::FindHeader(headers, "x-amz-date");
  if (date == nullptr) {
    return Incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  BP_RETURN_IF_ERROR(ParseDate(TrimSpaces(*date), out));
  if (const std::string* token = http::FindHeader(headers, "x-amz-security-token")) {
    out.security_token = std::string(TrimSpaces(*token));
  }
  return out;
}

Result<AuthParams> ParseQueryAuth(const std::vector<std::pair<std::string, std::string>>& params,
                                  std::chrono::seconds max_expires) {
  static constexpr std::string_view kRequired[] = {kQueryAlgorithm,     kQueryCredential,
                                                   kQueryDate,          kQueryExpires,
                                                   kQuerySignedHeaders, kQuerySignature};
  const std::string* found[std::size(kRequired)] = {};
  std::string missing;
  for (size_t i = 0; i < std::size(kRequired); ++i) {
    int count = 0;
    found[i] = FindParam(params, kRequired[i], count);
    if (count > 1) return Incomplete(std::string(kRequired[i]) + " appears more than once.");
    if (found[i] == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(kRequired[i]);
  }
  if (!missing.empty()) {
    return Incomplete(
        "AWS query-string parameters must include 'X-Amz-Algorithm', "
        "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
        "'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Missing: " +
        missing + ".");
  }
  if (*found[0] != kAlgorithm)
    return Incomplete("X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'.");
  AuthParams out;
  out.form = AuthForm::kQuery;
  BP_RETURN_IF_ERROR(ParseCredential(*found[1], out));
  BP_RETURN_IF_ERROR(ParseDate(*found[2], out));
  BP_RETURN_IF_ERROR(ParseExpires(*found[3], max_expires, out));
  BP_RETURN_IF_ERROR(ParseSignedHeaders(*found[4], out));
  if (found[5]->empty()) return Incomplete("X-Amz-Signature must not be empty.");
  out.signature = *found[5];
  int token_count = 0;
  const std::string* token = FindParam(params, kQuerySecurityToken, token_count);
  if (token_count > 1) return Incomplete("X-Amz-Security-Token appears more than once.");
  if (token != nullptr) out.security_token = *token;
  return out;
}

bool HasQueryAuth(const std::vector<std::pair<std::string, std::string>>& params) {
  return std::any_of(params.begin(), params.end(), [](const auto& p) {
    return p.first == kQueryAlgorithm || p.first == kQueryCredential || p.first == kQuerySignature;
  });
}

}  // namespace bp::auth::sigv4
