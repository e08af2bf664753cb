// Pure pieces of the simulated model: prose helpers, tool choice and input.
#include "backends/simulated/answer.h"

#include <cctype>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/simulated/conversation.h"
#include "backends/simulated/prose.h"
#include "backends/simulated/tool_call.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::backends::simulated {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SayTextTest, MatchesCaseInsensitivelyAndTrims) {
  EXPECT_EQ(SayText("Say: one two three"), "one two three");
  EXPECT_EQ(SayText("  sAY:   spaced out \n"), "spaced out");
  EXPECT_EQ(SayText("SAY:"), "");
  EXPECT_EQ(SayText("Please say: hi"), std::nullopt);
  EXPECT_EQ(SayText("Sa"), std::nullopt);
}

TEST(QuoteStartTest, KeepsTheFirstWordsAndMarksCuts) {
  EXPECT_EQ(QuoteStart("one  two\nthree", 12, 100), "one two three");
  EXPECT_EQ(QuoteStart("a b c d", 2, 100), "a b\xE2\x80\xA6");
  EXPECT_EQ(QuoteStart("say \"hi\"", 12, 100), "say 'hi'");
  EXPECT_EQ(QuoteStart(std::string(500, 'x'), 12, 10), std::string(10, 'x') + "\xE2\x80\xA6");
  // Never cuts inside a UTF-8 character.
  EXPECT_EQ(QuoteStart("ab\xC3\xA9", 12, 3), "ab\xE2\x80\xA6");
}

TEST(MentionsToolTest, MatchesNamesLoosely) {
  EXPECT_TRUE(MentionsTool("please call get_weather now", "get_weather"));
  EXPECT_TRUE(MentionsTool("What's the GET WEATHER for Paris", "get_weather"));
  EXPECT_TRUE(MentionsTool("use get-weather.", "get_weather"));
  EXPECT_TRUE(MentionsTool("lookup", "lookup"));
  EXPECT_FALSE(MentionsTool("forget_weather", "get_weather"));
  EXPECT_FALSE(MentionsTool("get_weathers", "get_weather"));
  EXPECT_FALSE(MentionsTool("getweather", "get_weather"));
  EXPECT_FALSE(MentionsTool("anything", ""));
  EXPECT_FALSE(MentionsTool("get", "get_weather"));
}

TEST(FillToolInputTest, FillsRequiredPropertiesFromTheSchema) {
  const std::string schema = R"({"type":"object","properties":{
      "city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
      "days":{"type":"integer"},"ratio":{"type":"number"},"verbose":{"type":"boolean"},
      "tags":{"type":"array","items":{"type":"string"}},"opts":{"type":"object"},
      "query":{"type":"string"},"skipped":{"type":"string"}},
      "required":["city","unit","days","ratio","verbose","tags","opts","query"]})";
  EXPECT_EQ(FillToolInput(schema, "What is the weather in Paris? Search \"rain\" please"),
            R"({"city":"Paris","unit":"celsius","days":1,"ratio":1,"verbose":true,)"
            R"("tags":["rain"],"opts":{},"query":"rain"})");
}

TEST(FillToolInputTest, UsesAllPropertiesWhenNoneAreRequired) {
  EXPECT_EQ(FillToolInput(R"({"properties":{"location":{"type":"string"},"n":{"type":"integer"}}})",
                          "Weather in lovely Lisbon today"),
            R"({"location":"Lisbon","n":1})");
}

TEST(FillToolInputTest, FallsBackToExample) {
  EXPECT_EQ(FillToolInput(R"({"properties":{"city":{"type":"string"}}})", "Hello there"),
            R"({"city":"example"})");
  EXPECT_EQ(FillToolInput(R"({"properties":{"q":{"type":["null","string"]}}})", "hi"),
            R"({"q":"example"})");
}

