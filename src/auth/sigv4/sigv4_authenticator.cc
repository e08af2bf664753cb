#include "auth/sigv4/sigv4_authenticator.h"

#include <algorithm>
#include <utility>

#include "auth/sigv4/api_key.h"
#include "auth/sigv4/crypto.h"

namespace bp::auth::sigv4 {

namespace {

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// "Bearer <token>" with the scheme matched case-insensitively (RFC 6750);
// nullopt for any other scheme.
std::optional<std::string_view> BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (value.size() < kScheme.size() || Lower(value.substr(0, kScheme.size())) != kScheme) {
    return std::nullopt;
  }
  std::string_view rest = value.substr(kScheme.size());
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

VerifierOptions VerifierOptionsFrom(const SigV4AuthenticatorOptions& o) {
  return VerifierOptions{.region = o.region,
                         .service = o.service,
                         .allowed_skew = o.allowed_skew,
                         .max_presign_expiry = o.max_presign_expiry,
                         .normalize_path = true,
                         .signing_key_cache_capacity = o.signing_key_cache_capacity};
}

}  // namespace

SigV4Authenticator::Index::Index(CredentialSet entries) : entries_(std::move(entries)) {
  credentials_.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    const CredentialEntry& e = entries_[i];
    credentials_.push_back({e.access_key_id, e.secret_access_key, e.session_token});
    if (!e.access_key_id.empty()) by_access_key_.emplace(e.access_key_id, i);
    for (const std::string& digest : e.api_key_sha256) by_api_key_.emplace(Lower(digest), i);
  }
}

const Credentials* SigV4Authenticator::Index::Find(std::string_view access_key_id) const {
  auto it = by_access_key_.find(access_key_id);
  return it == by_access_key_.end() ? nullptr : &credentials_[it->second];
}

const CredentialEntry* SigV4Authenticator::Index::ByAccessKey(
    std::string_view access_key_id) const {
  auto it = by_access_key_.find(access_key_id);
  return it == by_access_key_.end() ? nullptr : &entries_[it->second];
}

const CredentialEntry* SigV4Authenticator::Index::ByApiKeyDigest(
    std::string_view hex_digest) const {
  // The table lookup's timing depends only on the digest of what the client
  // sent, which tells it nothing about any configured key; the final
  // comparison is constant-time all the same.
  auto it = by_api_key_.find(hex_digest);
  if (it == by_api_key_.end() || !ConstantTimeEquals(it->first, hex_digest)) return nullptr;
  return &entries_[it->second];
}

SigV4Authenticator::SigV4Authenticator(CredentialSet credentials, const Clock& clock,
                                       SigV4AuthenticatorOptions options)
    : index_(std::move(credentials)),
      verifier_(VerifierOptionsFrom(options), index_, clock),
      max_api_key_lifetime_(options.max_api_key_lifetime) {}

Result<Principal> SigV4Authenticator::Authenticate(const http::Request& request) const {
  const std::string* authorization = http::FindHeader(request.headers, "authorization");
  if (authorization != nullptr) {
    if (std::optional<std::string_view> token = BearerToken(*authorization)) {
      return AuthenticateBearer(*token, request);
    }
    std::string_view value = *authorization;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (!value.starts_with(kAlgorithm)) {
      return Status(ErrorCode::kIncompleteSignature,
                    "Unsupported Authorization scheme: expected 'AWS4-HMAC-SHA256 Credential=..., "
                    "SignedHeaders=..., Signature=...' or 'Bearer <Bedrock API key>'.");
    }
  }
  BP_ASSIGN_OR_RETURN(VerifiedSignature verified, verifier_.Verify(request));
  return PrincipalFor(verified.access_key_id);
}

Result<Principal> SigV4Authenticator::AuthenticateBearer(std::string_view token,
                                                         const http::Request& request) const {
  if (token.empty()) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Authorization header 'Bearer' requires a Bedrock API key.");
  }
  if (const CredentialEntry* entry = index_.ByApiKeyDigest(Sha256Hex(token))) {
    return Principal{entry->principal_name, entry->principal_arn, ""};
  }
  if (!token.starts_with(kShortTermApiKeyPrefix)) {
    return Status(ErrorCode::kUnrecognizedClient, std::string(kInvalidToken));
  }
  // The key is scoped like a signature of the request that carries it.
  const std::string region = verifier_.EndpointRegion(request.headers);
  BP_ASSIGN_OR_RETURN(VerifiedSignature verified,
                      VerifyShortTermApiKey(token, verifier_, region, max_api_key_lifetime_));
  return PrincipalFor(verified.access_key_id);
}

Result<Principal> SigV4Authenticator::PrincipalFor(std::string_view access_key_id) const {
  const CredentialEntry* entry = index_.ByAccessKey(access_key_id);
  if (entry == nullptr) return Status(ErrorCode::kUnrecognizedClient, std::string(kInvalidToken));
  return Principal{entry->principal_name, entry->principal_arn, entry->access_key_id};
}

}  // namespace bp::auth::sigv4
