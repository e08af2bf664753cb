// BedrockBackend against a loopback "Bedrock" run in the test (the project's
// own http::Server): every request's SigV4 signature is checked with the
// project's own authenticator for the region and service it must be scoped
// to; the modelId sent per profile; plain and event-stream answers; error
// answers (an expired token asks the provider to refresh); no credentials.
// The translation itself is tested in backends/bedrock; tests/fakes and the
// SDK suite's proxy mode run the whole path.

#include "backends/upstream/bedrock_backend.h"

#include <atomic>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/credentials/provider.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "backends/upstream/upstream_test_util.h"
#include "core/clock.h"
#include "eventstream/eventstream.h"
#include "http/upstream_test_support.h"
#include "json/json.h"

namespace bp::backends::upstream {
namespace {

using http::testing::ClientLoop;
using http::testing::FunctionHandler;
using http::testing::LoopbackServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::WaitingSink;

constexpr std::string_view kKeyId = "AKIAUPSTREAMUNIT0001";
constexpr std::string_view kSecret = "upstreamUnitTestSecretKey0000000000000001";
constexpr std::string_view kModel = "anthropic.claude-haiku-4-5-20251001-v1:0";

constexpr std::string_view kAnswer =
    R"({"output":{"message":{"role":"assistant","content":[{"text":"Hi from Bedrock"}]}},)"
    R"("stopReason":"end_turn","usage":{"inputTokens":11,"outputTokens":4,"totalTokens":15},)"
    R"("metrics":{"latencyMs":12}})";

ModelRequest Hello(bool stream, std::string profile = "rd-haiku-45") {
  ModelRequest r;
  r.model_id = std::string(kModel);
  r.region = "eu-west-1";
  r.profile_name = std::move(profile);
  r.messages.push_back({.role = Role::kUser, .content = {{.text = "Hello there"}}});
  r.max_tokens = 100;
  r.stream = stream;
  return r;
}

std::string HeaderOr(const http::Request& r, std::string_view name) {
  const std::string* v = http::FindHeader(r.headers, name);
  return v != nullptr ? *v : "(none)";
}

class BedrockBackendTest : public ::testing::Test {
 protected:
  BedrockBackendTest()
      : authenticator_(auth::sigv4::CredentialSet{{.principal_name = "endpoint",
                                                   .principal_arn = "arn:aws:iam::1:user/e",
                                                   .access_key_id = std::string(kKeyId),
                                                   .secret_access_key = std::string(kSecret)}},
                       clock_, {.region = "eu-west-1"}),
        provider_(
            {}, [this](std::stop_token) { return Resolve(); }, clock_) {}

  Result<auth::credentials::Credentials> Resolve() {
    ++resolves_;
    if (!have_credentials_) return Status(ErrorCode::kUnrecognizedClient, "no credentials here");
    return auth::credentials::Credentials{.access_key_id = std::string(kKeyId),
                                          .secret_access_key = std::string(kSecret),
                                          .source = "test",
                                          .expiration = clock_.Now() + std::chrono::hours(1)};
  }

  void Make(BedrockBackendOptions options = {.region = "eu-west-1"}) {
    backend_ = std::make_unique<BedrockBackend>(*http::ParseEndpointUrl(server_.url() + "/br"),
                                                http::UpstreamOptions{}, std::move(options),
                                                provider_, clock_);
  }
  void Run(const ModelRequest& request, WaitingSink& sink) {
    loop_.Run([&] { invocation_ = backend_->Start(request, loop_.loop(), sink); });
  }
  void TearDown() override {
    loop_.Run([&] { invocation_.reset(); });
    handler_.DropAll();
  }

  // Checks the signature as Bedrock would, then answers with `answer_`.
  void Serve(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) {
    Result<auth::Principal> who = authenticator_.Authenticate(request);
    if (!who.ok()) {
      signature_errors_.push_back(who.status().message());
      return stream->Respond({.status = 403,
                              .headers = {{"x-amzn-errortype", "InvalidSignatureException"}},
                              .body = R"({"message":"bad signature"})"});
    }
    answer_(std::move(request), std::move(stream));
  }

