#pragma once
// The dashboard's side of authentication (docs/dashboard.md "Sign-in"):
// reading a request's session cookie and CSRF header (SessionAuthenticator,
// the auth::Authenticator of the data API routes), and turning credentials a
// person typed into a principal (SignIn). Public header of bp_api_dashboard.
//
// SignIn verifies nothing itself: it builds the request the official SDKs
// would send with those credentials (SigV4 over the endpoint's own region
// and service, or `Authorization: Bearer` for a Bedrock API key) and hands
// it to the endpoint's Authenticator, so the dashboard accepts exactly the
// credentials the Bedrock API accepts, with the same checks.

#include <optional>
#include <string>
#include <string_view>

#include "api/dashboard/session_store.h"
#include "auth/authenticator.h"
#include "core/status.h"
#include "http/message.h"

namespace bp::api::dashboard {

inline constexpr std::string_view kSessionCookie = "bp_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";
// Sent by the page's automatic refresh: the request does not count as
// activity for the idle timeout (SessionStore::Touch).
inline constexpr std::string_view kPollHeader = "x-bp-poll";

// The value of cookie `name` in the request's Cookie headers (RFC 6265
// §5.4 form "a=1; b=2"), or nullopt.
std::optional<std::string_view> CookieValue(const http::Request& request, std::string_view name);

// The Set-Cookie value of a session (`token` empty: one that clears it).
// Path=/ui, HttpOnly, SameSite=Strict, Secure when `secure`; a session
// cookie (no Max-Age), as the server expires it.
std::string SessionCookie(std::string_view token, bool secure);

class SessionAuthenticator final : public auth::Authenticator {
 public:
  // `require_csrf`: the request must carry the session's CSRF token in
  // kCsrfHeader (every data API route but reading the session itself).
  SessionAuthenticator(SessionStore& sessions, bool require_csrf)
      : sessions_(sessions), require_csrf_(require_csrf) {}

  // kMissingAuthenticationToken without a live session; kAccessDenied when
  // the CSRF token is missing or wrong.
  Result<auth::Principal> Authenticate(const http::Request& request) const override;

 private:
  SessionStore& sessions_;
  const bool require_csrf_;
};

// What the sign-in form sends: an access key pair, or a Bedrock API key.
struct SignInCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string api_key;
};

// `body`: {"accessKeyId":..,"secretAccessKey":..} or {"apiKey":..}.
// kValidation naming what is wrong.
Result<SignInCredentials> ParseSignIn(std::string_view body);

struct SignInScope {
  std::string region;  // the endpoint's (SigV4 scope)
  std::string host;    // the sign-in request's Host
  std::chrono::system_clock::time_point time;
};

// The principal `credentials` authenticate as through `authenticator`, or
// its error (UnrecognizedClient, InvalidSignature, ...).
Result<auth::Principal> SignIn(const auth::Authenticator& authenticator,
                               const SignInCredentials& credentials, const SignInScope& scope);

}  // namespace bp::api::dashboard
