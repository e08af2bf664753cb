#include "api/runtime/converse_wire.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "api/runtime/runtime_test_util.h"
#include "api/runtime/wire_util.h"
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

constexpr char kHello[] = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})";

using testing::DecodeFrames;
using testing::ParseOrDie;

// ---- parsing: the happy paths ------------------------------------------------------

TEST(ParseConverseRequestTest, VideoAudioSearchResultsAndCitationsAreAccepted) {
  Result<ModelRequest> req = ParseConverseRequest(R"({"messages":[{"role":"user","content":[
      {"text":"What is in these?"},
      {"video":{"format":"mp4","source":{"bytes":"AAAA"}}},
      {"audio":{"format":"mp3","source":{"bytes":"AAAAAAAA"}}},
      {"searchResult":{"source":"https://example.com/a","title":"A","content":[{"text":"one"},
        {"text":"two"}],"citations":{"enabled":true}}},
      {"document":{"format":"txt","name":"notes","source":{"text":"hello"},
        "citations":{"enabled":true},"context":"meeting notes"}}]},
    {"role":"assistant","content":[{"citationsContent":{"content":[{"text":"Cited."}],
        "citations":[{"title":"A"}]}}]},
    {"role":"user","content":[{"text":"Thanks"}]}]})");
  ASSERT_OK(req);
  const std::vector<ContentBlock>& c = req->messages[0].content;
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[1].kind, Kind::kVideo);
  EXPECT_EQ(c[1].text, "mp4");
  EXPECT_EQ(c[1].byte_size, 3u);
  EXPECT_EQ(c[2].kind, Kind::kAudio);
  EXPECT_EQ(c[2].byte_size, 6u);
  EXPECT_EQ(c[3].kind, Kind::kSearchResult);
  EXPECT_EQ(c[3].tool_name, "https://example.com/a");
  EXPECT_EQ(c[3].text, "A\none\ntwo");
  EXPECT_EQ(c[4].kind, Kind::kDocument);
  ASSERT_EQ(req->messages[1].content.size(), 1u);
  EXPECT_EQ(req->messages[1].content[0].kind, Kind::kText);
  EXPECT_EQ(req->messages[1].content[0].text, "Cited.");
}

TEST(ParseConverseRequestTest, MinimalRequest) {
  Result<ModelRequest> req = ParseConverseRequest(kHello);
  ASSERT_OK(req);
  EXPECT_TRUE(req->model_id.empty());
  EXPECT_TRUE(req->region.empty());
  ASSERT_EQ(req->messages.size(), 1u);
  EXPECT_EQ(req->messages[0].role, backends::Role::kUser);
  ASSERT_EQ(req->messages[0].content.size(), 1u);
  EXPECT_EQ(req->messages[0].content[0].kind, Kind::kText);
  EXPECT_EQ(req->messages[0].content[0].text, "Hello");
  EXPECT_EQ(req->max_tokens, 0);
  EXPECT_FALSE(req->temperature.has_value());
  EXPECT_FALSE(req->top_k.has_value());
  EXPECT_EQ(req->tool_choice, backends::ToolChoice::kAuto);
}