  SystemClock clock_;
  auth::sigv4::SigV4Authenticator authenticator_;
  std::atomic<int> resolves_{0};
  bool have_credentials_ = true;
  auth::credentials::CredentialProvider provider_;
  std::vector<std::string> signature_errors_;
  std::function<void(http::Request&&, std::shared_ptr<http::ResponseStream>)> answer_;
  FunctionHandler handler_{[this](http::Request&& r, std::shared_ptr<http::ResponseStream> s) {
    Serve(std::move(r), std::move(s));
  }};
  LoopbackServer server_{handler_, 1};
  ClientLoop loop_;
  std::unique_ptr<BedrockBackend> backend_;
  std::unique_ptr<Invocation> invocation_;
};

TEST_F(BedrockBackendTest, ConverseIsSignedForTheRegionAndReplayed) {
  ASSERT_TRUE(provider_.Start().ok());
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200,
                .headers = {{"content-type", "application/json"}},
                .body = std::string(kAnswer)});
  };
  Make();
  WaitingSink sink;
  Run(Hello(false), sink);
  ASSERT_TRUE(sink.WaitDone());
  EXPECT_THAT(sink.events(), ElementsAre("start 11", "text_start 0", "delta 0 Hi from Bedrock",
                                         "stop 0", "finish end_turn in=11 out=4"));
  EXPECT_THAT(signature_errors_, ::testing::IsEmpty());
  std::vector<http::Request> seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/br/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/converse");
  EXPECT_EQ(HeaderOr(seen[0], "accept"), "application/json");
  EXPECT_THAT(HeaderOr(seen[0], "authorization"), HasSubstr("/eu-west-1/bedrock/aws4_request"));
  Result<json::Value> body = json::Parse(seen[0].body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->at("inferenceConfig").at("maxTokens").as_int64(), 100);
}

TEST_F(BedrockBackendTest, ASignatureForAnotherRegionIsRefusedByTheVerifier) {
  ASSERT_TRUE(provider_.Start().ok());
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200, .body = std::string(kAnswer)});
  };
  Make({.region = "eu-central-1"});  // signs for the wrong region: the check must catch it
  WaitingSink sink;
  Run(Hello(false), sink);
  ASSERT_TRUE(sink.WaitDone());
  ASSERT_EQ(signature_errors_.size(), 1u);
  EXPECT_THAT(sink.last(), HasSubstr("error ServiceUnavailable"));
}

TEST_F(BedrockBackendTest, TheModelIdSentFollowsTheProfileMapThenTheRegionsChoice) {
  ASSERT_TRUE(provider_.Start().ok());
  Make({.region = "eu-west-1",
        .model_id = BedrockModelId::kSystemProfile,
        .profile_model_ids = {{"mapped",
                               "arn:aws:bedrock:eu-west-1:111122223333:"
                               "application-inference-profile/a1b2c3"}}});
  EXPECT_EQ(backend_->UpstreamModelId(Hello(false, "mapped")),
            "arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/a1b2c3");
  EXPECT_EQ(backend_->UpstreamModelId(Hello(false, "other")), "eu." + std::string(kModel));
  Make({.region = "eu-west-1"});
  EXPECT_EQ(backend_->UpstreamModelId(Hello(false, "other")), std::string(kModel));
  EXPECT_EQ(GeographyOf("eu-central-1"), "eu");
  EXPECT_EQ(GeographyOf("us-east-1"), "us");
  EXPECT_EQ(GeographyOf("ap-southeast-2"), "apac");
  EXPECT_EQ(GeographyOf("xx-nowhere-1"), "");
}

