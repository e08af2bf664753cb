#include "api/runtime/anthropic_wire.h"

#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/runtime/runtime_test_util.h"
#include "api/runtime/stream_errors.h"
#include "core/base64.h"
#include "eventstream/eventstream.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using backends::ContentBlock;
using backends::ModelRequest;
using backends::ModelResponse;
using ::bp::testing::StatusIs;
using Kind = ContentBlock::Kind;

using testing::DecodeFrames;
using testing::ParseOrDie;

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

json::Value Vector(std::string_view name) {
  return ParseOrDie(
      bp::testing::ReadFileOrDie(bp::testing::TestDataDir() / "eventstream" / std::string(name)));
}

// ---- parsing: the happy paths --------------------------------------------------------

TEST(ParseAnthropicRequestTest, WhatTheAnthropicSdkSends) {
  Result<ModelRequest> req = ParseAnthropicRequest(
      R"({"max_tokens":50,"system":"be nice","messages":[{"role":"user","content":"Hi"}],)"
      R"("temperature":0.2,"anthropic_version":"2026-10-21"})");
  ASSERT_OK(req);
  EXPECT_EQ(req->max_tokens, 50);
  EXPECT_EQ(req->system, std::vector<std::string>{"be nice"});
  ASSERT_EQ(req->messages.size(), 1u);
  EXPECT_EQ(req->messages[0].role, backends::Role::kUser);
  ASSERT_EQ(req->messages[0].content.size(), 1u);
  EXPECT_EQ(req->messages[0].content[0].kind, Kind::kText);
  EXPECT_EQ(req->messages[0].content[0].text, "Hi");
  EXPECT_EQ(req->temperature, 0.2);
  EXPECT_TRUE(req->model_id.empty());
}

TEST(ParseAnthropicRequestTest, CacheControlBecomesCachePoints) {
  Result<ModelRequest> req = ParseAnthropicRequest(R"({
    "anthropic_version":"bedrock-2023-05-31","max_tokens":10,
    "tools":[{"name":"t","input_schema":{},"cache_control":{"type":"ephemeral","ttl":"1h"}}],
    "system":[{"type":"text","text":"s1"},
              {"type":"text","text":"s2","cache_control":{"type":"ephemeral"}}],
    "messages":[
      {"role":"user","content":[{"type":"text","text":"a"},
        {"type":"text","text":"b","cache_control":{"type":"ephemeral","ttl":"5m"}}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"x","name":"t","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"x",
        "content":[{"type":"text","text":"r","cache_control":{"type":"ephemeral"}}]}]}]})");
  ASSERT_OK(req);
  using Section = backends::CachePoint::Section;
  ASSERT_EQ(req->cache_points.size(), 4u);
  EXPECT_EQ(req->cache_points[0].section, Section::kTools);
  EXPECT_EQ(req->cache_points[0].count, 1u);
  EXPECT_EQ(req->cache_points[0].ttl, backends::CacheTtl::k1h);
  EXPECT_EQ(req->cache_points[1].section, Section::kSystem);
  EXPECT_EQ(req->cache_points[1].count, 2u);
  EXPECT_EQ(req->cache_points[2].section, Section::kMessages);
  EXPECT_EQ(req->cache_points[2].message, 0u);
  EXPECT_EQ(req->cache_points[2].count, 2u);
  EXPECT_EQ(req->cache_points[3].message, 2u);  // inside the tool_result: marks the tool_result
  EXPECT_EQ(req->cache_points[3].count, 1u);
  EXPECT_EQ(req->cache_points[3].ttl, backends::CacheTtl::k5m);
}

