#pragma once
// AWS credentials as SigV4 uses them. Public header of bp_auth_sigv4.

#include <optional>
#include <string>

namespace bp::auth::sigv4 {

// Holds a secret: never log `secret_access_key` (or `session_token`).
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // set for temporary (STS) credentials
};

}  // namespace bp::auth::sigv4
