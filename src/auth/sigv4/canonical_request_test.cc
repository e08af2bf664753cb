#include "auth/sigv4/canonical_request.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/sigv4/crypto.h"
#include "testing/testing.h"

namespace bp::auth::sigv4 {
namespace {

using bp::testing::StatusIs;

TEST(CanonicalUriTest, EncodesEachWireSegmentOnceMore) {
  // The AWS SDK's path for an application-profile ARN (bedrock-api.md §1.2).
  EXPECT_EQ(CanonicalUri("/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-"
                         "inference-profile%2Facwt9yee9wzo/converse",
                         true),
            "/model/arn%253Aaws%253Abedrock%253Aeu-central-1%253A123456789012%253Aapplication-"
            "inference-profile%252Facwt9yee9wzo/converse");
  // The Anthropic SDK leaves ':' raw.
  EXPECT_EQ(CanonicalUri("/model/arn:aws:bedrock:eu-central-1:1:application-inference-profile%2Fx/"
                         "invoke",
                         true),
            "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A1%3Aapplication-inference-profile%252Fx/"
            "invoke");
  EXPECT_EQ(CanonicalUri("/a b/\xE1\x88\xB4", true), "/a%20b/%E1%88%B4");
  EXPECT_EQ(CanonicalUri("/-._~AZaz09", true), "/-._~AZaz09");
}

TEST(CanonicalUriTest, Normalizes) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : std::vector<Case>{{"", "/"},
                                         {"/", "/"},
                                         {"//", "/"},
                                         {"//example//", "/example/"},
                                         {"/./", "/"},
                                         {"/./example", "/example"},
                                         {"/example/..", "/"},
                                         {"/example1/example2/../..", "/"},
                                         {"/a/b/../c", "/a/c"},
                                         {"/a/b/..", "/a"},
                                         {"/../..", "/"},
                                         {"/a/./b/", "/a/b/"},
                                         {"/a..b/.c", "/a..b/.c"}}) {
    EXPECT_EQ(CanonicalUri(c.in, true), c.out) << c.in;
  }
}

TEST(CanonicalUriTest, UnnormalizedKeepsDotsAndSlashes) {
  EXPECT_EQ(CanonicalUri("//example//", false), "//example//");
  EXPECT_EQ(CanonicalUri("/./example/..", false), "/./example/..");
  EXPECT_EQ(CanonicalUri("", false), "/");
}

TEST(CanonicalQueryTest, SortsByNameThenValueAfterEncoding) {
  Result<std::string> q = CanonicalQuery("b=2&a=2&a=1&%E1%88%B4=x&Param-3=y&Param=z");
  ASSERT_OK(q);
  EXPECT_EQ(*q, "%E1%88%B4=x&Param=z&Param-3=y&a=1&a=2&b=2");
}

TEST(CanonicalQueryTest, EncodesValuesOnce) {
  Result<std::string> q = CanonicalQuery("nextToken=abc%2F%2B%3D%20x&plus=a+b&raw=a:b");
  ASSERT_OK(q);
  EXPECT_EQ(*q, "nextToken=abc%2F%2B%3D%20x&plus=a%2Bb&raw=a%3Ab");
}

TEST(CanonicalQueryTest, EmptyValuesKeepTheirEquals) {
  Result<std::string> q = CanonicalQuery("flag&empty=&&x=1");
  ASSERT_OK(q);
  EXPECT_EQ(*q, "empty=&flag=&x=1");
}

TEST(CanonicalQueryTest, LeavesOutExcludedNames) {
  std::string_view excluded[] = {"X-Amz-Signature"};
  Result<std::string> q = CanonicalQuery("X-Amz-Signature=abc&X-Amz-Date=1&a=b", excluded);
  ASSERT_OK(q);
  EXPECT_EQ(*q, "X-Amz-Date=1&a=b");
}

