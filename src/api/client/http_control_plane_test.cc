// HttpControlPlane against a loopback TLS test double of the Bedrock control
// plane: the double verifies every request's SigV4 signature with our own
// verifier (SigV4Authenticator, the client's fake clock), records it, and
// answers from canned Bedrock answers (a paginated list, errors). The tests
// pin the exact method, path, query, signed headers and JSON body of every
// request that `plan` (list + list tags) and `apply` (create with a token,
// tag, untag, delete) send.

#include "api/client/http_control_plane.h"

#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "auth/sigv4/sigv4_authenticator.h"
#include "http/tls_test_server.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::FakeClock;
using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kKeyId[] = "AKIABPPLANNER0000001";
constexpr char kSecret[] = "bpPlannerTestSecretKey00000000000000001";
constexpr char kAccount[] = "123456789012";
constexpr char kHaikuArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr char kSonnetArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o";
constexpr char kHaikuSource[] =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
constexpr char kGetSigned[] = "host;x-amz-content-sha256;x-amz-date";
constexpr char kPostSigned[] = "content-type;host;x-amz-content-sha256;x-amz-date";

// One request as the double saw it.
struct Recorded {
  std::string method;
  std::string target;  // path and query, as sent
  std::string signed_headers;
  std::string body;
  std::string principal;  // who the verifier says signed it; "" when it failed
};

http::Response Json(unsigned status, std::string body) {
  return http::Response{
      .status = status, .headers = {{"content-type", "application/json"}}, .body = body};
}

http::Response Error(unsigned status, std::string type, std::string message) {
  return http::Response{.status = status,
                        .headers = {{"content-type", "application/json"},
                                    {"x-amzn-errortype", type + ":http://internal.amazon.com/"}},
                        .body = json::Serialize(json::Object{{"message", message}})};
}

// The loopback Bedrock control plane.
class BedrockDouble final {
 public:
  BedrockDouble(const http::testing::TestPki& pki, const Clock& clock)
      : verifier_(Principals(), clock, {.region = "eu-central-1"}),
        server_(pki, [this](const http::Request& r) { return Handle(r); }) {}

  bool ok() const { return server_.ok(); }
  uint16_t port() const { return server_.port(); }

  // Queues `answer` for the next request "METHOD target" ("GET /x?y=1");
  // several answers for one route are served in order, the last repeats.
  void Answer(const std::string& route, http::Response answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[route].push_back(std::move(answer));
  }

  std::vector<Recorded> recorded() {
    std::lock_guard<std::mutex> lock(mu_);
    return recorded_;
  }

 private:
  static auth::sigv4::CredentialSet Principals() {
    return {auth::sigv4::CredentialEntry{.principal_name = "planner",
                                         .principal_arn = "arn:aws:iam::123456789012:role/planner",
                                         .access_key_id = kKeyId,
                                         .secret_access_key = kSecret,
                                         .session_token = std::nullopt,
                                         .api_key_sha256 = {}}};
  }

  static std::string SignedHeaders(const http::Request& r) {
    const std::string* auth = http::FindHeader(r.headers, "authorization");
    if (auth == nullptr) return "<unsigned>";
    size_t at = auth->find("SignedHeaders=");
    if (at == std::string::npos) return "<malformed>";
    at += 14;
    return auth->substr(at, auth->find(',', at) - at);
  }

  http::Response Handle(const http::Request& request) {
    auto principal = verifier_.Authenticate(request);
    std::lock_guard<std::mutex> lock(mu_);
    recorded_.push_back(Recorded{.method = request.method,
                                 .target = request.target,
                                 .signed_headers = SignedHeaders(request),
                                 .body = request.body,
                                 .principal = principal.ok() ? principal->name : ""});
    if (!principal.ok()) {
      return Error(403, "InvalidSignatureException", principal.status().message());
    }
    auto it = answers_.find(request.method + " " + request.target);
    if (it == answers_.end() || it->second.empty()) {
      return Error(404, "UnknownOperationException",
                   "the test double has no answer for " + request.method + " " + request.target);
    }
    http::Response answer = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return answer;
  }

  const auth::sigv4::SigV4Authenticator verifier_;
  std::mutex mu_;
  std::map<std::string, std::deque<http::Response>> answers_;
  std::vector<Recorded> recorded_;
  http::testing::TlsTestServer server_;  // last: stops before the rest goes
};

