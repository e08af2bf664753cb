// http::Client retries against the in-test HTTPS server: throttling then
// success, 5xx until the attempts run out, 4xx never, Retry-After honoured,
// connection failures, idempotency, full-jitter bounds. A recording sleep
// function and a seeded Random keep them fast and deterministic.

#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/tls_test_server.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

using ::bp::testing::SeededRandom;
using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers with the scripted responses in order (the last one repeats) and
// records the requests.
class Script {
 public:
  explicit Script(std::vector<Response> answers) : answers_(std::move(answers)) {}

  Response operator()(const Request& request) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    size_t i = std::min(requests_.size(), answers_.size()) - 1;
    return answers_[i];
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  const std::vector<Response> answers_;
  std::vector<Request> requests_;
};

Response Answer(unsigned status, std::string body = "", Headers headers = {}) {
  return Response{.status = status, .headers = std::move(headers), .body = std::move(body)};
}

constexpr unsigned kHangUp = 0;  // TlsTestServer: close without answering

class ClientRetryTest : public ::testing::Test {
 protected:
  ClientRetryTest() {
    std::ofstream(ca_path_) << pki_.ca_cert_pem;
    options_.ca_bundle_file = ca_path_;
    options_.retry.random = &random_;
    options_.retry.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
    options_.retry.on_retry = [this](const RetryNotice& n) { notices_.push_back(n); };
  }

  // Serves `answers` and sends `request` once.
  Result<Response> Run(std::vector<Response> answers, const Request& request,
                       Idempotency idempotency = Idempotency::kByMethod) {
    script_ = std::make_unique<Script>(std::move(answers));
    server_ = std::make_unique<testing::TlsTestServer>(
        pki_, [this](const Request& r) { return (*script_)(r); });
    EXPECT_TRUE(server_->ok());
    Client client(Endpoint{.host = "127.0.0.1",
                           .port = server_->port(),
                           .base_path = "",
                           .scheme = Scheme::kHttps},
                  options_);
    return client.Send(request, idempotency);
  }

  static Request Get() { return Request{.method = "GET", .target = "/inference-profiles"}; }
  static Request Post() {
    return Request{.method = "POST", .target = "/inference-profiles", .body = "{\"a\":1}"};
  }

  TempDir dir_;
  const testing::TestPki pki_ = testing::MakeTestPki({"localhost"}, {"127.0.0.1"});
  const std::string ca_path_ = (dir_.path() / "ca.pem").string();
  SeededRandom random_{301};
  ClientOptions options_;
  std::vector<milliseconds> sleeps_;
  std::vector<RetryNotice> notices_;
  std::unique_ptr<Script> script_;
  std::unique_ptr<testing::TlsTestServer> server_;
};

TEST_F(ClientRetryTest, ThrottlingThenSuccess) {
  auto r = Run({Answer(429, R"({"message":"slow down"})"), Answer(429), Answer(200, "ok")}, Get());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(script_->count(), 3u);
  ASSERT_EQ(sleeps_.size(), 2u);
  // Full jitter: within [0, 100 ms] then [0, 200 ms].
  EXPECT_LE(sleeps_[0], milliseconds(100));
  EXPECT_LE(sleeps_[1], milliseconds(200));
  ASSERT_EQ(notices_.size(), 2u);
  EXPECT_EQ(notices_[0].attempt, 1);
  EXPECT_EQ(notices_[0].reason, "HTTP 429");
  EXPECT_EQ(notices_[1].attempt, 2);
  EXPECT_EQ(notices_[0].delay, sleeps_[0]);
}