TEST_F(BedrockBackendTest, AnEventStreamIsTranslatedFrameByFrame) {
  ASSERT_TRUE(provider_.Start().ok());
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->StartStream(200, {{"content-type", "application/vnd.amazon.eventstream"}});
    std::string frames;
    eventstream::AppendEvent(frames, "messageStart", R"({"role":"assistant"})");
    eventstream::AppendEvent(frames, "contentBlockDelta",
                             R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})");
    eventstream::AppendEvent(frames, "contentBlockDelta",
                             R"({"contentBlockIndex":0,"delta":{"text":"lo"}})");
    eventstream::AppendEvent(frames, "contentBlockStop", R"({"contentBlockIndex":0})");
    eventstream::AppendEvent(frames, "messageStop", R"({"stopReason":"end_turn"})");
    eventstream::AppendEvent(frames, "metadata",
                             R"({"usage":{"inputTokens":9,"outputTokens":2,"totalTokens":11},)"
                             R"("metrics":{"latencyMs":5}})");
    // Split mid-frame: the translator must reassemble.
    s->Write(frames.substr(0, 37));
    s->Write(frames.substr(37));
    s->Finish();
  };
  Make();
  WaitingSink sink;
  Run(Hello(true), sink);
  ASSERT_TRUE(sink.WaitDone());
  std::vector<std::string> events = sink.events();
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events[1], "text_start 0");
  EXPECT_EQ(events[2], "delta 0 Hel");
  EXPECT_EQ(events[3], "delta 0 lo");
  EXPECT_EQ(sink.last(), "finish end_turn in=9 out=2");
  EXPECT_THAT(handler_.seen()[0].target, ::testing::EndsWith("/converse-stream"));
  EXPECT_EQ(HeaderOr(handler_.seen()[0], "accept"), "application/vnd.amazon.eventstream");
}

TEST_F(BedrockBackendTest, AnExpiredTokenAnswerMapsAndAsksForFreshCredentials) {
  ASSERT_TRUE(provider_.Start().ok());
  const int before = resolves_.load();
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 403,
                .headers = {{"content-type", "application/json"},
                            {"x-amzn-errortype",
                             "ExpiredTokenException:http://internal.amazon.com/coral/"
                             "com.amazon.coral.service/"}},
                .body = R"({"message":"The security token included in the request is expired"})"});
  };
  Make();
  WaitingSink sink;
  Run(Hello(false), sink);
  ASSERT_TRUE(sink.WaitDone());
  EXPECT_THAT(sink.last(), HasSubstr("error ServiceUnavailable"));
  EXPECT_EQ(sink.events().size(), 1u);  // nothing before: the runtime fails over
  for (int i = 0; i < 500 && resolves_.load() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(resolves_.load(), before);
}

TEST_F(BedrockBackendTest, ThrottlingAndValidationKeepBedrocksMeaning) {
  ASSERT_TRUE(provider_.Start().ok());
  Make();
  struct Case {
    unsigned status;
    std::string type;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{{429, "ThrottlingException", "error Throttling"},
                                         {400, "ValidationException", "error Validation"},
                                         {503, "", "error ServiceUnavailable"}}) {
    SCOPED_TRACE(c.type);
    answer_ = [&c](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
      http::Headers h = {{"content-type", "application/json"}};
      if (!c.type.empty()) h.push_back({"x-amzn-errortype", c.type});
      s->Respond({.status = c.status, .headers = h, .body = R"({"message":"from Bedrock"})"});
    };
    WaitingSink sink;
    Run(Hello(false), sink);
    ASSERT_TRUE(sink.WaitDone());
    EXPECT_THAT(sink.last(), HasSubstr(c.expected));
    EXPECT_THAT(sink.last(), HasSubstr("from Bedrock"));
    loop_.Run([&] { invocation_.reset(); });
  }
}

TEST_F(BedrockBackendTest, WithoutCredentialsNothingIsSent) {
  have_credentials_ = false;
  EXPECT_FALSE(provider_.Start().ok());
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200, .body = std::string(kAnswer)});
  };
  Make();
  WaitingSink sink;
  bool empty_after_start = false;
  loop_.Run([&] {
    invocation_ = backend_->Start(Hello(false), loop_.loop(), sink);
    empty_after_start = sink.events().empty();
  });
  EXPECT_TRUE(empty_after_start);
  ASSERT_TRUE(sink.WaitDone());
  EXPECT_THAT(sink.last(), HasSubstr("error ServiceUnavailable: Amazon Bedrock in eu-west-1 "
                                     "cannot be called"));
  EXPECT_EQ(handler_.requests(), 0u);
}

}  // namespace
}  // namespace bp::backends::upstream
