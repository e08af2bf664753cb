#include "auth/sigv4/verifier.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "auth/sigv4/crypto.h"
#include "auth/sigv4/endpoint_region.h"
#include "core/uri.h"

namespace bp::auth::sigv4 {

namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kMismatchText =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kQueryExcluded[] = {kQuerySignature};
// The decoder's own message would quote the bad item, which may be a token.
constexpr std::string_view kMalformedQuery = "The query string has a malformed percent-escape.";

Status InvalidSignature(std::string message) {
  return Status(ErrorCode::kInvalidSignature, std::move(message));
}

// "5 min." or "90 sec.": the tail of AWS's skew message.
std::string SkewText(seconds skew) {
  if (skew.count() % 60 == 0) return std::to_string(skew.count() / 60) + " min.";
  return std::to_string(skew.count()) + " sec.";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

// Replaces the session token's value in the header line and in the query of
// a canonical request: the explanation of a mismatch holds no credential.
std::string RedactSessionToken(std::string canonical) {
  constexpr std::string_view kRedacted = "<redacted>";
  for (std::string_view marker :
       {std::string_view("\nx-amz-security-token:"), std::string_view("X-Amz-Security-Token=")}) {
    for (size_t at = canonical.find(marker); at != std::string::npos;
         at = canonical.find(marker, at + marker.size() + kRedacted.size())) {
      size_t start = at + marker.size();
      size_t end = canonical.find_first_of("&\n", start);
      if (end == std::string::npos) end = canonical.size();
      canonical.replace(start, end - start, kRedacted);
    }
  }
  return canonical;
}

// The signing key cache's id, in a per-thread buffer (no allocation once it
// has grown to fit): valid until the thread's next call.
std::string_view CacheId(std::string_view access_key_id, const CredentialScope& scope) {
  thread_local std::string id;
  id.assign(access_key_id);
  id.append("/").append(scope.date).append("/").append(scope.region).append("/");
  id.append(scope.service);
  return id;
}

bool HasWhitespace(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

}  // namespace

Verifier::Verifier(VerifierOptions options, const CredentialLookup& credentials, const Clock& clock)
    : options_(std::move(options)),
      credentials_(credentials),
      clock_(clock),
      cache_(options_.signing_key_cache_capacity) {}

Result<VerifiedSignature> Verifier::Verify(const http::Request& request) const {
  size_t authorization_count =
      std::count_if(request.headers.begin(), request.headers.end(),
                    [](const http::Header& h) { return h.name == "authorization"; });
  Result<std::vector<std::pair<std::string, std::string>>> query = ParseQuery(request.query());
  if (!query.ok()) {
    return Status(ErrorCode::kIncompleteSignature, std::string(kMalformedQuery));
  }
  bool query_auth = HasQueryAuth(*query);
  if (authorization_count > 1) {
    return Status(ErrorCode::kIncompleteSignature, "Only one Authorization header is allowed.");
  }
  if (authorization_count == 1 && query_auth) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or "
                  "the Authorization header should be specified.");
  }
  SignedParts parts{request.method, request.path(), request.query(), request.headers, request.body};
  const std::string region = EndpointRegion(request.headers);
  if (authorization_count == 1) {
    BP_ASSIGN_OR_RETURN(AuthParams params,
                        ParseAuthorizationHeader(
                            *http::FindHeader(request.headers, "authorization"), request.headers));
    return VerifyParams(parts, params, VerifyRules{.region = region});
  }
  if (query_auth) {
    BP_ASSIGN_OR_RETURN(AuthParams params, ParseQueryAuth(*query, options_.max_presign_expiry));
    return VerifyParams(parts, params,
                        VerifyRules{.region = region,
                                    .excluded_query_names = kQueryExcluded,
                                    .max_lifetime = options_.max_presign_expiry});
  }
  return Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
}

Result<VerifiedSignature> Verifier::VerifyParams(const SignedParts& parts, const AuthParams& params,
                                                 const VerifyRules& rules) const {
  BP_RETURN_IF_ERROR(CheckScope(params, rules));
  const Credentials* credentials = credentials_.Find(params.access_key_id);
  if (credentials == nullptr) {
    return Status(ErrorCode::kUnrecognizedClient, std::string(kInvalidToken));
  }
  bool token_ok = credentials->session_token.has_value()
                      ? params.security_token.has_value() &&
                            ConstantTimeEquals(*params.security_token, *credentials->session_token)
                      : !params.security_token.has_value();
  if (!token_ok) return Status(ErrorCode::kUnrecognizedClient, std::string(kInvalidToken));
  BP_ASSIGN_OR_RETURN(std::string canonical_request, CanonicalRequestFor(parts, params, rules));
  BP_RETURN_IF_ERROR(CheckSignature(*credentials, params, canonical_request, rules));
  BP_RETURN_IF_ERROR(CheckTime(params, rules));
  spdlog::debug("sigv4: verified access key {} for region '{}' ({} form)", params.access_key_id,
                params.scope.region, params.form == AuthForm::kHeader ? "header" : "query");
  return VerifiedSignature{params.access_key_id, params.scope.region, params.form};
}

std::string Verifier::EndpointRegion(const http::Headers& headers) const {
  const std::string* host = http::FindHeader(headers, "host");
  return sigv4::EndpointRegion(host == nullptr ? std::string_view() : std::string_view(*host),
                               options_.region);
}

