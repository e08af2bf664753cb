// OpenAiBackend against a loopback chat-completions server run in the test
// (the project's own http::Server with canned answers): the request it
// sends, plain and SSE answers, error statuses, transport failures,
// refusals and cancellation. The translation itself is tested in
// backends/openai; tests/fakes has the strict fake server for the SDK suite.

#include "backends/upstream/openai_backend.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/upstream/upstream_call.h"
#include "backends/upstream/upstream_test_util.h"
#include "http/upstream_test_support.h"
#include "json/json.h"

namespace bp::backends::upstream {
namespace {

using http::testing::ClientLoop;
using http::testing::FunctionHandler;
using http::testing::kDeadline;
using http::testing::LoopbackServer;
using ::testing::HasSubstr;

using testing::WaitingSink;

ModelRequest Hello(bool stream) {
  ModelRequest r;
  r.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  r.region = "eu-west-1";
  r.messages.push_back({.role = Role::kUser, .content = {{.text = "Hello there"}}});
  r.max_tokens = 100;
  r.stream = stream;
  return r;
}

std::string HeaderOr(const http::Request& r, std::string_view name) {
  const std::string* v = http::FindHeader(r.headers, name);
  return v != nullptr ? *v : "(none)";
}

constexpr std::string_view kCompletion =
    R"({"id":"c1","object":"chat.completion","model":"qwen","choices":[{"index":0,)"
    R"("message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})";

class OpenAiBackendTest : public ::testing::Test {
 protected:
  // Starts `request` on the client loop against the test server.
  void Run(const ModelRequest& request,
           OpenAiBackendOptions options = {.model = "qwen", .api_key = "k-123"}) {
    backend_ = std::make_unique<OpenAiBackend>(*http::ParseEndpointUrl(server_.url() + "/base"),
                                               http::UpstreamOptions{}, std::move(options));
    loop_.Run([&] { invocation_ = backend_->Start(request, loop_.loop(), sink_); });
  }
  void TearDown() override {
    loop_.Run([&] { invocation_.reset(); });
    handler_.DropAll();
  }

  std::function<void(http::Request&&, std::shared_ptr<http::ResponseStream>)> answer_;
  FunctionHandler handler_{[this](http::Request&& r, std::shared_ptr<http::ResponseStream> s) {
    answer_(std::move(r), std::move(s));
  }};
  LoopbackServer server_{handler_, 1};
  ClientLoop loop_;
  WaitingSink sink_;
  std::unique_ptr<OpenAiBackend> backend_;
  std::unique_ptr<Invocation> invocation_;
};

TEST_F(OpenAiBackendTest, PlainCallSendsTheChatRequestAndReplaysTheAnswer) {
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200,
                .headers = {{"content-type", "application/json"}},
                .body = std::string(kCompletion)});
  };
  Run(Hello(false));
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_THAT(sink_.events(), ::testing::ElementsAre("start 12", "text_start 0", "delta 0 Hi!",
                                                     "stop 0", "finish end_turn in=12 out=3"));
  std::vector<http::Request> seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/base/v1/chat/completions");
  EXPECT_EQ(HeaderOr(seen[0], "authorization"), "Bearer k-123");
  EXPECT_EQ(HeaderOr(seen[0], "content-type"), "application/json");
  EXPECT_EQ(HeaderOr(seen[0], "accept"), "application/json");
  Result<json::Value> body = json::Parse(seen[0].body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->at("model").as_string(), "qwen");
  EXPECT_EQ(body->at("max_tokens").as_int64(), 100);
  EXPECT_FALSE(body->at("stream").as_bool());
}

TEST_F(OpenAiBackendTest, StreamingCallFeedsTheSseAnswerAsItArrives) {
  answer_ = [this](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->StartStream(200, {{"content-type", "text/event-stream; charset=utf-8"}});
    s->Write(std::string(
        R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})"
        "\n\n"));
    handler_.Hold(s);  // the rest comes once the first delta arrived
  };
  Run(Hello(true));
  // The rest is written only once the first delta has reached the sink.
  ASSERT_TRUE(sink_.WaitFor("delta 0 Hel"));
  std::shared_ptr<http::ResponseStream> s = handler_.TakeHeld();
  ASSERT_NE(s, nullptr);
  // Written, finished and dropped on the stream's own loop.
  http::testing::TestHandler::ReleaseGate(
      std::move(s),
      std::string(
          "data: "
          "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}"
          "\n\n"
          "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\n"
          "data: [DONE]\n\n"));
  ASSERT_TRUE(sink_.WaitDone());
  std::vector<std::string> events = sink_.events();
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[1], "text_start 0");
  EXPECT_EQ(events[2], "delta 0 Hel");
  EXPECT_EQ(sink_.last(), "finish end_turn in=9 out=2");
  std::vector<http::Request> seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(HeaderOr(seen[0], "accept"), "text/event-stream");
  Result<json::Value> body = json::Parse(seen[0].body);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body->at("stream").as_bool());
  EXPECT_TRUE(body->at("stream_options").at("include_usage").as_bool());
}

TEST_F(OpenAiBackendTest, AStreamingCallAnsweredWithOneDocumentIsDecodedWhole) {
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200,
                .headers = {{"content-type", "application/json"}},
                .body = std::string(kCompletion)});
  };
  Run(Hello(true));
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_EQ(sink_.last(), "finish end_turn in=12 out=3");
}