TEST(CanonicalQueryTest, MalformedEscape) {
  EXPECT_THAT(CanonicalQuery("a=%zz"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(CanonicalQuery("a=%4"), StatusIs(ErrorCode::kValidation));
}

TEST(CanonicalHeadersTest, TrimsAndFoldsWhitespace) {
  EXPECT_EQ(CanonicalHeaderValue("  a   b \t c  "), "a b c");
  EXPECT_EQ(CanonicalHeaderValue("value1\n  value2\r\n\tvalue3"), "value1 value2 value3");
  EXPECT_EQ(CanonicalHeaderValue("   "), "");
  EXPECT_EQ(CanonicalHeaderValue("\"a   b\""), "\"a b\"");
}

TEST(CanonicalHeadersTest, JoinsRepeatedHeadersInArrivalOrder) {
  http::Headers headers = {{"host", "h"},
                           {"my-header1", "value4"},
                           {"my-header1", " value1 "},
                           {"x", "unsigned"},
                           {"my-header1", "value3"}};
  std::vector<std::string> names = {"host", "my-header1", "missing"};
  EXPECT_EQ(CanonicalHeaders(headers, names),
            "host:h\nmy-header1:value4,value1,value3\nmissing:\n");
  EXPECT_EQ(JoinSignedHeaders(names), "host;my-header1;missing");
}

TEST(CanonicalRequestTest, JoinsTheSixParts) {
  EXPECT_EQ(BuildCanonicalRequest("GET", "/", "a=b", "host:h\n", "host", "hash"),
            "GET\n/\na=b\nhost:h\n\nhost\nhash");
}

// CanonicalRequest (one buffer, the fast path for already-normal paths) is
// exactly the six parts built one by one and joined.
TEST(CanonicalRequestTest, OneBufferEqualsThePartsJoined) {
  const http::Headers headers = {{"host", "  example.com "},
                                 {"x-amz-date", "20150830T123600Z"},
                                 {"x-amz-meta-a", "a  b\t c"},
                                 {"x-amz-meta-a", " second "}};
  const std::vector<std::string> names = {"host", "x-amz-date", "x-amz-meta-a", "x-absent"};
  for (std::string_view path :
       {"/", "", "/a/b/", "/model/arn%3Aaws%3Abedrock/converse", "/a//b", "/a/./b", "/a/../b",
        "/a/b/..", "/.", "a/b", "/caf\xC3\xA9/x y", "//", "/a/b/."}) {
    for (bool normalize : {true, false}) {
      EXPECT_EQ(
          CanonicalRequest("POST", path, normalize, "a=1&b=2", headers, names, "abc"),
          BuildCanonicalRequest("POST", CanonicalUri(path, normalize), "a=1&b=2",
                                CanonicalHeaders(headers, names), JoinSignedHeaders(names), "abc"))
          << "path '" << path << "' normalize " << normalize;
    }
  }
}

TEST(CanonicalRequestTest, AppendedHeaderValueFoldsAsAlone) {
  std::string out = "prefix:";
  AppendCanonicalHeaderValue(out, "  a \t b  ");
  EXPECT_EQ(out, "prefix:a b");
  EXPECT_EQ(CanonicalHeaderValue("  a \t b  "), "a b");
}

TEST(CanonicalRequestTest, StringToSign) {
  CredentialScope scope{"20150830", "us-east-1", "service"};
  EXPECT_EQ(scope.ToString(), "20150830/us-east-1/service/aws4_request");
  EXPECT_EQ(BuildStringToSign("20150830T123600Z", scope, "x"),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
                Sha256Hex("x"));
}

// AWS's documented example of deriving a signing key.
TEST(SigningKeyTest, DocumentedExample) {
  SigningKey key = DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                    CredentialScope{"20120215", "us-east-1", "iam"});
  EXPECT_EQ(HexEncode(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(AmzDateTest, RoundTrip) {
  auto t = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatAmzDate(*t), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(*t + std::chrono::milliseconds(999)), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(*t + std::chrono::hours(12)), "20150831T003600Z");
  auto leap = ParseAmzDate("20240229T235959Z");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(FormatAmzDate(*leap + std::chrono::seconds(1)), "20240301T000000Z");
}

TEST(AmzDateTest, AcceptsTheRepresentableRange) {
  EXPECT_TRUE(ParseAmzDate("19700101T000000Z").has_value());
  EXPECT_TRUE(ParseAmzDate("19690101T000000Z").has_value());
  EXPECT_TRUE(ParseAmzDate("22000101T000000Z").has_value());
}

TEST(AmzDateTest, RejectsMalformed) {
  for (const char* bad :
       {"", "20150830T123600", "20150830t123600Z", "2015-08-30T12:36:00Z", "20150230T123600Z",
        "20151330T123600Z", "20150830T243600Z", "20150830T126000Z", "20150830T123660Z",
        "2015083OT123600Z", "+0150830T123600Z", "20230229T000000Z",
        // Well formed, but beyond what system_clock's nanoseconds can hold.
        "99991231T235959Z", "22620412T000000Z", "00010101T000000Z", "16000101T000000Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bp::auth::sigv4
