#include "backends/simulated/simulated_backend.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/recording_sink.h"
#include "backends/tokenizer.h"
#include "json/json.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::backends::simulated {
namespace {

using ::bp::backends::testing::RecordingSink;
using ::bp::testing::ManualEventLoop;
using ::bp::testing::StatusIs;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kModel = "anthropic.claude-haiku-4-5-20251001-v1:0";

ContentBlock Text(std::string text) { return ContentBlock{.text = std::move(text)}; }

ModelRequest Ask(std::string text) {
  ModelRequest request;
  request.model_id = std::string(kModel);
  request.region = "eu-central-1";
  request.messages.push_back({Role::kUser, {Text(std::move(text))}});
  return request;
}

constexpr std::string_view kWeatherSchema =
    R"({"type":"object","properties":{"city":{"type":"string"},)"
    R"("unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]})";

ModelRequest AskWithTools(std::string text, ToolChoice choice) {
  ModelRequest request = Ask(std::move(text));
  request.tools.push_back(
      {"lookup", "Searches the wiki", R"({"properties":{"q":{"type":"string"}}})"});
  request.tools.push_back({"get_weather", "Current weather", std::string(kWeatherSchema)});
  request.tool_choice = choice;
  return request;
}

class SimulatedBackendTest : public ::testing::Test {
 protected:
  // Starts `request`, checks nothing happens inside Start, runs to the end.
  std::unique_ptr<RecordingSink> Run(const ModelRequest& request) {
    auto sink = std::make_unique<RecordingSink>(loop_);
    auto invocation = backend_.Start(request, loop_, *sink);
    EXPECT_TRUE(sink->events.empty()) << "sink called from inside Start";
    loop_.RunUntilIdle();
    EXPECT_EQ(sink->terminal_calls, 1);
    EXPECT_EQ(loop_.pending_timers(), 0u);
    return sink;
  }
  ModelResponse Answer(const ModelRequest& request) {
    auto sink = Run(request);
    EXPECT_OK(sink->collector.status());
    return sink->collector.response();
  }
  std::string TextOf(const ModelRequest& request) {
    ModelResponse r = Answer(request);
    return r.content.empty() ? std::string() : r.content[0].text;
  }

  ManualEventLoop loop_;
  SimulatedBackend backend_{SimulatedOptions{}};
};

TEST_F(SimulatedBackendTest, SayEchoesTheRestExactly) {
  ModelResponse r = Answer(Ask("Say: one two three"));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.content[0].text, "one two three");
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r.usage.output_tokens, 3);
  EXPECT_EQ(TextOf(Ask("  SAY:   Hello, world!  ")), "Hello, world!");
}

TEST_F(SimulatedBackendTest, SayWithAStopReasonEndsWithIt) {
  for (StopReason reason : {StopReason::kContentFiltered, StopReason::kMalformedModelOutput,
                            StopReason::kMalformedToolUse, StopReason::kModelContextWindowExceeded,
                            StopReason::kEndTurn}) {
    const std::string name(StopReasonName(reason));
    ModelResponse r = Answer(Ask("Say[" + name + "]: partial answer"));
    ASSERT_EQ(r.content.size(), 1u) << name;
    EXPECT_EQ(r.content[0].text, "partial answer");
    EXPECT_EQ(r.stop_reason, reason) << name;
  }
  // An empty text still ends with the reason, without a content block.
  ModelResponse empty = Answer(Ask("say[content_filtered]:"));
  EXPECT_TRUE(empty.content.empty());
  EXPECT_EQ(empty.stop_reason, StopReason::kContentFiltered);
  // Limits come first.
  ModelRequest cut = Ask("Say[content_filtered]: one two three four");
  cut.max_tokens = 2;
  EXPECT_EQ(Answer(cut).stop_reason, StopReason::kMaxTokens);
  ModelRequest stopped = Ask("Say[content_filtered]: one two three four");
  stopped.stop_sequences = {"three"};
  EXPECT_EQ(Answer(stopped).stop_reason, StopReason::kStopSequence);
}

