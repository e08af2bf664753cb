#include "backends/openai/chat_request.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/base64.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::backends::openai {
namespace {

using ::bp::testing::StatusIs;
using Kind = ContentBlock::Kind;

ContentBlock Text(std::string text) { return {.kind = Kind::kText, .text = std::move(text)}; }

ContentBlock Image(std::string format, std::string bytes) {
  ContentBlock block{.kind = Kind::kImage, .text = std::move(format)};
  block.byte_size = bytes.size();
  block.base64 = Base64Encode(bytes);
  return block;
}

ContentBlock ToolUse(std::string id, std::string name, std::string input) {
  return {.kind = Kind::kToolUse,
          .tool_use_id = std::move(id),
          .tool_name = std::move(name),
          .input_json = std::move(input)};
}

ContentBlock ToolResult(std::string id, std::string text, std::string json = "",
                        bool error = false) {
  return {.kind = Kind::kToolResult,
          .text = std::move(text),
          .tool_use_id = std::move(id),
          .input_json = std::move(json),
          .is_error = error};
}

// The body `request` builds, checked to be JSON, compared as a document.
void ExpectBody(const ModelRequest& request, const OpenAiOptions& options,
                std::string_view expected) {
  Result<std::string> body = BuildChatRequest(request, options);
  ASSERT_OK(body);
  Result<json::Value> got = json::Parse(*body);
  ASSERT_OK(got) << *body;
  Result<json::Value> want = json::Parse(expected);
  ASSERT_OK(want) << expected;
  EXPECT_EQ(*got, *want) << "got:  " << *body << "\nwant: " << json::Serialize(*want);
}

const OpenAiOptions kPlain{.model = "qwen2.5-7b-instruct"};

// What the Converse parser makes of a multi-turn tool conversation with a
// system prompt (two parts, one of them guardContent), an image, limits and
// a forced tool.
ModelRequest ConverseShaped() {
  ModelRequest r;
  r.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  r.region = "eu-west-1";
  r.system = {"You are terse.", "Answer in French."};
  r.guarded_system = {1};
  r.messages.push_back(
      {Role::kUser, {Text("What is the weather in Paris?"), Image("png", "\x89PNG")}});
  r.messages.push_back(
      {Role::kAssistant,
       {Text("Let me check."), ToolUse("tooluse_abc", "get_weather", R"({"city":"Paris"})")}});
  r.messages.push_back(
      {Role::kUser,
       {ToolResult("tooluse_abc", "sunny", R"({"celsius":21})"), Text("And tomorrow?")}});
  r.max_tokens = 512;
  r.temperature = 0.5;
  r.top_p = 0.9;
  r.stop_sequences = {"END", "##"};
  r.tools.push_back(
      {.name = "get_weather",
       .description = "Weather by city",
       .input_schema_json = R"({"type":"object","properties":{"city":{"type":"string"}}})"});
  r.tool_choice = ToolChoice::kTool;
  r.tool_choice_name = "get_weather";
  r.service_tier = ServiceTier::kDefault;
  r.request_metadata = {{"team", "rd"}};
  r.cache_points.push_back({.section = CachePoint::Section::kSystem, .count = 1});
  return r;
}

TEST(BuildChatRequestTest, ConverseShapedMultiTurnWithToolsAndImage) {
  const std::string png = Base64Encode("\x89PNG");
  ExpectBody(ConverseShaped(), kPlain,
             R"({
    "model": "qwen2.5-7b-instruct",
    "messages": [
      {"role": "system", "content": "You are terse.\nAnswer in French."},
      {"role": "user", "content": [
        {"type": "text", "text": "What is the weather in Paris?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,)" +
                 png + R"("}}]},
      {"role": "assistant", "content": "Let me check.", "tool_calls": [
        {"id": "tooluse_abc", "type": "function",
         "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
      {"role": "tool", "tool_call_id": "tooluse_abc", "content": "sunny\n{\"celsius\":21}"},
      {"role": "user", "content": "And tomorrow?"}
    ],
    "max_tokens": 512, "temperature": 0.5, "top_p": 0.9, "stop": ["END", "##"],
    "tools": [{"type": "function", "function": {"name": "get_weather",
      "description": "Weather by city",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    "stream": false
  })");
}

// What the Anthropic parser makes of an InvokeModel body: string content,
// top_k, an error tool_result, an assistant turn with only tool calls, two
// results answered in one user turn, tool_choice any.
TEST(BuildChatRequestTest, AnthropicShapedToolResultsAndStreaming) {
  ModelRequest r;
  r.region = "eu-central-1";
  r.system = {"sys"};
  r.messages.push_back({Role::kUser, {Text("Look both up")}});
  r.messages.push_back({Role::kAssistant,
                        {ToolUse("toolu_01", "lookup", R"({"q":"a"})"),
                         ToolUse("toolu_02", "lookup", R"({"q":"b"})")}});
  r.messages.push_back(
      {Role::kUser,
       {ToolResult("toolu_01", "not found", "", true), ToolResult("toolu_02", "", R"([1,2])")}});
  r.max_tokens = 100;
  r.top_k = 40;
  r.tools.push_back(
      {.name = "lookup", .input_schema_json = R"({"type":"object"})", .strict = true});
  r.tool_choice = ToolChoice::kAny;
  ExpectBody(r, {.model = "m", .stream = true}, R"({
    "model": "m",
    "messages": [
      {"role": "system", "content": "sys"},
      {"role": "user", "content": "Look both up"},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "toolu_01", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"a\"}"}},
        {"id": "toolu_02", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"b\"}"}}]},
      {"role": "tool", "tool_call_id": "toolu_01", "content": "Error: not found"},
      {"role": "tool", "tool_call_id": "toolu_02", "content": "[1,2]"}
    ],
    "max_tokens": 100, "top_k": 40,
    "tools": [{"type": "function", "function": {"name": "lookup",
      "parameters": {"type": "object"}, "strict": true}}],
    "tool_choice": "required",
    "stream": true, "stream_options": {"include_usage": true}
  })");
}

