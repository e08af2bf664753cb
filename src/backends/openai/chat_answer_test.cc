#include "backends/openai/chat_answer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "backends/tokenizer.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::backends::openai {
namespace {

using ::bp::testing::StatusIs;
using Kind = ContentBlock::Kind;

const AnswerContext kContext{
    .region = "eu-west-1", .stop_sequences = {"END", "STOP"}, .input_estimate = 17};

std::vector<std::string> Replay(ChatAnswer answer) {
  bp::testing::ManualEventLoop loop;
  backends::testing::RecordingSink sink(loop);
  EmitAnswer(std::move(answer), sink);
  std::vector<std::string> out;
  for (const auto& e : sink.events) out.push_back(e.what);
  return out;
}

// A vLLM answer: reasoning, text, usage with cached tokens.
TEST(DecodeChatCompletionTest, VllmShapedWithReasoningAndCachedTokens) {
  Result<ChatAnswer> answer = DecodeChatCompletion(R"({
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "qwen3",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris.",
      "reasoning_content": "The capital.", "reasoning": "The capital.", "tool_calls": []},
      "logprobs": null, "finish_reason": "stop", "stop_reason": null}],
    "usage": {"prompt_tokens": 120, "total_tokens": 130, "completion_tokens": 10,
              "prompt_tokens_details": {"cached_tokens": 100}}})",
                                                   kContext);
  ASSERT_OK(answer);
  ASSERT_EQ(answer->blocks.size(), 2u);
  EXPECT_EQ(answer->blocks[0].kind, Kind::kReasoning);
  EXPECT_EQ(answer->blocks[0].text, "The capital.");
  EXPECT_EQ(answer->blocks[1].kind, Kind::kText);
  EXPECT_EQ(answer->blocks[1].text, "Paris.");
  EXPECT_EQ(answer->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer->usage.input_tokens, 20);
  EXPECT_EQ(answer->usage.cache_read_input_tokens, 100);
  EXPECT_EQ(answer->usage.output_tokens, 10);
  EXPECT_FALSE(answer->usage.estimated);
  EXPECT_EQ(Replay(std::move(*answer)),
            (std::vector<std::string>{"start 20", "reasoning_start 0",
                                      "reasoning_delta 0 'The capital.'", "stop 0", "text_start 1",
                                      "delta 1 'Paris.'", "stop 1", "finish end_turn"}));
}

// llama-server: tool calls with pretty-printed arguments, an id it made up,
// finish_reason tool_calls, timings instead of usage.
TEST(DecodeChatCompletionTest, LlamaServerToolCallsAndTimings) {
  Result<ChatAnswer> answer = DecodeChatCompletion(R"({
    "choices": [{"finish_reason": "tool_calls", "index": 0, "message": {"role": "assistant",
      "content": null, "tool_calls": [
        {"type": "function", "function": {"name": "get_weather",
          "arguments": "{ \"city\" : \"Paris\" }"}, "id": "call.9f:x"},
        {"type": "function", "function": {"name": "get_time", "arguments": ""}}]}}],
    "created": 1, "model": "gpt-3.5-turbo", "object": "chat.completion", "id": "chatcmpl-7",
    "timings": {"prompt_n": 30, "cache_n": 12, "predicted_n": 9, "predicted_ms": 100.5}})",
                                                   kContext);
  ASSERT_OK(answer);
  ASSERT_EQ(answer->blocks.size(), 2u);
  EXPECT_EQ(answer->blocks[0].kind, Kind::kToolUse);
  EXPECT_EQ(answer->blocks[0].tool_use_id, "call_9f_x");
  EXPECT_EQ(answer->blocks[0].tool_name, "get_weather");
  EXPECT_EQ(answer->blocks[0].input_json, R"({"city":"Paris"})");
  EXPECT_EQ(answer->blocks[1].tool_use_id, "call_chatcmpl-7_1");
  EXPECT_EQ(answer->blocks[1].input_json, "{}");
  EXPECT_EQ(answer->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(answer->usage.input_tokens, 30);
  EXPECT_EQ(answer->usage.cache_read_input_tokens, 12);
  EXPECT_EQ(answer->usage.output_tokens, 9);
  EXPECT_FALSE(answer->usage.estimated);
}