TEST(ParseAnthropicRequestTest, CacheControlErrors) {
  auto message = [](std::string_view content) {
    Result<ModelRequest> r = ParseAnthropicRequest(
        std::string(R"({"anthropic_version":"v","max_tokens":10,"messages":[{"role":"user",)"
                    R"("content":[)") +
        std::string(content) + "]}]}");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  const std::string text = R"({"type":"text","text":"a","cache_control":{"type":"ephemeral"}})";
  EXPECT_EQ(message(text + "," + text + "," + text + "," + text), "OK");
  EXPECT_EQ(message(text + "," + text + "," + text + "," + text + "," + text),
            "A maximum of 4 blocks with cache_control may be provided. Found 5.");
  EXPECT_EQ(message(text + R"(,{"type":"text","text":"b","cache_control":{"type":"ephemeral",)"
                           R"("ttl":"1h"}})"),
            "messages.0.content.1: a ttl='1h' cache_control block must not come after a "
            "ttl='5m' cache_control block. Note that blocks are processed in the following "
            "order: `tools`, `system`, `messages`.");
  EXPECT_EQ(message(R"({"type":"text","text":"a","cache_control":{"type":"persistent"}})"),
            "Malformed input request: #/messages/0/content/0/cache_control/type: persistent is "
            "not a valid enum value, please reformat your input and try again.");
  EXPECT_EQ(
      message(R"({"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"2h"}})"),
      "Malformed input request: #/messages/0/content/0/cache_control/ttl: 2h is not a "
      "valid enum value, please reformat your input and try again.");
  EXPECT_EQ(message(R"({"type":"text","text":"a","cache_control":{"ttl":"5m"}})"),
            "Malformed input request: #/messages/0/content/0/cache_control: required key [type] "
            "not found, please reformat your input and try again.");
}

TEST(ParseAnthropicRequestTest, EveryModelledMember) {
  std::string png = Base64Encode("12345");
  std::string pdf = Base64Encode("%PDF-1");
  Result<ModelRequest> req = ParseAnthropicRequest(R"({
    "anthropic_version":"bedrock-2023-05-31","anthropic_beta":["tools-2024"],
    "max_tokens":100,"temperature":1,"top_p":0.9,"top_k":40,"stop_sequences":["STOP"],
    "metadata":{"user_id":"u1"},"thinking":{"type":"disabled"},
    "system":[{"type":"text","text":"sys1","cache_control":{"type":"ephemeral"}},
              {"type":"text","text":"sys2"}],
    "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}},
             {"type":"custom","name":"other","input_schema":{}}],
    "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true},
    "messages":[
      {"role":"user","content":[{"type":"text","text":"look"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":")" +
                                                   png + R"("}},
        {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":")" +
                                                   pdf + R"("},"title":"t"}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
        {"type":"redacted_thinking","data":"xyz"},
        {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","is_error":true,
        "content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
        {"type":"tool_result","tool_use_id":"toolu_02","content":"plain"}]},
      {"role":"assistant","content":[]}
    ]})");
  ASSERT_OK(req);
  EXPECT_EQ(req->max_tokens, 100);
  EXPECT_EQ(req->temperature, 1.0);
  EXPECT_EQ(req->top_p, 0.9);
  EXPECT_EQ(req->top_k, 40);
  EXPECT_EQ(req->stop_sequences, std::vector<std::string>{"STOP"});
  EXPECT_EQ(req->system, (std::vector<std::string>{"sys1", "sys2"}));
  ASSERT_EQ(req->tools.size(), 2u);
  EXPECT_EQ(req->tools[0].name, "get_weather");
  EXPECT_EQ(req->tools[0].description, "Weather");
  EXPECT_EQ(req->tools[0].input_schema_json, R"({"type":"object"})");
  EXPECT_EQ(req->tool_choice, backends::ToolChoice::kTool);
  EXPECT_EQ(req->tool_choice_name, "get_weather");
  ASSERT_EQ(req->messages.size(), 4u);
  const auto& user = req->messages[0].content;
  ASSERT_EQ(user.size(), 3u);
  EXPECT_EQ(user[1].kind, Kind::kImage);
  EXPECT_EQ(user[1].text, "png");
  EXPECT_EQ(user[1].byte_size, 5u);
  EXPECT_EQ(user[1].base64, png);
  EXPECT_EQ(user[2].base64, pdf);  // kept for backends that forward documents
  EXPECT_EQ(user[2].tool_name, "t");
  EXPECT_EQ(user[2].kind, Kind::kDocument);
  EXPECT_EQ(user[2].text, "pdf");
  EXPECT_EQ(user[2].byte_size, 6u);
  const auto& assistant = req->messages[1].content;
  ASSERT_EQ(assistant.size(), 3u);
  EXPECT_EQ(assistant[0].kind, Kind::kReasoning);
  EXPECT_EQ(assistant[0].text, "hmm");
  EXPECT_EQ(assistant[0].signature, "s");
  EXPECT_EQ(assistant[1].kind, Kind::kReasoning);
  EXPECT_EQ(assistant[1].signature, "");
  EXPECT_EQ(assistant[2].kind, Kind::kToolUse);
  EXPECT_EQ(assistant[2].tool_use_id, "toolu_01");
  EXPECT_EQ(assistant[2].input_json, R"({"city":"Paris"})");
  const auto& results = req->messages[2].content;
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].kind, Kind::kToolResult);
  EXPECT_TRUE(results[0].is_error);
  EXPECT_EQ(results[0].text, "a\nb");
  EXPECT_EQ(results[1].text, "plain");
  EXPECT_FALSE(results[1].is_error);
  EXPECT_TRUE(req->messages[3].content.empty());  // the optional final assistant prefill
}

