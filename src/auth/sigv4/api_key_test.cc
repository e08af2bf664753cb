#include "auth/sigv4/api_key.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/sigv4/crypto.h"
#include "auth/sigv4/signer.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ApiKeyTest : public ::testing::Test, public CredentialLookup {
 protected:
  ApiKeyTest()
      : clock_(Made()), verifier_(VerifierOptions{.region = "eu-central-1"}, *this, clock_) {}

  const Credentials* Find(std::string_view id) const override {
    if (id == creds_.access_key_id) return &creds_;
    if (id == temp_.access_key_id) return &temp_;
    return nullptr;
  }

  static std::chrono::system_clock::time_point Made() {
    return ParseAmzDate("20261125T102555Z").value();
  }

  std::string Make(const Credentials& c, std::chrono::seconds expires = std::chrono::hours(12)) {
    Result<std::string> key = MakeShortTermApiKey(c, "eu-central-1", Made(), expires);
    EXPECT_OK(key);
    return key.ok() ? *key : std::string();
  }

  // A token around an arbitrary URL.
  static std::string Wrap(std::string_view url) {
    return std::string(kShortTermApiKeyPrefix) + Base64Encode(url);
  }

  const Credentials creds_{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::nullopt};
  const Credentials temp_{"ASIATEMP", "temp-secret", "FwoGZXIvYXdzEXAMPLE=="};
  bp::testing::FakeClock clock_;
  Verifier verifier_;
};

TEST_F(ApiKeyTest, RoundTrip) {
  std::string token = Make(creds_);
  EXPECT_THAT(token, StartsWith("bedrock-api-key-"));
  Result<std::string> url = DecodeShortTermApiKey(token);
  ASSERT_OK(url);
  EXPECT_THAT(*url, StartsWith("bedrock.amazonaws.com/?Action=CallWithBearerToken&"));
  Result<VerifiedSignature> v = VerifyShortTermApiKey(token, verifier_, "eu-central-1");
  ASSERT_OK(v);
  EXPECT_EQ(v->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v->region, "eu-central-1");
}

TEST_F(ApiKeyTest, SessionTokenCarriedAndChecked) {
  std::string token = Make(temp_);
  EXPECT_THAT(*DecodeShortTermApiKey(token), HasSubstr("X-Amz-Security-Token=FwoG"));
  EXPECT_OK(VerifyShortTermApiKey(token, verifier_, "eu-central-1"));
  Credentials wrong = temp_;
  wrong.session_token = "other";
  EXPECT_THAT(VerifyShortTermApiKey(Make(wrong), verifier_, "eu-central-1"),
              StatusIs(ErrorCode::kUnrecognizedClient));
}

TEST_F(ApiKeyTest, ValidUntilDatePlusExpires) {
  std::string token = Make(creds_, std::chrono::seconds(900));
  clock_.Advance(std::chrono::seconds(900));
  EXPECT_OK(VerifyShortTermApiKey(token, verifier_, "eu-central-1"));
  clock_.Advance(std::chrono::seconds(1));
  Result<VerifiedSignature> v = VerifyShortTermApiKey(token, verifier_, "eu-central-1");
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("expired"));
}

TEST_F(ApiKeyTest, LongerThanTwelveHoursRefusedEvenWhenSigned) {
  http::Headers headers = {{"host", std::string(kApiKeyHost)}};
  Result<SigningResult> s =
      Presign(creds_, {"POST", "/", "Action=CallWithBearerToken", headers, "", std::nullopt},
              SigningOptions{.region = "eu-central-1",
                             .service = "bedrock",
                             .time = Made(),
                             .expires = std::chrono::hours(13)});
  ASSERT_OK(s);
  std::string token = Wrap(std::string(kApiKeyHost) + "/?" + s->query + "&Version=1");
  Result<VerifiedSignature> v = VerifyShortTermApiKey(token, verifier_, "eu-central-1");
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), HasSubstr("exceeds"));
  EXPECT_THAT(MakeShortTermApiKey(creds_, "eu-central-1", Made(), std::chrono::hours(13)),
              StatusIs(ErrorCode::kValidation));
}