TEST_F(ClientRetryTest, EveryAttemptSendsTheSameRequest) {
  Request post = Post();
  post.headers = {{"authorization", "AWS4-HMAC-SHA256 x"}, {"content-type", "application/json"}};
  auto r = Run({Answer(429), Answer(201, "made")}, post);
  ASSERT_OK(r);
  std::vector<Request> seen = script_->requests();
  ASSERT_EQ(seen.size(), 2u);
  auto lines = [](const Headers& headers) {
    std::vector<std::string> out;
    for (const Header& h : headers) out.push_back(h.name + ": " + h.value);
    return out;
  };
  EXPECT_EQ(lines(seen[0].headers), lines(seen[1].headers));
  EXPECT_THAT(lines(seen[1].headers), ::testing::Contains("authorization: AWS4-HMAC-SHA256 x"));
  EXPECT_EQ(seen[0].body, "{\"a\":1}");
  EXPECT_EQ(seen[1].body, "{\"a\":1}");
}

TEST_F(ClientRetryTest, ServerErrorsUntilTheAttemptsRunOut) {
  auto r = Run({Answer(503, R"({"message":"busy"})")}, Get());
  ASSERT_OK(r);  // the last answer is returned as it is
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(r->body, R"({"message":"busy"})");
  EXPECT_EQ(script_->count(), 4u);  // the default max_attempts
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(ClientRetryTest, MaxAttemptsIsConfigurable) {
  options_.retry.max_attempts = 2;
  auto r = Run({Answer(500)}, Get());
  ASSERT_OK(r);
  EXPECT_EQ(script_->count(), 2u);
  options_.retry.max_attempts = 0;  // counts as 1
  r = Run({Answer(500)}, Get());
  EXPECT_EQ(script_->count(), 1u);
}

TEST_F(ClientRetryTest, ClientErrorsAreNeverRetried) {
  for (unsigned status : {400u, 403u, 404u, 408u, 413u}) {
    sleeps_.clear();
    auto r = Run({Answer(status, R"({"message":"no"})"), Answer(200)}, Get());
    ASSERT_OK(r);
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->body, R"({"message":"no"})");
    EXPECT_EQ(script_->count(), 1u) << status;
    EXPECT_TRUE(sleeps_.empty());
  }
}

TEST_F(ClientRetryTest, RetryAfterIsALowerBound) {
  auto r = Run({Answer(429, "", {{"retry-after", "3"}}), Answer(200)}, Get());
  ASSERT_OK(r);
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(3000)));
  r = Run({Answer(503, "", {{"x-amz-retry-after", "1500"}}), Answer(200)}, Get());
  ASSERT_OK(r);
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(3000), milliseconds(1500)));
}

TEST_F(ClientRetryTest, MalformedRetryAfterFallsBackToBackoff) {
  auto r = Run({Answer(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}), Answer(200)},
               Get());
  ASSERT_OK(r);
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_LE(sleeps_[0], milliseconds(100));
}

TEST_F(ClientRetryTest, ARetryAfterBeyondMaxDelayEndsTheRetries) {
  options_.retry.max_delay = milliseconds(5000);
  auto r = Run({Answer(429, "", {{"retry-after", "60"}}), Answer(200)}, Get());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 429u);
  EXPECT_EQ(script_->count(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(ClientRetryTest, BackoffGrowsAndIsCapped) {
  options_.retry.max_attempts = 8;
  options_.retry.base_delay = milliseconds(100);
  options_.retry.max_delay = milliseconds(400);
  auto r = Run({Answer(503)}, Get());
  ASSERT_OK(r);
  ASSERT_EQ(sleeps_.size(), 7u);
  const int64_t ceilings[] = {100, 200, 400, 400, 400, 400, 400};
  for (size_t i = 0; i < sleeps_.size(); ++i) {
    EXPECT_GE(sleeps_[i].count(), 0);
    EXPECT_LE(sleeps_[i].count(), ceilings[i]) << i;
  }
  // Jitter: not every delay is the same.
  EXPECT_NE(sleeps_[3], sleeps_[4]);
}

TEST_F(ClientRetryTest, NonIdempotentRequestsAreRetriedOnlyWhenThrottled) {
  auto r = Run({Answer(503), Answer(201)}, Post());  // POST: by method, not idempotent
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(script_->count(), 1u);

  r = Run({Answer(429), Answer(201)}, Post());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(script_->count(), 2u);

  // The caller vouches for it (a create with a client request token).
  r = Run({Answer(503), Answer(201)}, Post(), Idempotency::kIdempotent);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 201u);

  r = Run({Answer(503), Answer(200)}, Get(), Idempotency::kNotIdempotent);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 503u);
}

