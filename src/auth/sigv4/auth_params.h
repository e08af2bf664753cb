#pragma once
// Parsing of the SigV4 authentication fields a client sends, in either form
// (auth.md §1.1): the Authorization header
//   AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
//     SignedHeaders=h1;h2, Signature=hex
// with x-amz-date (and x-amz-security-token) headers, or the presigned query
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature, optional X-Amz-Security-Token).
// Public header of bp_auth_sigv4 (the short-term API key decoder reuses the
// query form).
//
// These are decoders of untrusted bytes: every malformed input is a
// kIncompleteSignature Status (400) whose message names what is missing or
// wrong and never repeats a signature or token. Pure functions; thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4/canonical_request.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::auth::sigv4 {

enum class AuthForm : uint8_t { kHeader, kQuery };

// The query parameter names of the presigned form.
inline constexpr std::string_view kQueryAlgorithm = "X-Amz-Algorithm";
inline constexpr std::string_view kQueryCredential = "X-Amz-Credential";
inline constexpr std::string_view kQueryDate = "X-Amz-Date";
inline constexpr std::string_view kQueryExpires = "X-Amz-Expires";
inline constexpr std::string_view kQuerySignedHeaders = "X-Amz-SignedHeaders";
inline constexpr std::string_view kQuerySignature = "X-Amz-Signature";
inline constexpr std::string_view kQuerySecurityToken = "X-Amz-Security-Token";

// What a request claims about its signature, before any check against a
// secret. Syntactically valid; nothing here is trusted yet.
struct AuthParams {
  AuthForm form = AuthForm::kHeader;
  std::string access_key_id;
  CredentialScope scope;  // date is 8 digits; region and service non-empty
  std::string amz_date;   // "20150830T123600Z", a real date-time
  std::chrono::system_clock::time_point time;
  std::vector<std::string> signed_headers;  // lower-case, in the order listed
  std::string signature;                    // as sent (normally 64 hex digits)
  std::optional<std::string> security_token;
  std::chrono::seconds expires{0};  // kQuery only: 1 .. max_expires
};

// Parses an Authorization header value of scheme AWS4-HMAC-SHA256 together
// with the request's x-amz-date and x-amz-security-token headers.
// kIncompleteSignature when a component is missing, repeated or malformed
// (the region must look like one: [a-z0-9-], at most 32 characters),
// when x-amz-date is absent or not basic ISO 8601, or when neither host nor
// :authority is signed.
Result<AuthParams> ParseAuthorizationHeader(std::string_view value, const http::Headers& headers);

// Parses the presigned form from the decoded query parameters (bp::ParseQuery
// order). kIncompleteSignature as above, also for an X-Amz-Expires that is not
// a whole number of seconds in 1..max_expires.
Result<AuthParams> ParseQueryAuth(const std::vector<std::pair<std::string, std::string>>& params,
                                  std::chrono::seconds max_expires);

// True when the decoded query carries presigned-form fields (X-Amz-Algorithm,
// X-Amz-Credential or X-Amz-Signature).
bool HasQueryAuth(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace bp::auth::sigv4
