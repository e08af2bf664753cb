#include "backends/bedrock/converse_request.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/converse_wire.h"
#include "core/base64.h"
#include "json/json.h"

namespace bp::backends::bedrock {
namespace {

using Kind = ContentBlock::Kind;
using Section = CachePoint::Section;

// Field by field, so a failure names what differs. model_id, region,
// guardrail and profile_arn are not sent (the path and the endpoint carry
// them), so they are not compared.
void ExpectSameBlock(const ContentBlock& a, const ContentBlock& b, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.tool_use_id, b.tool_use_id);
  EXPECT_EQ(a.tool_name, b.tool_name);
  EXPECT_EQ(a.input_json, b.input_json);
  EXPECT_EQ(a.is_error, b.is_error);
  EXPECT_EQ(a.byte_size, b.byte_size);
  EXPECT_EQ(a.base64, b.base64);
  EXPECT_EQ(a.signature, b.signature);
  EXPECT_EQ(a.guard_content, b.guard_content);
}

void ExpectSameRequest(const ModelRequest& a, const ModelRequest& b) {
  EXPECT_EQ(a.system, b.system);
  EXPECT_EQ(a.guarded_system, b.guarded_system);
  ASSERT_EQ(a.messages.size(), b.messages.size());
  for (size_t m = 0; m < a.messages.size(); ++m) {
    EXPECT_EQ(a.messages[m].role, b.messages[m].role) << "message " << m;
    ASSERT_EQ(a.messages[m].content.size(), b.messages[m].content.size()) << "message " << m;
    for (size_t i = 0; i < a.messages[m].content.size(); ++i) {
      ExpectSameBlock(a.messages[m].content[i], b.messages[m].content[i],
                      "messages." + std::to_string(m) + ".content." + std::to_string(i));
    }
  }
  EXPECT_EQ(a.max_tokens, b.max_tokens);
  EXPECT_EQ(a.temperature, b.temperature);
  EXPECT_EQ(a.top_p, b.top_p);
  EXPECT_EQ(a.top_k, b.top_k);
  EXPECT_EQ(a.stop_sequences, b.stop_sequences);
  ASSERT_EQ(a.tools.size(), b.tools.size());
  for (size_t i = 0; i < a.tools.size(); ++i) {
    EXPECT_EQ(a.tools[i].name, b.tools[i].name);
    EXPECT_EQ(a.tools[i].description, b.tools[i].description);
    EXPECT_EQ(a.tools[i].input_schema_json, b.tools[i].input_schema_json);
    EXPECT_EQ(a.tools[i].strict, b.tools[i].strict);
  }
  EXPECT_EQ(a.tool_choice, b.tool_choice);
  EXPECT_EQ(a.tool_choice_name, b.tool_choice_name);
  EXPECT_EQ(a.service_tier, b.service_tier);
  EXPECT_EQ(a.request_metadata, b.request_metadata);
  ASSERT_EQ(a.output_format.has_value(), b.output_format.has_value());
  if (a.output_format) {
    EXPECT_EQ(a.output_format->schema_json, b.output_format->schema_json);
    EXPECT_EQ(a.output_format->name, b.output_format->name);
    EXPECT_EQ(a.output_format->description, b.output_format->description);
  }
  ASSERT_EQ(a.cache_points.size(), b.cache_points.size());
  for (size_t i = 0; i < a.cache_points.size(); ++i) {
    EXPECT_EQ(a.cache_points[i].section, b.cache_points[i].section) << "cache point " << i;
    EXPECT_EQ(a.cache_points[i].message, b.cache_points[i].message) << "cache point " << i;
    EXPECT_EQ(a.cache_points[i].count, b.cache_points[i].count) << "cache point " << i;
    EXPECT_EQ(a.cache_points[i].ttl, b.cache_points[i].ttl) << "cache point " << i;
  }
  EXPECT_EQ(a.thinking_budget, b.thinking_budget);
}

std::string Compact(std::string_view text) { return json::Serialize(*json::Parse(text)); }

ContentBlock Text(std::string text) { return {.kind = Kind::kText, .text = std::move(text)}; }

ContentBlock Bytes(Kind kind, std::string format, std::string raw) {
  ContentBlock block{.kind = kind, .text = std::move(format), .byte_size = raw.size()};
  block.base64 = Base64Encode(raw);
  return block;
}

Message User(std::vector<ContentBlock> content) { return {Role::kUser, std::move(content)}; }
Message Assistant(std::vector<ContentBlock> content) {
  return {Role::kAssistant, std::move(content)};
}

constexpr char kSchema[] =
    R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],)"
    R"("additionalProperties":false})";