TEST(DecodeChatCompletionTest, NoUsageIsEstimatedLocally) {
  Result<ChatAnswer> answer = DecodeChatCompletion(
      R"({"choices": [{"message": {"content": "Hello, world!"}, "finish_reason": "stop"}]})",
      kContext);
  ASSERT_OK(answer);
  EXPECT_TRUE(answer->usage.estimated);
  EXPECT_EQ(answer->usage.input_tokens, 17);
  EXPECT_EQ(answer->usage.output_tokens, CountTokens("Hello, world!"));
}

TEST(DecodeChatCompletionTest, StopReasons) {
  struct Case {
    const char* choice;
    StopReason reason;
    const char* sequence;
  };
  const Case cases[] = {
      {R"("message": {"content": "a"}, "finish_reason": "length")", StopReason::kMaxTokens, ""},
      {R"("message": {"content": "a"}, "finish_reason": "content_filter")",
       StopReason::kContentFiltered, ""},
      {R"("message": {"content": null, "refusal": "I can't."}, "finish_reason": "stop")",
       StopReason::kContentFiltered, ""},
      // vLLM names the sequence it stopped on.
      {R"("message": {"content": "a"}, "finish_reason": "stop", "stop_reason": "STOP")",
       StopReason::kStopSequence, "STOP"},
      // A sequence that was not asked for is not one.
      {R"("message": {"content": "a"}, "finish_reason": "stop", "stop_reason": "</s>")",
       StopReason::kEndTurn, ""},
      // A server that keeps the sequence in the text.
      {R"("message": {"content": "done END"}, "finish_reason": "stop")", StopReason::kStopSequence,
       "END"},
      // Tool calls under finish_reason "stop" (Ollama) are still tool use.
      {R"("message": {"tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}]},
          "finish_reason": "stop")",
       StopReason::kToolUse, ""},
      {R"("message": {"content": "a"}, "finish_reason": "eos_token")", StopReason::kEndTurn, ""},
      {R"("message": {"content": "a"}, "finish_reason": null)", StopReason::kEndTurn, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.choice);
    Result<ChatAnswer> answer =
        DecodeChatCompletion(std::string(R"({"choices": [{)") + c.choice + "}]}", kContext);
    ASSERT_OK(answer);
    EXPECT_EQ(answer->stop_reason, c.reason);
    EXPECT_EQ(answer->stop_sequence, c.sequence);
  }
}

TEST(DecodeChatCompletionTest, MalformedToolArgumentsDropTheCall) {
  Result<ChatAnswer> answer = DecodeChatCompletion(R"({"choices": [{"message": {
      "content": "Calling.", "tool_calls": [
        {"id": "a", "function": {"name": "f", "arguments": "{\"x\": 1"}},
        {"id": "b", "function": {"name": "g", "arguments": "[1]"}},
        {"id": "c", "function": {"name": "", "arguments": "{}"}},
        {"id": "d", "function": {"name": "h", "arguments": {"y": 2}}}]},
      "finish_reason": "tool_calls"}]})",
                                                   kContext);
  ASSERT_OK(answer);
  ASSERT_EQ(answer->blocks.size(), 2u);
  EXPECT_EQ(answer->blocks[1].tool_name, "h");
  EXPECT_EQ(answer->blocks[1].input_json, R"({"y":2})");
  EXPECT_EQ(answer->stop_reason, StopReason::kMalformedToolUse);
}

TEST(DecodeChatCompletionTest, ContentAsPartsAndEmptyAnswers) {
  Result<ChatAnswer> parts = DecodeChatCompletion(
      R"({"choices": [{"message": {"content": [{"type": "text", "text": "a"},
          {"type": "text", "text": "b"}]}}]})",
      kContext);
  ASSERT_OK(parts);
  ASSERT_EQ(parts->blocks.size(), 1u);
  EXPECT_EQ(parts->blocks[0].text, "ab");
  Result<ChatAnswer> empty =
      DecodeChatCompletion(R"({"choices": [{"message": {"content": ""}}]})", kContext);
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->blocks.empty());
  EXPECT_EQ(Replay(std::move(*empty)), (std::vector<std::string>{"start 17", "finish end_turn"}));
}

