#include "backends/bedrock/converse_stream.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "eventstream/eventstream.h"
#include "testing/manual_event_loop.h"

namespace bp::backends::bedrock {
namespace {

const AnswerContext kContext{
    .region = "eu-central-1", .stop_sequences = {"END"}, .input_estimate = 11};

struct Outcome {
  std::vector<std::string> events;
  ModelResponse response;
  Status status;
  int terminal_calls = 0;
};

Outcome Translate(const std::vector<std::string_view>& pieces) {
  bp::testing::ManualEventLoop loop;
  backends::testing::RecordingSink sink(loop);
  ConverseStreamTranslator translator(kContext, sink);
  for (std::string_view piece : pieces) translator.Feed(piece);
  translator.Finish();
  EXPECT_TRUE(translator.done());
  Outcome out;
  for (const auto& e : sink.events) out.events.push_back(e.what);
  out.response = sink.collector.response();
  out.status = sink.collector.status();
  out.terminal_calls = sink.terminal_calls;
  return out;
}

// Whole, then cut in two at every byte, then one byte at a time: the same
// sink calls each time.
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

std::string Event(std::string_view type, std::string_view payload) {
  std::string out;
  eventstream::AppendEvent(out, type, payload);
  return out;
}

std::string Exception(std::string_view type, std::string_view message) {
  std::string out;
  eventstream::AppendException(out, type, R"({"message":")" + std::string(message) + "\"}");
  return out;
}

const std::string kStart = Event("messageStart", R"({"role":"assistant","p":"abcd"})");
const std::string kMetadata =
    Event("metadata", R"({"usage":{"inputTokens":30,"outputTokens":8,"totalTokens":48,)"
                      R"("cacheReadInputTokens":10},"metrics":{"latencyMs":120}})");

TEST(ConverseStreamTranslator, ReasoningTextAndToolUseAtEverySplit) {
  const std::string stream =
      kStart +
      Event("contentBlockDelta",
            R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Think"}}})") +
      Event("contentBlockDelta",
            R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig"}}})") +
      Event("contentBlockStop", R"({"contentBlockIndex":0})") +
      Event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":""}})") +
      Event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":"Hel"}})") +
      Event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":"lo"}})") +
      Event("contentBlockStop", R"({"contentBlockIndex":1})") +
      Event("contentBlockStart", R"({"contentBlockIndex":3,"start":{"toolUse":)"
                                 R"({"toolUseId":"tooluse_9","name":"get_weather"}}})") +
      Event("contentBlockDelta",
            R"({"contentBlockIndex":3,"delta":{"toolUse":{"input":"{\"city\":"}}})") +
      Event("unknownFutureEvent", "{}") +
      Event("contentBlockDelta",
            R"({"contentBlockIndex":3,"delta":{"toolUse":{"input":"\"Paris\"}"}}})") +
      Event("contentBlockStop", R"({"contentBlockIndex":3})") +
      Event("messageStop", R"({"stopReason":"tool_use"})") + kMetadata;
  Outcome out = TranslateAtEverySplit(stream);
  const std::vector<std::string> expected = {"start 11",
                                             "reasoning_start 0",
                                             "reasoning_delta 0 'Think'",
                                             "signature 0 sig",
                                             "stop 0",
                                             "text_start 1",
                                             "delta 1 'Hel'",
                                             "delta 1 'lo'",
                                             "stop 1",
                                             "tool_start 2 get_weather",
                                             "tool_delta 2 {\"city\":",
                                             "tool_delta 2 \"Paris\"}",
                                             "stop 2",
                                             "finish tool_use"};
  EXPECT_EQ(out.events, expected);
  EXPECT_EQ(out.response.usage.input_tokens, 30);
  EXPECT_EQ(out.response.usage.cache_read_input_tokens, 10);
  EXPECT_FALSE(out.response.usage.estimated);
  ASSERT_EQ(out.response.content.size(), 3u);
  EXPECT_EQ(out.response.content[2].tool_use_id, "tooluse_9");
}

TEST(ConverseStreamTranslator, EndWithoutMetadataUsesTheEstimate) {
  const std::string stream =
      kStart + Event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"x END"}})") +
      Event("messageStop", R"({"stopReason":"stop_sequence"})");
  Outcome out = TranslateAtEverySplit(stream);
  EXPECT_EQ(out.events.back(), "finish stop_sequence");
  EXPECT_EQ(out.response.stop_sequence, "END");
  EXPECT_TRUE(out.response.usage.estimated);
  EXPECT_EQ(out.response.usage.input_tokens, 11);
}

TEST(ConverseStreamTranslator, EmptyAnswerStartsAtTheFinish) {
  Outcome out = TranslateAtEverySplit(
      kStart + Event("messageStop", R"({"stopReason":"end_turn"})") + kMetadata);
  EXPECT_EQ(out.events, (std::vector<std::string>{"start 11", "finish end_turn"}));
}