TEST_F(SimulatedBackendTest, SayWithAnUnknownStopReasonIsAValidationError) {
  auto sink = Run(Ask("Say[tool_use]: x"));
  EXPECT_FALSE(sink->collector.started());
  EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(sink->collector.status().message(), HasSubstr("content_filtered"));
  // Not a control at all: answered as prose.
  EXPECT_THAT(TextOf(Ask("Say[oops: hi")), StartsWith("Simulated "));
}

TEST_F(SimulatedBackendTest, VideoAudioAndSearchResultsAreNamedAndCounted) {
  ModelRequest request = Ask("What is in these?");
  request.messages[0].content.push_back(
      ContentBlock{.kind = ContentBlock::Kind::kVideo, .text = "mp4", .byte_size = 7500});
  request.messages[0].content.push_back(
      ContentBlock{.kind = ContentBlock::Kind::kAudio, .text = "mp3", .byte_size = 10});
  request.messages[0].content.push_back(ContentBlock{
      .kind = ContentBlock::Kind::kSearchResult, .text = "Title\nsome text", .tool_name = "src"});
  const int64_t base = backend_.CountInputTokens(Ask("What is in these?"));
  // 10 for the video, 1 for the audio, 4 for the search result (src, Title, some, text).
  EXPECT_EQ(backend_.CountInputTokens(request), base + 10 + 1 + 4);
  EXPECT_THAT(TextOf(request), HasSubstr("You attached 1 video and 1 audio clip. You gave me "
                                         "1 search result."));
}

TEST_F(SimulatedBackendTest, SameRequestSameAnswerWhateverTheRegion) {
  ModelRequest a = Ask("Tell me about the moon");
  ModelRequest b = a;
  b.region = "eu-west-3";
  const ModelResponse ra = Answer(a);
  const ModelResponse rb = Answer(b);
  ASSERT_EQ(ra.content.size(), 1u);
  ASSERT_EQ(rb.content.size(), 1u);
  EXPECT_EQ(ra.content[0].text, rb.content[0].text);
  EXPECT_EQ(ra.usage.output_tokens, rb.usage.output_tokens);
  SimulatedBackend other({.time_to_first_token = milliseconds(5), .tokens_per_second = 0});
  RecordingSink sink(loop_);
  auto invocation = other.Start(a, loop_, sink);
  loop_.RunUntilIdle();
  EXPECT_EQ(sink.collector.response().content[0].text, ra.content[0].text);
}

TEST_F(SimulatedBackendTest, ProseQuotesThePromptAndNamesTheModel) {
  const std::string text = TextOf(
      Ask("What is the capital of France and why did it become the capital over the centuries?"));
  EXPECT_THAT(text, StartsWith("Simulated " + std::string(kModel) + " here."));
  // The first 12 words, then an ellipsis.
  EXPECT_THAT(text, HasSubstr("You wrote: \"What is the capital of France and why did it become "
                              "the\xE2\x80\xA6\"."));
  EXPECT_THAT(text, Not(HasSubstr("Following your instructions")));
  EXPECT_THAT(text, Not(HasSubstr("turn")));
  const int64_t tokens = CountTokens(text);
  EXPECT_GE(tokens, 25);
  EXPECT_LE(tokens, 80);
}

TEST_F(SimulatedBackendTest, ProseLengthStaysInRangeForManyPrompts) {
  for (int i = 0; i < 40; ++i) {
    const std::string text = TextOf(Ask("Question number " + std::to_string(i)));
    const int64_t tokens = CountTokens(text);
    EXPECT_GE(tokens, 25) << text;
    EXPECT_LE(tokens, 80) << text;
  }
}

TEST_F(SimulatedBackendTest, DifferentPromptsGiveDifferentAnswers) {
  EXPECT_NE(TextOf(Ask("Tell me about the moon")), TextOf(Ask("Tell me about the sun")));
}

TEST_F(SimulatedBackendTest, ReflectsTheSystemPromptAndTheTurn) {
  ModelRequest request = Ask("And in German?");
  request.system = {"Answer in French.", "Be polite."};
  request.messages.insert(request.messages.begin(),
                          {{Role::kUser, {Text("Hello")}}, {Role::kAssistant, {Text("Bonjour")}}});
  const std::string text = TextOf(request);
  EXPECT_THAT(text, HasSubstr("Following your instructions (\"Answer in French. Be polite.\")"));
  EXPECT_THAT(text, HasSubstr("This is turn 2 of our conversation."));
  EXPECT_THAT(text, HasSubstr("You wrote: \"And in German?\""));
}