TEST(FillToolInputTest, InvalidUtf8FromThePromptStillGivesValidJson) {
  const std::string input =
      FillToolInput(R"({"properties":{"q":{"type":"string"}}})", "Find \"ll\xFF\xC3\"");
  EXPECT_EQ(input, "{\"q\":\"ll\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_OK(json::Parse(input));
}

TEST(FillToolInputTest, BadOrMissingSchemaGivesEmptyObject) {
  EXPECT_EQ(FillToolInput("", "x"), "{}");
  EXPECT_EQ(FillToolInput("{not json", "x"), "{}");
  EXPECT_EQ(FillToolInput("[1,2]", "x"), "{}");
  EXPECT_EQ(FillToolInput(R"({"properties":"oops","required":[1,null]})", "x"), "{}");
  EXPECT_EQ(FillToolInput(R"({"type":"object"})", "x"), "{}");
}

TEST(ToolUseIdTest, IsFixedByTheHash) {
  const std::string id = ToolUseId(12345);
  EXPECT_EQ(id, ToolUseId(12345));
  EXPECT_NE(id, ToolUseId(12346));
  ASSERT_EQ(id.size(), 30u);
  EXPECT_EQ(id.substr(0, 8), "tooluse_");
  for (char c : id.substr(8)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << id;
}

TEST(SplitFragmentsTest, CutsIntoTwoToFourFragments) {
  for (uint64_t hash = 0; hash < 50; ++hash) {
    const std::string json = R"({"city":"Z\u00fcrich","note":"é"})";
    std::vector<uint32_t> ends;
    SplitFragments(json, hash, ends);
    ASSERT_GE(ends.size(), 2u);
    ASSERT_LE(ends.size(), 4u);
    EXPECT_EQ(ends.back(), json.size());
    for (size_t i = 1; i < ends.size(); ++i) EXPECT_LT(ends[i - 1], ends[i]);
  }
  std::vector<uint32_t> tiny;
  SplitFragments("{}", 3, tiny);
  EXPECT_EQ(tiny, (std::vector<uint32_t>{1, 2}));
}

ModelRequest WithTools(std::string text, ToolChoice choice) {
  ModelRequest request;
  request.model_id = "m";
  request.messages.push_back({Role::kUser, {ContentBlock{.text = std::move(text)}}});
  request.tools.push_back({"lookup", "Looks things up", "{}"});
  request.tools.push_back({"get_weather", "Weather", "{}"});
  request.tool_choice = choice;
  return request;
}

TEST(DecideToolTest, FollowsTheChoiceRules) {
  auto decide = [](const ModelRequest& r) { return DecideTool(r, ViewConversation(r)); };
  auto auto_mention = WithTools("weather? use get weather", ToolChoice::kAuto);
  ASSERT_OK(decide(auto_mention));
  EXPECT_EQ(decide(auto_mention)->tool->name, "get_weather");
  EXPECT_TRUE(decide(auto_mention)->preamble);

  EXPECT_EQ(decide(WithTools("hello", ToolChoice::kAuto))->tool, nullptr);
  EXPECT_EQ(decide(WithTools("Say: get_weather", ToolChoice::kAuto))->tool, nullptr);
  EXPECT_EQ(decide(WithTools("get_weather", ToolChoice::kNone))->tool, nullptr);
  EXPECT_EQ(decide(WithTools("hello", ToolChoice::kAny))->tool->name, "lookup");
  EXPECT_EQ(decide(WithTools("get_weather", ToolChoice::kAny))->tool->name, "get_weather");
  EXPECT_FALSE(decide(WithTools("get_weather", ToolChoice::kAny))->preamble);

  auto named = WithTools("hello", ToolChoice::kTool);
  named.tool_choice_name = "get_weather";
  EXPECT_EQ(decide(named)->tool->name, "get_weather");
  named.tool_choice_name = "nope";
  EXPECT_THAT(decide(named), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(decide(named).status().message(), HasSubstr("\"nope\""));
}

TEST(CountRequestTokensTest, CountsEveryPart) {
  ModelRequest request;
  request.system = {"Be brief."};                                                 // 3
  request.messages.push_back({Role::kUser, {ContentBlock{.text = "Hi there"}}});  // 4 + 2
  ContentBlock image{.kind = ContentBlock::Kind::kImage, .text = "png", .byte_size = 7500};
  ContentBlock doc{.kind = ContentBlock::Kind::kDocument, .text = "pdf", .byte_size = 10};
  request.messages.push_back({Role::kAssistant, {image, doc}});   // 4 + 10 + 1
  request.tools.push_back({"get_weather", "Weather now", "{}"});  // 4 + 3 + 2
  EXPECT_EQ(CountRequestTokens(request), 3 + 6 + 15 + 9);
}

TEST(HashRequestTest, DependsOnContentNotRegionOrSampling) {
  ModelRequest a = WithTools("hello", ToolChoice::kAuto);
  ModelRequest b = a;
  b.region = "eu-west-1";
  b.temperature = 0.5;
  EXPECT_EQ(HashRequest(a), HashRequest(b));
  b.max_tokens = 10;
  EXPECT_NE(HashRequest(a), HashRequest(b));
  ModelRequest c = a;
  c.messages[0].content[0].text = "hellO";
  EXPECT_NE(HashRequest(a), HashRequest(c));
  ModelRequest d = a;
  d.stop_sequences = {"x"};
  EXPECT_NE(HashRequest(a), HashRequest(d));
}

}  // namespace
}  // namespace bp::backends::simulated