TEST(ConverseStreamTranslator, ExceptionsBeforeAndAfterStart) {
  struct Case {
    std::string type;
    bool after_content;
    ErrorCode code;
  };
  const Case cases[] = {
      {"throttlingException", false, ErrorCode::kThrottling},
      {"serviceUnavailableException", false, ErrorCode::kServiceUnavailable},
      {"internalServerException", false, ErrorCode::kInternal},
      {"modelTimeoutException", false, ErrorCode::kModelTimeout},
      {"validationException", false, ErrorCode::kValidation},
      {"modelStreamErrorException", false, ErrorCode::kModelStreamError},
      {"throttlingException", true, ErrorCode::kThrottling},
      {"serviceUnavailableException", true, ErrorCode::kServiceUnavailable},
      {"internalServerException", true, ErrorCode::kModelStreamError},
      {"modelTimeoutException", true, ErrorCode::kModelStreamError},
      {"validationException", true, ErrorCode::kModelStreamError},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type + (c.after_content ? " after content" : ""));
    std::string stream = kStart;
    if (c.after_content) {
      stream += Event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a"}})");
    }
    stream += Exception(c.type, "Bedrock says no");
    stream += Event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"b"}})");
    Outcome out = TranslateAtEverySplit(stream);
    EXPECT_EQ(out.status.code(), c.code);
    EXPECT_NE(out.status.message().find("Bedrock says no"), std::string::npos);
    EXPECT_EQ(out.events.front() == "start 11", c.after_content);
  }
}

TEST(ConverseStreamTranslator, MalformedStreams) {
  const std::string delta0 =
      Event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a"}})");
  std::string bad_crc = delta0;
  bad_crc[bad_crc.size() - 1] ^= 1;
  struct Case {
    std::string name;
    std::string stream;
    ErrorCode code;
    std::string part;
  };
  const Case cases[] = {
      {"bad crc", kStart + bad_crc, ErrorCode::kModelError, "framing"},
      {"bad crc after content", kStart + delta0 + bad_crc, ErrorCode::kModelStreamError, "framing"},
      {"not json", kStart + Event("contentBlockDelta", "{"), ErrorCode::kModelError, "not JSON"},
      {"wrong member type",
       kStart + Event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":5}})"),
       ErrorCode::kModelError, "$(contentBlockDelta).delta.text: expected a string"},
      {"delta for a stopped block",
       kStart + delta0 + Event("contentBlockStop", R"({"contentBlockIndex":0})") + delta0,
       ErrorCode::kModelStreamError, "which had stopped"},
      {"ends mid-frame", kStart + delta0.substr(0, 20), ErrorCode::kModelError, "mid-frame"},
      {"ends before messageStop", kStart + delta0, ErrorCode::kModelStreamError,
       "before messageStop"},
      {"metadata first", kStart + kMetadata, ErrorCode::kModelError, "metadata before"},
      {"unknown stop reason", kStart + Event("messageStop", R"({"stopReason":"bored"})"),
       ErrorCode::kModelError, "unknown stop reason"},
      {"tool input without a tool start",
       kStart + Event("contentBlockDelta",
                      R"({"contentBlockIndex":0,"delta":{"toolUse":{"input":"{}"}}})"),
       ErrorCode::kModelError, "did not start as a tool use"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Outcome out = TranslateAtEverySplit(c.stream);
    EXPECT_EQ(out.status.code(), c.code) << out.status.message();
    EXPECT_EQ(out.status.message().rfind(
                  "Amazon Bedrock in eu-central-1 answered a malformed ConverseStream event: ", 0),
              0u)
        << out.status.message();
    EXPECT_NE(out.status.message().find(c.part), std::string::npos) << out.status.message();
  }
}

// Destroying the translator from inside each sink call in turn: nothing
// more is called, nothing is touched (ASan checks the latter).
TEST(ConverseStreamTranslator, DestroyedFromInsideAnyCallback) {
  const std::string stream =
      kStart +
      Event("contentBlockDelta",
            R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"s"}}})") +
      Event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":"Hi"}})") +
      Event("contentBlockStart",
            R"({"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"t","name":"f"}}})") +
      Event("messageStop", R"({"stopReason":"tool_use"})") + kMetadata;
  const size_t total = Translate({stream}).events.size();
  ASSERT_EQ(total, 10u);
  for (size_t kill_at = 1; kill_at <= total; ++kill_at) {
    bp::testing::ManualEventLoop loop;
    backends::testing::RecordingSink sink(loop);
    auto translator = std::make_unique<ConverseStreamTranslator>(kContext, sink);
    sink.after_event = [&](const backends::testing::RecordingSink::Event&) {
      if (sink.events.size() == kill_at) translator.reset();
    };
    ConverseStreamTranslator* raw = translator.get();
    raw->Feed(stream);
    if (translator) translator->Finish();
    EXPECT_EQ(sink.events.size(), kill_at);
  }
}

}  // namespace
}  // namespace bp::backends::bedrock