TEST_F(SimulatedBackendTest, MaxTokensCutsTheAnswer) {
  ModelRequest request = Ask("Say: one two three four five");
  request.max_tokens = 3;
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].text, "one two three");
  EXPECT_EQ(r.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(r.usage.output_tokens, 3);
}

TEST_F(SimulatedBackendTest, DefaultMaxTokensApplies) {
  SimulatedBackend small({.tokens_per_second = 0, .default_max_tokens = 5});
  RecordingSink sink(loop_);
  auto invocation = small.Start(Ask("Tell me a story"), loop_, sink);
  loop_.RunUntilIdle();
  EXPECT_EQ(sink.collector.response().stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(sink.collector.response().usage.output_tokens, 5);
  EXPECT_EQ(sink.text_deltas, 5);
}

TEST_F(SimulatedBackendTest, StopSequenceCutsBeforeTheEarliestMatch) {
  ModelRequest request = Ask("Say: one two END three STOP four");
  request.stop_sequences = {"STOP", "END"};
  auto sink = Run(request);
  const ModelResponse& r = sink->collector.response();
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].text, "one two ");
  EXPECT_EQ(r.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(r.stop_sequence, "END");
  EXPECT_EQ(r.usage.output_tokens, 2);
  for (const auto& e : sink->events) EXPECT_THAT(e.what, Not(HasSubstr("END")));
}

TEST_F(SimulatedBackendTest, StopSequenceAtTheStartGivesNoContent) {
  ModelRequest request = Ask("Say: STOP now");
  request.stop_sequences = {"STOP"};
  ModelResponse r = Answer(request);
  EXPECT_TRUE(r.content.empty());
  EXPECT_EQ(r.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(r.usage.output_tokens, 0);
}

TEST_F(SimulatedBackendTest, StopSequenceFirstThenMaxTokens) {
  ModelRequest request = Ask("Say: a b c d STOP e");
  request.stop_sequences = {"STOP"};
  request.max_tokens = 2;
  ModelResponse r = Answer(request);
  EXPECT_EQ(r.content[0].text, "a b");
  EXPECT_EQ(r.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(r.stop_sequence, "");
  request.max_tokens = 4;
  r = Answer(request);
  EXPECT_EQ(r.content[0].text, "a b c d ");
  EXPECT_EQ(r.stop_reason, StopReason::kStopSequence);
}

TEST_F(SimulatedBackendTest, OutputTokensEqualTextDeltasAndDeltasRebuildTheText) {
  auto sink = Run(Ask("Explain photosynthesis briefly"));
  const ModelResponse& r = sink->collector.response();
  EXPECT_EQ(r.usage.output_tokens, sink->text_deltas);
  EXPECT_EQ(CountTokens(r.content[0].text), sink->text_deltas);
  std::string joined;
  for (const auto& e : sink->events) {
    if (e.what.rfind("delta 0 '", 0) == 0) joined += e.what.substr(9, e.what.size() - 10);
  }
  EXPECT_EQ(joined, r.content[0].text);
}

TEST_F(SimulatedBackendTest, CountInputTokensMatchesOnStartAndGrowsWithThePrompt) {
  ModelRequest request = AskWithTools("What is the weather in Paris?", ToolChoice::kAuto);
  request.system = {"Be brief."};
  const int64_t counted = backend_.CountInputTokens(request);
  auto sink = Run(request);
  EXPECT_EQ(sink->events.front().what, "start " + std::to_string(counted));
  EXPECT_EQ(sink->collector.response().usage.input_tokens, counted);

  ModelRequest longer = request;
  longer.messages.push_back({Role::kAssistant, {Text("It is sunny.")}});
  longer.messages.push_back({Role::kUser, {Text("And tomorrow?")}});
  EXPECT_GT(backend_.CountInputTokens(longer), counted);
  ModelRequest with_image = request;
  with_image.messages[0].content.push_back(
      ContentBlock{.kind = ContentBlock::Kind::kImage, .text = "png", .byte_size = 75000});
  EXPECT_EQ(backend_.CountInputTokens(with_image), counted + 100);
}

TEST_F(SimulatedBackendTest, AutoToolUseWhenTheToolIsMentioned) {
  auto sink =
      Run(AskWithTools("What is the weather in Paris? Use get weather.", ToolChoice::kAuto));
  const ModelResponse& r = sink->collector.response();
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.content[0].text, "I'll use get_weather for that.");
  EXPECT_EQ(r.content[1].kind, ContentBlock::Kind::kToolUse);
  EXPECT_EQ(r.content[1].tool_name, "get_weather");
  EXPECT_THAT(r.content[1].tool_use_id, StartsWith("tooluse_"));
  EXPECT_EQ(r.content[1].tool_use_id.size(), 30u);
  EXPECT_EQ(r.content[1].input_json, R"({"city":"Paris"})");
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_GE(sink->tool_deltas, 2);
  EXPECT_LE(sink->tool_deltas, 4);
  EXPECT_EQ(r.usage.output_tokens, sink->text_deltas + CountTokens(R"({"city":"Paris"})"));
  ASSERT_OK(json::Parse(r.content[1].input_json));
  EXPECT_EQ(sink->Count("tool_start 1 get_weather"), 1);
}

TEST_F(SimulatedBackendTest, AutoWithoutMentionAnswersInText) {
  ModelResponse r = Answer(AskWithTools("What is the capital of France?", ToolChoice::kAuto));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
}

TEST_F(SimulatedBackendTest, AnyUsesTheFirstToolAtIndexZero) {
  ModelResponse r = Answer(AskWithTools("Find \"llamas\" for me", ToolChoice::kAny));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kToolUse);
  EXPECT_EQ(r.content[0].tool_name, "lookup");
  EXPECT_EQ(r.content[0].input_json, R"({"q":"llamas"})");
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
}

