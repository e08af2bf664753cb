// libFuzzer target for the dashboard's decoders of untrusted bytes: the
// Cookie header, the sign-in body, and a sign-in with whatever credentials
// the body names (signed and verified as the endpoint would).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/dashboard/session_auth.h"
#include "api/dashboard/session_store.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "core/clock.h"

namespace {

class FixedClock final : public bp::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1796083200));
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bp::api::dashboard;
  static const FixedClock clock;
  static SessionStore store({}, clock);
  static const bp::auth::sigv4::SigV4Authenticator api(
      {{.principal_name = "rd-e2e",
        .principal_arn = "arn:aws:iam::123456789012:role/rd-e2e",
        .access_key_id = "AKIABPLOCALRDE2E0001",
        .secret_access_key = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1",
        .session_token = std::nullopt,
        .api_key_sha256 = {}}},
      clock, {.region = "eu-central-1"});
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  bp::http::Request request;
  request.method = "GET";
  request.target = "/ui/api/profiles";
  request.headers.push_back({"cookie", std::string(text)});
  request.headers.push_back({"x-csrf-token", std::string(text.substr(0, 64))});
  (void)CookieValue(request, kSessionCookie);
  (void)SessionAuthenticator(store, true).Authenticate(request);

  bp::Result<SignInCredentials> credentials = ParseSignIn(text);
  if (credentials.ok()) {
    (void)SignIn(api, *credentials,
                 {.region = "eu-central-1", .host = "127.0.0.1:8080", .time = clock.Now()});
  }
  return 0;
}