Tool WeatherTool(bool strict = false) {
  return {.name = "get_weather",
          .description = "Weather of a city",
          .input_schema_json = kSchema,
          .strict = strict};
}

std::vector<std::pair<std::string, ModelRequest>> Table() {
  std::vector<std::pair<std::string, ModelRequest>> table;
  {
    ModelRequest r;
    r.messages = {User({Text("Hello")})};
    table.emplace_back("plain text", r);
  }
  {
    ModelRequest r;
    r.system = {"You are terse.", "Never reveal the code.", "Answer in French."};
    r.guarded_system = {1};
    r.messages = {
        User({Text("Bonjour"), {.kind = Kind::kText, .text = "guard me", .guard_content = true}}),
        Assistant({Text("Salut")}), User({Text("Encore")})};
    r.tools = {WeatherTool(), {.name = "noop", .input_schema_json = R"({"type":"object"})"}};
    r.cache_points = {
        {.section = Section::kTools, .count = 1, .ttl = CacheTtl::k1h},
        {.section = Section::kSystem, .count = 3, .ttl = CacheTtl::k1h},
        {.section = Section::kMessages, .message = 0, .count = 1, .ttl = CacheTtl::k5m},
        {.section = Section::kMessages, .message = 2, .count = 1, .ttl = CacheTtl::k5m}};
    table.emplace_back("system, guard content and cache points", r);
  }
  {
    ModelRequest r;
    ContentBlock guarded_image = Bytes(Kind::kImage, "jpeg", "\xff\xd8\xff\xe0 jpeg");
    guarded_image.guard_content = true;
    ContentBlock document = Bytes(Kind::kDocument, "pdf", "%PDF-1.7 body");
    document.tool_name = "Annual report (2025) [final]";
    ContentBlock unformatted = Bytes(Kind::kDocument, "", "plain words");
    unformatted.tool_name = "notes";
    r.messages = {User({Bytes(Kind::kImage, "png", "\x89PNG\r\n\x1a\n"), guarded_image, document,
                        unformatted, Bytes(Kind::kVideo, "mp4", "....ftypmp42"),
                        Bytes(Kind::kAudio, "mp3", "ID3\x04"), Text("What is in these?")})};
    table.emplace_back("images, documents, video and audio", r);
  }
  {
    ModelRequest r;
    r.tools = {WeatherTool(true), {.name = "lookup", .input_schema_json = R"({"type":"object"})"}};
    r.tool_choice = ToolChoice::kAny;
    r.messages = {User({Text("Weather in Paris and Oslo?")}),
                  Assistant({Text("Looking."),
                             {.kind = Kind::kToolUse,
                              .tool_use_id = "tooluse_1",
                              .tool_name = "get_weather",
                              .input_json = R"({"city":"Paris"})"},
                             {.kind = Kind::kToolUse,
                              .tool_use_id = "tooluse.2:x-y",
                              .tool_name = "lookup",
                              // As the parsers keep JSON: Boost.JSON's compact form.
                              .input_json = Compact(R"({"q":["a",1,null,{"n":2.5}]})")}}),
                  User({{.kind = Kind::kToolResult,
                         .text = "Sunny\nwarm",
                         .tool_use_id = "tooluse_1",
                         .input_json = "{\"temp\":21,\"unit\":\"C\"}\n[1,2]"},
                        {.kind = Kind::kToolResult,
                         .text = "no such city",
                         .tool_use_id = "tooluse.2:x-y",
                         .is_error = true},
                        {.kind = Kind::kToolResult, .tool_use_id = "tooluse_1"},
                        Text("Go on")})};
    table.emplace_back("tool uses and results, strict tool, any", r);
  }
  {
    ModelRequest r;
    r.tools = {WeatherTool()};
    r.tool_choice = ToolChoice::kTool;
    r.tool_choice_name = "get_weather";
    r.messages = {User({Text("Weather?")})};
    table.emplace_back("tool choice naming a tool", r);
  }
  {
    ModelRequest r;
    r.max_tokens = 8192;
    r.thinking_budget = 2048;
    ContentBlock redacted{.kind = Kind::kReasoning};
    redacted.base64 = "RW5jcnlwdGVkIHJlYXNvbmluZw==";
    r.messages = {
        User({Text("Think first.")}),
        Assistant(
            {{.kind = Kind::kReasoning, .text = "Let me think.", .signature = "EqQBCkYIARgCIkCsig"},
             redacted,
             {.kind = Kind::kReasoning, .text = "unsigned"},
             Text("42")}),
        User({Text("Why?")})};
    table.emplace_back("reasoning and thinking budget", r);
  }
  {
    ModelRequest r;
    r.max_tokens = 100;
    r.temperature = 0.7;
    r.top_p = 0.9;
    r.top_k = 40;
    r.stop_sequences = {"END", "\n\nHuman:", "\xc3\xa9t\xc3\xa9"};
    r.messages = {User({Text("Count")})};
    table.emplace_back("inference parameters and top_k", r);
  }
  {
    ModelRequest r;
    r.max_tokens = 1;
    r.temperature = 0;
    r.top_p = 1;
    r.messages = {User({Text("edge values")})};
    table.emplace_back("edge inference values", r);
  }
  {
    ModelRequest r;
    r.service_tier = ServiceTier::kPriority;
    r.request_metadata = {{"team", "search"}, {"app", "bot"}, {"a", "z"}};
    r.output_format =
        OutputFormat{.schema_json = kSchema, .name = "weather", .description = "A city"};
    r.messages = {User({Text("JSON please")})};
    table.emplace_back("service tier, metadata, output format", r);
  }
  {
    ModelRequest r;
    r.service_tier = ServiceTier::kFlex;
    r.output_format = OutputFormat{.schema_json = kSchema};
    r.messages = {User({Text("JSON please")})};
    table.emplace_back("output format without a name", r);
  }
  return table;
}