TEST_F(SimulatedBackendTest, AnyPrefersTheMentionedTool) {
  ModelResponse r = Answer(AskWithTools("get_weather for Rome please", ToolChoice::kAny));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].tool_name, "get_weather");
  EXPECT_EQ(r.content[0].input_json, R"({"city":"Rome"})");
}

TEST_F(SimulatedBackendTest, ToolChoiceToolUsesTheNamedTool) {
  ModelRequest request = AskWithTools("hello", ToolChoice::kTool);
  request.tool_choice_name = "get_weather";
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].tool_name, "get_weather");
  EXPECT_EQ(r.content[0].input_json, R"({"city":"example"})");
}

TEST_F(SimulatedBackendTest, ToolChoiceNamingAnUnknownToolFailsBeforeOutput) {
  ModelRequest request = AskWithTools("hello", ToolChoice::kTool);
  request.tool_choice_name = "missing_tool";
  auto sink = Run(request);
  EXPECT_FALSE(sink->collector.started());
  EXPECT_THAT(sink->collector.status(), StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(sink->events.front().at, milliseconds(0));
}

TEST_F(SimulatedBackendTest, ToolChoiceNoneNeverUsesTools) {
  ModelResponse r = Answer(AskWithTools("Use get_weather for Paris", ToolChoice::kNone));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
}

TEST_F(SimulatedBackendTest, AfterAToolResultItReportsTheResult) {
  ModelRequest request = AskWithTools("Use get_weather for Paris", ToolChoice::kAny);
  request.messages.push_back({Role::kAssistant,
                              {ContentBlock{.kind = ContentBlock::Kind::kToolUse,
                                            .tool_use_id = "tooluse_1",
                                            .tool_name = "get_weather",
                                            .input_json = R"({"city":"Paris"})"}}});
  request.messages.push_back({Role::kUser,
                              {ContentBlock{.kind = ContentBlock::Kind::kToolResult,
                                            .text = "18 degrees and sunny",
                                            .tool_use_id = "tooluse_1"}}});
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].kind, ContentBlock::Kind::kText);
  EXPECT_THAT(r.content[0].text,
              HasSubstr("The get_weather tool returned: \"18 degrees and sunny\"."));
  EXPECT_THAT(r.content[0].text, HasSubstr("This is turn 2 of our conversation."));
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
}

