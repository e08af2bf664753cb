#include "api/dashboard/session_auth.h"

#include <gtest/gtest.h>

#include "auth/sigv4/sigv4_authenticator.h"
#include "testing/testing.h"

namespace bp::api::dashboard {
namespace {

http::Request WithHeaders(http::Headers headers) {
  http::Request r;
  r.method = "GET";
  r.target = "/ui/api/profiles";
  r.headers = std::move(headers);
  return r;
}

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue(WithHeaders({{"cookie", "a=1; bp_session=tok; b=2"}}), "bp_session"),
            "tok");
  EXPECT_EQ(
      CookieValue(WithHeaders({{"cookie", "a=1"}, {"cookie", "bp_session=\"q\""}}), "bp_session"),
      "q");
  EXPECT_EQ(CookieValue(WithHeaders({{"cookie", "xbp_session=no; bp_session2=no"}}), "bp_session"),
            std::nullopt);
  EXPECT_EQ(CookieValue(WithHeaders({{"cookie", ";;bp_session;="}}), "bp_session"), std::nullopt);
  EXPECT_EQ(CookieValue(WithHeaders({}), "bp_session"), std::nullopt);
}

TEST(SessionCookieTest, IsHttpOnlyStrictAndSecureOnlyOverTls) {
  EXPECT_EQ(SessionCookie("t", false), "bp_session=t; Path=/ui; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("t", true), "bp_session=t; Path=/ui; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(SessionCookie("", false),
            "bp_session=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST(SessionAuthenticatorTest, NeedsALiveSessionAndItsCsrfToken) {
  testing::FakeClock clock;
  SessionStore store({.idle_timeout = std::chrono::seconds(60), .max_sessions = 10}, clock);
  auto created = store.Create({.name = "rd-e2e", .arn = "arn:x", .access_key_id = "AK"});
  ASSERT_OK(created);
  const std::string cookie = "bp_session=" + created->token;
  SessionAuthenticator strict(store, /*require_csrf=*/true);
  SessionAuthenticator lax(store, /*require_csrf=*/false);

  EXPECT_EQ(strict.Authenticate(WithHeaders({})).status().code(),
            ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(strict.Authenticate(WithHeaders({{"cookie", "bp_session=forged"}})).status().code(),
            ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(strict.Authenticate(WithHeaders({{"cookie", cookie}})).status().code(),
            ErrorCode::kAccessDenied);
  EXPECT_EQ(strict.Authenticate(WithHeaders({{"cookie", cookie}, {"x-csrf-token", "wrong"}}))
                .status()
                .code(),
            ErrorCode::kAccessDenied);
  Result<auth::Principal> ok = strict.Authenticate(
      WithHeaders({{"cookie", cookie}, {"x-csrf-token", created->session.csrf_token}}));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->name, "rd-e2e");
  ASSERT_OK(lax.Authenticate(WithHeaders({{"cookie", cookie}})));

  clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(lax.Authenticate(WithHeaders({{"cookie", cookie}})).status().code(),
            ErrorCode::kMissingAuthenticationToken);
}

TEST(ParseSignInTest, TakesAKeyPairOrAnApiKey) {
  auto pair = ParseSignIn(R"({"accessKeyId":"AK","secretAccessKey":"S"})");
  ASSERT_OK(pair);
  EXPECT_EQ(pair->access_key_id, "AK");
  EXPECT_EQ(pair->secret_access_key, "S");
  auto key = ParseSignIn(R"({"apiKey":"bedrock-api-key-x"})");
  ASSERT_OK(key);
  EXPECT_EQ(key->api_key, "bedrock-api-key-x");
  for (std::string_view bad :
       {"", "[]", "{}", R"({"accessKeyId":"AK"})", R"({"accessKeyId":"","secretAccessKey":"S"})",
        R"({"apiKey":""})", R"({"apiKey":"k","accessKeyId":"AK","secretAccessKey":"S"})",
        R"({"accessKeyId":1,"secretAccessKey":"S"})", R"({"password":"x"})"}) {
    EXPECT_EQ(ParseSignIn(bad).status().code(), ErrorCode::kValidation) << bad;
  }
}

TEST(SignInTest, AcceptsExactlyWhatTheApiAccepts) {
  testing::FakeClock clock;
  auth::sigv4::SigV4Authenticator api(
      {{.principal_name = "rd-e2e",
        .principal_arn = "arn:aws:iam::123456789012:role/rd-e2e",
        .access_key_id = "AKIABPLOCALRDE2E0001",
        .secret_access_key = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1",
        .session_token = std::nullopt,
        .api_key_sha256 = {}}},
      clock, {.region = "eu-central-1"});
  const SignInScope scope{.region = "eu-central-1", .host = "127.0.0.1:8080", .time = clock.Now()};
  Result<auth::Principal> ok =
      SignIn(api,
             {.access_key_id = "AKIABPLOCALRDE2E0001",
              .secret_access_key = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1",
              .api_key = {}},
             scope);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->name, "rd-e2e");
  EXPECT_EQ(
      SignIn(api,
             {.access_key_id = "AKIABPLOCALRDE2E0001", .secret_access_key = "wrong", .api_key = {}},
             scope)
          .status()
          .code(),
      ErrorCode::kInvalidSignature);
  EXPECT_EQ(
      SignIn(api, {.access_key_id = "AKIAUNKNOWN", .secret_access_key = "x", .api_key = {}}, scope)
          .status()
          .code(),
      ErrorCode::kUnrecognizedClient);
  // Another region's scope is not this endpoint's.
  SignInScope elsewhere = scope;
  elsewhere.region = "us-east-1";
  EXPECT_FALSE(SignIn(api,
                      {.access_key_id = "AKIABPLOCALRDE2E0001",
                       .secret_access_key = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1",
                       .api_key = {}},
                      elsewhere)
                   .ok());
  EXPECT_FALSE(
      SignIn(api, {.access_key_id = {}, .secret_access_key = {}, .api_key = "nope"}, scope).ok());
}

}  // namespace
}  // namespace bp::api::dashboard
