// Extended thinking through both wire formats: parsing, the rules tying it
// to the rest of the request, the model check, and the reasoning output.
#include "api/runtime/thinking.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/converse_wire.h"
#include "api/runtime/runtime_test_util.h"
#include "core/base64.h"
#include "testing/testing.h"

namespace bp::api::runtime {
namespace {

using backends::ContentBlock;
using backends::ModelRequest;
using backends::ModelResponse;
using testing::DecodeFrames;
using ::testing::Eq;
using testing::ParseOrDie;

// A Converse body with `extra` members and additionalModelRequestFields.thinking.
std::string ConverseBody(std::string_view thinking, std::string_view extra = "") {
  std::string body = R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],)";
  body += extra;
  body += R"("additionalModelRequestFields":{"thinking":)";
  body += thinking;
  body += "}}";
  return body;
}

// An Anthropic body with max_tokens 2048, `extra` members and `thinking`.
std::string AnthropicBody(std::string_view thinking, std::string_view extra = "") {
  std::string body = R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":2048,)"
                     R"("messages":[{"role":"user","content":"Hi"}],)";
  body += extra;
  body += R"("thinking":)";
  body += thinking;
  body += "}";
  return body;
}

// A failed Status / Result with kValidation and a message matching `message`.
MATCHER_P(FailsWith, message, "fails with kValidation and a matching message") {
  const ::bp::Status s = arg.status();
  *result_listener << "status: " << s.ToString();
  return s.code() == ErrorCode::kValidation &&
         ::testing::Matches(message)(std::string(s.message()));
}

constexpr char kEnabled[] = R"({"type":"enabled","budget_tokens":1024})";
constexpr char kPrefix[] = "The model returned the following errors: ";

TEST(ThinkingParseTest, EnabledSetsTheBudgetInBothFormats) {
  Result<ModelRequest> converse = ParseConverseRequest(ConverseBody(kEnabled));
  ASSERT_OK(converse);
  EXPECT_EQ(converse->thinking_budget, 1024);
  Result<ModelRequest> anthropic = ParseAnthropicRequest(AnthropicBody(kEnabled));
  ASSERT_OK(anthropic);
  EXPECT_EQ(anthropic->thinking_budget, 1024);
}

TEST(ThinkingParseTest, DisabledAndAbsentLeaveItOff) {
  Result<ModelRequest> disabled = ParseConverseRequest(ConverseBody(R"({"type":"disabled"})"));
  ASSERT_OK(disabled);
  EXPECT_EQ(disabled->thinking_budget, 0);
  Result<ModelRequest> null = ParseConverseRequest(ConverseBody("null"));
  ASSERT_OK(null);
  EXPECT_EQ(null->thinking_budget, 0);
  Result<ModelRequest> anthropic = ParseAnthropicRequest(AnthropicBody(R"({"type":"disabled"})"));
  ASSERT_OK(anthropic);
  EXPECT_EQ(anthropic->thinking_budget, 0);
}

struct ErrorCase {
  const char* name;
  std::string thinking;
  std::string extra;    // members before "thinking" (Anthropic) / additional fields (Converse)
  std::string message;  // Anthropic's; Converse adds kPrefix
};

class ThinkingErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ThinkingErrorTest, AnthropicGivesTheModelsSentence) {
  const ErrorCase& c = GetParam();
  EXPECT_THAT(ParseAnthropicRequest(AnthropicBody(c.thinking, c.extra)), FailsWith(Eq(c.message)));
}