TEST(ParseConverseRequestTest, EveryModelledMember) {
  std::string png = Base64Encode(std::string(10, '\x89'));
  std::string body = R"({
    "system":[{"text":"be brief"},{"cachePoint":{"type":"default"}},
              {"guardContent":{"text":{"text":"guarded"}}}],
    "messages":[
      {"role":"user","content":[{"text":"weather?"},
        {"image":{"format":"png","source":{"bytes":")" +
                     png + R"("}}},
        {"document":{"format":"txt","name":"notes","source":{"text":"abc"}}}]},
      {"role":"assistant","content":[
        {"reasoningContent":{"reasoningText":{"text":"think","signature":"sig"}}},
        {"toolUse":{"toolUseId":"tooluse_1.a:b","name":"get_weather","input":{"city":"Paris"}}}]},
      {"role":"user","content":[{"toolResult":{"toolUseId":"tooluse_1.a:b","status":"error",
        "content":[{"text":"line1"},{"json":{"t":21}},{"text":"line2"}]}},
        {"cachePoint":{"type":"default","ttl":"5m"}}]}],
    "inferenceConfig":{"maxTokens":512,"temperature":0.5,"topP":1,"stopSequences":["END","##"]},
    "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather",
        "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}},
        {"cachePoint":{"type":"default"}}],
      "toolChoice":{"tool":{"name":"get_weather"}}},
    "additionalModelRequestFields":{"top_k":5,"thinking":{"type":"disabled"}},
    "additionalModelResponseFieldPaths":["/delta/stop_sequence"],
    "guardrailConfig":{"guardrailIdentifier":"g","guardrailVersion":"1"},
    "promptVariables":{},"requestMetadata":{"k":"v"},"performanceConfig":{"latency":"standard"},
    "serviceTier":{"type":"default"},"outputConfig":{}
  })";
  Result<ModelRequest> req = ParseConverseRequest(body);
  ASSERT_OK(req);
  EXPECT_EQ(req->system, (std::vector<std::string>{"be brief", "guarded"}));
  ASSERT_EQ(req->messages.size(), 3u);
  const auto& user = req->messages[0].content;
  ASSERT_EQ(user.size(), 3u);
  EXPECT_EQ(user[1].kind, Kind::kImage);
  EXPECT_EQ(user[1].text, "png");
  EXPECT_EQ(user[1].byte_size, 10u);
  EXPECT_EQ(user[1].base64, png);
  EXPECT_EQ(user[2].kind, Kind::kDocument);
  EXPECT_EQ(user[2].text, "txt");
  EXPECT_EQ(user[2].byte_size, 3u);
  const auto& assistant = req->messages[1].content;
  ASSERT_EQ(assistant.size(), 2u);
  EXPECT_EQ(assistant[0].kind, Kind::kReasoning);
  EXPECT_EQ(assistant[0].text, "think");
  EXPECT_EQ(assistant[0].signature, "sig");
  EXPECT_EQ(assistant[1].kind, Kind::kToolUse);
  EXPECT_EQ(assistant[1].tool_use_id, "tooluse_1.a:b");
  EXPECT_EQ(assistant[1].tool_name, "get_weather");
  EXPECT_EQ(assistant[1].input_json, R"({"city":"Paris"})");
  const auto& result = req->messages[2].content;
  ASSERT_EQ(result.size(), 1u);  // the cachePoint is not a block
  // Cache points in prompt order: tools, system, messages.
  using Section = backends::CachePoint::Section;
  ASSERT_EQ(req->cache_points.size(), 3u);
  EXPECT_EQ(req->cache_points[0].section, Section::kTools);
  EXPECT_EQ(req->cache_points[0].count, 1u);
  EXPECT_EQ(req->cache_points[1].section, Section::kSystem);
  EXPECT_EQ(req->cache_points[1].count, 1u);
  EXPECT_EQ(req->cache_points[2].section, Section::kMessages);
  EXPECT_EQ(req->cache_points[2].message, 2u);
  EXPECT_EQ(req->cache_points[2].count, 1u);
  for (const backends::CachePoint& point : req->cache_points) {
    EXPECT_EQ(point.ttl, backends::CacheTtl::k5m);
  }
  EXPECT_EQ(result[0].kind, Kind::kToolResult);
  EXPECT_TRUE(result[0].is_error);
  EXPECT_EQ(result[0].text, "line1\nline2");
  EXPECT_EQ(result[0].input_json, R"({"t":21})");
  EXPECT_EQ(req->max_tokens, 512);
  EXPECT_EQ(req->temperature, 0.5);
  EXPECT_EQ(req->top_p, 1.0);
  EXPECT_EQ(req->top_k, 5);
  EXPECT_EQ(req->stop_sequences, (std::vector<std::string>{"END", "##"}));
  ASSERT_EQ(req->tools.size(), 1u);
  EXPECT_EQ(req->tools[0].name, "get_weather");
  EXPECT_EQ(req->tools[0].description, "Weather");
  EXPECT_EQ(req->tools[0].input_schema_json,
            R"({"type":"object","properties":{"city":{"type":"string"}}})");
  EXPECT_EQ(req->tool_choice, backends::ToolChoice::kTool);
  EXPECT_EQ(req->tool_choice_name, "get_weather");
  EXPECT_EQ(req->thinking_budget, 0);
}

TEST(ParseConverseRequestTest, CachePointRules) {
  // `tools`, `system` and `messages` as JSON member texts; cache points as "5m"/"1h".
  auto body = [](std::string_view tools, std::string_view system, std::string_view content) {
    return std::string(R"({"toolConfig":{"tools":[)") + std::string(tools) + R"(]},"system":[)" +
           std::string(system) + R"(],"messages":[{"role":"user","content":[)" +
           std::string(content) + "]}]}";
  };
  const std::string tool = R"({"toolSpec":{"name":"t","inputSchema":{"json":{}}}})";
  auto point = [](std::string_view ttl) {
    return ttl.empty() ? std::string(R"({"cachePoint":{"type":"default"}})")
                       : R"({"cachePoint":{"type":"default","ttl":")" + std::string(ttl) + R"("}})";
  };
  // 1h before 5m along tools -> system -> messages is fine; a missing ttl is 5m.
  Result<ModelRequest> ok = ParseConverseRequest(
      body(tool + "," + point("1h"), R"({"text":"s"},)" + point("1h"),
           R"({"text":"a"},)" + point("5m") + R"(,{"text":"b"},)" + point("")));
  ASSERT_OK(ok);
  ASSERT_EQ(ok->cache_points.size(), 4u);
  EXPECT_EQ(ok->cache_points[0].ttl, backends::CacheTtl::k1h);
  EXPECT_EQ(ok->cache_points[1].ttl, backends::CacheTtl::k1h);
  EXPECT_EQ(ok->cache_points[2].count, 1u);
  EXPECT_EQ(ok->cache_points[3].count, 2u);
  EXPECT_EQ(ok->cache_points[3].ttl, backends::CacheTtl::k5m);

  Result<ModelRequest> five = ParseConverseRequest(
      body(tool + "," + point(""), point(""),
           R"({"text":"a"},)" + point("") + "," + point("") + R"(,{"text":"b"},)" + point("")));
  ASSERT_THAT(five, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(five.status().message(),
            "A maximum of 4 blocks with cache_control may be provided. Found 5.");

  Result<ModelRequest> order = ParseConverseRequest(
      body(tool + "," + point(""), R"({"text":"s"})", R"({"text":"a"},)" + point("1h")));
  ASSERT_THAT(order, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(order.status().message(),
            "messages.0.content.1: a ttl='1h' cache_control block must not come after a "
            "ttl='5m' cache_control block. Note that blocks are processed in the following "
            "order: `tools`, `system`, `messages`.");

  Result<ModelRequest> ttl = ParseConverseRequest(body(tool, point("2h"), R"({"text":"a"})"));
  ASSERT_THAT(ttl, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(ttl.status().message(),
            "1 validation error detected: Value '2h' at 'system.0.member.cachePoint.ttl' failed "
            "to satisfy constraint: Member must satisfy enum value set: [5m, 1h]");
}

TEST(ParseConverseRequestTest, ImageBytesAreKeptAsGivenExceptInsideToolResults) {
  const std::string jpeg = Base64Encode("\xff\xd8\xff jpeg bytes");
  const std::string png = Base64Encode("\x89PNG bytes");
  Result<ModelRequest> req = ParseConverseRequest(
      R"({"messages":[{"role":"user","content":[
        {"image":{"format":"jpeg","source":{"bytes":")" +
      jpeg + R"("}}},
        {"guardContent":{"image":{"format":"png","source":{"bytes":")" +
      png + R"("}}}},
        {"toolResult":{"toolUseId":"t1","content":[
          {"image":{"format":"png","source":{"bytes":")" +
      png + R"("}}}]}}]}],
        "toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}]}})");
  ASSERT_OK(req);
  const auto& user = req->messages[0].content;
  ASSERT_EQ(user.size(), 3u);
  EXPECT_EQ(user[0].kind, Kind::kImage);
  EXPECT_EQ(user[0].text, "jpeg");
  EXPECT_EQ(user[0].base64, jpeg);
  EXPECT_EQ(user[1].kind, Kind::kImage);
  EXPECT_TRUE(user[1].guard_content);
  EXPECT_EQ(user[1].base64, png);
  EXPECT_EQ(user[2].kind, Kind::kToolResult);
  EXPECT_EQ(user[2].byte_size, 10u);
  EXPECT_TRUE(user[2].base64.empty());
}

