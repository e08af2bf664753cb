#include "auth/sigv4/auth_params.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/uri.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGood[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d";

http::Headers DateHeaders() { return {{"host", "h"}, {"x-amz-date", "20150830T123600Z"}}; }

TEST(ParseAuthorizationHeaderTest, Parses) {
  Result<AuthParams> p = ParseAuthorizationHeader(kGood, DateHeaders());
  ASSERT_OK(p);
  EXPECT_EQ(p->form, AuthForm::kHeader);
  EXPECT_EQ(p->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(p->scope.ToString(), "20150830/us-east-1/bedrock/aws4_request");
  EXPECT_EQ(p->amz_date, "20150830T123600Z");
  EXPECT_THAT(p->signed_headers, ElementsAre("host", "x-amz-date"));
  EXPECT_FALSE(p->security_token.has_value());
}

TEST(ParseAuthorizationHeaderTest, AcceptsCompactCommasAndMixedCaseNames) {
  Result<AuthParams> p = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request,SignedHeaders=:authority;X-Amz-Date,"
      "Signature=ab",
      DateHeaders());
  ASSERT_OK(p);
  EXPECT_THAT(p->signed_headers, ElementsAre(":authority", "x-amz-date"));
}

TEST(ParseAuthorizationHeaderTest, ReadsTheSessionToken) {
  http::Headers headers = DateHeaders();
  headers.push_back({"x-amz-security-token", " tok "});
  Result<AuthParams> p = ParseAuthorizationHeader(kGood, headers);
  ASSERT_OK(p);
  EXPECT_EQ(p->security_token, "tok");
}

struct BadHeader {
  const char* value;
  const char* says;
};

TEST(ParseAuthorizationHeaderTest, MalformedVariants) {
  for (const BadHeader& c : std::vector<BadHeader>{
           {"AWS4-HMAC-SHA256", "requires 'Credential' parameter"},
           {"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab", "requires 'Credential'"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host",
            "requires 'Signature'"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Signature=ab",
            "requires 'SignedHeaders'"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=, Signature=ab",
            "requires 'SignedHeaders'"},
           {"AWS4-HMAC-SHA512 Credential=A/20150830/r/s/aws4_request", "must start with"},
           {"AWS4-HMAC-SHA256Credential=A/20150830/r/s/aws4_request", "must start with"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s, SignedHeaders=host, Signature=ab",
            "is malformed"},
           {"AWS4-HMAC-SHA256 Credential=/20150830/r/s/aws4_request, SignedHeaders=host, "
            "Signature=ab",
            "is malformed"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, "
            "Signature=ab",
            "valid terminator"},
           {"AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, "
            "Signature=ab",
            "YYYYMMDD"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830//s/aws4_request, SignedHeaders=host, "
            "Signature=ab",
            "valid region"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/EU\ncentral/s/aws4_request, "
            "SignedHeaders=host, "
            "Signature=ab",
            "valid region"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=x-amz-date, "
            "Signature=ab",
            "'Host' or ':authority'"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;;x, "
            "Signature=ab",
            "empty name"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
            "Signature=ab, Extra=1",
            "unknown component"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
            "Signature=ab, Signature=cd",
            "repeats"},
           {"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
            "Signature=ab,",
            "not of the form"},
       }) {
    Result<AuthParams> p = ParseAuthorizationHeader(c.value, DateHeaders());
    ASSERT_THAT(p, StatusIs(ErrorCode::kIncompleteSignature)) << c.value;
    EXPECT_THAT(p.status().message(), HasSubstr(c.says)) << c.value;
    EXPECT_THAT(p.status().message(), Not(HasSubstr("Signature=ab")));
  }
}

TEST(ParseAuthorizationHeaderTest, DateHeaderRequiredAndBasicFormat) {
  Result<AuthParams> none = ParseAuthorizationHeader(kGood, {{"host", "h"}});
  ASSERT_THAT(none, StatusIs(ErrorCode::kIncompleteSignature));
  EXPECT_THAT(none.status().message(), HasSubstr("'X-Amz-Date'"));
  Result<AuthParams> bad =
      ParseAuthorizationHeader(kGood, {{"host", "h"}, {"x-amz-date", "2015-08-30T12:36:00Z"}});
  ASSERT_THAT(bad, StatusIs(ErrorCode::kIncompleteSignature));
  EXPECT_THAT(bad.status().message(), HasSubstr("ISO-8601 'basic format'"));
}

std::vector<std::pair<std::string, std::string>> Query(std::string_view raw) {
  return ParseQuery(raw).value();
}

constexpr char kGoodQuery[] =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fbedrock%2F"
    "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&"
    "X-Amz-Security-Token=t%2B&X-Amz-Signature=ab";

TEST(ParseQueryAuthTest, Parses) {
  Result<AuthParams> p = ParseQueryAuth(Query(kGoodQuery), std::chrono::seconds(604800));
  ASSERT_OK(p);
  EXPECT_EQ(p->form, AuthForm::kQuery);
  EXPECT_EQ(p->access_key_id, "AKID");
  EXPECT_EQ(p->expires, std::chrono::seconds(900));
  EXPECT_EQ(p->security_token, "t+");
  EXPECT_EQ(p->signature, "ab");
  EXPECT_TRUE(HasQueryAuth(Query(kGoodQuery)));
  EXPECT_FALSE(HasQueryAuth(Query("maxResults=1&X-Amz-Date=1")));
}

TEST(ParseQueryAuthTest, MalformedVariants) {
  std::string good = kGoodQuery;
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  for (const std::string& q : {
           replaced("X-Amz-Expires=900&", ""),
           replaced("X-Amz-Signature=ab", "X-Amz-Signature="),
           replaced("X-Amz-Expires=900", "X-Amz-Expires=604801"),
           replaced("X-Amz-Expires=900", "X-Amz-Expires=0"),
           replaced("X-Amz-Expires=900", "X-Amz-Expires=-1"),
           replaced("X-Amz-Expires=900", "X-Amz-Expires=99999999999999999999"),
           replaced("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
           replaced("X-Amz-Date=20150830T123600Z", "X-Amz-Date=20150830"),
           replaced("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"),
           good + "&X-Amz-Signature=cd",
           good + "&X-Amz-Security-Token=again",
       }) {
    EXPECT_THAT(ParseQueryAuth(Query(q), std::chrono::seconds(604800)),
                StatusIs(ErrorCode::kIncompleteSignature))
        << q;
  }
}

}  // namespace
}  // namespace bp::auth::sigv4
