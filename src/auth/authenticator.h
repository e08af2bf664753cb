#pragma once
// Who is calling: the Authenticator seam. The foundation issue accepts every
// request (AnonymousAuthenticator); the auth issue adds SigV4 and Bedrock API
// key verification behind this same interface. Public header of bp_auth.

#include <memory>
#include <string>

#include "auth/principal.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Identifies the caller of `request`. Errors carry the auth codes of
  // auth.md §5 (kMissingAuthenticationToken, kIncompleteSignature,
  // kUnrecognizedClient, kInvalidSignature). Thread-safe.
  virtual Result<Principal> Authenticate(const http::Request& request) const = 0;
};

// Accepts every request as "anonymous". Only for the foundation stage, before
// signature verification exists; never selected once the auth issue lands.
class AnonymousAuthenticator final : public Authenticator {
 public:
  Result<Principal> Authenticate(const http::Request& request) const override;
};

}  // namespace bp::auth
