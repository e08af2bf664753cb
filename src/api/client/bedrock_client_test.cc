// BedrockClient against the in-test HTTPS server: every request it sends is
// checked by our own SigV4 verifier (SigV4Authenticator, same fake clock), the
// headers it signs are pinned, bearer tokens and session tokens are sent as
// AWS expects, and error answers become "<Type>: <message>" statuses.

#include "api/client/bedrock_client.h"

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "api/client/service_error.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "core/sha256.h"
#include "core/uri.h"
#include "http/tls_test_server.h"
#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::FakeClock;
using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kKeyId[] = "AKIABPTESTCLIENT0001";
constexpr char kSecret[] = "bpTestClientSecretKey0000000000000000001";
constexpr char kTempKeyId[] = "ASIABPTESTCLIENT0002";
constexpr char kApiKey[] = "bedrock-profiles-test-api-key-0123456789abcdef";

auth::sigv4::CredentialSet Principals() {
  return {auth::sigv4::CredentialEntry{.principal_name = "rd-e2e",
                                       .principal_arn = "arn:aws:iam::123456789012:role/rd-e2e",
                                       .access_key_id = kKeyId,
                                       .secret_access_key = kSecret,
                                       .session_token = std::nullopt,
                                       .api_key_sha256 = {Sha256Hex(kApiKey)}},
          auth::sigv4::CredentialEntry{.principal_name = "temp",
                                       .principal_arn = "arn:aws:sts::123456789012:assumed-role/r",
                                       .access_key_id = kTempKeyId,
                                       .secret_access_key = kSecret,
                                       .session_token = "the-session-token",
                                       .api_key_sha256 = {}}};
}

// What the server saw of one request.
struct Seen {
  http::Request request;
  std::string principal;  // "" when authentication failed
  std::string auth_error;
};

std::string Header(const http::Request& r, std::string_view name) {
  const std::string* v = http::FindHeader(r.headers, name);
  return v ? *v : "<absent>";
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=a;b, Signature=..." -> "a;b".
std::string SignedHeaders(const http::Request& r) {
  std::string auth = Header(r, "authorization");
  size_t at = auth.find("SignedHeaders=");
  if (at == std::string::npos) return "<none>";
  at += 14;
  return auth.substr(at, auth.find(',', at) - at);
}

class BedrockClientTest : public ::testing::Test {
 protected:
  BedrockClientTest() {
    std::ofstream(ca_path_) << pki_.ca_cert_pem;
    server_ = std::make_unique<http::testing::TlsTestServer>(
        pki_, [this](const http::Request& r) { return Handle(r); });
  }

  http::Response Handle(const http::Request& request) {
    Seen seen{.request = request, .principal = "", .auth_error = ""};
    auto principal = verifier_.Authenticate(request);
    std::lock_guard<std::mutex> lock(mu_);
    if (principal.ok()) {
      seen.principal = principal->name;
    } else {
      seen.auth_error = principal.status().message();
    }
    seen_.push_back(seen);
    if (!principal.ok()) {
      return http::Response{.status = 403,
                            .headers = {{"x-amzn-errortype", "InvalidSignatureException"},
                                        {"content-type", "application/json"}},
                            .body = R"({"message":"The request signature we calculated does )"
                                    R"(not match the signature you provided."})"};
    }
    size_t i = std::min(seen_.size(), answers_.size()) - 1;
    return answers_.empty() ? http::Response{.status = 200, .headers = {}, .body = "{}"}
                            : answers_[i];
  }

  auth::credentials::Credentials Keys(std::string secret = kSecret) {
    return auth::credentials::Credentials{.access_key_id = kKeyId,
                                          .secret_access_key = std::move(secret),
                                          .session_token = std::nullopt,
                                          .bearer_token = std::nullopt,
                                          .source = "test"};
  }

  std::unique_ptr<BedrockClient> MakeClient(auth::credentials::Credentials credentials,
                                            std::string base_path = "") {
    BedrockClientOptions options{.region = "eu-central-1", .http = {}};
    options.http.ca_bundle_file = ca_path_;
    options.http.retry.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    return std::make_unique<BedrockClient>(http::Endpoint{.host = "127.0.0.1",
                                                          .port = server_->port(),
                                                          .base_path = std::move(base_path),
                                                          .scheme = http::Scheme::kHttps},
                                           std::move(credentials), std::move(options), clock_);
  }

  // Replaces the scripted answers (in order; the last one repeats).
  void SetAnswers(std::vector<http::Response> answers) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_ = std::move(answers);
  }

  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  TempDir dir_;
  const http::testing::TestPki pki_ = http::testing::MakeTestPki({"localhost"}, {"127.0.0.1"});
  const std::string ca_path_ = (dir_.path() / "ca.pem").string();
  FakeClock clock_;
  auth::sigv4::SigV4Authenticator verifier_{Principals(), clock_, {.region = "eu-central-1"}};
  std::vector<http::Response> answers_;  // guarded by mu_
  std::vector<std::chrono::milliseconds> sleeps_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::unique_ptr<http::testing::TlsTestServer> server_;
};

