#include "catalog/catalog.h"

#include "testing/testing.h"

namespace bp::catalog {
namespace {

TEST(CatalogTest, BuiltinHasTheSeedModelsInThreeEuRegions) {
  auto catalog = Catalog::Builtin();
  ASSERT_OK(catalog);
  for (const char* id :
       {"anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0"}) {
    const FoundationModel* m = catalog->FindModel(id);
    ASSERT_NE(m, nullptr) << id;
    EXPECT_EQ(m->regions, (std::vector<std::string>{"eu-central-1", "eu-west-1", "eu-west-3"}));
    const SystemProfile* p = catalog->FindSystemProfile(std::string("eu.") + id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->model_id, id);
    EXPECT_EQ(p->regions.size(), 3u);
  }
  EXPECT_EQ(catalog->FindModel("anthropic.claude-3"), nullptr);
}

TEST(CatalogTest, RejectsProfileRoutingWhereTheModelIsNotServed) {
  auto c = Catalog::Parse(R"({"foundation_models":[{"model_id":"m","model_name":"M",
      "provider_name":"P","regions":["eu-west-1"],"input_modalities":["TEXT"],
      "output_modalities":["TEXT"],"inference_types":["ON_DEMAND"]}],
      "system_profiles":[{"id":"eu.m","name":"n","description":"d","model_id":"m",
      "regions":["eu-west-1","eu-west-3"],"created_at":"2025-01-01T00:00:00Z"}]})",
                          "test.json");
  ASSERT_THAT(c, testing::StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(c.status().message(),
            "test.json: $.system_profiles[0].regions: m is not served in eu-west-3");
}

TEST(CatalogTest, RejectsUnknownKeysAndWrongTypes) {
  EXPECT_THAT(Catalog::Parse(R"({"foundation_models":[],"system_profiles":[],"x":1})", "t"),
              testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Catalog::Parse(R"({"foundation_models":[{"model_id":3}],"system_profiles":[]})", "t"),
              testing::StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Catalog::Parse("not json", "t"), testing::StatusIs(ErrorCode::kValidation));
}

TEST(CatalogTest, GeographyIsTheRegionPrefix) {
  EXPECT_EQ(Catalog::Geography("eu-central-1"), "eu");
  EXPECT_EQ(Catalog::Geography("us-east-1"), "us");
  EXPECT_EQ(Catalog::Geography("nowhere"), "");
}

}  // namespace
}  // namespace bp::catalog
