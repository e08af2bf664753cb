#pragma once
// Short-term Amazon Bedrock API keys (auth.md §2; testdata/bedrock-api-key/
// README.md): "bedrock-api-key-" + base64 of a SigV4 presigned URL
//   bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=...
//     &X-Amz-Signature=...&X-Amz-SignedHeaders=host&Version=1
// made by AWS's token generator from the caller's own credentials. The
// verifier checks it like any presigned request: POST, canonical URI "/",
// host "bedrock.amazonaws.com" signed alone, canonical query without
// X-Amz-Signature and Version, empty-body payload hash, scope service
// "bedrock" and the region of the endpoint the key is sent to, valid until
// X-Amz-Date + X-Amz-Expires (at most 12 h).
//
// Long-term keys (opaque, compared by SHA-256) are the authenticator's job
// (sigv4_authenticator.h). Public header of bp_auth_sigv4. Pure functions
// apart from the Verifier's key cache; thread-safe.

#include <chrono>
#include <string>
#include <string_view>

#include "auth/sigv4/credentials.h"
#include "auth/sigv4/verifier.h"
#include "core/status.h"

namespace bp::auth::sigv4 {

inline constexpr std::string_view kShortTermApiKeyPrefix = "bedrock-api-key-";
inline constexpr std::string_view kApiKeyHost = "bedrock.amazonaws.com";
inline constexpr std::chrono::seconds kMaxShortTermApiKeyLifetime{12 * 60 * 60};

// The presigned URL inside a short-term key: "bedrock.amazonaws.com/?...".
// kIncompleteSignature when the prefix is missing or the rest is not base64.
// The result is itself a credential: never log it.
Result<std::string> DecodeShortTermApiKey(std::string_view token);

// Verifies a short-term key with `verifier` (whose service must be
// "bedrock"), sent to an endpoint of `endpoint_region` (normally
// verifier.EndpointRegion(request.headers)). Errors: kIncompleteSignature when
// malformed (not base64, not a presigned URL for bedrock.amazonaws.com with
// host signed alone), kInvalidSignature for a scope of another region or
// service (AWS's text, as for a signature), kUnrecognizedClient for an
// unknown access key or wrong session token, kInvalidSignature for a bad
// signature (without the canonical text: the token is a bearer secret) or an
// expired key, including one signed for longer than `max_lifetime`.
Result<VerifiedSignature> VerifyShortTermApiKey(
    std::string_view token, const Verifier& verifier, std::string_view endpoint_region,
    std::chrono::seconds max_lifetime = kMaxShortTermApiKeyLifetime);

// Makes a short-term key the way AWS's generator does (for tests and for
// developers of a configured principal). kValidation when `expires` is
// outside 1 s .. 12 h.
Result<std::string> MakeShortTermApiKey(const Credentials& credentials, std::string_view region,
                                        std::chrono::system_clock::time_point time,
                                        std::chrono::seconds expires);

}  // namespace bp::auth::sigv4
