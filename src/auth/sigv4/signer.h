#pragma once
// Client-side SigV4 signing (auth.md §1.7) for the CLI's calls to AWS and the
// Bedrock upstream: the Authorization-header form and the presigned query
// form. Shares canonical_request.h with the verifier, so whatever this signs
// the verifier accepts. Public header of bp_auth_sigv4.
//
// Pure functions over values; thread-safe. The results hold no secret (the
// session token, when signed or attached, is part of the request by design).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sigv4/credentials.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::auth::sigv4 {

// The request to sign, exactly as it will be sent.
struct SigningRequest {
  std::string_view method;  // "POST"
  std::string_view path;    // wire form, already percent-encoded: "/model/arn%3Aaws%3A.../converse"
  std::string_view query;   // wire form without '?': "maxResults=10&nextToken=abc%2F"; may be empty
  // Headers to send. Names in any case (signed lower-cased); must hold "host"
  // (HTTP/1.1) or ":authority" (HTTP/2). Every header is signed except
  // hop-by-hop and proxy-rewritten ones (authorization, connection,
  // user-agent, expect, transfer-encoding, x-amzn-trace-id, ...). Existing
  // authorization, x-amz-date and x-amz-security-token headers are replaced.
  const http::Headers& headers;
  std::string_view body;
  // Hex SHA-256 of the body (or "UNSIGNED-PAYLOAD") when the caller has it
  // already, e.g. for a streamed body; otherwise SHA-256(body) is computed.
  std::optional<std::string_view> payload_hash;
};

struct SigningOptions {
  std::string region;   // "eu-central-1"
  std::string service;  // "bedrock"
  std::chrono::system_clock::time_point time;
  bool normalize_path = true;  // false for S3 only
  // Header form: also send and sign x-amz-content-sha256 (the AWS SDKs do).
  bool add_content_sha256_header = false;
  // false: the session token is attached after signing and so not covered by
  // the signature (some services require this; the suite's post-sts-header-after).
  bool sign_session_token = true;
  // Presigned form: X-Amz-Expires, 1 .. 604800 seconds.
  std::chrono::seconds expires{900};
  // The derived signing key for these credentials and this scope
  // (DeriveKeyFor(secret, *this)), from a caller that signs many requests a
  // day: signing then costs one HMAC instead of five. Null: derived here.
  const std::array<uint8_t, 32>* signing_key = nullptr;
};

// A derived SigV4 signing key (auth.md §1.5). Holds a secret: never log it.
using DerivedKey = std::array<uint8_t, 32>;

// The signing key for `secret_access_key` in the scope of `options`: the UTC
// day of options.time, options.region and options.service.
DerivedKey DeriveKeyFor(std::string_view secret_access_key, const SigningOptions& options);

// The UTC day of `time` as SigV4 scopes name it: "20261203".
std::string SigningDay(std::chrono::system_clock::time_point time);

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  // Header form: headers to add to the request (lower-case names: x-amz-date,
  // x-amz-security-token, x-amz-content-sha256, authorization, as applicable).
  http::Headers headers_to_add;
  // Presigned form: the complete query to send: the request's own query, then
  // X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
  // -Security-Token (when any), -Signature.
  std::string query;
};

// Signs in the Authorization-header form. kValidation when the query has a
// malformed percent-escape or neither host nor :authority is given.
Result<SigningResult> SignWithHeaders(const Credentials& credentials, const SigningRequest& request,
                                      const SigningOptions& options);

// Signs in the presigned query form (no x-amz-date header; the date, scope
// and signed-header list travel in the query). Errors as SignWithHeaders, and
// kValidation when options.expires is outside 1..604800 seconds.
Result<SigningResult> Presign(const Credentials& credentials, const SigningRequest& request,
                              const SigningOptions& options);

}  // namespace bp::auth::sigv4