TEST_F(ApiKeyTest, VersionIsNotSigned) {
  std::string url = *DecodeShortTermApiKey(Make(creds_));
  url.replace(url.find("Version=1"), 9, "Version=2");
  EXPECT_OK(VerifyShortTermApiKey(Wrap(url), verifier_, "eu-central-1"));
}

TEST_F(ApiKeyTest, TamperedActionRefusedWithoutEcho) {
  std::string url = *DecodeShortTermApiKey(Make(creds_));
  url.replace(url.find("CallWithBearerToken"), 19, "CallWithBearerTokem");
  Result<VerifiedSignature> v = VerifyShortTermApiKey(Wrap(url), verifier_, "eu-central-1");
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(v.status().message(), Not(HasSubstr("Canonical")));
}

TEST_F(ApiKeyTest, UnknownAccessKey) {
  EXPECT_THAT(
      VerifyShortTermApiKey(Make({"AKIDOTHER", "s", std::nullopt}), verifier_, "eu-central-1"),
      StatusIs(ErrorCode::kUnrecognizedClient));
}

TEST_F(ApiKeyTest, MalformedTokens) {
  std::string url = *DecodeShortTermApiKey(Make(creds_));
  std::string query = url.substr(url.find('?'));
  for (const std::string& token : {
           std::string("bedrock-api-key-"),
           std::string("bedrock-api-key-!!!"),
           std::string("not-a-short-term-key"),
           Wrap("no slash at all"),
           Wrap("evil.example.com/" + query),
           Wrap("bedrock.amazonaws.com/other" + query),
           Wrap("bedrock.amazonaws.com/?Action=CallWithBearerToken"),
           Wrap("bedrock.amazonaws.com/?X-Amz-Signature=%zz"),
       }) {
    EXPECT_THAT(VerifyShortTermApiKey(token, verifier_, "eu-central-1"),
                StatusIs(ErrorCode::kIncompleteSignature))
        << token;
  }
  std::string more_headers = url;
  more_headers.replace(more_headers.find("X-Amz-SignedHeaders=host"), 24,
                       "X-Amz-SignedHeaders=host%3Bx-amz-date");
  EXPECT_THAT(VerifyShortTermApiKey(Wrap(more_headers), verifier_, "eu-central-1"),
              StatusIs(ErrorCode::kIncompleteSignature));
}

// A key is scoped like a signature: AWS's generator signs it for the
// client's region, and an endpoint of another region refuses it.
TEST_F(ApiKeyTest, AKeyForAnotherRegionIsRefused) {
  Result<std::string> key =
      MakeShortTermApiKey(creds_, "us-east-1", Made(), std::chrono::hours(12));
  ASSERT_OK(key);
  Result<VerifiedSignature> v = VerifyShortTermApiKey(*key, verifier_, "eu-central-1");
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'. ");
  EXPECT_OK(VerifyShortTermApiKey(*key, verifier_, "us-east-1"));
  EXPECT_THAT(VerifyShortTermApiKey(Make(creds_), verifier_, "us-east-1"),
              StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(VerifyShortTermApiKey(Make(creds_), verifier_, ""),
              StatusIs(ErrorCode::kInvalidSignature));
}

TEST_F(ApiKeyTest, AKeyForAnotherServiceIsRefused) {
  http::Headers headers = {{"host", std::string(kApiKeyHost)}};
  Result<SigningResult> s =
      Presign(creds_, {"POST", "/", "Action=CallWithBearerToken", headers, "", std::nullopt},
              SigningOptions{.region = "eu-central-1",
                             .service = "bedrock-runtime",
                             .time = Made(),
                             .expires = std::chrono::hours(1)});
  ASSERT_OK(s);
  std::string token = Wrap(std::string(kApiKeyHost) + "/?" + s->query + "&Version=1");
  Result<VerifiedSignature> v = VerifyShortTermApiKey(token, verifier_, "eu-central-1");
  ASSERT_THAT(v, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_EQ(v.status().message(), "Credential should be scoped to correct service: 'bedrock'. ");
}

TEST_F(ApiKeyTest, HttpsPrefixTolerated) {
  std::string url = *DecodeShortTermApiKey(Make(creds_));
  EXPECT_OK(VerifyShortTermApiKey(Wrap("https://" + url), verifier_, "eu-central-1"));
}

}  // namespace
}  // namespace bp::auth::sigv4