TEST_F(ClientRetryTest, AConnectionLostAfterSendingIsRetriedOnlyWhenIdempotent) {
  auto r = Run({Answer(kHangUp), Answer(200, "second")}, Get());
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "second");
  EXPECT_EQ(script_->count(), 2u);
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_THAT(notices_[0].reason, HasSubstr("closed the connection before the response"));

  r = Run({Answer(kHangUp), Answer(201)}, Post());
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("closed the connection before the response"));
  EXPECT_EQ(script_->count(), 1u);
}

TEST_F(ClientRetryTest, RefusedConnectionsAreRetriedThenReported) {
  // Bind a port, then free it: nobody listens there.
  server_ =
      std::make_unique<testing::TlsTestServer>(pki_, [](const Request&) { return Answer(200); });
  uint16_t port = server_->port();
  server_.reset();
  Client client(
      Endpoint{.host = "127.0.0.1", .port = port, .base_path = "", .scheme = Scheme::kHttps},
      options_);
  auto r = client.Send(Post());  // not idempotent, but nothing was sent
  EXPECT_THAT(r, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(r.status().message(), "cannot connect to https://127.0.0.1:" + std::to_string(port) +
                                      ": Connection refused (gave up after 4 attempts)");
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(ClientRetryTest, AClassifierCanMarkServiceErrorsAsThrottling) {
  options_.retry.classify = [](const Response& r) {
    const std::string* type = FindHeader(r.headers, "x-amzn-errortype");
    if (type && *type == "ThrottlingException") return Transience::kThrottled;
    return DefaultTransience(r);
  };
  auto r =
      Run({Answer(400, "", {{"x-amzn-errortype", "ThrottlingException"}}), Answer(201)}, Post());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 201u);
  r = Run({Answer(400, "", {{"x-amzn-errortype", "ValidationException"}}), Answer(201)}, Post());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400u);
}

TEST_F(ClientRetryTest, ErrorAnswersReachTheCallbacksOnce) {
  script_ =
      std::make_unique<Script>(std::vector<Response>{Answer(500, "first"), Answer(404, "gone")});
  server_ = std::make_unique<testing::TlsTestServer>(
      pki_, [this](const Request& r) { return (*script_)(r); });
  Client client(
      Endpoint{
          .host = "127.0.0.1", .port = server_->port(), .base_path = "", .scheme = Scheme::kHttps},
      options_);
  std::vector<std::string> events;
  ResponseCallbacks callbacks{.on_head = [&](const Response& head) -> Status {
                                events.push_back("head " + std::to_string(head.status));
                                return Status::Ok();
                              },
                              .on_body = [&](std::string_view piece) -> Status {
                                events.emplace_back(piece);
                                return Status::Ok();
                              }};
  auto r = client.Send(Get(), callbacks);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->body, "");
  EXPECT_THAT(events, ElementsAre("head 404", "gone"));
}

TEST(DefaultTransienceTest, ThrottlingServerErrorsAndTheRest) {
  EXPECT_EQ(DefaultTransience(Answer(429)), Transience::kThrottled);
  EXPECT_EQ(DefaultTransience(Answer(500)), Transience::kTransient);
  EXPECT_EQ(DefaultTransience(Answer(503)), Transience::kTransient);
  EXPECT_EQ(DefaultTransience(Answer(599)), Transience::kTransient);
  EXPECT_EQ(DefaultTransience(Answer(400)), Transience::kPermanent);
  EXPECT_EQ(DefaultTransience(Answer(404)), Transience::kPermanent);
  EXPECT_EQ(DefaultTransience(Answer(200)), Transience::kPermanent);
}

}  // namespace
}  // namespace bp::http
