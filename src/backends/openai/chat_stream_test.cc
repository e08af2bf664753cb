#include "backends/openai/chat_stream.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "backends/tokenizer.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::backends::openai {
namespace {

using Kind = ContentBlock::Kind;

const AnswerContext kContext{
    .region = "eu-central-1", .stop_sequences = {"END"}, .input_estimate = 11};

struct Outcome {
  std::vector<std::string> events;
  ModelResponse response;
  Status status;
  int terminal_calls = 0;
  bool estimated = false;
};

// Feeds `pieces` in order, then Finish().
Outcome Translate(const std::vector<std::string_view>& pieces) {
  bp::testing::ManualEventLoop loop;
  backends::testing::RecordingSink sink(loop);
  ChatStreamTranslator translator(kContext, sink);
  for (std::string_view piece : pieces) translator.Feed(piece);
  translator.Finish();
  Outcome out;
  for (const auto& e : sink.events) out.events.push_back(e.what);
  out.response = sink.collector.response();
  out.status = sink.collector.status();
  out.terminal_calls = sink.terminal_calls;
  out.estimated = translator.usage_estimated();
  EXPECT_TRUE(translator.done());
  return out;
}

// The whole stream, then every cut in two, then one byte at a time: the same
// sink calls each time. Returns the whole-stream outcome.
Outcome TranslateAtEverySplit(std::string_view stream) {
  Outcome whole = Translate({stream});
  EXPECT_EQ(whole.terminal_calls, 1);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Outcome split = Translate({stream.substr(0, cut), stream.substr(cut)});
    EXPECT_EQ(split.events, whole.events) << "cut at " << cut;
    if (split.events != whole.events) break;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  EXPECT_EQ(Translate(bytes).events, whole.events) << "one byte at a time";
  return whole;
}

// OpenAI / vLLM with stream_options.include_usage: a role chunk, content
// chunks, the finish chunk, a usage chunk with empty choices, [DONE].
constexpr std::string_view kVllmText =
    "data: {\"id\":\"chatcmpl-a1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
    "\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-a1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Bon\"},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-a1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"jour "
    "\u00e9t\u00e9\"},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-a1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
    "\"finish_reason\":\"stop\",\"stop_reason\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-a1\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,"
    "\"total_tokens\":45,\"completion_tokens\":5,\"prompt_tokens_details\":"
    "{\"cached_tokens\":32}}}\n\n"
    "data: [DONE]\n\n";

TEST(ChatStreamTranslatorTest, VllmIncludeUsageStream) {
  const Outcome out = TranslateAtEverySplit(kVllmText);
  EXPECT_EQ(out.events, (std::vector<std::string>{"start 11", "text_start 0", "delta 0 'Bon'",
                                                  "delta 0 'jour \u00e9t\u00e9'", "stop 0",
                                                  "finish end_turn"}));
  EXPECT_EQ(out.response.usage.input_tokens, 8);
  EXPECT_EQ(out.response.usage.cache_read_input_tokens, 32);
  EXPECT_EQ(out.response.usage.output_tokens, 5);
  EXPECT_FALSE(out.response.usage.estimated);
  EXPECT_FALSE(out.estimated);
}

// llama-server: CRLF-free LF events, usage and timings in the finish chunk,
// reasoning_content deltas before the answer.
constexpr std::string_view kLlamaReasoning =
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":null}}],\"created\":1,\"id\":\"chatcmpl-L\",\"model\":\"gpt-3.5-turbo\","
    "\"object\":\"chat.completion.chunk\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":"
    "{\"reasoning_content\":\"Think\"}}],\"id\":\"chatcmpl-L\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":"
    "{\"reasoning_content\":\"ing.\"}}],\"id\":\"chatcmpl-L\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Hi\"}}],"
    "\"id\":\"chatcmpl-L\"}\n\n"
    "data: {\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],"
    "\"id\":\"chatcmpl-L\",\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":20,"
    "\"total_tokens\":23},\"timings\":{\"prompt_n\":20,\"predicted_n\":3}}\n\n"
    "data: [DONE]\n\n";

TEST(ChatStreamTranslatorTest, LlamaServerReasoningThenTextWithUsageInTheLastChunk) {
  const Outcome out = TranslateAtEverySplit(kLlamaReasoning);
  EXPECT_EQ(out.events,
            (std::vector<std::string>{"start 11", "reasoning_start 0", "reasoning_delta 0 'Think'",
                                      "reasoning_delta 0 'ing.'", "stop 0", "text_start 1",
                                      "delta 1 'Hi'", "stop 1", "finish max_tokens"}));
  EXPECT_EQ(out.response.content[0].text, "Thinking.");
  EXPECT_EQ(out.response.usage.input_tokens, 20);
  EXPECT_EQ(out.response.usage.output_tokens, 3);
  EXPECT_FALSE(out.estimated);
}

// llama-server without usage (older builds): timings only; and a stream
// with no figures at all, CRLF line ends and keep-alive comments.
TEST(ChatStreamTranslatorTest, TimingsOnlyAndNoUsageAtAll) {
  const Outcome timings = TranslateAtEverySplit(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
      "\"timings\":{\"cache_n\":5,\"prompt_n\":7,\"predicted_n\":1,\"predicted_ms\":2.5}}\n\n"
      "data: [DONE]\n\n");
  EXPECT_EQ(timings.response.usage.input_tokens, 7);
  EXPECT_EQ(timings.response.usage.cache_read_input_tokens, 5);
  EXPECT_EQ(timings.response.usage.output_tokens, 1);
  EXPECT_FALSE(timings.estimated);

  const Outcome none = TranslateAtEverySplit(
      ": ping\r\n\r\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello,\"}}]}\r\n\r\n"
      ": keep-alive\r\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world END\"}}]}\r\n\r\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n"
      "data: [DONE]\r\n\r\n");
  EXPECT_TRUE(none.estimated);
  EXPECT_TRUE(none.response.usage.estimated);
  EXPECT_EQ(none.response.usage.input_tokens, 11);
  EXPECT_EQ(none.response.usage.output_tokens, CountTokens("Hello,") + CountTokens(" world END"));
  // The server kept the stop sequence in the text: it says which one.
  EXPECT_EQ(none.response.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(none.response.stop_sequence, "END");
}

// vLLM tool calls: id and name first, then argument fragments; two calls;
// text before them.
constexpr std::string_view kVllmTools =
    "data: {\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":\"Checking.\"}}]}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"id\":\"chatcmpl-tool-1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
    "\"arguments\":\"\"}}]}}]}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"{\\\"city\\\": \"}}]}}]}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
    "\"id\":\"chatcmpl-tool-2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
    "\"arguments\":\"{}\"}}]}}]}\n\n"
    "data: {\"id\":\"chatcmpl-t\",\"choices\":[{\"index\":0,\"delta\":{},"
    "\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"id\":\"chatcmpl-t\",\"choices\":[],\"usage\":{\"prompt_tokens\":50,"
    "\"completion_tokens\":20}}\n\n"
    "data: [DONE]\n\n";

TEST(ChatStreamTranslatorTest, VllmToolCallStream) {
  const Outcome out = TranslateAtEverySplit(kVllmTools);
  EXPECT_EQ(out.events,
            (std::vector<std::string>{
                "start 11", "text_start 0", "delta 0 'Checking.'", "stop 0",
                "tool_start 1 get_weather", "tool_delta 1 {\"city\":\"Paris\"}", "stop 1",
                "tool_start 2 get_time", "tool_delta 2 {}", "stop 2", "finish tool_use"}));
  ASSERT_EQ(out.response.content.size(), 3u);
  EXPECT_EQ(out.response.content[1].tool_use_id, "chatcmpl-tool-1");
  EXPECT_EQ(out.response.content[2].kind, Kind::kToolUse);
  EXPECT_EQ(out.response.usage.output_tokens, 20);
}

// Ollama-style: each call whole, every one at index 0, ids differing; and one
// whose arguments are cut short, which is dropped.
TEST(ChatStreamTranslatorTest, WholeCallsAtIndexZeroAndAMalformedCall) {
  const Outcome out = TranslateAtEverySplit(
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
      "\"id\":\"call_a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
      "\"id\":\"call_b\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"y\\\":\"}}]}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},"
      "\"finish_reason\":\"tool_calls\"}]}\n\n"
      "data: [DONE]\n\n");
  EXPECT_EQ(out.events,
            (std::vector<std::string>{"start 11", "tool_start 0 f", "tool_delta 0 {\"x\":1}",
                                      "stop 0", "finish malformed_tool_use"}));
}

TEST(ChatStreamTranslatorTest, EndingsWithoutDoneOrFinish) {
  // A finish_reason and the body's end: finished, as with [DONE].
  const Outcome finished = TranslateAtEverySplit(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
      "\"finish_reason\":\"stop\"}]}");
  EXPECT_EQ(finished.events.back(), "finish end_turn");
  // [DONE] without a finish_reason: end_turn; an empty answer still starts.
  const Outcome empty = TranslateAtEverySplit("data: [DONE]\n\n");
  EXPECT_EQ(empty.events, (std::vector<std::string>{"start 11", "finish end_turn"}));
  // Events after [DONE] are ignored.
  const Outcome after = Translate(
      {"data: [DONE]\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"}}]}\n\n"});
  EXPECT_EQ(after.events, (std::vector<std::string>{"start 11", "finish end_turn"}));
  // Cut off mid-answer: an error after the start.
  const Outcome cut =
      Translate({"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"});
  EXPECT_EQ(cut.status.code(), ErrorCode::kModelStreamError);
  EXPECT_NE(cut.status.message().find("ended with neither a finish_reason nor [DONE]"),
            std::string::npos);
  // Nothing at all: an error before the start.
  const Outcome nothing = Translate({""});
  EXPECT_EQ(nothing.events.size(), 1u);
  EXPECT_EQ(nothing.status.code(), ErrorCode::kModelError);
}

TEST(ChatStreamTranslatorTest, ErrorEventsBeforeAndAfterTheStart) {
  // Before any content: the server's code, so the call fails over.
  const Outcome loading = TranslateAtEverySplit(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
      "error: {\"error\":{\"code\":503,\"message\":\"Loading model\","
      "\"type\":\"unavailable_error\"}}\n\n");
  EXPECT_EQ(loading.events.size(), 1u);
  EXPECT_EQ(loading.status.code(), ErrorCode::kServiceUnavailable);
  EXPECT_NE(loading.status.message().find("Loading model"), std::string::npos);
  const Outcome throttled =
      Translate({"data: {\"error\":{\"message\":\"slow down\","
                 "\"type\":\"rate_limit_error\"}}\n\n"});
  EXPECT_EQ(throttled.status.code(), ErrorCode::kThrottling);
  // After content: a stream error (vLLM's {"object":"error"} shape).
  const Outcome mid = TranslateAtEverySplit(
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n"
      "data: {\"object\":\"error\",\"message\":\"CUDA out of memory\",\"type\":\"BadRequestError\","
      "\"code\":400}\n\n");
  EXPECT_EQ(mid.events.size(), 4u);  // start, text_start, delta, error
  EXPECT_EQ(mid.status.code(), ErrorCode::kModelStreamError);
  EXPECT_NE(mid.status.message().find("CUDA out of memory"), std::string::npos);
}

TEST(ChatStreamTranslatorTest, MalformedChunksNameWhatIsWrong) {
  struct Case {
    const char* stream;
    ErrorCode code;
    const char* detail;
  };
  const Case cases[] = {
      {"data: {not json\n\n", ErrorCode::kModelError, "an event that is not JSON"},
      {"data: [1]\n\n", ErrorCode::kModelError, "$: expected an object, got an array"},
      {"data: {\"choices\":{}}\n\n", ErrorCode::kModelError,
       "$.choices: expected an array or null, got an object"},
      {"data: {\"choices\":[{\"delta\":{\"content\":7}}]}\n\n", ErrorCode::kModelError,
       "$.choices[0].delta.content: expected a string or null, got a number"},
      {"data: {\"choices\":[{\"delta\":[]}]}\n\n", ErrorCode::kModelError,
       "$.choices[0].delta: expected an object, got an array"},
      {"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":\"f\"}]}}]}\n\n",
       ErrorCode::kModelError,
       "$.choices[0].delta.tool_calls[0].function: expected an object or null, got a string"},
      {"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
       "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\"x\"}}\n\n",
       ErrorCode::kModelStreamError,
       "$.usage.prompt_tokens: expected a non-negative integer, got a string"},
      {"data: {\"choices\":[{\"finish_reason\":3}]}\n\n", ErrorCode::kModelError,
       "$.choices[0].finish_reason: expected a string or null, got a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.stream);
    const Outcome out = Translate({c.stream});
    EXPECT_EQ(out.terminal_calls, 1);
    EXPECT_EQ(out.status.code(), c.code);
    EXPECT_EQ(out.status.message().rfind(
                  "The OpenAI-compatible server at eu-central-1 answered a malformed chat "
                  "completion: ",
                  0),
              0u)
        << out.status.message();
    EXPECT_NE(out.status.message().find(c.detail), std::string::npos) << out.status.message();
  }
}

TEST(ChatStreamTranslatorTest, BoundsOnToolCalls) {
  std::string many;
  for (int i = 0; i <= 128; ++i) {
    many += "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":" + std::to_string(i) +
            ",\"id\":\"c" + std::to_string(i) + "\",\"function\":{\"name\":\"f\"}}]}}]}\n\n";
  }
  const Outcome out = Translate({many});
  EXPECT_EQ(out.status.code(), ErrorCode::kModelError);
  EXPECT_NE(out.status.message().find("more than 128 tool calls"), std::string::npos);
}

// Every sink call may destroy the translator; nothing is called after that
// and nothing touches freed memory (the ASan run checks).
TEST(ChatStreamTranslatorTest, DestroyedFromInsideEachCallback) {
  for (std::string_view stream : {kVllmText, kLlamaReasoning, kVllmTools}) {
    const size_t total = Translate({stream}).events.size();
    for (size_t at = 0; at < total; ++at) {
      bp::testing::ManualEventLoop loop;
      backends::testing::RecordingSink sink(loop);
      auto translator = std::make_unique<ChatStreamTranslator>(kContext, sink);
      size_t seen = 0;
      sink.after_event = [&](const auto&) {
        if (seen++ == at) translator.reset();
      };
      translator->Feed(stream);
      if (translator) translator->Finish();
      EXPECT_EQ(sink.events.size(), at + 1) << "destroyed at event " << at;
    }
  }
}

}  // namespace
}  // namespace bp::backends::openai