TEST(ParseAnthropicRequestTest, ToolChoiceKinds) {
  std::string head =
      R"({"anthropic_version":"v","max_tokens":1,"messages":[{"role":"user","content":"x"}],)"
      R"("tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":")";
  Result<ModelRequest> any = ParseAnthropicRequest(head + R"(any"}})");
  ASSERT_OK(any);
  EXPECT_EQ(any->tool_choice, backends::ToolChoice::kAny);
  Result<ModelRequest> none = ParseAnthropicRequest(head + R"(none"}})");
  ASSERT_OK(none);
  EXPECT_EQ(none->tool_choice, backends::ToolChoice::kNone);
  Result<ModelRequest> automatic = ParseAnthropicRequest(head + R"(auto"}})");
  ASSERT_OK(automatic);
  EXPECT_EQ(automatic->tool_choice, backends::ToolChoice::kAuto);
}

// ---- parsing: every validation error, with its text --------------------------------

struct ErrorCase {
  std::string name;
  std::string body;
  std::string message;
};

// Failure output names the case instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

// A valid body with `extra` members added (", ..." form) and `messages`.
std::string Body(std::string_view extra,
                 std::string_view messages = R"([{"role":"user","content":"hi"}])") {
  return R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":)" +
         std::string(messages) + std::string(extra) + "}";
}
std::string UserContent(std::string_view blocks) {
  return Body("", R"([{"role":"user","content":[)" + std::string(blocks) + "]}]");
}
std::string Malformed(std::string_view detail) {
  return "Malformed input request: " + std::string(detail) +
         ", please reformat your input and try again.";
}

