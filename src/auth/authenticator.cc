#include "auth/authenticator.h"

namespace bp::auth {

Result<Principal> AnonymousAuthenticator::Authenticate(const http::Request& /*request*/) const {
  return Principal{"anonymous", "arn:aws:iam::000000000000:user/anonymous", ""};
}

}  // namespace bp::auth