class HttpControlPlaneTest : public ::testing::Test {
 protected:
  HttpControlPlaneTest() {
    std::ofstream(ca_path_) << pki_.ca_cert_pem;
    client_ = MakeClient(kSecret);
    plane_ = std::make_unique<HttpControlPlane>(*client_, HttpControlPlaneOptions{.page_size = 2});
  }

  std::unique_ptr<BedrockClient> MakeClient(std::string secret) {
    BedrockClientOptions options{.region = "eu-central-1", .http = {}};
    options.http.ca_bundle_file = ca_path_;
    options.http.retry.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    return std::make_unique<BedrockClient>(
        http::Endpoint{.host = "127.0.0.1",
                       .port = double_.port(),
                       .base_path = "",
                       .scheme = http::Scheme::kHttps},
        auth::credentials::Credentials{.access_key_id = kKeyId,
                                       .secret_access_key = std::move(secret),
                                       .session_token = std::nullopt,
                                       .bearer_token = std::nullopt,
                                       .source = "test"},
        std::move(options), clock_);
  }

  static std::string Summary(const std::string& name, const std::string& arn,
                             const std::string& type = "APPLICATION") {
    std::string id = arn.substr(arn.rfind('/') + 1);
    return json::Serialize(json::Object{
        {"inferenceProfileName", name},
        {"description", "Claude for research"},
        {"createdAt", "2026-01-01T00:00:00Z"},
        {"updatedAt", "2026-01-01T00:00:00Z"},
        {"inferenceProfileArn", arn},
        {"models",
         json::Array{
             json::Object{{"modelArn", "arn:aws:bedrock:eu-central-1::foundation-model/" + id}},
             json::Object{{"modelArn", "arn:aws:bedrock:eu-west-1::foundation-model/" + id}}}},
        {"inferenceProfileId", id},
        {"status", "ACTIVE"},
        {"type", type}});
  }

  static std::string TagsBody(const std::string& arn) {
    return json::Serialize(json::Object{{"resourceARN", arn}});
  }

  TempDir dir_;
  const http::testing::TestPki pki_ = http::testing::MakeTestPki({"localhost"}, {"127.0.0.1"});
  const std::string ca_path_ = (dir_.path() / "ca.pem").string();
  FakeClock clock_;
  BedrockDouble double_{pki_, clock_};
  std::vector<std::chrono::milliseconds> sleeps_;
  std::unique_ptr<BedrockClient> client_;
  std::unique_ptr<HttpControlPlane> plane_;
};

constexpr char kFirstPage[] = "GET /inference-profiles?type=APPLICATION&maxResults=2";
constexpr char kSecondPage[] =
    "GET /inference-profiles?type=APPLICATION&maxResults=2&nextToken=page%2F2%2B%3D";

TEST_F(HttpControlPlaneTest, PlanReadsEveryPageAndTheTagsOfEachProfile) {
  ASSERT_TRUE(double_.ok());
  double_.Answer(kFirstPage, Json(200, R"({"inferenceProfileSummaries":[)" +
                                           Summary("rd-sonnet-4", kSonnetArn) + "," +
                                           Summary("eu-system", "arn:x/sys", "SYSTEM_DEFINED") +
                                           R"(],"nextToken":"page/2+="})"));
  double_.Answer(kSecondPage, Json(200, R"({"inferenceProfileSummaries":[)" +
                                            Summary("rd-haiku-45", kHaikuArn) + "]}"));
  double_.Answer("POST /listTagsForResource",
                 Json(200, R"({"tags":[{"key":"Environment","value":"rd"},)"
                           R"({"key":"billing-mode","value":"rd"}]})"));

  auto live = plane_->ListApplicationProfiles();
  ASSERT_OK(live);
  ASSERT_EQ(live->size(), 2u);
  const planner::LiveProfile& haiku = (*live)[0];  // ordered by name
  EXPECT_EQ(haiku.name, "rd-haiku-45");
  EXPECT_EQ(haiku.id, "acwt9yee9wzo");
  EXPECT_EQ(haiku.arn, kHaikuArn);
  EXPECT_EQ(haiku.description, "Claude for research");
  EXPECT_THAT(haiku.model_arns,
              ElementsAre("arn:aws:bedrock:eu-central-1::foundation-model/acwt9yee9wzo",
                          "arn:aws:bedrock:eu-west-1::foundation-model/acwt9yee9wzo"));
  EXPECT_EQ(haiku.tags, (Tags{{"Environment", "rd"}, {"billing-mode", "rd"}}));
  EXPECT_EQ((*live)[1].name, "rd-sonnet-4");

  std::vector<Recorded> sent = double_.recorded();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].method + " " + sent[0].target, kFirstPage);
  EXPECT_EQ(sent[1].method + " " + sent[1].target, kSecondPage);
  EXPECT_EQ(sent[2].method + " " + sent[2].target, "POST /listTagsForResource");
  EXPECT_EQ(sent[2].body, TagsBody(kSonnetArn));  // in list order, system profiles skipped
  EXPECT_EQ(sent[3].body, TagsBody(kHaikuArn));
  for (const Recorded& r : sent) {
    EXPECT_EQ(r.principal, "planner") << r.target;
    EXPECT_EQ(r.signed_headers, r.method == "GET" ? kGetSigned : kPostSigned) << r.target;
  }
  EXPECT_EQ(sent[0].body, "");
}