TEST(ParseConverseRequestTest, NullMeansAbsent) {
  Result<ModelRequest> req = ParseConverseRequest(
      R"({"messages":[{"role":"user","content":[{"text":"hi","image":null}]}],)"
      R"("system":null,"inferenceConfig":{"maxTokens":null,"temperature":null},"toolConfig":null})");
  ASSERT_OK(req);
  EXPECT_EQ(req->max_tokens, 0);
  EXPECT_FALSE(req->temperature.has_value());
}

TEST(ParseConverseRequestTest, EmptySystemListAndAnyToolChoice) {
  Result<ModelRequest> req = ParseConverseRequest(
      R"({"system":[],"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
      R"("toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}],)"
      R"("toolChoice":{"any":{}}}})");
  ASSERT_OK(req);
  EXPECT_TRUE(req->system.empty());
  EXPECT_EQ(req->tool_choice, backends::ToolChoice::kAny);
}

TEST(ParseConverseRequestTest, TopKThatIsNotAnIntegerIsLeftToTheModel) {
  Result<ModelRequest> req =
      ParseConverseRequest(R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)"
                           R"("additionalModelRequestFields":{"top_k":"five"}})");
  ASSERT_OK(req);
  EXPECT_FALSE(req->top_k.has_value());
}

// ---- parsing: every validation error, with its text --------------------------------

struct ErrorCase {
  std::string name;
  std::string body;
  std::string message;
};

// Failure output names the case instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

std::string Msg(std::string_view content) {
  return R"({"messages":[{"role":"user","content":[)" + std::string(content) + "]}]}";
}
std::string WithConfig(std::string_view members) {
  return R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)" + std::string(members) + "}";
}
std::string Tools(std::string_view tool_config) {
  return WithConfig(R"("toolConfig":)" + std::string(tool_config));
}
constexpr char kCoral[] = "1 validation error detected: ";