std::vector<ErrorCase> AnthropicErrorCases() {
  return {
      {"NotJson", "not json",
       "Malformed input request: malformed JSON: syntax error, please reformat your input and "
       "try again."},
      {"NotAnObject", "[1]", Malformed("#: expected type: JSONObject, found: JSONArray")},
      {"Stream", Body(R"(,"stream":true)"),
       Malformed("#: extraneous key [stream] is not permitted")},
      {"Model", Body(R"(,"model":"claude")"),
       Malformed("#: extraneous key [model] is not permitted")},
      {"MissingMaxTokens",
       R"({"anthropic_version":"v","messages":[{"role":"user","content":"hi"}]})",
       Malformed("#: required key [max_tokens] not found")},
      {"MissingVersion", R"({"max_tokens":1,"messages":[{"role":"user","content":"hi"}]})",
       Malformed("#: required key [anthropic_version] not found")},
      {"MissingMessages", R"({"anthropic_version":"v","max_tokens":1})",
       Malformed("#: required key [messages] not found")},
      {"EmptyVersion",
       R"({"anthropic_version":"","max_tokens":1,"messages":[{"role":"user","content":"x"}]})",
       Malformed("#/anthropic_version: expected minLength: 1, actual: 0")},
      {"MaxTokensString",
       R"({"anthropic_version":"v","max_tokens":"10","messages":[{"role":"user","content":"x"}]})",
       Malformed("#/max_tokens: expected type: Integer, found: String")},
      {"MaxTokensZero",
       R"({"anthropic_version":"v","max_tokens":0,"messages":[{"role":"user","content":"x"}]})",
       Malformed("#/max_tokens: 0 is not greater or equal to 1")},
      {"NoMessages", Body("", "[]"),
       Malformed("#/messages: expected minimum item count: 1, found: 0")},
      {"RoleType", Body("", R"([{"role":1,"content":"x"}])"),
       Malformed("#/messages/0/role: expected type: String, found: Integer")},
      {"RoleValue", Body("", R"([{"role":"system","content":"x"}])"),
       Malformed("#/messages/0/role: system is not a valid enum value")},
      {"MessageExtraKey", Body("", R"([{"role":"user","content":"x","name":"bob"}])"),
       Malformed("#/messages/0: extraneous key [name] is not permitted")},
      {"ContentNumber", Body("", R"([{"role":"user","content":5}])"),
       Malformed("#/messages/0/content: expected type: String or JSONArray, found: Integer")},
      {"EmptyUserContent", Body("", R"([{"role":"user","content":""}])"),
       "messages.0: all messages must have non-empty content except for the optional final "
       "assistant message"},
      {"EmptyMiddleAssistant",
       Body("", R"([{"role":"user","content":"a"},{"role":"assistant","content":[]},)"
                R"({"role":"user","content":"b"}])"),
       "messages.1: all messages must have non-empty content except for the optional final "
       "assistant message"},
      {"EmptyTextBlock", UserContent(R"({"type":"text","text":""})"),
       "messages: text content blocks must be non-empty"},
      {"BlockWithoutType", UserContent(R"({"text":"x"})"),
       Malformed("#/messages/0/content/0: required key [type] not found")},
      {"UnknownBlockType", UserContent(R"({"type":"audio","data":"x"})"),
       Malformed("#/messages/0/content/0/type: audio is not a valid enum value")},
      {"TextBlockExtraKey", UserContent(R"({"type":"text","text":"x","lang":"en"})"),
       Malformed("#/messages/0/content/0: extraneous key [lang] is not permitted")},
      {"ImageUrl",
       UserContent(R"({"type":"image","source":{"type":"url","url":"https://x/y.png"}})"),
       "messages.0.content.0.source: image source type 'url' is not supported by this endpoint"},
      {"ImageMediaType",
       UserContent(
           R"({"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AA=="}})"),
       Malformed("#/messages/0/content/0/source/media_type: image/bmp is not a valid enum value")},
      {"ImageBadBase64",
       UserContent(
           R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"@@@@"}})"),
       Malformed("#/messages/0/content/0/source/data: invalid base64 (base64: invalid character)")},
      {"ImageNoData",
       UserContent(R"({"type":"image","source":{"type":"base64","media_type":"image/png"}})"),
       Malformed("#/messages/0/content/0/source: required key [data] not found")},
      {"DocumentFile", UserContent(R"({"type":"document","source":{"type":"file","file_id":"f"}})"),
       "messages.0.content.0.source: document source type 'file' is not supported by this "
       "endpoint"},
      {"ToolUseNameRequired", UserContent(R"({"type":"tool_use","id":"a","input":{}})"),
       Malformed("#/messages/0/content/0: required key [name] not found")},
      {"ToolUseBadId", UserContent(R"({"type":"tool_use","id":"a b","name":"t","input":{}})"),
       Malformed("#/messages/0/content/0/id: string [a b] does not match pattern "
                 "^[a-zA-Z0-9_-]{1,64}$")},
      {"ToolUseInputString", UserContent(R"({"type":"tool_use","id":"a","name":"t","input":"{}"})"),
       Malformed("#/messages/0/content/0/input: expected type: JSONObject, found: String")},
      {"ToolResultIsError",
       UserContent(R"({"type":"tool_result","tool_use_id":"a","is_error":"yes"})"),
       Malformed("#/messages/0/content/0/is_error: expected type: Boolean, found: String")},
      {"ToolResultNestedToolUse",
       UserContent(R"({"type":"tool_result","tool_use_id":"a","content":[{"type":"tool_use"}]})"),
       Malformed("#/messages/0/content/0/content/0/type: tool_use is not a valid enum value")},
      {"ThinkingWithoutSignature", UserContent(R"({"type":"thinking","thinking":"x"})"),
       Malformed("#/messages/0/content/0: required key [signature] not found")},
      {"SystemNumber", Body(R"(,"system":5)"),
       Malformed("#/system: expected type: String or JSONArray, found: Integer")},
      {"SystemBlockType", Body(R"(,"system":[{"type":"image","text":"x"}])"),
       Malformed("#/system/0/type: image is not a valid enum value")},
      {"TemperatureHigh", Body(R"(,"temperature":1.5)"),
       Malformed("#/temperature: 1.5 is not less or equal to 1")},
      {"TopPNegative", Body(R"(,"top_p":-1)"),
       Malformed("#/top_p: -1 is not greater or equal to 0")},
      {"TopKNegative", Body(R"(,"top_k":-1)"),
       Malformed("#/top_k: -1 is not greater or equal to 0")},
      {"TopKFraction", Body(R"(,"top_k":1.5)"),
       Malformed("#/top_k: expected type: Integer, found: Number")},
      {"StopSequencesString", Body(R"(,"stop_sequences":"STOP")"),
       Malformed("#/stop_sequences: expected type: JSONArray, found: String")},
      {"StopSequenceBlank", Body(R"(,"stop_sequences":[" "])"),
       "stop_sequences: each stop sequence must contain non-whitespace"},
      {"ToolNamePattern", Body(R"(,"tools":[{"name":"get weather","input_schema":{}}])"),
       Malformed("#/tools/0/name: string [get weather] does not match pattern "
                 "^[a-zA-Z0-9_-]{1,64}$")},
      {"ToolNoSchema", Body(R"(,"tools":[{"name":"t"}])"),
       Malformed("#/tools/0: required key [input_schema] not found")},
      {"ServerTool", Body(R"(,"tools":[{"type":"web_search_20250305","name":"web_search"}])"),
       "tools.0.type: tool type \"web_search_20250305\" is not supported by this endpoint"},
      {"DuplicateTools",
       Body(R"(,"tools":[{"name":"t","input_schema":{}},{"name":"t","input_schema":{}}])"),
       "tools: Tool names must be unique."},
      {"ToolChoiceType",
       Body(R"(,"tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":"some"})"),
       Malformed("#/tool_choice/type: some is not a valid enum value")},
      {"ToolChoiceNoName",
       Body(R"(,"tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":"tool"})"),
       Malformed("#/tool_choice: required key [name] not found")},
      {"ToolChoiceUnknownTool",
       Body(
           R"(,"tools":[{"name":"t","input_schema":{}}],"tool_choice":{"type":"tool","name":"u"})"),
       "tool_choice.name: tool 'u' is not one of the tools provided in tools"},
      {"ToolChoiceWithoutTools", Body(R"(,"tool_choice":{"type":"any"})"),
       "tool_choice: tool_choice may only be specified while providing tools"},
      {"MetadataString", Body(R"(,"metadata":"m")"),
       Malformed("#/metadata: expected type: JSONObject, found: String")},
      {"BetaNotStrings", Body(R"(,"anthropic_beta":[1])"),
       Malformed("#/anthropic_beta/0: expected type: String, found: Integer")},
  };
}

class AnthropicErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AnthropicErrorTest, RefusedWithBedrockText) {
  Result<ModelRequest> req = ParseAnthropicRequest(GetParam().body);
  ASSERT_THAT(req, StatusIs(ErrorCode::kValidation)) << GetParam().body;
  EXPECT_EQ(req.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(All, AnthropicErrorTest, ::testing::ValuesIn(AnthropicErrorCases()),
                         [](const auto& info) { return info.param.name; });

TEST(ParseAnthropicRequestTest, ImageDataIsKeptAsGivenExceptInsideToolResults) {
  const std::string webp = Base64Encode("RIFF webp bytes");
  Result<ModelRequest> req = ParseAnthropicRequest(
      UserContent(R"({"type":"image","source":{"type":"base64","media_type":"image/webp",)"
                  R"("data":")" +
                  webp +
                  R"("}},{"type":"tool_result","tool_use_id":"t1","content":[)"
                  R"({"type":"image","source":{"type":"base64","media_type":"image/png",)"
                  R"("data":")" +
                  webp + R"("}}]})"));
  ASSERT_OK(req);
  const auto& user = req->messages[0].content;
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[0].kind, Kind::kImage);
  EXPECT_EQ(user[0].text, "webp");
  EXPECT_EQ(user[0].base64, webp);
  EXPECT_EQ(user[1].kind, Kind::kToolResult);
  EXPECT_EQ(user[1].byte_size, 15u);
  EXPECT_TRUE(user[1].base64.empty());
}

TEST(ParseAnthropicRequestTest, HostileInputIsAnErrorNotACrash) {
  EXPECT_THAT(ParseAnthropicRequest(""), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseAnthropicRequest(std::string(100000, '{')), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseAnthropicRequest(std::string("{\"a\":\"\xc0\"}")),
              StatusIs(ErrorCode::kValidation));
}

// ---- ids and the InvokeModel response -------------------------------------------------

TEST(NewAnthropicMessageIdTest, ShapeAndDeterminism) {
  bp::testing::SeededRandom a(7);
  bp::testing::SeededRandom b(7);
  std::string id = NewAnthropicMessageId(a);
  EXPECT_TRUE(std::regex_match(id, std::regex("msg_bdrk_[A-Za-z0-9]{24}"))) << id;
  EXPECT_EQ(id, NewAnthropicMessageId(b));
  std::set<std::string> seen{id};
  for (int i = 0; i < 100; ++i) seen.insert(NewAnthropicMessageId(a));
  EXPECT_EQ(seen.size(), 101u);
}