TEST_F(SimulatedBackendTest, StopSequenceInThePreambleSuppressesTheToolCall) {
  ModelRequest request = AskWithTools("Use get_weather for Paris", ToolChoice::kAuto);
  request.stop_sequences = {"for"};
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].text, "I'll use get_weather ");
  EXPECT_EQ(r.stop_reason, StopReason::kStopSequence);
}

TEST_F(SimulatedBackendTest, TimingFollowsTimeToFirstTokenAndTokensPerSecond) {
  SimulatedBackend paced({.time_to_first_token = milliseconds(200), .tokens_per_second = 100});
  RecordingSink sink(loop_);
  auto invocation = paced.Start(Ask("Say: a b c"), loop_, sink);
  loop_.RunFor(milliseconds(199));
  EXPECT_TRUE(sink.events.empty());
  loop_.RunUntilIdle();
  std::vector<std::pair<int64_t, std::string>> seen;
  for (const auto& e : sink.events) seen.emplace_back(e.at.count(), e.what);
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, std::string>>{{200, "start 9"},
                                                                {200, "text_start 0"},
                                                                {200, "delta 0 'a'"},
                                                                {210, "delta 0 ' b'"},
                                                                {220, "delta 0 ' c'"},
                                                                {220, "stop 0"},
                                                                {220, "finish end_turn"}}));
}

TEST_F(SimulatedBackendTest, FractionalIntervalsDoNotDrift) {
  SimulatedBackend paced({.time_to_first_token = milliseconds(0), .tokens_per_second = 150});
  RecordingSink sink(loop_);
  std::string say = "Say:";
  for (int i = 0; i < 151; ++i) say += " w";
  ModelRequest request = Ask(say);
  auto invocation = paced.Start(request, loop_, sink);
  loop_.RunUntilIdle();
  EXPECT_EQ(sink.text_deltas, 151);
  EXPECT_EQ(sink.events.back().at, milliseconds(1000));  // 150 intervals of 6.67 ms
}

TEST_F(SimulatedBackendTest, ZeroTokensPerSecondDeliversEverythingInOneCallback) {
  SimulatedBackend fast({.time_to_first_token = milliseconds(50), .tokens_per_second = 0});
  RecordingSink sink(loop_);
  auto invocation = fast.Start(Ask("Tell me about tides"), loop_, sink);
  EXPECT_EQ(loop_.RunUntilIdle(), 1);
  EXPECT_GT(sink.text_deltas, 10);
  for (const auto& e : sink.events) EXPECT_EQ(e.at, milliseconds(50));
  EXPECT_EQ(sink.terminal_calls, 1);
}

TEST_F(SimulatedBackendTest, DestroyingTheHandleCancelsTheRest) {
  SimulatedBackend paced({.time_to_first_token = milliseconds(100), .tokens_per_second = 100});
  RecordingSink sink(loop_);
  auto invocation = paced.Start(Ask("Say: a b c d e"), loop_, sink);
  loop_.RunFor(milliseconds(115));
  EXPECT_EQ(sink.text_deltas, 2);
  invocation.reset();
  EXPECT_EQ(loop_.pending_timers(), 0u);
  loop_.RunUntilIdle();
  EXPECT_EQ(sink.text_deltas, 2);
  EXPECT_EQ(sink.terminal_calls, 0);
}

TEST_F(SimulatedBackendTest, DestroyingBeforeTheFirstTokenMeansNoCallAtAll) {
  RecordingSink sink(loop_);
  auto invocation = backend_.Start(Ask("hello"), loop_, sink);
  invocation.reset();
  loop_.RunUntilIdle();
  EXPECT_TRUE(sink.events.empty());
}

TEST_F(SimulatedBackendTest, TheHandleMayBeDestroyedFromInsideACallback) {
  for (const double tps : {0.0, 100.0}) {
    for (const std::string prefix : {"start", "text_start", "delta", "stop", "finish"}) {
      SimulatedBackend backend({.time_to_first_token = milliseconds(1), .tokens_per_second = tps});
      RecordingSink sink(loop_);
      std::unique_ptr<Invocation> invocation;
      size_t destroyed_at = 0;
      sink.after_event = [&](const RecordingSink::Event& e) {
        if (invocation != nullptr && e.what.rfind(prefix, 0) == 0) {
          invocation.reset();
          destroyed_at = sink.events.size();
        }
      };
      invocation = backend.Start(Ask("Say: a b"), loop_, sink);
      loop_.RunUntilIdle();
      EXPECT_EQ(invocation, nullptr) << prefix;
      EXPECT_EQ(sink.events.size(), destroyed_at) << prefix << " tps " << tps;
    }
  }
}