std::vector<ErrorCase> ConverseErrorCases() {
  std::string c = kCoral;
  std::string tool = R"({"toolSpec":{"name":"t","inputSchema":{"json":{}}}})";
  return {
      {"NotJson", "{", "The request body is not valid JSON (malformed JSON: incomplete JSON)."},
      {"NotAnObject", "[]", "The request body must be a JSON object, not an array."},
      {"UnknownTopLevel", WithConfig(R"("stream":true)"),
       "The request body contains the unknown member 'stream'. Remove it and try again."},
      // The messages are translated while the body is parsed; the order in
      // which errors are reported must not change because of it.
      {"UnknownTopLevelAfterABadMessage",
       R"({"messages":[{"role":"robot","content":[{"text":"hi"}]}],"stream":true})",
       "The request body contains the unknown member 'stream'. Remove it and try again."},
      {"SyntaxErrorAfterABadMessage", R"({"messages":[{"role":"robot","content":[]}],"x":)",
       "The request body is not valid JSON (malformed JSON: incomplete JSON)."},
      {"FirstNotUserBeforeALaterBadMessage",
       R"({"messages":[{"role":"assistant","content":[{"text":"a"}]},{"role":"x"}]})",
       "A conversation must start with a user message. Try again with a conversation that "
       "starts with a user message."},
      {"ModelIdInBody", WithConfig(R"("modelId":"x")"),
       "The request body contains the unknown member 'modelId'. Remove it and try again."},
      {"UnknownNested", WithConfig(R"("inferenceConfig":{"max_tokens":5})"),
       "The request body contains the unknown member 'inferenceConfig.max_tokens'. Remove it and "
       "try again."},
      {"MissingMessages", "{}",
       c + "Value null at 'messages' failed to satisfy constraint: Member must not be null"},
      {"MessagesNotAList", R"({"messages":{}})",
       c + "Value at 'messages' failed to satisfy constraint: Member must be a list, not an "
           "object"},
      {"NoMessages", R"({"messages":[]})",
       "A conversation must start with a user message. Try again with a conversation that "
       "starts with a user message."},
      {"StartsWithAssistant", R"({"messages":[{"role":"assistant","content":[{"text":"x"}]}]})",
       "A conversation must start with a user message. Try again with a conversation that "
       "starts with a user message."},
      {"SameRoleTwice",
       R"({"messages":[{"role":"user","content":[{"text":"a"}]},{"role":"user","content":[{"text":"b"}]}]})",
       "A conversation must alternate between user and assistant roles. Make sure the "
       "conversation alternates between user and assistant roles and try again."},
      {"SystemRole",
       R"({"messages":[{"role":"user","content":[{"text":"a"}]},)"
       R"({"role":"system","content":[{"text":"b"}]}]})",
       c + "Value 'system' at 'messages.1.member.role' failed to satisfy constraint: Member must "
           "satisfy enum value set: [user, assistant]"},
      {"RoleNotString", R"({"messages":[{"role":1,"content":[{"text":"a"}]}]})",
       c + "Value at 'messages.0.member.role' failed to satisfy constraint: Member must be a "
           "string, not a number"},
      {"MissingRole", R"({"messages":[{"content":[{"text":"a"}]}]})",
       c + "Value null at 'messages.0.member.role' failed to satisfy constraint: Member must not "
           "be null"},
      {"MissingContent", R"({"messages":[{"role":"user"}]})",
       c + "Value null at 'messages.0.member.content' failed to satisfy constraint: Member must "
           "not be null"},
      {"EmptyContent", R"({"messages":[{"role":"user","content":[]}]})",
       "The content field in the Message object at messages.0 is empty. Add a ContentBlock "
       "object to the content field and try again."},
      {"BlankText", Msg(R"({"text":"hi"},{"text":"  \n"})"),
       "The text field in the ContentBlock object at messages.0.content.1 is blank. Add text to "
       "the text field, and try again."},
      {"TwoMembersInABlock", Msg(R"({"text":"hi"},{"text":"a","image":{}})"),
       c + "Value at 'messages.0.member.content.1.member' failed to satisfy constraint: Member "
           "must have exactly one of its members set: text, image, document, toolUse, "
           "toolResult, reasoningContent, guardContent, cachePoint, video, audio, "
           "citationsContent, searchResult, toolAddition, toolRemoval (found: text, image)"},
      {"EmptyBlock", Msg("{}"),
       c + "Value at 'messages.0.member.content.0.member' failed to satisfy constraint: Member "
           "must have exactly one of its members set: text, image, document, toolUse, "
           "toolResult, reasoningContent, guardContent, cachePoint, video, audio, "
           "citationsContent, searchResult, toolAddition, toolRemoval (found: none)"},
      {"UnknownBlock", Msg(R"({"sound":"x"})"),
       c + "Value at 'messages.0.member.content.0.member' failed to satisfy constraint: Member "
           "must have exactly one of its members set: text, image, document, toolUse, "
           "toolResult, reasoningContent, guardContent, cachePoint, video, audio, "
           "citationsContent, searchResult, toolAddition, toolRemoval (found: sound)"},
      {"VideoWithoutFormat", Msg(R"({"video":{}})"),
       c + "Value null at 'messages.0.member.content.0.member.video.format' failed to satisfy "
           "constraint: Member must not be null"},
      {"VideoFormat", Msg(R"({"video":{"format":"avi","source":{"bytes":"AA=="}}})"),
       c + "Value 'avi' at 'messages.0.member.content.0.member.video.format' failed to satisfy "
           "constraint: Member must satisfy enum value set: [flv, mkv, mov, mp4, mpeg, mpg, "
           "three_gp, webm, wmv]"},
      {"AudioS3", Msg(R"({"audio":{"format":"mp3","source":{"s3Location":{"uri":"s3://b/k"}}}})"),
       "The member 'messages.0.member.content.0.member.audio.source.s3Location' is not "
       "supported by this endpoint. Remove it and try again."},
      {"SearchResultWithoutTitle", Msg(R"({"searchResult":{"source":"s","content":[]}})"),
       c + "Value null at 'messages.0.member.content.0.member.searchResult.title' failed to "
           "satisfy constraint: Member must not be null"},
      {"DocumentCitationsNotBool",
       Msg(R"({"document":{"name":"d","source":{"text":"x"},"citations":{"enabled":"yes"}}})"),
       c + "Value at 'messages.0.member.content.0.member.document.citations.enabled' failed to "
           "satisfy constraint: Member must be a boolean, not a string"},
      {"ImageFormat", Msg(R"({"image":{"format":"bmp","source":{"bytes":"AA=="}}})"),
       c + "Value 'bmp' at 'messages.0.member.content.0.member.image.format' failed to satisfy "
           "constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]"},
      {"ImageBadBase64", Msg(R"({"image":{"format":"png","source":{"bytes":"not base64!"}}})"),
       c + "Value at 'messages.0.member.content.0.member.image.source.bytes' failed to satisfy "
           "constraint: Member must be valid base64 (base64: invalid character)"},
      {"ImageEmptyBytes", Msg(R"({"image":{"format":"png","source":{"bytes":""}}})"),
       c + "Value at 'messages.0.member.content.0.member.image.source.bytes' failed to satisfy "
           "constraint: Member must have length greater than or equal to 1"},
      {"ImageS3", Msg(R"({"image":{"format":"png","source":{"s3Location":{"uri":"s3://b/k"}}}})"),
       "The member 'messages.0.member.content.0.member.image.source.s3Location' is not "
       "supported by this endpoint. Remove it and try again."},
      {"ImageNoSource", Msg(R"({"image":{"format":"png"}})"),
       c + "Value null at 'messages.0.member.content.0.member.image.source' failed to satisfy "
           "constraint: Member must not be null"},
      {"DocumentNoName", Msg(R"({"document":{"format":"pdf","source":{"bytes":"AA=="}}})"),
       c + "Value null at 'messages.0.member.content.0.member.document.name' failed to satisfy "
           "constraint: Member must not be null"},
      {"ToolUseBadId", Msg(R"({"toolUse":{"toolUseId":"id with space","name":"t","input":{}}})"),
       c + "Value 'id with space' at 'messages.0.member.content.0.member.toolUse.toolUseId' "
           "failed to satisfy constraint: Member must satisfy regular expression pattern: "
           "^[a-zA-Z0-9_.:-]+$"},
      {"ToolUseNoInput", Msg(R"({"toolUse":{"toolUseId":"a","name":"t"}})"),
       c + "Value null at 'messages.0.member.content.0.member.toolUse.input' failed to satisfy "
           "constraint: Member must not be null"},
      {"ToolBlocksWithoutToolConfig",
       Msg(R"({"toolResult":{"toolUseId":"a","content":[{"text":"ok"}]}})"),
       "The toolConfig field must be defined when using toolUse and toolResult content blocks."},
      {"ToolResultStatus",
       Msg(R"({"toolResult":{"toolUseId":"a","status":"failed","content":[]}})"),
       c + "Value 'failed' at 'messages.0.member.content.0.member.toolResult.status' failed to "
           "satisfy constraint: Member must satisfy enum value set: [success, error]"},
      {"MaxTokensZero", WithConfig(R"("inferenceConfig":{"maxTokens":0})"),
       c + "Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must "
           "have value greater than or equal to 1"},
      {"MaxTokensHuge", WithConfig(R"("inferenceConfig":{"maxTokens":3000000000})"),
       c + "Value '3000000000' at 'inferenceConfig.maxTokens' failed to satisfy constraint: "
           "Member must have value less than or equal to 2147483647"},
      {"MaxTokensFraction", WithConfig(R"("inferenceConfig":{"maxTokens":1.5})"),
       c + "Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must be an "
           "integer, not a number"},
      {"TemperatureHigh", WithConfig(R"("inferenceConfig":{"temperature":1.5})"),
       c + "Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member "
           "must have value less than or equal to 1"},
      {"TopPNegative", WithConfig(R"("inferenceConfig":{"topP":-0.25})"),
       c + "Value '-0.25' at 'inferenceConfig.topP' failed to satisfy constraint: Member must "
           "have value greater than or equal to 0"},
      {"TemperatureString", WithConfig(R"("inferenceConfig":{"temperature":"hot"})"),
       c + "Value at 'inferenceConfig.temperature' failed to satisfy constraint: Member must be "
           "a number, not a string"},
      {"EmptyStopSequence", WithConfig(R"("inferenceConfig":{"stopSequences":["a",""]})"),
       c + "Value '' at 'inferenceConfig.stopSequences.1.member' failed to satisfy constraint: "
           "Member must have length greater than or equal to 1"},
      {"EmptyToolList", Tools(R"({"tools":[]})"),
       c + "Value at 'toolConfig.tools' failed to satisfy constraint: Member must have length "
           "greater than or equal to 1"},
      {"NoToolList", Tools(R"({"toolChoice":{"auto":{}}})"),
       c + "Value null at 'toolConfig.tools' failed to satisfy constraint: Member must not be "
           "null"},
      {"ToolNamePattern",
       Tools(R"({"tools":[)" + tool +
             R"(,{"toolSpec":{"name":"get weather","inputSchema":{"json":{}}}}]})"),
       c + "Value 'get weather' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy "
           "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]+$"},
      {"ToolNameTooLong",
       Tools(R"({"tools":[{"toolSpec":{"name":")" + std::string(65, 'a') +
             R"(","inputSchema":{"json":{}}}}]})"),
       c + "Value '" + std::string(65, 'a') +
           "' at 'toolConfig.tools.0.member.toolSpec.name' failed to satisfy constraint: Member "
           "must have length less than or equal to 64"},
      {"ToolNameEmpty", Tools(R"({"tools":[{"toolSpec":{"name":"","inputSchema":{"json":{}}}}]})"),
       c + "Value '' at 'toolConfig.tools.0.member.toolSpec.name' failed to satisfy "
           "constraint: Member must have length greater than or equal to 1"},
      {"DuplicateTool", Tools(R"({"tools":[)" + tool + "," + tool + "]}"),
       "The toolConfig field contains the tool name 't' more than once. Tool names must be "
       "unique."},
      {"SchemaNotObject",
       Tools(R"({"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":"{}"}}}]})"),
       c + "Value at 'toolConfig.tools.0.member.toolSpec.inputSchema.json' failed to satisfy "
           "constraint: Member must be an object, not a string"},
      {"SystemTool", Tools(R"({"tools":[{"systemTool":{"name":"nova_grounding"}}]})"),
       "The member 'toolConfig.tools.0.member.systemTool' is not supported by this endpoint. "
       "Remove it and try again."},
      {"ToolChoiceUnknownTool",
       Tools(R"({"tools":[)" + tool + R"(],"toolChoice":{"tool":{"name":"other"}}})"),
       "The tool 'other' named at 'toolConfig.toolChoice.tool.name' is not in "
       "toolConfig.tools. Add it there or choose another tool, and try again."},
      {"ToolChoiceTwoMembers",
       Tools(R"({"tools":[)" + tool + R"(],"toolChoice":{"auto":{},"any":{}}})"),
       c + "Value at 'toolConfig.toolChoice' failed to satisfy constraint: Member must have "
           "exactly one of its members set: auto, any, tool (found: auto, any)"},
      {"SystemEmptyText", WithConfig(R"("system":[{"text":""}])"),
       c + "Value '' at 'system.0.member.text' failed to satisfy constraint: Member must have "
           "length greater than or equal to 1"},
      {"NegativeTopK", WithConfig(R"("additionalModelRequestFields":{"top_k":-1})"),
       c + "Value '-1' at 'additionalModelRequestFields.top_k' failed to satisfy constraint: "
           "Member must have value between 0 and 2147483647"},
      {"AdditionalFieldsNotObject", WithConfig(R"("additionalModelRequestFields":[1])"),
       c + "Value at 'additionalModelRequestFields' failed to satisfy constraint: Member must "
           "be an object, not an array"},
      {"GuardrailConfigNotObject", WithConfig(R"("guardrailConfig":"g")"),
       c + "Value at 'guardrailConfig' failed to satisfy constraint: Member must be an object, "
           "not a string"},
      {"TooManyResponseFieldPaths",
       WithConfig(
           R"("additionalModelResponseFieldPaths":["a","b","c","d","e","f","g","h","i","j","k"])"),
       c + "Value at 'additionalModelResponseFieldPaths' failed to satisfy constraint: Member "
           "must have length less than or equal to 10"},
  };
}

class ConverseErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConverseErrorTest, RefusedWithBedrockText) {
  Result<ModelRequest> req = ParseConverseRequest(GetParam().body);
  ASSERT_THAT(req, StatusIs(ErrorCode::kValidation)) << GetParam().body;
  EXPECT_EQ(req.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(All, ConverseErrorTest, ::testing::ValuesIn(ConverseErrorCases()),
                         [](const auto& info) { return info.param.name; });

TEST(ParseConverseRequestTest, TooManyStopSequences) {
  std::string list = "[";
  for (int i = 0; i < 2501; ++i) list += std::string(i ? "," : "") + "\"s\"";
  list += "]";
  Result<ModelRequest> req =
      ParseConverseRequest(WithConfig(R"("inferenceConfig":{"stopSequences":)" + list + "}"));
  ASSERT_THAT(req, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(req.status().message(),
            std::string(kCoral) +
                "Value at 'inferenceConfig.stopSequences' failed to satisfy constraint: Member "
                "must have length less than or equal to 2500");
}

TEST(ParseConverseRequestTest, DeepOrHostileInputIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseConverseRequest(deep), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseConverseRequest(""), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(ParseConverseRequest(std::string("{\"messages\":\"\xff\"}")),
              StatusIs(ErrorCode::kValidation));
  // A deeply nested tool input is within the parser's depth limit or refused.
  std::string nested = "{\"a\":";
  for (int i = 0; i < 70; ++i) nested += "[";
  EXPECT_THAT(ParseConverseRequest(nested), StatusIs(ErrorCode::kValidation));
}

// ---- CountTokens ------------------------------------------------------------------

TEST(ParseCountTokensRequestTest, ConverseInput) {
  Result<ModelRequest> req = ParseCountTokensRequest(
      R"({"input":{"converse":{"messages":[{"role":"user","content":[{"text":"count me"}]}],)"
      R"("system":[{"text":"sys"}]}}})");
  ASSERT_OK(req);
  EXPECT_EQ(req->system, std::vector<std::string>{"sys"});
  ASSERT_EQ(req->messages.size(), 1u);
  EXPECT_EQ(req->messages[0].content[0].text, "count me");
}

TEST(ParseCountTokensRequestTest, InvokeModelInput) {
  std::string inner = R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,)"
                      R"("messages":[{"role":"user","content":"count me too"}]})";
  Result<ModelRequest> req = ParseCountTokensRequest(R"({"input":{"invokeModel":{"body":")" +
                                                     Base64Encode(inner) + R"("}}})");
  ASSERT_OK(req);
  ASSERT_EQ(req->messages.size(), 1u);
  EXPECT_EQ(req->messages[0].content[0].text, "count me too");
  EXPECT_EQ(req->max_tokens, 10);
}

