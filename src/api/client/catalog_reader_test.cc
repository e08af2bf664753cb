// CatalogFromAnswers: the two list answers -> a catalog, with the fields AWS
// does not send filled as catalog_reader.h documents. ReadCatalog itself
// (the requests, paging) runs against `serve` in
// tests/integration/catalog_integration_test.cc.

#include "api/client/catalog_reader.h"

#include "json/json.h"
#include "testing/testing.h"

namespace bp::api::client {
namespace {

using ::bp::testing::StatusIs;

json::Value Doc(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_OK(v);
  return v.ok() ? *v : json::Value();
}

constexpr std::string_view kModels = R"({"modelSummaries":[
  {"modelArn":"arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-x-20250101-v1:0",
   "modelId":"anthropic.claude-x-20250101-v1:0","modelName":"Claude X","providerName":"Anthropic",
   "inputModalities":["TEXT"],"outputModalities":["TEXT"],"responseStreamingSupported":true,
   "customizationsSupported":[],"inferenceTypesSupported":["INFERENCE_PROFILE"],
   "modelLifecycle":{"status":"LEGACY"}},
  {"modelId":"amazon.titan-y-v2","modelName":"Titan Y","providerName":"Amazon",
   "inputModalities":["TEXT"],"outputModalities":["EMBEDDING"],
   "inferenceTypesSupported":["ON_DEMAND"]}]})";

std::string Arn(std::string_view region) {
  return "arn:aws:bedrock:" + std::string(region) +
         "::foundation-model/anthropic.claude-x-20250101-v1:0";
}

TEST(CatalogReaderTest, FillsRegionsNamesAndDatesFromTheAnswers) {
  json::Array profiles = Doc(R"([
    {"inferenceProfileId":"eu.anthropic.claude-x-20250101-v1:0","inferenceProfileName":"EU X",
     "description":"d","createdAt":1735689600,"type":"SYSTEM_DEFINED",
     "models":[{"modelArn":")" +
                             Arn("eu-west-3") + R"("},{"modelArn":")" + Arn("eu-central-1") +
                             R"("}]},
    {"inferenceProfileId":"us.anthropic.claude-x-20250101-v1:0","inferenceProfileName":"US X",
     "createdAt":"2025-01-01T00:00:00Z","type":"SYSTEM_DEFINED",
     "models":[{"modelArn":")" +
                             Arn("us-east-1") + R"("}]},
    {"inferenceProfileId":"eu.other","inferenceProfileName":"EU other",
     "createdAt":"2025-01-01T00:00:00Z",
     "models":[{"modelArn":"arn:aws:bedrock:eu-west-1::foundation-model/not.listed"}]}])")
                             .as_array();
  auto read = CatalogFromAnswers(Doc(kModels), profiles, "eu-north-1", {});
  ASSERT_OK(read);
  EXPECT_EQ(read->skipped_profiles, 2u);  // the US one and the one on an unlisted model
  const catalog::FoundationModel* x = read->catalog.FindModel("anthropic.claude-x-20250101-v1:0");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->api_model_name, "claude-x-20250101");
  EXPECT_EQ(x->regions, (std::vector<std::string>{"eu-central-1", "eu-west-3"}));  // sorted union
  EXPECT_EQ(x->lifecycle_status, "LEGACY");
  const catalog::FoundationModel* y = read->catalog.FindModel("amazon.titan-y-v2");
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->api_model_name, "amazon.titan-y-v2");
  EXPECT_EQ(y->regions, (std::vector<std::string>{"eu-north-1"}));  // no profile: signing region
  ASSERT_EQ(read->catalog.system_profiles().size(), 1u);
  const catalog::SystemProfile& p = read->catalog.system_profiles()[0];
  EXPECT_EQ(p.regions, (std::vector<std::string>{"eu-west-3", "eu-central-1"}));  // as listed
  EXPECT_EQ(p.created_at, "2025-01-01T00:00:00Z");                                // epoch seconds

  // Without a geography filter the US profile is kept, and its region joins the model's.
  auto all = CatalogFromAnswers(Doc(kModels), profiles, "eu-north-1", {.geography = ""});
  ASSERT_OK(all);
  EXPECT_EQ(all->skipped_profiles, 1u);
  EXPECT_EQ(all->catalog.FindModel("anthropic.claude-x-20250101-v1:0")->regions,
            (std::vector<std::string>{"eu-central-1", "eu-west-3", "us-east-1"}));
}

TEST(CatalogReaderTest, MalformedAnswersNameTheMember) {
  auto bad_model = CatalogFromAnswers(Doc(R"({"modelSummaries":[{"modelName":"n"}]})"),
                                      json::Array(), "eu-central-1", {});
  ASSERT_THAT(bad_model, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(bad_model.status().message(), "$.modelSummaries[0].modelId is required");
  json::Array profiles = Doc(R"([{"inferenceProfileId":"eu.x","inferenceProfileName":"x",
      "models":[{"modelArn":"not an arn"}]}])")
                             .as_array();
  auto bad_profile = CatalogFromAnswers(Doc(kModels), profiles, "eu-central-1", {});
  ASSERT_THAT(bad_profile, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(bad_profile.status().message(),
            "$.inferenceProfileSummaries[0].models[0].modelArn: 'not an arn' is not a "
            "foundation-model ARN");
}

}  // namespace
}  // namespace bp::api::client
