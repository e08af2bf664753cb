#include "backends/bedrock/converse_answer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "testing/manual_event_loop.h"

namespace bp::backends::bedrock {
namespace {

using Kind = ContentBlock::Kind;

const AnswerContext kContext{.region = "eu-west-1", .stop_sequences = {"END"}, .input_estimate = 9};

TEST(DecodeConverseResponse, TextToolUseReasoningAndUsage) {
  Result<ModelResponse> r = DecodeConverseResponse(
      R"({"output":{"message":{"role":"assistant","content":[)"
      R"({"reasoningContent":{"reasoningText":{"text":"hmm","signature":"sig"}}},)"
      R"({"reasoningContent":{"redactedContent":"eA=="}},{"text":""},{"text":"Hello"},)"
      R"({"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city": "Paris"}}}]}},)"
      R"("stopReason":"tool_use","usage":{"inputTokens":12,"outputTokens":7,"totalTokens":49,)"
      R"("cacheReadInputTokens":10,"cacheWriteInputTokens":20,"cacheDetails":[)"
      R"({"ttl":"1h","inputTokens":15},{"ttl":"5m","inputTokens":5}]},"metrics":{"latencyMs":4}})",
      kContext);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->content.size(), 3u);
  EXPECT_EQ(r->content[0].kind, Kind::kReasoning);
  EXPECT_EQ(r->content[0].text, "hmm");
  EXPECT_EQ(r->content[0].signature, "sig");
  EXPECT_EQ(r->content[1].text, "Hello");
  EXPECT_EQ(r->content[2].kind, Kind::kToolUse);
  EXPECT_EQ(r->content[2].input_json, R"({"city":"Paris"})");
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r->usage.input_tokens, 12);
  EXPECT_EQ(r->usage.output_tokens, 7);
  EXPECT_EQ(r->usage.cache_read_input_tokens, 10);
  EXPECT_EQ(r->usage.cache_write_input_tokens, 20);
  EXPECT_EQ(r->usage.cache_write_1h_tokens, 15);
  EXPECT_EQ(r->usage.cache_write_5m_tokens, 5);
  EXPECT_FALSE(r->usage.estimated);
}

TEST(DecodeConverseResponse, StopSequenceAndMissingUsage) {
  struct Case {
    std::string extra;
    std::vector<std::string> stops;
    std::string expected;
  };
  const Case cases[] = {
      {R"(,"additionalModelResponseFields":{"stop_sequence":"STOP"})", {"A", "B"}, "STOP"},
      {R"(,"additionalModelResponseFields":{"delta":{"stop_sequence":"B"}})", {"A", "B"}, "B"},
      {R"(,"additionalModelResponseFields":{"delta":{"stop_sequence":null}})", {"END"}, "END"},
      {"", {"A", "B"}, ""},
  };
  for (const Case& c : cases) {
    AnswerContext context = kContext;
    context.stop_sequences = c.stops;
    Result<ModelResponse> r = DecodeConverseResponse(
        R"({"output":{"message":{"content":[{"text":"one two"}]}},"stopReason":"stop_sequence")" +
            c.extra + "}",
        context);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->stop_sequence, c.expected) << c.extra;
    EXPECT_TRUE(r->usage.estimated);
    EXPECT_EQ(r->usage.input_tokens, 9);
    EXPECT_GT(r->usage.output_tokens, 0);
  }
  // Cache writes without details are all 5m.
  Result<ModelResponse> r = DecodeConverseResponse(
      R"({"output":{"message":{"content":[]}},"stopReason":"end_turn","usage":)"
      R"({"inputTokens":1,"outputTokens":0,"cacheWriteInputTokens":30}})",
      kContext);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage.cache_write_5m_tokens, 30);
  EXPECT_EQ(r->usage.cache_write_1h_tokens, 0);
}

TEST(DecodeConverseResponse, MalformedNamesThePath) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "$: not JSON"},
      {"[]", "$: expected an object"},
      {R"({"stopReason":"end_turn"})", "$.output: missing"},
      {R"({"output":{"message":{"content":{}}},"stopReason":"end_turn"})",
       "$.output.message.content: expected an array"},
      {R"({"output":{"message":{"content":[{"text":1}]}},"stopReason":"end_turn"})",
       "$.output.message.content[0].text: expected a string, got a number"},
      {R"({"output":{"message":{"content":[{"toolUse":{"toolUseId":"a","name":"n","input":[]}}]}},)"
       R"("stopReason":"tool_use"})",
       "$.output.message.content[0].toolUse.input: expected an object"},
      {R"({"output":{"message":{"content":[]}},"stopReason":"bored"})", "unknown stop reason"},
      {R"({"output":{"message":{"content":[]}},"stopReason":"end_turn","usage":{"inputTokens":-1}})",
       "$.usage.inputTokens: expected a non-negative integer"},
      {R"({"output":{"message":{"content":[]}},"stopReason":"end_turn","usage":{"outputTokens":"3"}})",
       "$.usage.outputTokens: expected a non-negative integer, got a string"},
      {R"({"output":{"message":{"content":[]}},"stopReason":"end_turn","usage":{"inputTokens":1.5}})",
       "$.usage.inputTokens"},
  };
  for (const auto& [body, part] : cases) {
    Result<ModelResponse> r = DecodeConverseResponse(body, kContext);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), ErrorCode::kModelError);
    EXPECT_EQ(r.status().message().rfind(
                  "Amazon Bedrock in eu-west-1 answered a malformed Converse response: ", 0),
              0u)
        << r.status().message();
    EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(DecodeConverseResponse(std::string(kMaxAnswerBytes + 1, ' '), kContext).ok());
}

TEST(EmitResponse, ReplaysInSinkOrderAndStopsWhenCancelled) {
  ModelResponse response;
  response.content = {
      {.kind = Kind::kReasoning, .text = "r", .signature = "s"},
      {.kind = Kind::kText, .text = "Hi"},
      {.kind = Kind::kToolUse, .tool_use_id = "t", .tool_name = "f", .input_json = R"({"a":1})"}};
  response.stop_reason = StopReason::kToolUse;
  response.usage = {.input_tokens = 3, .output_tokens = 4, .cache_read_input_tokens = 2};
  bp::testing::ManualEventLoop loop;
  backends::testing::RecordingSink sink(loop);
  EmitResponse(response, sink);
  std::vector<std::string> events;
  for (const auto& e : sink.events) events.push_back(e.what);
  const std::vector<std::string> expected = {"start 3",
                                             "reasoning_start 0",
                                             "reasoning_delta 0 'r'",
                                             "signature 0 s",
                                             "stop 0",
                                             "text_start 1",
                                             "delta 1 'Hi'",
                                             "stop 1",
                                             "tool_start 2 f",
                                             R"(tool_delta 2 {"a":1})",
                                             "stop 2",
                                             "finish tool_use"};
  EXPECT_EQ(events, expected);

  bool cancelled = false;
  backends::testing::RecordingSink second(loop);
  second.after_event = [&](const backends::testing::RecordingSink::Event& e) {
    if (e.what == "text_start 1") cancelled = true;
  };
  EmitResponse(response, second, &cancelled);
  ASSERT_EQ(second.events.size(), 6u);
  EXPECT_EQ(second.events.back().what, "text_start 1");
}

}  // namespace
}  // namespace bp::backends::bedrock