TEST_F(BedrockClientTest, ASignedGetIsAcceptedByOurVerifier) {
  SetAnswers({{.status = 200, .headers = {}, .body = R"({"inferenceProfileSummaries":[]})"}});
  auto client = MakeClient(Keys());
  auto r = client->SendJson(
      Call{.method = "GET", .path = "/inference-profiles", .query = "type=APPLICATION"});
  ASSERT_OK(r);
  EXPECT_TRUE(r->is_object());
  std::vector<Seen> s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].principal, "rd-e2e") << s[0].auth_error;
  EXPECT_EQ(s[0].request.target, "/inference-profiles?type=APPLICATION");
  EXPECT_EQ(SignedHeaders(s[0].request), "host;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(Header(s[0].request, "content-type"), "<absent>");
  EXPECT_EQ(Header(s[0].request, "x-amz-content-sha256"), Sha256Hex(""));
  EXPECT_EQ(Header(s[0].request, "x-amz-date"), "20260101T000000Z");  // the fake clock
  EXPECT_THAT(Header(s[0].request, "authorization"),
              HasSubstr("Credential=" + std::string(kKeyId) +
                        "/20260101/eu-central-1/bedrock/aws4_request"));
}

TEST_F(BedrockClientTest, AJsonBodyIsSignedWithItsContentType) {
  auto client = MakeClient(Keys());
  std::string body = R"({"resourceARN":"arn:aws:bedrock:eu-central-1:123456789012:x"})";
  ASSERT_OK(client->SendJson(Call{.method = "POST", .path = "/listTagsForResource", .body = body}));
  std::vector<Seen> s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].principal, "rd-e2e") << s[0].auth_error;
  EXPECT_EQ(s[0].request.body, body);
  EXPECT_EQ(SignedHeaders(s[0].request), "content-type;host;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(Header(s[0].request, "content-type"), "application/json");
  EXPECT_EQ(Header(s[0].request, "x-amz-content-sha256"), Sha256Hex(body));
}

TEST_F(BedrockClientTest, EncodedArnsAndABasePathAreSignedAsSent) {
  auto client = MakeClient(Keys(), "/proxy");
  std::string arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc";
  ASSERT_OK(
      client->SendJson(Call{.method = "DELETE", .path = "/inference-profiles/" + UriEncode(arn)}));
  std::vector<Seen> s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].principal, "rd-e2e") << s[0].auth_error;
  EXPECT_EQ(s[0].request.method, "DELETE");
  EXPECT_EQ(s[0].request.target,
            "/proxy/inference-profiles/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3A"
            "application-inference-profile%2Fabc");
}

TEST_F(BedrockClientTest, SessionTokensAreSentAndSigned) {
  auth::credentials::Credentials temp = Keys();
  temp.access_key_id = kTempKeyId;
  temp.session_token = "the-session-token";
  ASSERT_OK(MakeClient(temp)->SendJson(Call{.method = "GET", .path = "/foundation-models"}));
  std::vector<Seen> s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].principal, "temp") << s[0].auth_error;
  EXPECT_EQ(Header(s[0].request, "x-amz-security-token"), "the-session-token");
  EXPECT_EQ(SignedHeaders(s[0].request),
            "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
}

