#pragma once
// Who is calling, once authenticated: the value the Authenticator produces and
// the Authorizer decides for. Public header of bp_auth; plain data, no HTTP.

#include <string>

namespace bp::auth {

struct Principal {
  std::string name;           // config map key, or "anonymous"
  std::string arn;            // aws:PrincipalArn
  std::string access_key_id;  // the key the request was signed with (empty for anonymous)
};

}  // namespace bp::auth
