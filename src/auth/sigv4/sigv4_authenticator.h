#pragma once
// The endpoint's Authenticator (auth.md §1, §2, §5): SigV4 in the header and
// presigned forms, and Bedrock API keys (Authorization: Bearer), long-term
// (SHA-256 of the key configured per principal) and short-term
// ("bedrock-api-key-..." presigned URLs, api_key.h). Public header of
// bp_auth_sigv4; only composition roots (server/, cli/) construct it.
//
// Dispatch on each request:
//   Authorization: Bearer <token>   -> API key (a long-term hash match wins;
//                                      else a "bedrock-api-key-" token is
//                                      verified as a presigned URL; else
//                                      kUnrecognizedClient)
//   Authorization: AWS4-HMAC-SHA256 -> SigV4 header form (verifier.h)
//   X-Amz-Algorithm/-Credential/-Signature in the query -> presigned form
//   nothing                         -> kMissingAuthenticationToken
// Any other Authorization scheme is kIncompleteSignature; its value is never
// repeated (it may be a secret). SigV4 scopes and short-term API keys must
// name the endpoint's region (options.region, or the region of a Bedrock
// Host) and service "bedrock": otherwise kInvalidSignature with AWS's text.
//
// Thread-safety: Authenticate may be called concurrently. Immutable after
// construction apart from the verifier's internally locked key cache; a
// config reload builds a new authenticator.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "auth/sigv4/credentials.h"
#include "auth/sigv4/verifier.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::auth::sigv4 {

// One principal's ways to authenticate. Holds secrets: never log it.
struct CredentialEntry {
  std::string principal_name;  // config map key
  std::string principal_arn;   // aws:PrincipalArn
  std::string access_key_id;   // empty: no SigV4 for this principal
  std::string secret_access_key;
  std::optional<std::string> session_token;  // when set, requests must carry it
  std::vector<std::string> api_key_sha256;   // hex SHA-256 of long-term API keys (any case)
};
using CredentialSet = std::vector<CredentialEntry>;

struct SigV4AuthenticatorOptions {
  // The endpoint's region (the config's `region`), which every signature and
  // short-term API key must be scoped to, unless the request's Host names a
  // Bedrock endpoint: then its region (endpoint_region.h). Required: when
  // empty, every signature and short-term key is refused.
  std::string region;
  std::string service = "bedrock";  // required scope service, control plane and runtime alike
  std::chrono::seconds allowed_skew{300};
  std::chrono::seconds max_presign_expiry{7 * 24 * 60 * 60};
  std::chrono::seconds max_api_key_lifetime{12 * 60 * 60};
  size_t signing_key_cache_capacity = 1024;
};

class SigV4Authenticator final : public Authenticator {
 public:
  // Indexes `credentials` by access key id and by API-key hash. Access key
  // ids and hashes are expected unique (the config binder checks); on a
  // duplicate the first entry wins. `clock` must outlive the authenticator.
  SigV4Authenticator(CredentialSet credentials, const Clock& clock,
                     SigV4AuthenticatorOptions options = {});
  SigV4Authenticator(const SigV4Authenticator&) = delete;
  SigV4Authenticator& operator=(const SigV4Authenticator&) = delete;

  // The principal that signed `request`. Principal::access_key_id is the
  // signing key (SigV4 and short-term API keys) or empty (long-term API
  // keys). Errors as listed above and in verifier.h.
  Result<Principal> Authenticate(const http::Request& request) const override;

  SigningKeyCache::Stats cache_stats() const { return verifier_.cache_stats(); }

 private:
  class Index final : public CredentialLookup {
   public:
    explicit Index(CredentialSet entries);
    const Credentials* Find(std::string_view access_key_id) const override;
    const CredentialEntry* ByAccessKey(std::string_view access_key_id) const;
    // Constant-time confirmation after the hash-table lookup.
    const CredentialEntry* ByApiKeyDigest(std::string_view hex_digest) const;

   private:
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    const CredentialSet entries_;
    std::vector<Credentials> credentials_;  // parallel to entries_
    std::unordered_map<std::string, size_t, Hash, std::equal_to<>> by_access_key_;
    std::unordered_map<std::string, size_t, Hash, std::equal_to<>> by_api_key_;
  };

  Result<Principal> AuthenticateBearer(std::string_view token, const http::Request& request) const;
  Result<Principal> PrincipalFor(std::string_view access_key_id) const;

  const Index index_;
  const Verifier verifier_;
  const std::chrono::seconds max_api_key_lifetime_;
};

}  // namespace bp::auth::sigv4