TEST_F(BedrockClientTest, ABearerTokenIsSentInsteadOfASignature) {
  auth::credentials::Credentials bearer{.access_key_id = "",
                                        .secret_access_key = "",
                                        .session_token = std::nullopt,
                                        .bearer_token = kApiKey,
                                        .source = "AWS_BEARER_TOKEN_BEDROCK"};
  ASSERT_OK(MakeClient(bearer)->SendJson(Call{.method = "GET", .path = "/foundation-models"}));
  std::vector<Seen> s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].principal, "rd-e2e") << s[0].auth_error;
  EXPECT_EQ(Header(s[0].request, "authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(Header(s[0].request, "x-amz-date"), "<absent>");
}

TEST_F(BedrockClientTest, AWrongSecretIsTheServicesError) {
  auto r = MakeClient(Keys("wrong"))->SendJson(Call{.method = "GET", .path = "/foundation-models"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(r.status().message(), HasSubstr("InvalidSignatureException: The request signature"));
  EXPECT_TRUE(IsServiceErrorMessage(r.status().message()));
  EXPECT_EQ(seen().size(), 1u);  // 403 is never retried
  EXPECT_NE(seen()[0].auth_error, "");
}

TEST_F(BedrockClientTest, ThrottlingExceptionsAreRetriedEvenAsA400) {
  SetAnswers({{.status = 400,
               .headers = {{"x-amzn-errortype", "ThrottlingException"}},
               .body = R"({"message":"Too many requests"})"},
              {.status = 201, .headers = {}, .body = R"({"inferenceProfileArn":"arn:x"})"}});
  auto r = MakeClient(Keys())->SendJson(Call{.method = "POST",
                                             .path = "/inference-profiles",
                                             .body = "{}",
                                             .idempotency = http::Idempotency::kNotIdempotent});
  ASSERT_OK(r);
  EXPECT_EQ(std::string_view(r->at("inferenceProfileArn").as_string()), "arn:x");
  EXPECT_EQ(seen().size(), 2u);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(BedrockClientTest, AnAnswerThatIsNotJsonIsAClearError) {
  SetAnswers({{.status = 200, .headers = {}, .body = "<html>"}});
  auto r = MakeClient(Keys())->SendJson(Call{.method = "GET", .path = "/inference-profiles"});
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("to GET /inference-profiles is not JSON"));
  SetAnswers({{.status = 200, .headers = {}, .body = ""}});
  auto empty = MakeClient(Keys())->SendJson(Call{.method = "DELETE", .path = "/x"});
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->is_object());
}

TEST_F(BedrockClientTest, StreamsDeliverSuccessAndReturnErrors) {
  SetAnswers({{.status = 200, .headers = {{"x-a", "1"}}, .body = "event-bytes"}});
  auto client = MakeClient(Keys());
  std::vector<std::string> events;
  http::ResponseCallbacks callbacks{.on_head = [&](const http::Response& head) -> Status {
                                      events.push_back("head " + std::to_string(head.status));
                                      return Status::Ok();
                                    },
                                    .on_body = [&](std::string_view piece) -> Status {
                                      events.emplace_back(piece);
                                      return Status::Ok();
                                    }};
  Call call{.method = "POST", .path = "/model/m/converse-stream", .body = "{}"};
  auto ok = client->Stream(call, callbacks);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200u);
  EXPECT_THAT(events, ElementsAre("head 200", "event-bytes"));

  events.clear();
  SetAnswers({{.status = 400,
               .headers = {{"x-amzn-errortype", "ValidationException"}},
               .body = R"({"message":"The model is not a profile"})"}});
  auto failed = client->Stream(call, callbacks);
  EXPECT_THAT(failed, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(failed.status().message(), "ValidationException: The model is not a profile");
  EXPECT_TRUE(events.empty());
}

TEST_F(BedrockClientTest, DescribeNamesTheEndpoint) {
  EXPECT_EQ(MakeClient(Keys())->Describe(), "https://127.0.0.1:" + std::to_string(server_->port()));
}

// invoke/plan/apply sign for the config's region, except against AWS's
// endpoint of another region, which accepts only its own.
TEST_F(BedrockClientTest, SignsForTheConfiguredRegionOrThatOfABedrockHostName) {
  EXPECT_EQ(MakeClient(Keys())->signing_region(), "eu-central-1");
  for (const char* host :
       {"bedrock.eu-west-3.amazonaws.com", "bedrock-runtime.eu-west-3.amazonaws.com"}) {
    BedrockClient aws(http::Endpoint{.host = host, .port = 443, .scheme = http::Scheme::kHttps},
                      Keys(), BedrockClientOptions{.region = "eu-central-1", .http = {}}, clock_);
    EXPECT_EQ(aws.signing_region(), "eu-west-3") << host;
  }
}

}  // namespace
}  // namespace bp::api::client
