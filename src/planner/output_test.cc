#include "planner/output.h"

#include "json/json.h"
#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

using ::bp::testing::StatusIs;
using testing::ConfigText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Live;
using testing::LoadConfig;
using testing::SeedProfiles;

constexpr std::string_view kHaikuArn =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";
constexpr std::string_view kSonnetArn =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o";

OutputMap Seed() {
  return {{"rd-haiku-45", std::string(kHaikuArn)}, {"rd-sonnet-4", std::string(kSonnetArn)}};
}

TEST(OutputTest, TextIsWhatTerraformOutputPrints) {
  EXPECT_EQ(RenderOutputsText(Seed()),
            "inference_profile_arns = {\n"
            "  \"rd-haiku-45\" = \"" +
                std::string(kHaikuArn) +
                "\"\n"
                "  \"rd-sonnet-4\" = \"" +
                std::string(kSonnetArn) +
                "\"\n"
                "}\n");
  EXPECT_EQ(RenderOutputsText({}), "inference_profile_arns = {}\n");
}

TEST(OutputTest, JsonIsWhatTerraformOutputJsonPrints) {
  std::string text = RenderOutputsJson(Seed());
  EXPECT_EQ(text,
            "{\n"
            "  \"inference_profile_arns\": {\n"
            "    \"sensitive\": false,\n"
            "    \"type\": [\n"
            "      \"object\",\n"
            "      {\n"
            "        \"rd-haiku-45\": \"string\",\n"
            "        \"rd-sonnet-4\": \"string\"\n"
            "      }\n"
            "    ],\n"
            "    \"value\": {\n"
            "      \"rd-haiku-45\": \"" +
                std::string(kHaikuArn) +
                "\",\n"
                "      \"rd-sonnet-4\": \"" +
                std::string(kSonnetArn) +
                "\"\n"
                "    }\n"
                "  }\n"
                "}\n");
  Result<json::Value> parsed = json::Parse(text);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->at("inference_profile_arns").at("value").at("rd-haiku-45").as_string(),
            kHaikuArn);
  EXPECT_EQ(RenderOutputsJson({}),
            "{\n  \"inference_profile_arns\": {\n    \"sensitive\": false,\n    \"type\": [\n"
            "      \"object\",\n      {}\n    ],\n    \"value\": {}\n  }\n}\n");
}

TEST(OutputTest, CollectsConfiguredProfilesOnly) {
  Result<config::Config> config = LoadConfig(ConfigText(SeedProfiles()));
  ASSERT_OK(config);
  LiveProfile haiku = Live("rd-haiku-45");
  haiku.arn = std::string(kHaikuArn);
  LiveProfile other = Live("manual");
  other.arn = "arn:other";
  Outputs outputs = CollectOutputs(*config, {other, haiku});
  EXPECT_EQ(outputs.arns, (OutputMap{{"rd-haiku-45", std::string(kHaikuArn)}}));
  EXPECT_THAT(outputs.missing, ElementsAre("rd-sonnet-4"));
}

TEST(OutputTest, OneArnForShellSubstitution) {
  EXPECT_EQ(RenderOutputArnJson(kHaikuArn), "\"" + std::string(kHaikuArn) + "\"\n");
}

TEST(OutputTest, AnUnknownNameListsTheConfiguredOnes) {
  Result<config::Config> config = LoadConfig(ConfigText(SeedProfiles()));
  ASSERT_OK(config);
  Status unknown = NotConfiguredError(*config, "rd-typo");
  EXPECT_THAT(unknown, StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(unknown.message(), HasSubstr("no profile 'rd-typo' in "));
  EXPECT_THAT(unknown.message(), HasSubstr("configured: rd-haiku-45, rd-sonnet-4"));
}

}  // namespace
}  // namespace bp::planner