TEST_F(HttpControlPlaneTest, ApplySendsCreateTagUntagAndDelete) {
  std::string new_arn = std::string("arn:aws:bedrock:eu-central-1:") + kAccount +
                        ":application-inference-profile/n3wpr0f1le00";
  double_.Answer("POST /inference-profiles",
                 Json(201, R"({"inferenceProfileArn":")" + new_arn + R"(","status":"ACTIVE"})"));
  double_.Answer("POST /tagResource", Json(200, "{}"));
  double_.Answer("POST /untagResource", Json(200, "{}"));
  double_.Answer(std::string("DELETE /inference-profiles/arn%3Aaws%3Abedrock%3Aeu-central-1%3A") +
                     kAccount + "%3Aapplication-inference-profile%2Ftkxdfdh17c6o",
                 Json(200, ""));

  auto created = plane_->Create(planner::CreateRequest{
      .name = "rd-haiku-45",
      .description = "Claude Haiku 4.5 for research",
      .copy_from = kHaikuSource,
      .tags = {{"Environment", "rd"}, {"billing-mode", "rd"}, {"managed-by", "bedrock-profiles"}},
      .client_request_token = "bp-7f3a9c0e2b1d4e5f"});
  ASSERT_OK(created);
  EXPECT_EQ(*created, new_arn);
  ASSERT_OK(plane_->Tag(new_arn, {{"team", "ml"}, {"cost-centre", "r&d 1"}}));
  ASSERT_OK(plane_->Untag(new_arn, {"old", "stale"}));
  ASSERT_OK(plane_->Delete(kSonnetArn));

  std::vector<Recorded> sent = double_.recorded();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].method + " " + sent[0].target, "POST /inference-profiles");
  EXPECT_EQ(sent[0].body, std::string(R"({"inferenceProfileName":"rd-haiku-45",)"
                                      R"("description":"Claude Haiku 4.5 for research",)"
                                      R"("clientRequestToken":"bp-7f3a9c0e2b1d4e5f",)"
                                      R"("modelSource":{"copyFrom":")") +
                              kHaikuSource +
                              R"("},"tags":[{"key":"Environment","value":"rd"},)"
                              R"({"key":"billing-mode","value":"rd"},)"
                              R"({"key":"managed-by","value":"bedrock-profiles"}]})");
  EXPECT_EQ(sent[1].method + " " + sent[1].target, "POST /tagResource");
  EXPECT_EQ(sent[1].body, R"({"resourceARN":")" + new_arn +
                              R"(","tags":[{"key":"cost-centre","value":"r&d 1"},)"
                              R"({"key":"team","value":"ml"}]})");
  EXPECT_EQ(sent[2].method + " " + sent[2].target, "POST /untagResource");
  EXPECT_EQ(sent[2].body, R"({"resourceARN":")" + new_arn + R"(","tagKeys":["old","stale"]})");
  EXPECT_EQ(sent[3].method, "DELETE");
  EXPECT_EQ(sent[3].target,
            "/inference-profiles/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3A"
            "application-inference-profile%2Ftkxdfdh17c6o");
  EXPECT_EQ(sent[3].body, "");
  for (const Recorded& r : sent) {
    EXPECT_EQ(r.principal, "planner") << r.target;
    EXPECT_EQ(r.signed_headers, r.method == "POST" ? kPostSigned : kGetSigned) << r.target;
  }
}