TEST_F(OpenAiBackendTest, ErrorStatusesMapToRetryableAndCallerCodes) {
  struct Case {
    unsigned status;
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {429, R"({"error":{"message":"slow down","type":"rate_limit_error"}})", "error Throttling"},
      {503, "upstream gone", "error ServiceUnavailable"},
      {400, R"({"error":{"message":"context too long","type":"invalid_request_error"}})",
       "error Validation"},
  };
  backend_ = std::make_unique<OpenAiBackend>(*http::ParseEndpointUrl(server_.url()),
                                             http::UpstreamOptions{},
                                             OpenAiBackendOptions{.model = "qwen"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    answer_ = [&c](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
      s->Respond(
          {.status = c.status, .headers = {{"content-type", "application/json"}}, .body = c.body});
    };
    WaitingSink sink;
    loop_.Run([&] { invocation_ = backend_->Start(Hello(false), loop_.loop(), sink); });
    ASSERT_TRUE(sink.WaitDone());
    EXPECT_THAT(sink.last(), HasSubstr(c.expected));
    EXPECT_THAT(sink.last(), HasSubstr("eu-west-1"));
    EXPECT_EQ(sink.events().size(), 1u);  // nothing before the error: the runtime may retry
    loop_.Run([&] { invocation_.reset(); });
  }
}

TEST_F(OpenAiBackendTest, AMalformedAnswerIsAModelErrorWithNoOutput) {
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 200,
                .headers = {{"content-type", "application/json"}},
                .body = R"({"choices":[{"message":{"content":42}}]})"});
  };
  Run(Hello(false));
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_THAT(sink_.events(), ::testing::ElementsAre(HasSubstr("error ModelError")));
}

TEST_F(OpenAiBackendTest, AnUnreachableServerFailsBeforeAnyOutput) {
  backend_ = std::make_unique<OpenAiBackend>(
      *http::ParseEndpointUrl("http://127.0.0.1:" + std::to_string(http::testing::FreePort())),
      http::UpstreamOptions{}, OpenAiBackendOptions{.model = "qwen"});
  loop_.Run([&] { invocation_ = backend_->Start(Hello(false), loop_.loop(), sink_); });
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_THAT(sink_.events(),
              ::testing::ElementsAre(HasSubstr("error ServiceUnavailable: The OpenAI-compatible "
                                               "server at eu-west-1 failed: cannot connect")));
}

TEST_F(OpenAiBackendTest, ARefusedTranslationIsPostedNotCalledFromStart) {
  answer_ = [](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->Respond({.status = 500});
  };
  ModelRequest r = Hello(false);
  r.thinking_budget = 2048;
  r.max_tokens = 4096;
  bool empty_after_start = false;
  backend_ = std::make_unique<OpenAiBackend>(*http::ParseEndpointUrl(server_.url()),
                                             http::UpstreamOptions{},
                                             OpenAiBackendOptions{.model = "qwen"});
  loop_.Run([&] {
    invocation_ = backend_->Start(r, loop_.loop(), sink_);
    empty_after_start = sink_.events().empty();
  });
  EXPECT_TRUE(empty_after_start);
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_THAT(sink_.last(), HasSubstr("error Validation"));
  EXPECT_EQ(handler_.requests(), 0u);
}

TEST_F(OpenAiBackendTest, DestroyingTheInvocationMidStreamStopsEveryCall) {
  answer_ = [this](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->StartStream(200, {{"content-type", "text/event-stream"}});
    s->Write(
        std::string("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"));
    handler_.Hold(s);
  };
  std::promise<void> cancelled;
  sink_.on_delta = [&] {
    sink_.on_delta = nullptr;
    invocation_.reset();  // from inside the sink callback
    cancelled.set_value();
  };
  Run(Hello(true));
  ASSERT_EQ(cancelled.get_future().wait_for(kDeadline), std::future_status::ready);
  std::shared_ptr<http::ResponseStream> s = handler_.TakeHeld();
  ASSERT_NE(s, nullptr);
  http::testing::TestHandler::DropOnLoop(std::move(s));
  loop_.Run([] {});  // anything queued on the client loop has run
  std::vector<std::string> events = sink_.events();
  EXPECT_EQ(events.back(), "delta 0 a");
}

TEST_F(OpenAiBackendTest, ASlowCallerHoldsTheUpstreamBackUntilItDrains) {
  answer_ = [this](http::Request&&, std::shared_ptr<http::ResponseStream> s) {
    s->StartStream(200, {{"content-type", "text/event-stream"}});
    s->Write(std::string("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"));
    handler_.Hold(s);
  };
  sink_.on_delta = [this] {
    sink_.on_delta = nullptr;
    sink_.backlog = 2 * UpstreamInvocation::kHighWater;  // the caller's client stopped reading
  };
  Run(Hello(true));
  // The rest is written once the first delta was taken (and the backlog seen).
  ASSERT_TRUE(sink_.WaitFor("delta 0 a"));
  std::shared_ptr<http::ResponseStream> s = handler_.TakeHeld();
  ASSERT_NE(s, nullptr);
  // Written, finished and dropped on the stream's own loop.
  http::testing::TestHandler::ReleaseGate(
      std::move(s), std::string("data: "
                                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_"
                                "reason\":\"stop\"}]}\n\n"
                                "data: [DONE]\n\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sink_.last(), "delta 0 a");  // held back: nothing read since
  sink_.backlog = 0;                     // drained
  ASSERT_TRUE(sink_.WaitDone());
  EXPECT_THAT(sink_.last(), HasSubstr("finish end_turn"));
  EXPECT_THAT(sink_.events(), ::testing::Contains("delta 0 b"));
}

}  // namespace
}  // namespace bp::backends::upstream