TEST(AnthropicResponseJsonTest, GoldenFields) {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kText, .text = "Hello world"});
  r.content.push_back({.kind = Kind::kToolUse,
                       .tool_use_id = "toolu_1",
                       .tool_name = "get_weather",
                       .input_json = R"({"city":"Paris"})"});
  r.stop_reason = backends::StopReason::kToolUse;
  r.usage = {.input_tokens = 12,
             .output_tokens = 3,
             .cache_read_input_tokens = 4,
             .cache_write_input_tokens = 5,
             .cache_write_5m_tokens = 2,
             .cache_write_1h_tokens = 3};
  json::Value v = ParseOrDie(AnthropicResponseJson(r, "msg_bdrk_01ABCDEF", "claude-haiku-4-5"));
  json::Value expected = ParseOrDie(R"({"id":"msg_bdrk_01ABCDEF","type":"message",
      "role":"assistant","model":"claude-haiku-4-5",
      "content":[{"type":"text","text":"Hello world"},
                 {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
      "stop_reason":"tool_use","stop_sequence":null,
      "usage":{"input_tokens":12,"cache_creation_input_tokens":5,"cache_read_input_tokens":4,
               "cache_creation":{"ephemeral_5m_input_tokens":2,"ephemeral_1h_input_tokens":3},
               "output_tokens":3}})");
  EXPECT_EQ(v, expected) << json::Serialize(v);
}

TEST(AnthropicResponseJsonTest, StopSequenceAndSkippedKinds) {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kDocument});
  r.content.push_back({.kind = Kind::kReasoning, .text = "hmm"});
  r.content.push_back({.kind = Kind::kText, .text = "x"});
  r.stop_reason = backends::StopReason::kStopSequence;
  r.stop_sequence = "END";
  json::Value v = ParseOrDie(AnthropicResponseJson(r, "id", "m"));
  EXPECT_EQ(v.at("stop_reason"), "stop_sequence");
  EXPECT_EQ(v.at("stop_sequence"), "END");
  EXPECT_EQ(
      v.at("content"),
      ParseOrDie(
          R"([{"type":"thinking","thinking":"hmm","signature":""},{"type":"text","text":"x"}])"));
}

// What the Anthropic SDK does next turn: the response content goes back in
// as the assistant message, followed by the tool result.
TEST(AnthropicResponseJsonTest, RoundTripsAsTheNextTurn) {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kReasoning, .text = "plan"});
  r.content.push_back({.kind = Kind::kText, .text = "Let me check \"that\"."});
  r.content.push_back({.kind = Kind::kToolUse,
                       .tool_use_id = "toolu_9",
                       .tool_name = "lookup",
                       .input_json = R"({"q":[1,2]})"});
  r.stop_reason = backends::StopReason::kToolUse;
  json::Value out = ParseOrDie(AnthropicResponseJson(r, "msg_bdrk_x", "claude"));
  json::Object body;
  body["anthropic_version"] = "bedrock-2023-05-31";
  body["max_tokens"] = 10;
  body["tools"] = ParseOrDie(R"([{"name":"lookup","input_schema":{"type":"object"}}])");
  json::Array messages;
  messages.push_back(ParseOrDie(R"({"role":"user","content":"find it"})"));
  json::Object assistant;
  assistant["role"] = "assistant";
  assistant["content"] = out.at("content");
  messages.push_back(std::move(assistant));
  messages.push_back(ParseOrDie(
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"42"}]})"));
  body["messages"] = std::move(messages);
  Result<ModelRequest> req = ParseAnthropicRequest(json::Serialize(body));
  ASSERT_OK(req);
  const auto& blocks = req->messages[1].content;
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].kind, Kind::kReasoning);
  EXPECT_EQ(blocks[0].text, "plan");
  EXPECT_EQ(blocks[1].text, r.content[1].text);
  EXPECT_EQ(blocks[2].tool_use_id, "toolu_9");
  EXPECT_EQ(blocks[2].tool_name, "lookup");
  EXPECT_EQ(blocks[2].input_json, R"({"q":[1,2]})");
  EXPECT_EQ(req->messages[2].content[0].text, "42");
}

// ---- InvokeModelWithResponseStream chunks ---------------------------------------------