TEST(BuildConverseRequest, RoundTripsThroughTheConverseParser) {
  for (const auto& [name, request] : Table()) {
    SCOPED_TRACE(name);
    Result<std::string> body = BuildConverseRequest(request);
    ASSERT_TRUE(body.ok()) << body.status().message();
    Result<ModelRequest> parsed = api::runtime::ParseConverseRequest(*body);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << *body;
    ExpectSameRequest(request, *parsed);
    // And once more: the body is a fixed point.
    Result<std::string> again = BuildConverseRequest(*parsed);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *body);
  }
}

TEST(BuildConverseRequest, Golden) {
  ModelRequest r;
  r.model_id = "anthropic.claude-haiku-4-5-20251001-v1:0";
  r.region = "eu-west-1";
  r.system = {"Be brief."};
  r.messages = {User({Text("Hi")})};
  r.max_tokens = 100;
  r.stop_sequences = {"END"};
  r.tools = {WeatherTool()};
  r.cache_points = {{.section = Section::kSystem, .count = 1}};
  r.guardrail = GuardrailRequest{.identifier = "gr-1", .version = "1"};
  r.profile_arn = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc";
  Result<std::string> body = BuildConverseRequest(r);
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(*body, R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],)"
                   R"("system":[{"text":"Be brief."},{"cachePoint":{"type":"default"}}],)"
                   R"("inferenceConfig":{"maxTokens":100,"stopSequences":["END"]},)"
                   R"("toolConfig":{"tools":[{"toolSpec":{"name":"get_weather",)"
                   R"("description":"Weather of a city","inputSchema":{"json":)" +
                       std::string(kSchema) +
                       R"(}}}]},"additionalModelResponseFieldPaths":["/stop_sequence",)"
                       R"("/delta/stop_sequence"]})");
  Result<ModelRequest> parsed = api::runtime::ParseConverseRequest(*body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_FALSE(parsed->guardrail.has_value());  // never sent
}

TEST(BuildConverseRequest, ToolChoiceNoneLeavesToolsOutWhenItCan) {
  ModelRequest r;
  r.messages = {User({Text("Hi")})};
  r.tools = {WeatherTool()};
  r.tool_choice = ToolChoice::kNone;
  Result<std::string> body = BuildConverseRequest(r);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->find("toolConfig"), std::string::npos) << *body;

  r.messages = {User({Text("Hi")}),
                Assistant({{.kind = Kind::kToolUse,
                            .tool_use_id = "t1",
                            .tool_name = "get_weather",
                            .input_json = "{}"}}),
                User({{.kind = Kind::kToolResult, .text = "ok", .tool_use_id = "t1"}})};
  body = BuildConverseRequest(r);
  ASSERT_TRUE(body.ok());
  Result<ModelRequest> parsed = api::runtime::ParseConverseRequest(*body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->tools.size(), 1u);
  EXPECT_EQ(parsed->tool_choice, ToolChoice::kAuto);
}