TEST(ParseCountTokensRequestTest, Errors) {
  struct Case {
    std::string body;
    std::string message;
  };
  std::string c = kCoral;
  std::vector<Case> cases = {
      {"{}", c + "Value null at 'input' failed to satisfy constraint: Member must not be null"},
      {R"({"input":{},"x":1})",
       "The request body contains the unknown member 'x'. Remove it and try again."},
      {R"({"input":{}})",
       c + "Value at 'input' failed to satisfy constraint: Member must have exactly one of its "
           "members set: converse, invokeModel (found: none)"},
      {R"({"input":{"converse":{"messages":[{"role":"user","content":[{"text":"a"}]}],)"
       R"("inferenceConfig":{"maxTokens":5}}}})",
       "The request body contains the unknown member 'input.converse.inferenceConfig'. Remove "
       "it and try again."},
      {R"({"input":{"converse":{"messages":[{"role":"bot","content":[{"text":"a"}]}]}}})",
       c + "Value 'bot' at 'input.converse.messages.0.member.role' failed to satisfy "
           "constraint: Member must satisfy enum value set: [user, assistant]"},
      {R"({"input":{"invokeModel":{"body":"%%%"}}})",
       c + "Value at 'input.invokeModel.body' failed to satisfy constraint: Member must be "
           "valid base64 (base64: invalid character)"},
      {R"({"input":{"invokeModel":{"body":")" + Base64Encode(R"({"stream":true})") + R"("}}})",
       "Malformed input request: #: extraneous key [stream] is not permitted, please reformat "
       "your input and try again."},
  };
  for (const Case& k : cases) {
    Result<ModelRequest> req = ParseCountTokensRequest(k.body);
    ASSERT_THAT(req, StatusIs(ErrorCode::kValidation)) << k.body;
    EXPECT_EQ(req.status().message(), k.message) << k.body;
  }
}