// The Anthropic events inside the chunk frames of `bytes`, as JSON text.
std::vector<std::string> ChunkEvents(std::string_view bytes) {
  std::vector<std::string> events;
  for (const eventstream::Frame& f : DecodeFrames(bytes)) {
    EXPECT_EQ(f.StringHeader(":event-type"), "chunk");
    EXPECT_EQ(f.StringHeader(":message-type"), "event");
    EXPECT_EQ(f.StringHeader(":content-type"), "application/json");
    json::Value payload = ParseOrDie(f.payload);
    EXPECT_EQ(payload.as_object().size(), 1u);
    Result<std::string> inner = Base64Decode(payload.at("bytes").as_string());
    EXPECT_OK(inner);
    events.push_back(inner.ok() ? *inner : "");
  }
  return events;
}

TEST(AnthropicStreamTest, FullSequence) {
  std::string out;
  AppendAnthropicMessageStart(out, "msg_bdrk_1", "claude-haiku-4-5", {.input_tokens = 12});
  AppendAnthropicTextStart(out, 0);
  AppendAnthropicTextDelta(out, 0, "Hel");
  AppendAnthropicTextDelta(out, 0, "lo\n\"x\"");
  AppendAnthropicBlockStop(out, 0);
  AppendAnthropicToolUseStart(out, 1, "toolu_1", "get_weather");
  AppendAnthropicToolInputDelta(out, 1, R"({"city":)");
  AppendAnthropicBlockStop(out, 1);
  AppendAnthropicFinish(out, backends::StopReason::kStopSequence, "END",
                        {.input_tokens = 12,
                         .output_tokens = 3,
                         .invocation_latency_ms = 456,
                         .first_byte_latency_ms = 123});
  std::vector<std::string> events = ChunkEvents(out);
  std::vector<std::string> expected = {
      R"({"type":"message_start","message":{"id":"msg_bdrk_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}})",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo\n\"x\""}})",
      R"({"type":"content_block_stop","index":0})",
      R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})",
      R"({"type":"content_block_stop","index":1})",
      R"({"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":3}})",
      R"({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":12,"outputTokenCount":3,"invocationLatency":456,"firstByteLatency":123}})",
  };
  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(events[i], expected[i]) << i;  // exact text: the SDKs parse it as is
    EXPECT_OK(json::Parse(events[i]));
  }
}

// The message_stop chunk of spec/testdata/eventstream: the same inner event
// (the vector adds Bedrock's optional "p" padding, which we do not send).
TEST(AnthropicStreamTest, MessageStopMatchesTheSpecVector) {
  std::string out;
  AppendAnthropicFinish(out, backends::StopReason::kEndTurn, "",
                        {.input_tokens = 12,
                         .output_tokens = 3,
                         .invocation_latency_ms = 456,
                         .first_byte_latency_ms = 123});
  std::vector<std::string> events = ChunkEvents(out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(
      events[0],
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}})");
  json::Value vector = Vector("invoke_stream_chunk_message_stop.json");
  EXPECT_EQ(events[1], vector.at("inner_event_json").as_string());
  json::Value vector_payload = ParseOrDie(vector.at("decoded").at("payload_utf8").as_string());
  Result<std::string> vector_inner = Base64Decode(vector_payload.at("bytes").as_string());
  ASSERT_OK(vector_inner);
  EXPECT_EQ(events[1], *vector_inner);
}

TEST(AnthropicStreamTest, CacheMetricsOnlyWhenPresent) {
  std::string out;
  AppendAnthropicFinish(out, backends::StopReason::kMaxTokens, "",
                        {.input_tokens = 1,
                         .output_tokens = 2,
                         .invocation_latency_ms = 3,
                         .first_byte_latency_ms = 4,
                         .cache_read_input_tokens = 5,
                         .cache_write_input_tokens = 6});
  std::vector<std::string> events = ChunkEvents(out);
  ASSERT_EQ(events.size(), 2u);
  json::Value metrics = ParseOrDie(events[1]).at("amazon-bedrock-invocationMetrics");
  EXPECT_EQ(metrics, ParseOrDie(R"({"inputTokenCount":1,"outputTokenCount":2,
      "invocationLatency":3,"firstByteLatency":4,"cacheReadInputTokenCount":5,
      "cacheWriteInputTokenCount":6})"));
  EXPECT_EQ(ParseOrDie(events[0]).at("delta").at("stop_reason"), "max_tokens");
}