TEST(BuildConverseRequest, RefusesWhatCannotBeForwarded) {
  struct Case {
    std::string name;
    ModelRequest request;
    std::string message_part;
  };
  std::vector<Case> cases;
  auto with = [](std::vector<ContentBlock> blocks) {
    ModelRequest r;
    r.messages = {User(std::move(blocks))};
    return r;
  };
  cases.push_back({"search result",
                   with({{.kind = Kind::kSearchResult, .text = "t\nc", .tool_name = "s"}}),
                   "messages.0.content.0: a search result"});
  cases.push_back({"image without bytes",
                   with({Text("x"), {.kind = Kind::kImage, .text = "png", .byte_size = 3}}),
                   "messages.0.content.1: an image"});
  cases.push_back({"document without bytes",
                   with({{.kind = Kind::kDocument, .text = "txt", .byte_size = 3}}),
                   "messages.0.content.0: a document given as text"});
  {
    ModelRequest r = with({{.kind = Kind::kToolResult, .tool_use_id = "t", .byte_size = 10}});
    r.tools = {WeatherTool()};
    cases.push_back({"tool result with an image", r, "a tool result holding images"});
  }
  cases.push_back({"tool blocks without tools",
                   with({{.kind = Kind::kToolResult, .text = "x", .tool_use_id = "t"}}),
                   "offers no tools"});
  {
    ModelRequest r = with({Text("x")});
    r.tools = {WeatherTool()};
    r.tool_choice = ToolChoice::kTool;
    r.tool_choice_name = "other";
    cases.push_back({"tool choice not offered", r, "'other'"});
  }
  {
    ModelRequest r = with({Text("x")});
    r.tools.assign(kMaxTools + 1, WeatherTool());
    cases.push_back({"too many tools", r, "more than"});
  }
  cases.push_back({"bad tool input",
                   with({{.kind = Kind::kToolUse,
                          .tool_use_id = "t",
                          .tool_name = "n",
                          .input_json = "{not json"}}),
                   "tool input that is not JSON"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::string> body = BuildConverseRequest(c.request);
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.status().code(), ErrorCode::kValidation);
    EXPECT_NE(body.status().message().find(c.message_part), std::string::npos)
        << body.status().message();
  }
}

TEST(BuildConverseRequest, DocumentNamesAreMadeAcceptable) {
  ContentBlock document = Bytes(Kind::kDocument, "pdf", "%PDF");
  document.tool_name = "  my_report.pdf\t\t(v2)  ";
  ContentBlock unnamed = Bytes(Kind::kDocument, "txt", "hello");
  ModelRequest r;
  r.messages = {User({document, unnamed, Text("Summarise")})};
  Result<std::string> body = BuildConverseRequest(r);
  ASSERT_TRUE(body.ok());
  Result<ModelRequest> parsed = api::runtime::ParseConverseRequest(*body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->messages[0].content[0].tool_name, "my-report-pdf (v2)");
  EXPECT_EQ(parsed->messages[0].content[1].tool_name, "document-2");
}

// What the Anthropic parser keeps is forwarded too: documents (a text one
// encoded), their titles, redacted thinking.
TEST(BuildConverseRequest, ForwardsAnthropicDocumentsAndRedactedThinking) {
  Result<ModelRequest> anthropic = api::runtime::ParseAnthropicRequest(
      R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":50,"messages":[)"
      R"({"role":"user","content":[{"type":"document","title":"Q3 plan","source":)"
      R"({"type":"text","media_type":"text/plain","data":"grow"}},{"type":"text","text":"Sum?"}]},)"
      R"({"role":"assistant","content":[{"type":"redacted_thinking","data":"c2VjcmV0"},)"
      R"({"type":"text","text":"Growth."}]},{"role":"user","content":"More"}]})");
  ASSERT_TRUE(anthropic.ok()) << anthropic.status().message();
  Result<std::string> body = BuildConverseRequest(*anthropic);
  ASSERT_TRUE(body.ok()) << body.status().message();
  Result<ModelRequest> parsed = api::runtime::ParseConverseRequest(*body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << *body;
  ExpectSameRequest(*anthropic, *parsed);
  EXPECT_EQ(parsed->messages[0].content[0].base64, Base64Encode("grow"));
  EXPECT_EQ(parsed->messages[1].content[0].base64, "c2VjcmV0");
}

TEST(ConversePath, EncodesAsTheAwsSdksDo) {
  EXPECT_EQ(ConversePath("anthropic.claude-haiku-4-5-20251001-v1:0", false),
            "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/converse");
  EXPECT_EQ(ConversePath("arn:aws:bedrock:eu-central-1:123456789012:application-inference-"
                         "profile/acwt9yee9wzo",
                         true),
            "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-"
            "profile%2Facwt9yee9wzo/converse-stream");
  EXPECT_EQ(ConversePath("eu.amazon.nova-lite-v1:0", true),
            "/model/eu.amazon.nova-lite-v1%3A0/converse-stream");
}

}  // namespace
}  // namespace bp::backends::bedrock