// AWS names every mismatch of the scope in one message, in this order, each
// sentence but the date's followed by a space (the service's wire text,
// docs/auth.md). The scope region is quoted: the parser took only a name
// shaped like a region. The client's service is not quoted.
Status Verifier::CheckScope(const AuthParams& params, const VerifyRules& rules) const {
  std::string problems;
  if (rules.region.empty() || params.scope.region != rules.region) {
    problems +=
        "Credential should be scoped to a valid region, not '" + params.scope.region + "'. ";
  }
  if (params.scope.service != options_.service) {
    problems += "Credential should be scoped to correct service: '" + options_.service + "'. ";
  }
  std::string_view http_date = std::string_view(params.amz_date).substr(0, 8);
  if (params.scope.date != http_date) {
    problems +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        params.scope.date + "' != '" + std::string(http_date) + "', from '" + params.amz_date +
        "'.";
  }
  if (problems.empty()) return Status::Ok();
  return InvalidSignature(std::move(problems));
}

Result<std::string> Verifier::PayloadHash(const SignedParts& parts) const {
  std::string body_hash = Sha256Hex(parts.body);
  const std::string* sent = http::FindHeader(parts.headers, "x-amz-content-sha256");
  if (sent == nullptr) return body_hash;
  // Canonicalised only when it has whitespace to fold (SDKs send none).
  const bool fold = HasWhitespace(*sent);
  const std::string folded = fold ? CanonicalHeaderValue(*sent) : std::string();
  const std::string_view value = fold ? std::string_view(folded) : std::string_view(*sent);
  if (value == body_hash) return body_hash;
  if (value == kUnsignedPayload || value.starts_with("STREAMING-")) {
    return InvalidSignature(
        "x-amz-content-sha256 must be the hex SHA-256 of the body; '" +
        std::string(value == kUnsignedPayload ? kUnsignedPayload : "STREAMING-*") +
        "' is not accepted by this service.");
  }
  if (!EqualsIgnoreCase(value, body_hash)) {
    return InvalidSignature(
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return std::string(value);
}

Result<std::string> Verifier::CanonicalRequestFor(const SignedParts& parts,
                                                  const AuthParams& params,
                                                  const VerifyRules& rules) const {
  BP_ASSIGN_OR_RETURN(std::string payload_hash, PayloadHash(parts));
  Result<std::string> query = CanonicalQuery(parts.raw_query, rules.excluded_query_names);
  if (!query.ok()) {
    return Status(ErrorCode::kIncompleteSignature, std::string(kMalformedQuery));
  }
  return CanonicalRequest(parts.method, parts.raw_path, options_.normalize_path, *query,
                          parts.headers, params.signed_headers, payload_hash);
}

Status Verifier::CheckSignature(const Credentials& credentials, const AuthParams& params,
                                const std::string& canonical_request,
                                const VerifyRules& rules) const {
  std::string string_to_sign = BuildStringToSign(params.amz_date, params.scope, canonical_request);
  std::optional<SigningKey> cached = cache_.Find(CacheId(params.access_key_id, params.scope));
  SigningKey key = cached ? *cached : DeriveSigningKey(credentials.secret_access_key, params.scope);
  std::string expected = ComputeSignature(key, string_to_sign);
  if (ConstantTimeEquals(expected, params.signature)) {
    if (!cached) cache_.Insert(CacheId(params.access_key_id, params.scope), key);
    return Status::Ok();
  }
  if (!rules.explain_mismatch) return InvalidSignature(std::string(kMismatchText));
  return InvalidSignature(std::string(kMismatchText) +
                          "\n\nThe Canonical String for this request should have been\n'" +
                          RedactSessionToken(canonical_request) +
                          "'\n\nThe String-to-Sign should have been\n'" + string_to_sign + "'\n");
}

Status Verifier::CheckTime(const AuthParams& params, const VerifyRules& rules) const {
  system_clock::time_point now = std::chrono::floor<seconds>(clock_.Now());
  seconds skew = options_.allowed_skew;
  if (params.time > now + skew) {
    return InvalidSignature("Signature not yet current: " + params.amz_date +
                            " is still later than " + FormatAmzDate(now + skew) + " (" +
                            FormatAmzDate(now) + " + " + SkewText(skew) + ")");
  }
  if (params.form == AuthForm::kHeader) {
    if (params.time >= now - skew) return Status::Ok();
    return InvalidSignature("Signature expired: " + params.amz_date + " is now earlier than " +
                            FormatAmzDate(now - skew) + " (" + FormatAmzDate(now) + " - " +
                            SkewText(skew) + ")");
  }
  if (params.expires > rules.max_lifetime) {
    return InvalidSignature("Signature expired: X-Amz-Expires " +
                            std::to_string(params.expires.count()) + " exceeds the " +
                            std::to_string(rules.max_lifetime.count()) + " seconds allowed.");
  }
  system_clock::time_point end = params.time + params.expires;
  if (now <= end) return Status::Ok();
  return InvalidSignature("Signature expired: valid until " + FormatAmzDate(end) + " (" +
                          params.amz_date + " + " + std::to_string(params.expires.count()) +
                          " s), it is now " + FormatAmzDate(now) + ".");
}

}  // namespace bp::auth::sigv4