TEST(DecodeChatCompletionTest, MalformedAnswersAreModelErrorsNamingWhat) {
  struct Case {
    const char* body;
    const char* detail;
  };
  const Case cases[] = {
      {"", "not JSON"},
      {"<html>502</html>", "not JSON"},
      {"[1]", "$: expected an object, got an array"},
      {"{}", "$.choices: expected an array"},
      {R"({"choices": []})", "$.choices: empty"},
      {R"({"choices": [3]})", "$.choices[0]: expected an object, got a number"},
      {R"({"choices": [{"text": "legacy"}]})", "$.choices[0].message: expected an object"},
      {R"({"choices": [{"message": {"content": 5}}]})",
       "$.choices[0].message.content: expected a string, an array or null, got a number"},
      {R"({"choices": [{"message": {"reasoning_content": true}}]})",
       "$.choices[0].message.reasoning_content: expected a string or null, got a boolean"},
      {R"({"choices": [{"message": {"tool_calls": {}}}]})",
       "$.choices[0].message.tool_calls: expected an array, got an object"},
      {R"({"choices": [{"message": {"tool_calls": [{"function": 1}]}}]})",
       "$.choices[0].message.tool_calls[0].function: expected an object, got a number"},
      {R"({"choices": [{"message": {"tool_calls": [{"function": {"name": "f", "arguments": 1}}]}}]})",
       "$.choices[0].message.tool_calls[0].function.arguments: expected a string, got a number"},
      {R"({"choices": [{"message": {}, "finish_reason": 1}]})",
       "$.choices[0].finish_reason: expected a string or null, got a number"},
      {R"({"choices": [{"message": {}}], "usage": {"prompt_tokens": -1}})",
       "$.usage.prompt_tokens: expected a non-negative integer, got a number"},
      {R"({"choices": [{"message": {}}], "usage": {"completion_tokens": "9"}})",
       "$.usage.completion_tokens: expected a non-negative integer, got a string"},
      {R"({"choices": [{"message": {}}], "usage": 3})",
       "$.usage: expected an object or null, got a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    Result<ChatAnswer> answer = DecodeChatCompletion(c.body, kContext);
    ASSERT_THAT(answer, StatusIs(ErrorCode::kModelError));
    const std::string& message = answer.status().message();
    const std::string prefix =
        "The OpenAI-compatible server at eu-west-1 answered a malformed chat completion: ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    EXPECT_NE(message.find(c.detail), std::string::npos) << message;
  }
}

TEST(DecodeChatCompletionTest, ErrorBodiesWithStatus200AreMapped) {
  Result<ChatAnswer> answer = DecodeChatCompletion(
      R"({"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}})",
      kContext);
  EXPECT_THAT(answer, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_NE(answer.status().message().find("Loading model"), std::string::npos);
}

TEST(EmitAnswerTest, StopsWhenCancelledFromInsideACallback) {
  Result<ChatAnswer> answer = DecodeChatCompletion(
      R"({"choices": [{"message": {"content": "a", "reasoning": "r"}}]})", kContext);
  ASSERT_OK(answer);
  bp::testing::ManualEventLoop loop;
  backends::testing::RecordingSink sink(loop);
  bool cancelled = false;
  sink.after_event = [&](const auto& e) { cancelled = e.what == "reasoning_start 0"; };
  EmitAnswer(std::move(*answer), sink, &cancelled);
  EXPECT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.terminal_calls, 0);
}

TEST(MakeAnswerContextTest, CopiesWhatDecodingNeeds) {
  ModelRequest r;
  r.region = "eu-west-3";
  r.stop_sequences = {"x"};
  r.messages.push_back({Role::kUser, {{.text = "Hello there"}}});
  const AnswerContext context = MakeAnswerContext(r);
  EXPECT_EQ(context.region, "eu-west-3");
  EXPECT_EQ(context.stop_sequences, std::vector<std::string>{"x"});
  EXPECT_EQ(context.input_estimate, CountRequestTokens(r));
}

}  // namespace
}  // namespace bp::backends::openai