TEST(AnthropicStreamTest, BinaryAndInvalidUtf8TextStillDecodes) {
  std::string out;
  std::string text = "a\xff";
  text += '\0';
  AppendAnthropicTextDelta(out, 7, text);
  std::vector<std::string> events = ChunkEvents(out);
  ASSERT_EQ(events.size(), 1u);
  json::Value v = ParseOrDie(events[0]);
  EXPECT_EQ(v.at("index"), 7);
  EXPECT_EQ(v.at("delta").at("text").as_string(), std::string("a\xEF\xBF\xBD") + '\0');
}

// ---- in-stream exceptions (stream_errors.h) --------------------------------------------

TEST(StreamExceptionTest, ThrottlingMatchesTheSpecVectorByteForByte) {
  json::Value vector = Vector("exception_throttling.json");
  for (StreamApi api : {StreamApi::kConverse, StreamApi::kInvoke}) {
    std::string out;
    AppendStreamException(
        out, api,
        Status(ErrorCode::kThrottling, "Too many requests, please wait before trying again."));
    EXPECT_EQ(Hex(out), vector.at("hex").as_string());
  }
}

TEST(StreamExceptionTest, ModelStreamErrorMatchesTheSpecVectorByteForByte) {
  json::Value vector = Vector("exception_model_stream_error.json");
  std::string out;
  AppendStreamException(out, StreamApi::kInvoke,
                        Status(ErrorCode::kModelStreamError, "Model stream failed"),
                        {.original_status_code = 529, .original_message = "Overloaded"});
  EXPECT_EQ(Hex(out), vector.at("hex").as_string());
}

TEST(StreamExceptionTest, TypeAndMessagePerCode) {
  struct Case {
    ErrorCode code;
    StreamApi api;
    std::string type;
    bool keeps_message;
  };
  std::vector<Case> cases = {
      {ErrorCode::kThrottling, StreamApi::kConverse, "throttlingException", true},
      {ErrorCode::kModelNotReady, StreamApi::kInvoke, "throttlingException", true},
      {ErrorCode::kValidation, StreamApi::kConverse, "validationException", true},
      {ErrorCode::kServiceUnavailable, StreamApi::kInvoke, "serviceUnavailableException", true},
      {ErrorCode::kModelTimeout, StreamApi::kInvoke, "modelTimeoutException", true},
      {ErrorCode::kModelTimeout, StreamApi::kConverse, "internalServerException", true},
      {ErrorCode::kModelStreamError, StreamApi::kConverse, "modelStreamErrorException", true},
      {ErrorCode::kModelError, StreamApi::kInvoke, "modelStreamErrorException", true},
      {ErrorCode::kInternal, StreamApi::kInvoke, "internalServerException", false},
      {ErrorCode::kIo, StreamApi::kConverse, "internalServerException", false},
      {ErrorCode::kAccessDenied, StreamApi::kConverse, "internalServerException", false},
  };
  for (const Case& c : cases) {
    std::string out;
    AppendStreamException(out, c.api, Status(c.code, "detail /var/lib/secret.db"),
                          {.original_status_code = 500, .original_message = "up"});
    std::vector<eventstream::Frame> frames = DecodeFrames(out);
    ASSERT_EQ(frames.size(), 1u);
    const eventstream::Frame& f = frames[0];
    EXPECT_EQ(f.StringHeader(":message-type"), "exception");
    EXPECT_EQ(f.StringHeader(":exception-type"), c.type) << ErrorCodeName(c.code);
    EXPECT_EQ(f.StringHeader(":content-type"), "application/json");
    EXPECT_EQ(WireFor(c.code).StreamException(c.api), c.type);
    json::Value payload = ParseOrDie(f.payload);
    EXPECT_EQ(payload.at("message").as_string(), c.keeps_message
                                                     ? "detail /var/lib/secret.db"
                                                     : "The server encountered an internal error.")
        << ErrorCodeName(c.code);
    bool stream_error = c.type == "modelStreamErrorException";
    EXPECT_EQ(payload.as_object().contains("originalStatusCode"), stream_error);
    EXPECT_EQ(payload.as_object().contains("originalMessage"), stream_error);
  }
}

TEST(StreamExceptionTest, OkStatusIsAGenericInternalError) {
  std::string out;
  AppendStreamException(out, StreamApi::kConverse, Status::Ok());
  std::vector<eventstream::Frame> frames = DecodeFrames(out);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].StringHeader(":exception-type"), "internalServerException");
  EXPECT_EQ(frames[0].payload, R"({"message":"The server encountered an internal error."})");
}

}  // namespace
}  // namespace bp::api::runtime
