// FetchUsageReport against the in-test HTTPS server, which checks every
// request with our own SigV4 verifier: GET /usage is signed, carries the
// dimensions in order and the window to the millisecond, and error answers
// become "<Type>: <message>" statuses.

#include "api/client/usage_client.h"

#include <fstream>
#include <mutex>

#include "auth/sigv4/sigv4_authenticator.h"
#include "http/tls_test_server.h"
#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::StatusIs;

constexpr char kKeyId[] = "AKIABPTESTUSAGE00001";
constexpr char kSecret[] = "bpTestUsageSecretKey00000000000000000001";

TEST(UsageReportQueryTest, DimensionsInOrderAndTheWindowToTheMillisecond) {
  EXPECT_EQ(UsageReportQuery({.by = {"tag:team", "profile"},
                              .from_ms = 1'796'083'200'250,
                              .to_ms = 1'796'169'600'000}),
            "by=tag%3Ateam&by=profile&from=2026-12-01T00%3A00%3A00.250Z"
            "&to=2026-12-02T00%3A00%3A00.000Z");
  EXPECT_EQ(UsageReportQuery({.by = {"tag:a+b c"}, .from_ms = 0, .to_ms = 1}),
            "by=tag%3Aa%2Bb%20c&from=1970-01-01T00%3A00%3A00.000Z&to=1970-01-01T00%3A00%3A00.001Z");
}

class UsageClientTest : public ::testing::Test {
 protected:
  UsageClientTest() {
    std::ofstream(ca_path_) << pki_.ca_cert_pem;
    server_ = std::make_unique<http::testing::TlsTestServer>(pki_, [this](const http::Request& r) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_ = r;
      signed_ = verifier_.Authenticate(r).ok();
      return answer_;
    });
  }

  void Answer(http::Response answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answer_ = std::move(answer);
  }

  BedrockClient Client() {
    BedrockClientOptions options{.region = "eu-central-1", .http = {}};
    options.http.ca_bundle_file = ca_path_;
    options.http.retry.sleep = [](std::chrono::milliseconds) {};
    return BedrockClient(http::Endpoint{.host = "127.0.0.1",
                                        .port = server_->port(),
                                        .base_path = "",
                                        .scheme = http::Scheme::kHttps},
                         auth::credentials::Credentials{.access_key_id = kKeyId,
                                                        .secret_access_key = kSecret,
                                                        .session_token = std::nullopt,
                                                        .bearer_token = std::nullopt,
                                                        .source = "test"},
                         std::move(options), clock_);
  }

  testing::TempDir dir_;
  const http::testing::TestPki pki_ = http::testing::MakeTestPki({"localhost"}, {"127.0.0.1"});
  const std::string ca_path_ = (dir_.path() / "ca.pem").string();
  testing::FakeClock clock_;
  auth::sigv4::SigV4Authenticator verifier_{
      {auth::sigv4::CredentialEntry{.principal_name = "admin",
                                    .principal_arn = "arn:aws:iam::123456789012:role/admin",
                                    .access_key_id = kKeyId,
                                    .secret_access_key = kSecret,
                                    .session_token = std::nullopt,
                                    .api_key_sha256 = {}}},
      clock_,
      {.region = "eu-central-1"}};
  std::mutex mu_;
  http::Request seen_;
  bool signed_ = false;
  http::Response answer_;
  std::unique_ptr<http::testing::TlsTestServer> server_;
};

TEST_F(UsageClientTest, ASignedGetAnsweredWithTheReportText) {
  Answer({.status = 200, .headers = {{"content-type", "application/json"}}, .body = "{\"r\":1}\n"});
  BedrockClient client = Client();
  Result<std::string> body =
      FetchUsageReport(client, {.by = {"profile", "tag:team"}, .from_ms = 0, .to_ms = 1000});
  ASSERT_OK(body);
  EXPECT_EQ(*body, "{\"r\":1}\n");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(signed_);
  EXPECT_EQ(seen_.method, "GET");
  EXPECT_EQ(seen_.target,
            "/usage?by=profile&by=tag%3Ateam&from=1970-01-01T00%3A00%3A00.000Z"
            "&to=1970-01-01T00%3A00%3A01.000Z");
}

TEST_F(UsageClientTest, ErrorAnswersBecomeServiceErrors) {
  Answer({.status = 403,
          .headers = {{"x-amzn-errortype", "AccessDeniedException"},
                      {"content-type", "application/json"}},
          .body = R"({"message":"User: arn:aws:iam::123456789012:role/rd-e2e is not )"
                  R"(authorized to perform: bedrock-profiles:GetUsage"})"});
  BedrockClient client = Client();
  Result<std::string> body = FetchUsageReport(client, {.by = {}, .from_ms = 0, .to_ms = 1});
  ASSERT_THAT(body, StatusIs(ErrorCode::kAccessDenied));
  EXPECT_EQ(body.status().message(),
            "AccessDeniedException: User: arn:aws:iam::123456789012:role/rd-e2e is not authorized "
            "to perform: bedrock-profiles:GetUsage");
}

}  // namespace
}  // namespace bp::api::client