TEST(CountTokensResponseJsonTest, Shape) {
  EXPECT_EQ(CountTokensResponseJson(12), R"({"inputTokens":12})");
  EXPECT_EQ(CountTokensResponseJson(0), R"({"inputTokens":0})");
}

// ---- the Converse response ------------------------------------------------------------

ModelResponse SampleResponse() {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kText, .text = "Hello \"world\"\n"});
  r.content.push_back({.kind = Kind::kImage, .text = "png"});  // no Converse output form
  r.content.push_back({.kind = Kind::kToolUse,
                       .tool_use_id = "tooluse_abc",
                       .tool_name = "get_weather",
                       .input_json = R"({"city":"Paris"})"});
  r.stop_reason = backends::StopReason::kToolUse;
  r.usage = {.input_tokens = 12, .output_tokens = 7};
  return r;
}

TEST(ConverseResponseJsonTest, GoldenFields) {
  json::Value v = ParseOrDie(ConverseResponseJson(SampleResponse(), 456));
  json::Value expected = ParseOrDie(R"({"output":{"message":{"role":"assistant","content":[
      {"text":"Hello \"world\"\n"},
      {"toolUse":{"toolUseId":"tooluse_abc","name":"get_weather","input":{"city":"Paris"}}}]}},
      "stopReason":"tool_use",
      "usage":{"inputTokens":12,"outputTokens":7,"totalTokens":19},
      "metrics":{"latencyMs":456}})");
  EXPECT_EQ(v, expected) << json::Serialize(v);
}

TEST(ConverseResponseJsonTest, StopSequenceCacheTokensAndReasoning) {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kReasoning, .text = "hmm"});
  r.content.push_back({.kind = Kind::kText, .text = "done"});
  r.stop_reason = backends::StopReason::kStopSequence;
  r.stop_sequence = "END";
  r.usage = {.input_tokens = 3,
             .output_tokens = 2,
             .cache_read_input_tokens = 10,
             .cache_write_input_tokens = 7,
             .cache_write_5m_tokens = 5,
             .cache_write_1h_tokens = 2};
  json::Value v = ParseOrDie(ConverseResponseJson(r, 1));
  json::Value expected = ParseOrDie(R"({"output":{"message":{"role":"assistant","content":[
      {"reasoningContent":{"reasoningText":{"text":"hmm"}}},{"text":"done"}]}},
      "stopReason":"stop_sequence",
      "additionalModelResponseFields":{"delta":{"stop_sequence":"END"}},
      "usage":{"inputTokens":3,"outputTokens":2,"totalTokens":22,
               "cacheReadInputTokens":10,"cacheWriteInputTokens":7,
               "cacheDetails":[{"ttl":"1h","inputTokens":2},{"ttl":"5m","inputTokens":5}]},
      "metrics":{"latencyMs":1}})");
  EXPECT_EQ(v, expected) << json::Serialize(v);
}

TEST(ConverseResponseJsonTest, BadToolInputAndBadUtf8StillGiveValidJson) {
  ModelResponse r;
  r.content.push_back({.kind = Kind::kText, .text = std::string("a\xff\x01z")});
  r.content.push_back({.kind = Kind::kToolUse,
                       .tool_use_id = "t",
                       .tool_name = "n",
                       .input_json = "{\"unterminated"});
  r.content.push_back(
      {.kind = Kind::kToolUse, .tool_use_id = "u", .tool_name = "n", .input_json = ""});
  json::Value v = ParseOrDie(ConverseResponseJson(r, 0));
  const json::Array& content = v.at("output").at("message").at("content").as_array();
  ASSERT_EQ(content.size(), 3u);
  EXPECT_EQ(content[0].at("text").as_string(), "a\xEF\xBF\xBD\x01z");
  EXPECT_EQ(content[1].at("toolUse").at("input"), json::Value(json::Object()));
  EXPECT_EQ(content[2].at("toolUse").at("input"), json::Value(json::Object()));
}

