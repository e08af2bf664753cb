// The decoders of credential answers: RFC 3339 dates, the credential_process
// format and the container/IMDS format.

#include "auth/credentials/credential_json.h"

#include "testing/testing.h"

namespace bp::auth::credentials {
namespace {

using ::bp::testing::StatusIs;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;
using ::testing::Not;

int64_t Millis(std::string_view text) {
  auto t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? ToUnixMillis(*t) : -1;
}

TEST(Rfc3339Test, Forms) {
  EXPECT_EQ(Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Millis("2026-01-01T00:00:00Z"), 1767225600000);
  EXPECT_EQ(Millis("2026-01-01t00:00:00z"), 1767225600000);
  EXPECT_EQ(Millis("2026-01-01 00:00:00Z"), 1767225600000);
  EXPECT_EQ(Millis("2026-01-01T00:00:00.5Z"), 1767225600500);
  EXPECT_EQ(Millis("2026-01-01T00:00:00.123456789Z"), 1767225600123);
  EXPECT_EQ(Millis("2026-01-01T02:30:00+02:30"), 1767225600000);
  EXPECT_EQ(Millis("2025-12-31T19:00:00-05:00"), 1767225600000);
  EXPECT_EQ(Millis("2024-02-29T12:00:00Z"), 1709208000000);  // leap day
  EXPECT_EQ(Millis("2016-12-31T23:59:60Z"), 1483228799999);  // leap second
  EXPECT_EQ(Millis("2261-12-31T23:59:59Z"), 9214646399000);  // system_clock's last year
}

TEST(Rfc3339Test, Refusals) {
  for (std::string_view bad : {"",
                               "2026-01-01",
                               "2026-01-01T00:00:00",
                               "2026-01-01T00:00Z",
                               "2026-13-01T00:00:00Z",
                               "2026-02-29T00:00:00Z",
                               "2026-01-32T00:00:00Z",
                               "2026-01-01T24:00:00Z",
                               "2026-01-01T00:60:00Z",
                               "2026-01-01T00:00:61Z",
                               "2026-01-01T00:00:00.Z",
                               "2026-01-01T00:00:00+0200",
                               "2026-01-01T00:00:00+24:00",
                               "2026-01-01T00:00:00Zjunk",
                               "1969-12-31T23:59:59Z",
                               "2262-01-01T00:00:00Z",
                               "9999-12-31T23:59:59Z",
                               "20260101T000000Z",
                               "2026-1-01T00:00:00Z",
                               "1767225600"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(ProcessCredentialsTest, FullAnswer) {
  auto c = ParseProcessCredentials(
      R"({"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s3cr3t",)"
      R"("SessionToken":"tok","Expiration":"2026-01-01T06:00:00Z","Extra":true})",
      "credential_process of f [default]");
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAPROC");
  EXPECT_EQ(c->secret_access_key, "s3cr3t");
  EXPECT_EQ(c->session_token, "tok");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(ToUnixMillis(*c->expiration), 1767225600000 + 6 * 3600 * 1000);
  EXPECT_EQ(c->source, "credential_process of f [default]");
  EXPECT_FALSE(c->is_bearer());
}

TEST(ProcessCredentialsTest, LongTermKeysHaveNoExpiration) {
  auto c = ParseProcessCredentials(
      R"({"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"s","SessionToken":""})", "p");
  ASSERT_OK(c);
  EXPECT_FALSE(c->session_token.has_value());
  EXPECT_FALSE(c->expiration.has_value());
}

TEST(ProcessCredentialsTest, Refusals) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {
           Case{"", "not JSON"},
           Case{"AccessKeyId=x", "not JSON"},
           Case{"[1]", "an array, expected a JSON object"},
           Case{R"({"AccessKeyId":"a","SecretAccessKey":"TOPSECRET"})", "$.Version is required"},
           Case{R"({"Version":2,"AccessKeyId":"a","SecretAccessKey":"TOPSECRET"})",
                "$.Version must be 1"},
           Case{R"({"Version":"1","AccessKeyId":"a","SecretAccessKey":"TOPSECRET"})",
                "$.Version must be 1"},
           Case{R"({"Version":1.0,"AccessKeyId":"a","SecretAccessKey":"TOPSECRET"})",
                "$.Version must be 1"},
           Case{R"({"Version":1,"SecretAccessKey":"TOPSECRET"})", "AccessKeyId"},
           Case{R"({"Version":1,"AccessKeyId":"a"})", "SecretAccessKey"},
           Case{R"({"Version":1,"AccessKeyId":"","SecretAccessKey":"TOPSECRET"})",
                "$.AccessKeyId is empty"},
           Case{R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":7})", "SecretAccessKey"},
           Case{R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":"TOPSECRET",)"
                R"("Expiration":"tomorrow TOPSECRET"})",
                "$.Expiration is not an RFC 3339 date-time"},
       }) {
    auto r = ParseProcessCredentials(c.text, "p");
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.expected)) << c.text;
    EXPECT_THAT(r.status().message(), Not(HasSubstr("TOPSECRET")));
  }
}

TEST(RemoteCredentialsTest, ImdsAnswer) {
  auto c = ParseRemoteCredentials(
      R"({"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC",)"
      R"("AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t",)"
      R"("Expiration":"2026-01-01T06:00:00Z"})",
      "imds");
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->session_token, "t");
  EXPECT_TRUE(c->expiration.has_value());
}

TEST(RemoteCredentialsTest, AllFourAreRequired) {
  const std::string full = R"("AccessKeyId":"a","SecretAccessKey":"TOPSECRET","Token":"TOPTOKEN",)"
                           R"("Expiration":"2026-01-01T06:00:00Z")";
  EXPECT_OK(ParseRemoteCredentials("{" + full + "}", "c"));
  auto no_token = ParseRemoteCredentials(
      R"({"AccessKeyId":"a","SecretAccessKey":"TOPSECRET","Expiration":"2026-01-01T06:00:00Z"})",
      "c");
  EXPECT_THAT(no_token.status().message(), HasSubstr("$.Token is required"));
  auto no_expiry =
      ParseRemoteCredentials(R"({"AccessKeyId":"a","SecretAccessKey":"S","Token":"T"})", "c");
  EXPECT_THAT(no_expiry.status().message(), HasSubstr("$.Expiration is required"));
  auto failed = ParseRemoteCredentials(R"({"Code":"Failed",)" + full + "}", "c");
  EXPECT_THAT(failed, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(failed.status().message(), HasSubstr("$.Code is not \"Success\""));
  EXPECT_THAT(failed.status().message(), Not(HasSubstr("TOP")));
}

}  // namespace
}  // namespace bp::auth::credentials