const ErrorCase kErrors[] = {
    {"BudgetTooSmall", R"({"type":"enabled","budget_tokens":1023})", "",
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
    {"BudgetMissing", R"({"type":"enabled"})", "",
     "thinking.enabled.budget_tokens: Field required"},
    {"BudgetNotAnInteger", R"({"type":"enabled","budget_tokens":1500.5})", "",
     "thinking.enabled.budget_tokens: Input should be a valid integer"},
    {"TypeMissing", R"({"budget_tokens":2000})", "", "thinking.type: Field required"},
    {"UnknownType", R"({"type":"maybe"})", "",
     "thinking: Input tag 'maybe' found using 'type' does not match any of the expected tags: "
     "'enabled', 'disabled'"},
    {"ExtraKey", R"({"type":"enabled","budget_tokens":2000,"effort":"high"})", "",
     "thinking.enabled.effort: Extra inputs are not permitted"},
    {"Adaptive", R"({"type":"adaptive"})", "",
     "\"thinking.type.adaptive\" is not supported for this model. Use \"thinking.type.enabled\" "
     "and \"thinking.budget_tokens\" to control thinking behavior."},
    {"BudgetNotBelowMaxTokens", R"({"type":"enabled","budget_tokens":2048})", "",
     "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
     "documentation at https://docs.claude.com/en/docs/build-with-claude/"
     "extended-thinking#max-tokens-and-context-window-size"},
    {"Temperature", kEnabled, R"("temperature":0.5,)",
     "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
     "documentation at https://docs.claude.com/en/docs/build-with-claude/"
     "extended-thinking#important-considerations-when-using-extended-thinking"},
    {"TopP", kEnabled, R"("top_p":0.9,)",
     "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. Please "
     "consult our documentation at https://docs.claude.com/en/docs/build-with-claude/"
     "extended-thinking#important-considerations-when-using-extended-thinking"},
    {"TopK", kEnabled, R"("top_k":5,)",
     "`top_k` must be unset when thinking is enabled. Please consult our documentation at "
     "https://docs.claude.com/en/docs/build-with-claude/"
     "extended-thinking#important-considerations-when-using-extended-thinking"},
    {"ForcedTool", kEnabled,
     R"("tools":[{"name":"t","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"},)",
     "Thinking may not be enabled when tool_choice forces tool use."},
};
INSTANTIATE_TEST_SUITE_P(All, ThinkingErrorTest, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ThinkingParseTest, AnthropicSchemaErrorsComeFirst) {
  EXPECT_THAT(ParseAnthropicRequest(AnthropicBody("true")),
              FailsWith(Eq("Malformed input request: #/thinking: expected type: JSONObject, found: "
                           "Boolean, please reformat your input and try again.")));
}

TEST(ThinkingParseTest, AllowedCompanionsPass) {
  ASSERT_OK(ParseAnthropicRequest(AnthropicBody(
      kEnabled, R"("temperature":1,"top_p":0.95,"tools":[{"name":"t","input_schema":{}}],)"
                R"("tool_choice":{"type":"auto"},)")));
}

TEST(ThinkingConverseTest, ErrorsCarryTheModelPrefix) {
  EXPECT_THAT(ParseConverseRequest(ConverseBody(R"({"type":"enabled","budget_tokens":10})")),
              FailsWith(Eq(std::string(kPrefix) + "thinking.enabled.budget_tokens: Input should "
                                                  "be greater than or equal to 1024")));
  EXPECT_THAT(
      ParseConverseRequest(ConverseBody(kEnabled, R"("inferenceConfig":{"maxTokens":1024},)")),
      FailsWith(Eq(std::string(kPrefix) + "`max_tokens` must be greater than "
                                          "`thinking.budget_tokens`. Please consult our "
                                          "documentation at https://docs.claude.com/en/docs/"
                                          "build-with-claude/extended-thinking#max-tokens-and-"
                                          "context-window-size")));
  EXPECT_THAT(
      ParseConverseRequest(ConverseBody(kEnabled, R"("inferenceConfig":{"temperature":0},)")),
      FailsWith(::testing::StartsWith(std::string(kPrefix) + "`temperature` may only be set")));
  EXPECT_THAT(ParseConverseRequest(
                  R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],)"
                  R"("toolConfig":{"tools":[{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}],)"
                  R"("toolChoice":{"tool":{"name":"t"}}},)"
                  R"("additionalModelRequestFields":{"thinking":{"type":"enabled",)"
                  R"("budget_tokens":1024}}})"),
              FailsWith(Eq(std::string(kPrefix) +
                           "Thinking may not be enabled when tool_choice forces tool use.")));
  // top_k in the same document.
  EXPECT_THAT(ParseConverseRequest(R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],)"
                                   R"("additionalModelRequestFields":{"top_k":3,"thinking":)" +
                                   std::string(kEnabled) + "}}"),
              FailsWith(::testing::StartsWith(std::string(kPrefix) + "`top_k` must be unset")));
}

TEST(ThinkingConverseTest, CountTokensAcceptsThinking) {
  Result<ModelRequest> req = ParseCountTokensRequest(
      R"({"input":{"converse":{"messages":[{"role":"user","content":[{"text":"Hi"}]}],)"
      R"("additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":2000}}}}})");
  ASSERT_OK(req);
  EXPECT_EQ(req->thinking_budget, 2000);
}

