#include "auth/sigv4/signer.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/sigv4/canonical_request.h"
#include "auth/sigv4/crypto.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::nullopt};

SigningOptions Options() {
  return SigningOptions{.region = "eu-central-1",
                        .service = "bedrock",
                        .time = ParseAmzDate("20261125T102555Z").value()};
}

const std::string* Find(const http::Headers& headers, std::string_view name) {
  return http::FindHeader(headers, name);
}

TEST(SignWithHeadersTest, AddsDateAndAuthorization) {
  http::Headers headers = {
      {"Host", "127.0.0.1:8700"}, {"Content-Type", "application/json"}, {"User-Agent", "test"}};
  Result<SigningResult> r = SignWithHeaders(
      kCreds, {"POST", "/model/m/converse", "", headers, "{}", std::nullopt}, Options());
  ASSERT_OK(r);
  ASSERT_NE(Find(r->headers_to_add, "x-amz-date"), nullptr);
  EXPECT_EQ(*Find(r->headers_to_add, "x-amz-date"), "20261125T102555Z");
  EXPECT_EQ(Find(r->headers_to_add, "x-amz-content-sha256"), nullptr);
  EXPECT_EQ(Find(r->headers_to_add, "x-amz-security-token"), nullptr);
  ASSERT_NE(Find(r->headers_to_add, "authorization"), nullptr);
  EXPECT_EQ(*Find(r->headers_to_add, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-central-1/bedrock/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" +
                r->signature);
  EXPECT_THAT(r->canonical_request, EndsWith("\n" + Sha256Hex("{}")));
  EXPECT_THAT(r->canonical_request, Not(HasSubstr("user-agent")));
  EXPECT_EQ(r->signature.size(), 64u);
}

TEST(SignWithHeadersTest, AGivenSigningKeyGivesTheSameSignature) {
  const http::Headers headers = {{"host", "bedrock-runtime.eu-central-1.amazonaws.com"}};
  const SigningRequest request{"POST", "/model/m/converse", "", headers, "{}", std::nullopt};
  Result<SigningResult> derived = SignWithHeaders(kCreds, request, Options());
  ASSERT_OK(derived);
  const DerivedKey key = DeriveKeyFor(kCreds.secret_access_key, Options());
  SigningOptions with_key = Options();
  with_key.signing_key = &key;
  Result<SigningResult> cached = SignWithHeaders(kCreds, request, with_key);
  ASSERT_OK(cached);
  EXPECT_EQ(cached->signature, derived->signature);
  EXPECT_EQ(SigningDay(Options().time), "20261125");
  // A key of another day signs differently (the caller must renew it daily).
  SigningOptions next_day = Options();
  next_day.time += std::chrono::hours(24);
  const DerivedKey stale = DeriveKeyFor(kCreds.secret_access_key, next_day);
  with_key.signing_key = &stale;
  EXPECT_NE(SignWithHeaders(kCreds, request, with_key)->signature, derived->signature);
}

TEST(SignWithHeadersTest, ContentShaHeaderAndSessionToken) {
  Credentials temp = kCreds;
  temp.session_token = "tok";
  SigningOptions options = Options();
  options.add_content_sha256_header = true;
  http::Headers headers = {{"host", "h"}};
  Result<SigningResult> r =
      SignWithHeaders(temp, {"GET", "/", "", headers, "", std::nullopt}, options);
  ASSERT_OK(r);
  EXPECT_EQ(*Find(r->headers_to_add, "x-amz-content-sha256"), kEmptyPayloadSha256);
  EXPECT_EQ(*Find(r->headers_to_add, "x-amz-security-token"), "tok");
  EXPECT_THAT(
      *Find(r->headers_to_add, "authorization"),
      HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"));

  options.sign_session_token = false;
  r = SignWithHeaders(temp, {"GET", "/", "", headers, "", std::nullopt}, options);
  ASSERT_OK(r);
  EXPECT_EQ(*Find(r->headers_to_add, "x-amz-security-token"), "tok");
  EXPECT_THAT(*Find(r->headers_to_add, "authorization"),
              HasSubstr("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"));
}

TEST(SignWithHeadersTest, ReplacesExistingSignature) {
  http::Headers headers = {{"host", "h"}, {"authorization", "old"}, {"x-amz-date", "old"}};
  Result<SigningResult> r =
      SignWithHeaders(kCreds, {"GET", "/", "", headers, "", std::nullopt}, Options());
  ASSERT_OK(r);
  EXPECT_THAT(r->canonical_request, HasSubstr("x-amz-date:20261125T102555Z\n\nhost;x-amz-date\n"));
}

TEST(SignWithHeadersTest, UsesAGivenPayloadHash) {
  http::Headers headers = {{"host", "h"}};
  Result<SigningResult> r = SignWithHeaders(
      kCreds, {"POST", "/", "", headers, "ignored", std::string_view("UNSIGNED-PAYLOAD")},
      Options());
  ASSERT_OK(r);
  EXPECT_THAT(r->canonical_request, EndsWith("\nUNSIGNED-PAYLOAD"));
}

TEST(SignWithHeadersTest, Errors) {
  http::Headers no_host = {{"content-type", "x"}};
  EXPECT_THAT(SignWithHeaders(kCreds, {"GET", "/", "", no_host, "", std::nullopt}, Options()),
              StatusIs(ErrorCode::kValidation));
  http::Headers headers = {{"host", "h"}};
  EXPECT_THAT(SignWithHeaders(kCreds, {"GET", "/", "a=%G0", headers, "", std::nullopt}, Options()),
              StatusIs(ErrorCode::kValidation));
}

TEST(SignWithHeadersTest, Http2SignsAuthority) {
  http::Headers headers = {{":authority", "127.0.0.1:8700"}};
  Result<SigningResult> r =
      SignWithHeaders(kCreds, {"POST", "/", "", headers, "", std::nullopt}, Options());
  ASSERT_OK(r);
  EXPECT_THAT(r->canonical_request, HasSubstr("\n:authority:127.0.0.1:8700\n"));
}

TEST(PresignTest, BuildsTheQuery) {
  http::Headers headers = {{"host", "h"}};
  SigningOptions options = Options();
  options.expires = std::chrono::seconds(60);
  Result<SigningResult> r = Presign(
      kCreds, {"GET", "/inference-profiles", "maxResults=5", headers, "", std::nullopt}, options);
  ASSERT_OK(r);
  EXPECT_THAT(r->query,
              StartsWith("maxResults=5&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                         "AKIDEXAMPLE%2F20261125%2Feu-central-1%2Fbedrock%2Faws4_request&"
                         "X-Amz-Date=20261125T102555Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&"
                         "X-Amz-Signature="));
  EXPECT_THAT(r->query, EndsWith(r->signature));
  EXPECT_TRUE(r->headers_to_add.empty());
  EXPECT_THAT(r->canonical_request, Not(HasSubstr("X-Amz-Signature")));
}

TEST(PresignTest, ExpiresInRange) {
  http::Headers headers = {{"host", "h"}};
  for (int64_t secs : {0, 604801}) {
    SigningOptions options = Options();
    options.expires = std::chrono::seconds(secs);
    EXPECT_THAT(Presign(kCreds, {"GET", "/", "", headers, "", std::nullopt}, options),
                StatusIs(ErrorCode::kValidation));
  }
}

}  // namespace
}  // namespace bp::auth::sigv4