TEST_F(HttpControlPlaneTest, ACreateWithoutDescriptionOrTagsOmitsThem) {
  double_.Answer("POST /inference-profiles", Json(201, R"({"inferenceProfileArn":"arn:new"})"));
  ASSERT_OK(plane_->Create(planner::CreateRequest{.name = "rd-x",
                                                  .description = std::nullopt,
                                                  .copy_from = kHaikuSource,
                                                  .tags = {},
                                                  .client_request_token = "tok-1"}));
  ASSERT_EQ(double_.recorded().size(), 1u);
  EXPECT_EQ(double_.recorded()[0].body,
            std::string(R"({"inferenceProfileName":"rd-x","clientRequestToken":"tok-1",)"
                        R"("modelSource":{"copyFrom":")") +
                kHaikuSource + R"("}})");
}

TEST_F(HttpControlPlaneTest, AThrottledCreateIsRetriedWithTheSameToken) {
  double_.Answer("POST /inference-profiles",
                 Error(429, "ThrottlingException", "Too many requests, please wait"));
  double_.Answer("POST /inference-profiles", Json(201, R"({"inferenceProfileArn":"arn:new"})"));
  auto created = plane_->Create(planner::CreateRequest{.name = "rd-x",
                                                       .description = std::nullopt,
                                                       .copy_from = kHaikuSource,
                                                       .tags = {},
                                                       .client_request_token = "tok-1"});
  ASSERT_OK(created);
  EXPECT_EQ(*created, "arn:new");
  std::vector<Recorded> sent = double_.recorded();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].body, sent[1].body);
  EXPECT_THAT(sent[1].body, HasSubstr(R"("clientRequestToken":"tok-1")"));
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(HttpControlPlaneTest, ServiceErrorsKeepTheirTypeAndMessage) {
  double_.Answer("POST /inference-profiles",
                 Error(400, "ValidationException",
                       "1 validation error detected: Value 'Claude for R&D' at 'description' "
                       "failed to satisfy constraint"));
  auto created = plane_->Create(planner::CreateRequest{.name = "rd-x",
                                                       .description = "Claude for R&D",
                                                       .copy_from = kHaikuSource,
                                                       .tags = {},
                                                       .client_request_token = "tok-1"});
  EXPECT_THAT(created, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(created.status().message(),
            "ValidationException: 1 validation error detected: Value 'Claude for R&D' at "
            "'description' failed to satisfy constraint");
  EXPECT_EQ(double_.recorded().size(), 1u);  // a 400 is never retried
  EXPECT_TRUE(sleeps_.empty());

  std::string missing = "/inference-profiles/arn%3Amissing";
  double_.Answer("DELETE " + missing,
                 Error(404, "ResourceNotFoundException", "Inference profile not found"));
  Status deleted = plane_->Delete("arn:missing");
  EXPECT_THAT(deleted, StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_EQ(deleted.message(), "ResourceNotFoundException: Inference profile not found");

  double_.Answer("POST /tagResource", Error(400, "TooManyTagsException", "over 50 tags"));
  EXPECT_THAT(plane_->Tag("arn:x", {{"k", "v"}}), StatusIs(ErrorCode::kTooManyTags));
}

TEST_F(HttpControlPlaneTest, AListRefusalIsTheServicesError) {
  double_.Answer(kFirstPage, Error(403, "AccessDeniedException",
                                   "not authorized to perform: bedrock:ListInferenceProfiles"));
  auto live = plane_->ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kAccessDenied));
  EXPECT_THAT(live.status().message(), HasSubstr("AccessDeniedException: not authorized"));
}

TEST_F(HttpControlPlaneTest, WrongCredentialsAreRefusedByTheVerifier) {
  auto bad_client = MakeClient("not-the-secret");
  HttpControlPlane plane(*bad_client);
  auto live = plane.ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kInvalidSignature));
  EXPECT_THAT(live.status().message(), HasSubstr("InvalidSignatureException: "));
  ASSERT_EQ(double_.recorded().size(), 1u);
  EXPECT_EQ(double_.recorded()[0].principal, "");
}