TEST(BuildChatRequestTest, JsonSchemaOutputReasoningHistoryAndDefaults) {
  ModelRequest r;
  r.messages.push_back({Role::kUser, {Text("Rate it")}});
  ContentBlock thought{.kind = Kind::kReasoning, .text = "hmm"};
  thought.signature = "sig";
  r.messages.push_back({Role::kAssistant, {thought, Text("4")}});
  r.messages.push_back({Role::kUser, {Text("Again, as JSON")}});
  r.messages.push_back({Role::kAssistant, {}});  // an empty prefill is left out
  r.output_format =
      OutputFormat{.schema_json = R"({"type":"object","properties":{"r":{"type":"integer"}}})",
                   .name = "rating schema!",
                   .description = "A rating"};
  r.tools.push_back({.name = "t", .input_schema_json = "{}"});
  r.tool_choice = ToolChoice::kNone;
  ExpectBody(r, {.model = "m", .stream = true, .include_usage = false, .default_max_tokens = 256},
             R"({
    "model": "m",
    "messages": [
      {"role": "user", "content": "Rate it"},
      {"role": "assistant", "content": "4", "reasoning_content": "hmm", "reasoning": "hmm"},
      {"role": "user", "content": "Again, as JSON"}
    ],
    "max_tokens": 256,
    "tools": [{"type": "function", "function": {"name": "t", "parameters": {}}}],
    "tool_choice": "none",
    "response_format": {"type": "json_schema", "json_schema": {"name": "rating_schema_",
      "description": "A rating",
      "schema": {"type": "object", "properties": {"r": {"type": "integer"}}}, "strict": true}},
    "stream": true
  })");
}

