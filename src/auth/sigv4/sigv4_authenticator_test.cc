#include "auth/sigv4/sigv4_authenticator.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/sigv4/api_key.h"
#include "auth/sigv4/crypto.h"
#include "auth/sigv4/signer.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLongTermKey[] = "bp-long-term-api-key-0123456789abcdef0123456789abcdef";

std::chrono::system_clock::time_point Now() { return ParseAmzDate("20261125T102555Z").value(); }

class SigV4AuthenticatorTest : public ::testing::Test {
 protected:
  SigV4AuthenticatorTest() : clock_(Now()), auth_(Set(), clock_, {.region = "eu-central-1"}) {}

  static CredentialSet Set() {
    std::string digest = Sha256Hex(kLongTermKey);
    for (char& c : digest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return {
        CredentialEntry{.principal_name = "rd-e2e",
                        .principal_arn = "arn:aws:iam::123456789012:role/rd-e2e",
                        .access_key_id = "AKIAE2E",
                        .secret_access_key = "e2e-secret",
                        .session_token = std::nullopt,
                        .api_key_sha256 = {digest}},
        CredentialEntry{.principal_name = "temp",
                        .principal_arn = "arn:aws:sts::123456789012:assumed-role/r/s",
                        .access_key_id = "ASIATEMP",
                        .secret_access_key = "temp-secret",
                        .session_token = "session",
                        .api_key_sha256 = {}},
        CredentialEntry{.principal_name = "keys-only",
                        .principal_arn = "arn:aws:iam::123456789012:user/keys-only",
                        .access_key_id = "",
                        .secret_access_key = "",
                        .session_token = std::nullopt,
                        .api_key_sha256 = {Sha256Hex("second-key")}},
    };
  }

  static http::Request Base() {
    http::Request r;
    r.method = "GET";
    r.target = "/foundation-models";
    r.headers = {{"host", "localhost:8700"}};
    return r;
  }

  static http::Request Bearer(std::string_view token, std::string_view scheme = "Bearer") {
    http::Request r = Base();
    r.headers.push_back({"authorization", std::string(scheme) + " " + std::string(token)});
    return r;
  }

  static http::Request Signed(const Credentials& c, std::string region = "eu-central-1",
                              std::string service = "bedrock", http::Request r = Base()) {
    Result<SigningResult> s = SignWithHeaders(
        c, {r.method, r.path(), r.query(), r.headers, r.body, std::nullopt},
        SigningOptions{.region = std::move(region), .service = std::move(service), .time = Now()});
    EXPECT_OK(s);
    if (s.ok())
      r.headers.insert(r.headers.end(), s->headers_to_add.begin(), s->headers_to_add.end());
    return r;
  }

  bp::testing::FakeClock clock_;
  SigV4Authenticator auth_;
};

TEST_F(SigV4AuthenticatorTest, SigV4HeaderForm) {
  Result<Principal> p = auth_.Authenticate(Signed({"AKIAE2E", "e2e-secret", std::nullopt}));
  ASSERT_OK(p);
  EXPECT_EQ(p->name, "rd-e2e");
  EXPECT_EQ(p->arn, "arn:aws:iam::123456789012:role/rd-e2e");
  EXPECT_EQ(p->access_key_id, "AKIAE2E");
}

TEST_F(SigV4AuthenticatorTest, SigV4PresignedForm) {
  http::Request r = Base();
  Result<SigningResult> s =
      Presign({"ASIATEMP", "temp-secret", "session"},
              {r.method, r.path(), r.query(), r.headers, r.body, std::nullopt},
              SigningOptions{.region = "eu-central-1", .service = "bedrock", .time = Now()});
  ASSERT_OK(s);
  r.target += "?" + s->query;
  Result<Principal> p = auth_.Authenticate(r);
  ASSERT_OK(p);
  EXPECT_EQ(p->name, "temp");
}

// AWS refuses a signature scoped to another region or service, before it
// looks at the access key; so does the endpoint, with AWS's wording.
TEST_F(SigV4AuthenticatorTest, ScopeOfAnotherRegionOrServiceIsRefused) {
  const Credentials keys{"AKIAE2E", "e2e-secret", std::nullopt};
  Result<Principal> region = auth_.Authenticate(Signed(keys, "us-east-1"));
  ASSERT_THAT(region, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(region.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. ");
  Result<Principal> service = auth_.Authenticate(Signed(keys, "eu-central-1", "bedrock-runtime"));
  ASSERT_THAT(service, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(service.status().message(),
            "Credential should be scoped to correct service: 'bedrock'. ");
  EXPECT_THAT(auth_.Authenticate(Signed({"AKIAUNKNOWN", "x", std::nullopt}, "us-east-1")),
              StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(SigV4AuthenticatorTest, ABedrockHostNameSetsTheRegion) {
  const Credentials keys{"AKIAE2E", "e2e-secret", std::nullopt};
  http::Request aws = Base();
  aws.headers = {{"host", "bedrock-runtime.eu-west-1.amazonaws.com"}};
  EXPECT_OK(auth_.Authenticate(Signed(keys, "eu-west-1", "bedrock", aws)));
  Result<Principal> configured = auth_.Authenticate(Signed(keys, "eu-central-1", "bedrock", aws));
  ASSERT_THAT(configured, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(configured.status().message(),
            "Credential should be scoped to a valid region, not 'eu-central-1'. ");
}

TEST_F(SigV4AuthenticatorTest, AnEndpointWithoutARegionRefusesEverySignature) {
  SigV4Authenticator unset(Set(), clock_);
  EXPECT_THAT(unset.Authenticate(Signed({"AKIAE2E", "e2e-secret", std::nullopt})),
              StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(SigV4AuthenticatorTest, SessionTokenEnforced) {
  EXPECT_THAT(auth_.Authenticate(Signed({"ASIATEMP", "temp-secret", std::nullopt})),
              StatusIs(ErrorCode::kUnrecognizedClient));
  EXPECT_THAT(auth_.Authenticate(Signed({"ASIATEMP", "temp-secret", "other"})),
              StatusIs(ErrorCode::kUnrecognizedClient));
  EXPECT_OK(auth_.Authenticate(Signed({"ASIATEMP", "temp-secret", "session"})));
}

TEST_F(SigV4AuthenticatorTest, UnknownAccessKey) {
  Result<Principal> p = auth_.Authenticate(Signed({"AKIAUNKNOWN", "x", std::nullopt}));
  ASSERT_THAT(p, StatusIs(ErrorCode::kUnrecognizedClient));
  EXPECT_EQ(p.status().message(), "The security token included in the request is invalid.");
}

TEST_F(SigV4AuthenticatorTest, NoCredentials) {
  Result<Principal> p = auth_.Authenticate(Base());
  ASSERT_THAT(p, StatusIs(ErrorCode::kMissingAuthenticationToken));
  EXPECT_EQ(p.status().message(), "Missing Authentication Token");
}

TEST_F(SigV4AuthenticatorTest, LongTermApiKey) {
  Result<Principal> p = auth_.Authenticate(Bearer(kLongTermKey));
  ASSERT_OK(p);
  EXPECT_EQ(p->name, "rd-e2e");
  EXPECT_EQ(p->access_key_id, "");
  Result<Principal> lower_scheme = auth_.Authenticate(Bearer("second-key", "bearer"));
  ASSERT_OK(lower_scheme);
  EXPECT_EQ(lower_scheme->name, "keys-only");
}

TEST_F(SigV4AuthenticatorTest, UnknownApiKey) {
  Result<Principal> p = auth_.Authenticate(Bearer("not-a-configured-key"));
  ASSERT_THAT(p, StatusIs(ErrorCode::kUnrecognizedClient));
  EXPECT_THAT(p.status().message(), Not(HasSubstr("not-a-configured-key")));
}

TEST_F(SigV4AuthenticatorTest, EmptyBearer) {
  EXPECT_THAT(auth_.Authenticate(Bearer("")), StatusIs(ErrorCode::kIncompleteSignature));
}

TEST_F(SigV4AuthenticatorTest, ShortTermApiKey) {
  Result<std::string> key = MakeShortTermApiKey({"AKIAE2E", "e2e-secret", std::nullopt},
                                                "eu-central-1", Now(), std::chrono::hours(1));
  ASSERT_OK(key);
  Result<Principal> p = auth_.Authenticate(Bearer(*key));
  ASSERT_OK(p);
  EXPECT_EQ(p->name, "rd-e2e");
  EXPECT_EQ(p->access_key_id, "AKIAE2E");
  clock_.Advance(std::chrono::hours(1) + std::chrono::seconds(1));
  EXPECT_THAT(auth_.Authenticate(Bearer(*key)), StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(SigV4AuthenticatorTest, ShortTermApiKeyForAnotherRegionIsRefused) {
  Result<std::string> key = MakeShortTermApiKey({"AKIAE2E", "e2e-secret", std::nullopt},
                                                "us-east-1", Now(), std::chrono::hours(1));
  ASSERT_OK(key);
  Result<Principal> p = auth_.Authenticate(Bearer(*key));
  ASSERT_THAT(p, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(p.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. ");
  // Sent to AWS's us-east-1 endpoint (by its host name), the same key is valid.
  http::Request aws = Bearer(*key);
  aws.headers[0].value = "bedrock-runtime.us-east-1.amazonaws.com";
  EXPECT_OK(auth_.Authenticate(aws));
}

TEST_F(SigV4AuthenticatorTest, OtherSchemesRefusedWithoutEcho) {
  for (std::string value : {"Basic dXNlcjpwYXNz", "sk-secret-looking-value", "AWS4-HMAC-SHA256"}) {
    http::Request r = Base();
    r.headers.push_back({"authorization", value});
    Result<Principal> p = auth_.Authenticate(r);
    ASSERT_THAT(p, StatusIs(ErrorCode::kIncompleteSignature)) << value;
    if (value != "AWS4-HMAC-SHA256") EXPECT_THAT(p.status().message(), Not(HasSubstr(value)));
  }
}

TEST_F(SigV4AuthenticatorTest, CacheHitPathSameAnswer) {
  http::Request r = Signed({"AKIAE2E", "e2e-secret", std::nullopt});
  Result<Principal> first = auth_.Authenticate(r);
  Result<Principal> second = auth_.Authenticate(r);
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(first->name, second->name);
  EXPECT_EQ(first->arn, second->arn);
  EXPECT_EQ(first->access_key_id, second->access_key_id);
  EXPECT_EQ(auth_.cache_stats().hits, 1u);
}

TEST_F(SigV4AuthenticatorTest, SecretsNeverInMessages) {
  http::Request wrong_secret = Signed({"AKIAE2E", "guess", std::nullopt});
  for (const http::Request& r :
       {wrong_secret, Signed({"ASIATEMP", "temp-secret", "other"}), Bearer(kLongTermKey + 1)}) {
    Result<Principal> p = auth_.Authenticate(r);
    ASSERT_FALSE(p.ok());
    for (const char* secret : {"e2e-secret", "temp-secret", "session", kLongTermKey}) {
      EXPECT_THAT(p.status().message(), Not(HasSubstr(secret)));
    }
  }
}

}  // namespace
}  // namespace bp::auth::sigv4