// What a client does next turn: the assistant message goes back in as is.
TEST(ConverseResponseJsonTest, RoundTripsAsTheNextTurn) {
  ModelResponse r = SampleResponse();
  json::Value out = ParseOrDie(ConverseResponseJson(r, 5));
  json::Object body;
  json::Array messages;
  messages.push_back(ParseOrDie(R"({"role":"user","content":[{"text":"weather?"}]})"));
  messages.push_back(out.at("output").at("message"));
  messages.push_back(ParseOrDie(
      R"({"role":"user","content":[{"toolResult":{"toolUseId":"tooluse_abc","content":[{"json":{"t":1}}]}}]})"));
  body["messages"] = std::move(messages);
  body["toolConfig"] = ParseOrDie(
      R"({"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object"}}}}]})");
  Result<ModelRequest> req = ParseConverseRequest(json::Serialize(body));
  ASSERT_OK(req);
  const auto& blocks = req->messages[1].content;
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].text, r.content[0].text);
  EXPECT_EQ(blocks[1].tool_use_id, r.content[2].tool_use_id);
  EXPECT_EQ(blocks[1].tool_name, r.content[2].tool_name);
  EXPECT_EQ(blocks[1].input_json, r.content[2].input_json);
}

// ---- ConverseStream events ----------------------------------------------------------

struct Event {
  std::string type;
  json::Value payload;
};

std::vector<Event> DecodeEvents(std::string_view bytes) {
  std::vector<Event> events;
  for (const eventstream::Frame& f : DecodeFrames(bytes)) {
    EXPECT_EQ(f.StringHeader(":message-type"), "event");
    EXPECT_EQ(f.StringHeader(":content-type"), "application/json");
    events.push_back({std::string(f.StringHeader(":event-type")), ParseOrDie(f.payload)});
  }
  return events;
}

TEST(ConverseStreamTest, FullSequence) {
  std::string out;
  AppendConverseMessageStart(out);
  AppendConverseTextDelta(out, 0, "Hel");
  AppendConverseTextDelta(out, 0, "lo \"\xE2\x82\xAC\"");
  AppendConverseBlockStop(out, 0);
  AppendConverseToolUseStart(out, 1, "tooluse_1", "get_weather");
  AppendConverseToolInputDelta(out, 1, R"({"city":)");
  AppendConverseToolInputDelta(out, 1, R"("Paris"})");
  AppendConverseBlockStop(out, 1);
  AppendConverseFinish(out, backends::StopReason::kToolUse,
                       {.input_tokens = 12, .output_tokens = 7}, 321);
  std::vector<Event> events = DecodeEvents(out);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"messageStart", R"({"role":"assistant"})"},
      {"contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})"},
      {"contentBlockDelta",
       "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo \\\"\xE2\x82\xAC\\\"\"}}"},
      {"contentBlockStop", R"({"contentBlockIndex":0})"},
      {"contentBlockStart",
       R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}})"},
      {"contentBlockDelta",
       R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}})"},
      {"contentBlockDelta",
       R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}})"},
      {"contentBlockStop", R"({"contentBlockIndex":1})"},
      {"messageStop", R"({"stopReason":"tool_use"})"},
      {"metadata",
       R"({"usage":{"inputTokens":12,"outputTokens":7,"totalTokens":19},"metrics":{"latencyMs":321}})"},
  };
  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(events[i].type, expected[i].first) << i;
    EXPECT_EQ(events[i].payload, ParseOrDie(expected[i].second)) << i;
  }
}

// The worked example of bedrock-api.md §4.4, byte for byte.
TEST(ConverseStreamTest, TextDeltaMatchesTheSpecVector) {
  std::string out;
  AppendConverseTextDelta(out, 0, "Hello");
  json::Value vector = ParseOrDie(bp::testing::ReadFileOrDie(
      bp::testing::TestDataDir() / "eventstream/converse_content_block_delta.json"));
  std::string hex;
  for (unsigned char c : out) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  EXPECT_EQ(hex, vector.at("hex").as_string());
}

TEST(ConverseStreamTest, AppendsWithoutDisturbingEarlierBytes) {
  std::string out = "prefix";
  AppendConverseBlockStop(out, 3);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  std::vector<Event> events = DecodeEvents(std::string_view(out).substr(6));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, ParseOrDie(R"({"contentBlockIndex":3})"));
}

// ---- the JSON writer -------------------------------------------------------------------

TEST(AppendJsonStringTest, EscapesAndRepairs) {
  struct Case {
    std::string in;
    std::string out;
  };
  std::vector<Case> cases = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"q\"b\\s/", R"("q\"b\\s/")"},
      {"\n\r\t\b\f", R"("\n\r\t\b\f")"},
      {std::string("\x00\x1f", 2), R"("\u0000\u001f")"},
      {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""},
      {"a\xff"
       "b",
       "\"a\xEF\xBF\xBD"
       "b\""},
      {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},                  // overlong
      {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},  // surrogate
      {"\xE2\x82", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},                  // truncated
  };
  for (const Case& c : cases) {
    std::string out;
    AppendJsonString(out, c.in);
    EXPECT_EQ(out, c.out);
    EXPECT_OK(json::Parse(out)) << out;
  }
}

TEST(AppendJsonStringTest, EveryByteGivesValidJson) {
  for (int b = 0; b < 256; ++b) {
    std::string in = "x";
    in += static_cast<char>(b);
    in += "y";
    std::string out;
    AppendJsonString(out, in);
    ASSERT_OK(json::Parse(out)) << b;
  }
}

}  // namespace
}  // namespace bp::api::runtime
