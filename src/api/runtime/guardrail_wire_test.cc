#include "api/runtime/guardrail_wire.h"

#include <gtest/gtest.h>

#include "api/runtime/converse_wire.h"

namespace bp::api::runtime {
namespace {

Result<backends::ModelRequest> Parse(std::string_view members) {
  return ParseConverseRequest(
      std::string(R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],)") +
      std::string(members) + "}");
}

TEST(GuardrailWireTest, ConverseGuardrailConfigIsParsedAndChecked) {
  auto req = Parse(
      R"("guardrailConfig":{"guardrailIdentifier":"abc123","guardrailVersion":"DRAFT","trace":"enabled_full","streamProcessingMode":"async"})");
  ASSERT_TRUE(req.ok()) << req.status().message();
  ASSERT_TRUE(req->guardrail);
  EXPECT_EQ(req->guardrail->identifier, "abc123");
  EXPECT_EQ(req->guardrail->trace, backends::GuardrailTrace::kEnabledFull);
  EXPECT_TRUE(req->guardrail->async);
  EXPECT_TRUE(
      Parse(
          R"("guardrailConfig":{"guardrailIdentifier":"arn:aws:bedrock:eu-central-1:123456789012:guardrail/abc","guardrailVersion":"12"})")
          .ok());
  auto bad_version =
      Parse(R"("guardrailConfig":{"guardrailIdentifier":"abc","guardrailVersion":"0"})");
  ASSERT_FALSE(bad_version.ok());
  EXPECT_NE(bad_version.status().message().find("at 'guardrailConfig.guardrailVersion'"),
            std::string::npos)
      << bad_version.status().message();
  EXPECT_FALSE(
      Parse(R"("guardrailConfig":{"guardrailIdentifier":"Has-Caps","guardrailVersion":"1"})").ok());
  EXPECT_FALSE(
      Parse(
          R"("guardrailConfig":{"guardrailIdentifier":"arn:aws:s3:eu-central-1:123456789012:guardrail/a","guardrailVersion":"1"})")
          .ok());
  EXPECT_FALSE(Parse(R"("guardrailConfig":{"guardrailVersion":"1"})").ok());
  EXPECT_FALSE(
      Parse(R"("guardrailConfig":{"guardrailIdentifier":"a","guardrailVersion":"1","trace":"on"})")
          .ok());
  EXPECT_FALSE(
      Parse(R"("guardrailConfig":{"guardrailIdentifier":"a","guardrailVersion":"1","extra":1})")
          .ok());
}

TEST(GuardrailWireTest, GuardContentLimitsTheInputChecked) {
  auto plain = ParseConverseRequest(
      R"({"system":[{"text":"sys"}],"messages":[{"role":"user","content":[{"text":"a"},{"text":"b"}]}]})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(GuardedInputTexts(*plain, true), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(GuardedInputTexts(*plain, false), (std::vector<std::string_view>{"sys", "a", "b"}));
  auto guarded = ParseConverseRequest(
      R"({"system":[{"text":"sys"},{"guardContent":{"text":{"text":"gsys"}}}],"messages":[{"role":"user","content":[{"text":"a"},{"guardContent":{"text":{"text":"g"}}}]}]})");
  ASSERT_TRUE(guarded.ok()) << guarded.status().message();
  EXPECT_EQ(GuardedInputTexts(*guarded, true), (std::vector<std::string_view>{"gsys", "g"}));
}

TEST(GuardrailWireTest, InvokeHeadersComeTogether) {
  backends::ModelRequest req;
  EXPECT_TRUE(ParseInvokeGuardrailHeaders({{"x-amzn-bedrock-trace", "ENABLED"}}, req).ok());
  EXPECT_FALSE(req.guardrail);
  EXPECT_FALSE(
      ParseInvokeGuardrailHeaders({{"x-amzn-bedrock-guardrailidentifier", "abc"}}, req).ok());
  ASSERT_TRUE(ParseInvokeGuardrailHeaders({{"x-amzn-bedrock-guardrailidentifier", "abc"},
                                           {"x-amzn-bedrock-guardrailversion", "3"},
                                           {"x-amzn-bedrock-trace", "ENABLED_FULL"}},
                                          req)
                  .ok());
  EXPECT_EQ(req.guardrail->trace, backends::GuardrailTrace::kEnabledFull);
  EXPECT_FALSE(ParseInvokeGuardrailHeaders({{"x-amzn-bedrock-guardrailidentifier", "abc"},
                                            {"x-amzn-bedrock-guardrailversion", "3"},
                                            {"x-amzn-bedrock-trace", "yes"}},
                                           req)
                   .ok());
}

TEST(GuardrailWireTest, ApplyGuardrailBodyAndMemberSplice) {
  auto in = ParseApplyGuardrailRequest(
      R"({"source":"OUTPUT","content":[{"text":{"text":"x","qualifiers":["query"]}}],"outputScope":"FULL"})");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(in->source, guardrails::Source::kOutput);
  EXPECT_EQ(in->texts, std::vector<std::string>{"x"});
  EXPECT_FALSE(ParseApplyGuardrailRequest(R"({"source":"BOTH","content":[]})").ok());
  EXPECT_FALSE(ParseApplyGuardrailRequest(R"({"source":"INPUT"})").ok());
  EXPECT_FALSE(ParseApplyGuardrailRequest(R"({"source":"INPUT","content":[{"image":{}}]})").ok());
  std::string obj = R"({"a":1})";
  AppendMemberToObject(obj, "b", "\"c\"");
  EXPECT_EQ(obj, R"({"a":1,"b":"c"})");
  std::string empty = "{}";
  AppendMemberToObject(empty, "b", "2");
  EXPECT_EQ(empty, R"({"b":2})");
}

}  // namespace
}  // namespace bp::api::runtime