TEST(BuildChatRequestTest, TextIsEscapedAndNoToolsMeansNoToolChoice) {
  ModelRequest r;
  r.messages.push_back({Role::kUser, {Text("a \"quote\"\n\x01 and \xff"), Text("second")}});
  r.tool_choice = ToolChoice::kAny;  // no tools: nothing to choose from
  ExpectBody(r, kPlain, R"({"model": "qwen2.5-7b-instruct", "messages": [
      {"role": "user", "content": [{"type": "text", "text": "a \"quote\"\n\u0001 and \ufffd"},
                                   {"type": "text", "text": "second"}]}],
    "stream": false})");
}

TEST(BuildChatRequestTest, ImageBytesAreWrittenUnchanged) {
  ModelRequest r;
  const std::string bytes(3000, '\x7f');
  r.messages.push_back({Role::kUser, {Image("jpeg", bytes)}});
  Result<std::string> body = BuildChatRequest(r, kPlain);
  ASSERT_OK(body);
  EXPECT_NE(body->find("\"data:image/jpeg;base64," + Base64Encode(bytes) + "\""),
            std::string::npos);
}

struct RefusalCase {
  const char* name;
  ModelRequest request;
  const char* field;
};

TEST(BuildChatRequestTest, FieldsWithoutCounterpartAreRefusedByName) {
  auto with = [](ContentBlock block, Role role = Role::kUser) {
    ModelRequest r;
    r.region = "eu-west-3";
    if (role == Role::kAssistant) r.messages.push_back({Role::kUser, {Text("hi")}});
    r.messages.push_back({role, {Text("x"), std::move(block)}});
    return r;
  };
  ModelRequest thinking = with(Text("y"));
  thinking.thinking_budget = 2048;
  ModelRequest tier = with(Text("y"));
  tier.service_tier = ServiceTier::kFlex;
  ContentBlock image_in_result = ToolResult("t1", "see picture");
  image_in_result.byte_size = 1200;
  ContentBlock no_bytes = Image("png", "x");
  no_bytes.base64.clear();
  std::vector<RefusalCase> cases = {
      {"thinking", thinking, "thinking: extended thinking"},
      {"tier", tier, "serviceTier: the service tier 'flex'"},
      {"document", with({.kind = Kind::kDocument, .text = "pdf"}),
       "messages.0.content.1: a document block"},
      {"video", with({.kind = Kind::kVideo, .text = "mp4"}), "messages.0.content.1: a video"},
      {"audio", with({.kind = Kind::kAudio, .text = "mp3"}), "messages.0.content.1: an audio clip"},
      {"search", with({.kind = Kind::kSearchResult, .text = "t"}),
       "messages.0.content.1: a search result"},
      {"image_in_tool_result", with(image_in_result),
       "messages.0.content.1: an image or document inside a tool result"},
      {"image_without_bytes", with(no_bytes), "messages.0.content.1: an image without its bytes"},
      {"assistant_image", with(Image("png", "x"), Role::kAssistant),
       "messages.1.content.1: an image in an assistant message"},
  };
  for (const RefusalCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::string> body = BuildChatRequest(c.request, kPlain);
    ASSERT_THAT(body, StatusIs(ErrorCode::kValidation));
    const std::string& message = body.status().message();
    EXPECT_EQ(message.rfind(c.field, 0), 0u) << message;
    EXPECT_NE(message.find("region eu-west-3 answers from an OpenAI-compatible chat-completions "
                           "server"),
              std::string::npos)
        << message;
  }
}

TEST(BuildChatRequestTest, ToolChoiceOfAToolNotOfferedAndMissingModel) {
  ModelRequest r = ConverseShaped();
  r.tool_choice_name = "other";
  EXPECT_THAT(BuildChatRequest(r, kPlain), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(BuildChatRequest(ConverseShaped(), OpenAiOptions{}), StatusIs(ErrorCode::kInternal));
}

}  // namespace
}  // namespace bp::backends::openai