TEST_F(SimulatedBackendTest, EmptyConversationStillAnswers) {
  ModelRequest request;
  request.model_id = "m";
  auto sink = Run(request);
  EXPECT_OK(sink->collector.status());
  EXPECT_THAT(sink->collector.response().content[0].text, HasSubstr("Your message had no text."));
}

// A failed Status / Result with kValidation and a message matching `message`.
MATCHER_P(FailsWith, message, "fails with kValidation and a matching message") {
  const ::bp::Status s = arg.status();
  *result_listener << "status: " << s.ToString();
  return s.code() == ErrorCode::kValidation &&
         ::testing::Matches(message)(std::string(s.message()));
}

// ---- reasoning (extended thinking) ----------------------------------------------

ModelRequest Thinking(ModelRequest request, int32_t budget = 2048) {
  request.thinking_budget = budget;
  return request;
}

TEST_F(SimulatedBackendTest, ThinkingPutsASignedReasoningBlockFirst) {
  ModelRequest plain = Ask("Why is the sea salty?");
  ModelResponse without = Answer(plain);
  ModelResponse with = Answer(Thinking(plain));
  ASSERT_EQ(with.content.size(), 2u);
  const ContentBlock& reasoning = with.content[0];
  EXPECT_EQ(reasoning.kind, ContentBlock::Kind::kReasoning);
  EXPECT_THAT(reasoning.text, StartsWith("The user asks: \"Why is the sea salty?\"."));
  EXPECT_THAT(reasoning.text, HasSubstr("I should answer directly and briefly."));
  EXPECT_EQ(reasoning.signature.size(), 88u);
  EXPECT_EQ(reasoning.signature.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
            std::string::npos);
  // The answer is the one without thinking, at index 1.
  EXPECT_EQ(with.content[1].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(with.content[1].text, without.content[0].text);
  EXPECT_EQ(with.stop_reason, StopReason::kEndTurn);
  // Reasoning tokens are output tokens.
  EXPECT_EQ(with.usage.output_tokens, without.usage.output_tokens + CountTokens(reasoning.text));
  EXPECT_EQ(with.usage.input_tokens, without.usage.input_tokens);
}

TEST_F(SimulatedBackendTest, ReasoningIsDeterministicAndItsSignatureFollowsTheText) {
  ModelResponse a = Answer(Thinking(Ask("Plan a picnic")));
  ModelResponse b = Answer(Thinking(Ask("Plan a picnic")));
  ASSERT_FALSE(a.content.empty());
  ASSERT_FALSE(b.content.empty());
  EXPECT_EQ(a.content[0].text, b.content[0].text);
  EXPECT_EQ(a.content[0].signature, b.content[0].signature);
  // Not in the hash: another budget gives the same reasoning.
  ModelResponse c = Answer(Thinking(Ask("Plan a picnic"), 3000));
  EXPECT_EQ(c.content[0].text, a.content[0].text);
  ModelResponse d = Answer(Thinking(Ask("Plan a barbecue")));
  EXPECT_NE(d.content[0].text, a.content[0].text);
  EXPECT_NE(d.content[0].signature, a.content[0].signature);
}

TEST_F(SimulatedBackendTest, ReasoningStreamsOneTokenPerDeltaThenTheSignature) {
  auto sink = Run(Thinking(Ask("Say: a b")));
  const ModelResponse& r = sink->collector.response();
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(sink->reasoning_deltas, CountTokens(r.content[0].text));
  std::vector<std::string> kinds;
  for (const auto& e : sink->events) kinds.push_back(e.what.substr(0, e.what.find(' ')));
  std::vector<std::string> expected = {"start", "reasoning_start"};
  for (int i = 0; i < sink->reasoning_deltas; ++i) expected.push_back("reasoning_delta");
  for (const char* k : {"signature", "stop", "text_start", "delta", "delta", "stop", "finish"}) {
    expected.push_back(k);
  }
  EXPECT_EQ(kinds, expected);
  EXPECT_EQ(sink->Count("signature 0 " + r.content[0].signature), 1);
  EXPECT_EQ(sink->Count("reasoning_start 0"), 1);
  EXPECT_EQ(sink->Count("text_start 1"), 1);
  EXPECT_THAT(r.content[0].text, HasSubstr("repeated exactly"));
  EXPECT_EQ(r.content[1].text, "a b");
}

TEST_F(SimulatedBackendTest, ReasoningCountsAgainstMaxTokens) {
  std::string say = "Say:";
  for (int i = 0; i < 100; ++i) say += " w";
  ModelRequest request = Thinking(Ask(say), 60);
  request.max_tokens = 70;
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 2u);
  const int64_t reasoning = CountTokens(r.content[0].text);
  EXPECT_GT(reasoning, 10);
  EXPECT_LE(reasoning, 60);
  EXPECT_EQ(reasoning + CountTokens(r.content[1].text), 70);
  EXPECT_EQ(r.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(r.usage.output_tokens, 70);
}

TEST_F(SimulatedBackendTest, ReasoningIsCutToTheThinkingBudget) {
  ModelResponse r = Answer(Thinking(Ask("Tell me about tides"), 5));
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(CountTokens(r.content[0].text), 5);
  EXPECT_EQ(r.content[0].text, "The user asks: \"");
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
}

TEST_F(SimulatedBackendTest, ReasoningNamesTheToolAndShiftsItsIndex) {
  auto sink =
      Run(Thinking(AskWithTools("What's the weather in Paris? get_weather", ToolChoice::kAuto)));
  const ModelResponse& r = sink->collector.response();
  ASSERT_EQ(r.content.size(), 3u);
  EXPECT_THAT(r.content[0].text, HasSubstr("I should call the get_weather tool"));
  EXPECT_EQ(r.content[1].kind, ContentBlock::Kind::kText);
  EXPECT_EQ(r.content[2].kind, ContentBlock::Kind::kToolUse);
  EXPECT_EQ(sink->Count("tool_start 2 get_weather"), 1);
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
}

TEST_F(SimulatedBackendTest, StopSequencesDoNotApplyToReasoning) {
  ModelRequest request = Thinking(Ask("Say: one two"));
  request.stop_sequences = {"user"};  // in the reasoning, not in the answer
  ModelResponse r = Answer(request);
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_THAT(r.content[0].text, HasSubstr("user"));
  EXPECT_EQ(r.content[1].text, "one two");
  EXPECT_EQ(r.stop_reason, StopReason::kEndTurn);
}

TEST_F(SimulatedBackendTest, ABudgetNotBelowTheDefaultMaxTokensIsRefused) {
  auto sink = Run(Thinking(Ask("hi"), 4096));  // default_max_tokens 4096
  EXPECT_THAT(sink->collector.status(),
              FailsWith(HasSubstr("The model returned the following errors: `max_tokens` must "
                                  "be greater than `thinking.budget_tokens`")));
  EXPECT_EQ(sink->Count("start"), 0);
}

TEST_F(SimulatedBackendTest, ReasoningSentBackCountsAsInputAndIsAccepted) {
  ModelRequest first = Thinking(Ask("Plan a picnic"));
  ModelResponse r1 = Answer(first);
  ModelRequest second = first;
  second.messages.push_back({Role::kAssistant, r1.content});
  second.messages.push_back({Role::kUser, {Text("And if it rains?")}});
  ModelResponse r2 = Answer(second);
  ASSERT_EQ(r2.content.size(), 2u);
  EXPECT_THAT(r2.content[0].text, HasSubstr("This is turn 2 of the conversation"));
  EXPECT_EQ(r2.usage.input_tokens, backend_.CountInputTokens(second));
  EXPECT_GT(r2.usage.input_tokens, r1.usage.input_tokens + CountTokens(r1.content[0].text));
}

}  // namespace
}  // namespace bp::backends::simulated
