#pragma once
// Server-side SigV4 verification (auth.md §1): the Authorization-header form
// and the presigned query form, checked against a fixed set of credentials.
// Public header of bp_auth_sigv4.
//
// Order of checks, each failing with the auth.md §5 code:
//   1. parse the header or query fields       -> kIncompleteSignature (400)
//   2. scope region, service and date          -> kInvalidSignature (403),
//      AWS's texts, every mismatch named in one message (see CheckScope)
//   3. access key known                        -> kUnrecognizedClient (403)
//   4. session token equal when configured, absent when not
//                                               -> kUnrecognizedClient (403)
//   5. x-amz-content-sha256, when sent, equals SHA-256(body); UNSIGNED-PAYLOAD
//      is refused (see docs/auth.md)          -> kInvalidSignature (403)
//   6. signature, compared in constant time    -> kInvalidSignature (403),
//      AWS's text with the expected canonical request and string to sign
//   7. time: header form within +-allowed_skew of the clock; query form not
//      dated beyond the skew and not past X-Amz-Date + X-Amz-Expires
//                                               -> kInvalidSignature (403)
// No credentials at all: kMissingAuthenticationToken (403). Messages never
// hold a secret, a signing key or a signature.
//
// The scope region must be the endpoint's region (endpoint_region.h): the
// region of the Host when it names a Bedrock endpoint, else the configured
// one. Over HTTP/2 the server has already supplied a missing Host from
// :authority (RFC 9113 §8.3.1), so both protocols are checked alike.
//
// Thread-safety: Verify may be called concurrently; the signing-key cache is
// internally locked.

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "auth/sigv4/auth_params.h"
#include "auth/sigv4/credentials.h"
#include "auth/sigv4/signing_key_cache.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::auth::sigv4 {

struct VerifierOptions {
  // The endpoint's configured region (the config's `region`). Required: when
  // empty, no scope matches and every signature is refused.
  std::string region;
  std::string service = "bedrock";                            // required scope service
  std::chrono::seconds allowed_skew{300};                     // header form, both directions
  std::chrono::seconds max_presign_expiry{7 * 24 * 60 * 60};  // X-Amz-Expires upper bound
  bool normalize_path = true;                                 // false only for S3-style tests
  size_t signing_key_cache_capacity = 1024;
};

// Finds the secret for an access key id.
class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  // The credentials for `access_key_id`, or nullptr. The answers must not
  // change while a Verifier uses this lookup (its key cache relies on it).
  // Thread-safe.
  virtual const Credentials* Find(std::string_view access_key_id) const = 0;
};

// Who signed, once verified.
struct VerifiedSignature {
  std::string access_key_id;
  std::string region;  // scope region, which is the endpoint's
  AuthForm form = AuthForm::kHeader;
};

// The parts of a request that the canonical request covers.
struct SignedParts {
  std::string_view method;
  std::string_view raw_path;   // as on the wire, before '?'
  std::string_view raw_query;  // as on the wire, after '?'
  const http::Headers& headers;
  std::string_view body;
};

// Extra rules for VerifyParams.
struct VerifyRules {
  // The region the scope must name (Verify: EndpointRegion(request)). Empty:
  // no scope matches.
  std::string_view region;
  // Decoded query names left out of the canonical query (query form:
  // X-Amz-Signature).
  std::span<const std::string_view> excluded_query_names;
  // Query form: the longest X-Amz-Expires accepted; a longer one that is
  // correctly signed is refused as expired.
  std::chrono::seconds max_lifetime{7 * 24 * 60 * 60};
  // On mismatch, include the expected canonical request and string to sign.
  bool explain_mismatch = true;
};

class Verifier final {
 public:
  // `credentials` and `clock` must outlive the Verifier.
  Verifier(VerifierOptions options, const CredentialLookup& credentials, const Clock& clock);
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verifies `request` in whichever form it carries: an Authorization header
  // (which must be AWS4-HMAC-SHA256; bearer tokens are the caller's job) or
  // presigned query fields. Both at once: kIncompleteSignature.
  Result<VerifiedSignature> Verify(const http::Request& request) const;

  // Steps 2-7 for already parsed fields. Verify uses it; so does the
  // short-term API key check (api_key.h) with its own parts and rules.
  Result<VerifiedSignature> VerifyParams(const SignedParts& parts, const AuthParams& params,
                                         const VerifyRules& rules) const;

  // The region a request with these headers must be signed for: the region
  // of its Host when that is a Bedrock host name, else options().region.
  std::string EndpointRegion(const http::Headers& headers) const;

  const VerifierOptions& options() const { return options_; }
  SigningKeyCache::Stats cache_stats() const { return cache_.stats(); }

 private:
  Status CheckScope(const AuthParams& params, const VerifyRules& rules) const;
  Result<std::string> PayloadHash(const SignedParts& parts) const;
  Result<std::string> CanonicalRequestFor(const SignedParts& parts, const AuthParams& params,
                                          const VerifyRules& rules) const;
  Status CheckSignature(const Credentials& credentials, const AuthParams& params,
                        const std::string& canonical_request, const VerifyRules& rules) const;
  Status CheckTime(const AuthParams& params, const VerifyRules& rules) const;

  const VerifierOptions options_;
  const CredentialLookup& credentials_;
  const Clock& clock_;
  mutable SigningKeyCache cache_;
};

}  // namespace bp::auth::sigv4