TEST(ThinkingModelTest, OnlyModelsThatTakeThinking) {
  ModelRequest req;
  EXPECT_OK(CheckThinkingModel(req, false, "claude-3-haiku-20240307", ThinkingWire::kAnthropic));
  req.thinking_budget = 1024;
  EXPECT_OK(CheckThinkingModel(req, true, "claude-haiku-4-5-20251001", ThinkingWire::kAnthropic));
  EXPECT_THAT(CheckThinkingModel(req, false, "claude-3-haiku-20240307", ThinkingWire::kAnthropic),
              FailsWith(Eq("claude-3-haiku-20240307 does not support thinking")));
  EXPECT_THAT(
      CheckThinkingModel(req, false, "claude-3-haiku-20240307", ThinkingWire::kConverse),
      FailsWith(Eq(std::string(kPrefix) + "claude-3-haiku-20240307 does not support thinking")));
}

// ---- output ---------------------------------------------------------------------

ModelResponse WithReasoning() {
  ModelResponse r;
  r.content.push_back(
      {.kind = ContentBlock::Kind::kReasoning, .text = "I think", .signature = "c2ln"});
  r.content.push_back({.kind = ContentBlock::Kind::kText, .text = "Hi"});
  r.usage = {.input_tokens = 5, .output_tokens = 3};
  return r;
}

TEST(ThinkingOutputTest, ConverseResponseCarriesTextAndSignature) {
  json::Value v = ParseOrDie(ConverseResponseJson(WithReasoning(), 1));
  EXPECT_EQ(v.at("output").at("message").at("content"),
            ParseOrDie(R"([{"reasoningContent":{"reasoningText":{"text":"I think",)"
                       R"("signature":"c2ln"}}},{"text":"Hi"}])"));
}

TEST(ThinkingOutputTest, AnthropicResponseCarriesTheSignature) {
  json::Value v = ParseOrDie(AnthropicResponseJson(WithReasoning(), "msg", "claude"));
  EXPECT_EQ(v.at("content"),
            ParseOrDie(R"([{"type":"thinking","thinking":"I think","signature":"c2ln"},)"
                       R"({"type":"text","text":"Hi"}])"));
}

TEST(ThinkingOutputTest, ConverseStreamReasoningDeltas) {
  std::string out;
  AppendConverseReasoningDelta(out, 0, "I");
  AppendConverseReasoningDelta(out, 0, " think");
  AppendConverseReasoningSignature(out, 0, "c2ln");
  std::vector<std::string> payloads;
  for (const eventstream::Frame& f : DecodeFrames(out)) {
    EXPECT_EQ(f.StringHeader(":event-type"), "contentBlockDelta");
    payloads.emplace_back(f.payload);
  }
  EXPECT_EQ(payloads,
            (std::vector<std::string>{
                R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"I"}}})",
                R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":" think"}}})",
                R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"c2ln"}}})"}));
}

TEST(ThinkingOutputTest, AnthropicStreamThinkingEvents) {
  std::string out;
  AppendAnthropicThinkingStart(out, 0);
  AppendAnthropicThinkingDelta(out, 0, "I think");
  AppendAnthropicSignatureDelta(out, 0, "c2ln");
  std::vector<std::string> events;
  for (const eventstream::Frame& f : DecodeFrames(out)) {
    json::Value payload = ParseOrDie(f.payload);
    Result<std::string> inner = Base64Decode(payload.at("bytes").as_string());
    ASSERT_OK(inner);
    events.push_back(*inner);
  }
  EXPECT_EQ(
      events,
      (std::vector<std::string>{
          R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"I think"}})",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}})"}));
}

// A Converse answer with reasoning goes back in as the next turn's assistant
// message, signature included.
TEST(ThinkingOutputTest, ConverseReasoningRoundTrips) {
  json::Value out = ParseOrDie(ConverseResponseJson(WithReasoning(), 1));
  json::Object body;
  json::Array messages;
  messages.push_back(ParseOrDie(R"({"role":"user","content":[{"text":"Hi"}]})"));
  messages.push_back(out.at("output").at("message"));
  messages.push_back(ParseOrDie(R"({"role":"user","content":[{"text":"More"}]})"));
  body["messages"] = std::move(messages);
  body["additionalModelRequestFields"] = ParseOrDie(kEnabled);
  Result<ModelRequest> req = ParseConverseRequest(json::Serialize(body));
  ASSERT_OK(req);
  const ContentBlock& reasoning = req->messages[1].content[0];
  EXPECT_EQ(reasoning.kind, ContentBlock::Kind::kReasoning);
  EXPECT_EQ(reasoning.text, "I think");
  EXPECT_EQ(reasoning.signature, "c2ln");
}

}  // namespace
}  // namespace bp::api::runtime