TEST_F(HttpControlPlaneTest, AMalformedListAnswerNamesTheMember) {
  double_.Answer(kFirstPage, Json(200, R"({"inferenceProfileSummaries":[)"
                                       R"({"inferenceProfileName":"rd-x","inferenceProfileId":"i",)"
                                       R"("type":"APPLICATION"}]})"));
  auto live = plane_->ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(live.status().message(),
            "malformed ListInferenceProfiles answer from https://127.0.0.1:" +
                std::to_string(double_.port()) +
                ": $.inferenceProfileSummaries[0].inferenceProfileArn is required");
}

TEST_F(HttpControlPlaneTest, OtherMalformedAnswers) {
  double_.Answer(kFirstPage, Json(200, R"({"inferenceProfileSummaries":{}})"));
  EXPECT_THAT(plane_->ListApplicationProfiles().status().message(),
              HasSubstr("$.inferenceProfileSummaries: expected an array"));
  double_.Answer("POST /inference-profiles", Json(201, R"({"status":"ACTIVE"})"));
  auto created = plane_->Create(planner::CreateRequest{
      .name = "x", .description = {}, .copy_from = "y", .tags = {}, .client_request_token = "t"});
  EXPECT_THAT(created, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(created.status().message(),
              HasSubstr("malformed CreateInferenceProfile answer from https://127.0.0.1:"));
  EXPECT_THAT(created.status().message(), HasSubstr("$.inferenceProfileArn is required"));
}

TEST_F(HttpControlPlaneTest, MalformedTagsAnswer) {
  double_.Answer(kFirstPage, Json(200, R"({"inferenceProfileSummaries":[)" +
                                           Summary("rd-haiku-45", kHaikuArn) + "]}"));
  double_.Answer("POST /listTagsForResource", Json(200, R"({"tags":[{"key":"k"}]})"));
  auto live = plane_->ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(live.status().message(),
              HasSubstr("malformed ListTagsForResource answer from https://127.0.0.1:"));
  EXPECT_THAT(live.status().message(), HasSubstr("$.tags[0].value is required"));
}

TEST_F(HttpControlPlaneTest, ARepeatedNextTokenStopsTheListing) {
  double_.Answer(kFirstPage,
                 Json(200, R"({"inferenceProfileSummaries":[],"nextToken":"page/2+="})"));
  double_.Answer(kSecondPage,
                 Json(200, R"({"inferenceProfileSummaries":[],"nextToken":"page/2+="})"));
  auto live = plane_->ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(live.status().message(), HasSubstr("repeated a nextToken"));
  EXPECT_EQ(double_.recorded().size(), 2u);
}

TEST_F(HttpControlPlaneTest, ListingIsBoundedInPages) {
  HttpControlPlane plane(*client_, {.page_size = 2, .max_pages = 1});
  double_.Answer(kFirstPage,
                 Json(200, R"({"inferenceProfileSummaries":[],"nextToken":"page/2+="})"));
  auto live = plane.ListApplicationProfiles();
  EXPECT_THAT(live, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(live.status().message(), HasSubstr("more than 1 pages"));
}

TEST_F(HttpControlPlaneTest, AProfileDeletedWhileListingIsLeftOut) {
  double_.Answer(kFirstPage, Json(200, R"({"inferenceProfileSummaries":[)" +
                                           Summary("rd-sonnet-4", kSonnetArn) + "," +
                                           Summary("rd-haiku-45", kHaikuArn) + "]}"));
  double_.Answer("POST /listTagsForResource",
                 Error(404, "ResourceNotFoundException", "no such resource"));
  double_.Answer("POST /listTagsForResource", Json(200, R"({"tags":[]})"));
  auto live = plane_->ListApplicationProfiles();
  ASSERT_OK(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].name, "rd-haiku-45");
  EXPECT_TRUE((*live)[0].tags.empty());
}

TEST_F(HttpControlPlaneTest, NothingToTagOrUntagSendsNothing) {
  EXPECT_OK(plane_->Tag(kHaikuArn, {}));
  EXPECT_OK(plane_->Untag(kHaikuArn, {}));
  EXPECT_TRUE(double_.recorded().empty());
}

TEST_F(HttpControlPlaneTest, DescribeNamesTheEndpoint) {
  EXPECT_EQ(plane_->Describe(), "https://127.0.0.1:" + std::to_string(double_.port()));
}

}  // namespace
}  // namespace bp::api::client
