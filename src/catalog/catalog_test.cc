#include "catalog/catalog.h"

#include "testing/testing.h"

namespace bp::catalog {

std::string_view BuiltinCatalogJson();  // generated from config/model-catalog.json

namespace {

// A model "m" served in eu-west-1, as one foundation_models entry.
constexpr std::string_view kModelM = R"({"model_id":"m","model_name":"M","provider_name":"P",
    "regions":["eu-west-1"],"input_modalities":["TEXT"],"output_modalities":["TEXT"],
    "inference_types":["ON_DEMAND"]})";

std::string FileWith(std::string_view models, std::string_view profiles) {
  return std::string(R"({"foundation_models":[)") + std::string(models) +
         R"(],"system_profiles":[)" + std::string(profiles) + "]}";
}

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

TEST(CatalogTest, BuiltinShipsTheEuClaudeLineUp) {
  auto catalog = Catalog::Builtin();
  ASSERT_OK(catalog);
  for (const char* id :
       {"anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0"}) {
    const SystemProfile* p = catalog->FindSystemProfile(std::string("eu.") + id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->model_id, id);
    for (const std::string& region : p->regions) EXPECT_EQ(Catalog::Geography(region), "eu") << id;
  }
  EXPECT_EQ(catalog->FindSystemProfile("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")->regions,
            (std::vector<std::string>{"eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2",
                                      "eu-west-1", "eu-west-3"}));
}

TEST(CatalogTest, ReasoningMarksTheModelsThatTakeExtendedThinking) {
  auto catalog = Catalog::Builtin();
  ASSERT_OK(catalog);
  for (const char* id :
       {"anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0",
        "anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0"}) {
    ASSERT_NE(catalog->FindModel(id), nullptr) << id;
    EXPECT_TRUE(catalog->FindModel(id)->reasoning) << id;
  }
  for (const char* id :
       {"anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"}) {
    ASSERT_NE(catalog->FindModel(id), nullptr) << id;
    EXPECT_FALSE(catalog->FindModel(id)->reasoning) << id;
  }
  constexpr std::string_view kModel =
      R"({"model_id":"m","model_name":"M","provider_name":"P","regions":["eu-west-1"],)"
      R"("input_modalities":[],"output_modalities":[],"inference_types":[],"reasoning":)";
  auto merged = catalog->Merge(R"({"foundation_models":[)" + std::string(kModel) + "true}]}");
  ASSERT_OK(merged);
  EXPECT_TRUE(merged->FindModel("m")->reasoning);
  EXPECT_THAT(catalog->Merge(R"({"foundation_models":[)" + std::string(kModel) + R"("yes"}]})"),
              testing::StatusIs(ErrorCode::kValidation));
}

TEST(CatalogTest, ToJsonReproducesTheBuiltinFileAndParsesBack) {
  auto catalog = Catalog::Builtin();
  ASSERT_OK(catalog);
  EXPECT_EQ(catalog->ToJson(), BuiltinCatalogJson());
  auto again = Catalog::Parse(catalog->ToJson(), "round trip");
  ASSERT_OK(again);
  EXPECT_EQ(*again, *catalog);
}

TEST(CatalogTest, ToJsonWritesCustomizationsAndEscapesOnlyWhenNeeded) {
  auto c =
      Catalog::Parse(FileWith(R"({"model_id":"m","model_name":"M \"quoted\"","provider_name":"P",
          "regions":["eu-west-1"],"input_modalities":["TEXT"],"output_modalities":["TEXT"],
          "customizations":["FINE_TUNING"],"inference_types":["ON_DEMAND"],
          "response_streaming":false,"lifecycle_status":"LEGACY"})",
                              ""),
                     "t");
  ASSERT_OK(c);
  EXPECT_EQ(c->ToJson(), R"({
  "foundation_models": [
    {
      "model_id": "m",
      "model_name": "M \"quoted\"",
      "provider_name": "P",
      "api_model_name": "m",
      "regions": ["eu-west-1"],
      "input_modalities": ["TEXT"],
      "output_modalities": ["TEXT"],
      "customizations": ["FINE_TUNING"],
      "inference_types": ["ON_DEMAND"],
      "response_streaming": false,
      "lifecycle_status": "LEGACY"
    }
  ],
  "system_profiles": []
}
)");
  auto again = Catalog::Parse(c->ToJson(), "t");
  ASSERT_OK(again);
  EXPECT_EQ(*again, *c);
}

TEST(CatalogTest, MergeAddsNewEntriesAndReplacesSameIdsInPlace) {
  auto base = Catalog::Parse(
      FileWith(kModelM, R"({"id":"eu.m","name":"n","description":"old","model_id":"m",
          "regions":["eu-west-1"],"created_at":"2025-01-01T00:00:00Z"})"),
      "base");
  ASSERT_OK(base);
  // Replaces m (now also in eu-west-3), keeps eu.m, adds a profile for the
  // base's model and a new model with its own profile.
  auto merged = base->Merge(FileWith(
      R"({"model_id":"m","model_name":"M2","provider_name":"P","regions":["eu-west-1","eu-west-3"],
          "input_modalities":["TEXT"],"output_modalities":["TEXT"],"inference_types":["ON_DEMAND"]},
         {"model_id":"n","model_name":"N","provider_name":"P","regions":["eu-west-3"],
          "input_modalities":["TEXT"],"output_modalities":["TEXT"],"inference_types":["ON_DEMAND"]})",
      R"({"id":"eu.m.wide","name":"w","description":"d","model_id":"m",
          "regions":["eu-west-1","eu-west-3"],"created_at":"2025-01-01T00:00:00Z"},
         {"id":"eu.n","name":"n","description":"d","model_id":"n","regions":["eu-west-3"],
          "created_at":"2025-01-01T00:00:00Z"})"));
  ASSERT_OK(merged);
  ASSERT_EQ(merged->models().size(), 2u);
  EXPECT_EQ(merged->models()[0].model_name, "M2");
  EXPECT_EQ(merged->models()[1].model_id, "n");
  ASSERT_EQ(merged->system_profiles().size(), 3u);
  EXPECT_EQ(merged->system_profiles()[0].description, "old");
  EXPECT_EQ(merged->system_profiles()[1].id, "eu.m.wide");
  EXPECT_EQ(merged->system_profiles()[2].id, "eu.n");
  // The base is unchanged, and a file may leave either section out.
  EXPECT_EQ(base->models()[0].model_name, "M");
  auto profile_only = base->Merge(R"({"system_profiles":[{"id":"eu.m","name":"n",
      "description":"new","model_id":"m","regions":["eu-west-1"],
      "created_at":"2025-01-01T00:00:00Z"}]})");
  ASSERT_OK(profile_only);
  EXPECT_EQ(profile_only->system_profiles()[0].description, "new");
  EXPECT_EQ(profile_only->models(), base->models());
}

TEST(CatalogTest, MergeErrorsStartWithTheJsonPathInTheFile) {
  auto base =
      Catalog::Parse(FileWith(kModelM, R"({"id":"eu.m","name":"n","description":"d","model_id":"m",
          "regions":["eu-west-1"],"created_at":"2025-01-01T00:00:00Z"})"),
                     "base");
  ASSERT_OK(base);
  auto message = [&](std::string_view file) {
    auto merged = base->Merge(file);
    EXPECT_THAT(merged, testing::StatusIs(ErrorCode::kValidation)) << file;
    return merged.ok() ? std::string() : merged.status().message();
  };
  EXPECT_EQ(message(R"({"system_profiles":[{"id":"eu.x","name":"n","description":"d",
      "model_id":"x","regions":["eu-west-1"],"created_at":"t"}]})"),
            "$.system_profiles[0].model_id: unknown model x");
  EXPECT_EQ(message(R"({"foundation_models":[{"model_id":"m","model_name":"M",
      "provider_name":"P","regions":["eu-west-3"],"input_modalities":["TEXT"],
      "output_modalities":["TEXT"],"inference_types":["ON_DEMAND"]}]})"),
            "$.foundation_models[0].regions: eu-west-1 is missing, but the system profile eu.m "
            "routes m there");
  EXPECT_EQ(message(FileWith(std::string(kModelM) + "," + std::string(kModelM), "")),
            "$.foundation_models[1].model_id: duplicate model_id m");
  EXPECT_EQ(message(R"({"foundation_models":[{"model_id":"m"}]})"),
            "$.foundation_models[0].model_name is required");
  EXPECT_EQ(message(R"({"models":[]})"), "$.models is not a recognised field");
}

TEST(CatalogTest, PromptCachingIsReadCheckedAndWrittenBack) {
  auto with = [](std::string_view caching) {
    std::string model(kModelM);
    model.insert(model.size() - 1, std::string(R"(,"prompt_caching":)") + std::string(caching));
    return FileWith(model, "");
  };
  auto c = Catalog::Parse(with(R"({"min_tokens":1024,"ttls":["5m","1h"]})"), "t");
  ASSERT_OK(c);
  const FoundationModel* m = c->FindModel("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->prompt_cache_min_tokens, 1024);
  EXPECT_EQ(m->prompt_cache_ttls, (std::vector<std::string>{"5m", "1h"}));
  EXPECT_NE(c->ToJson().find(R"("prompt_caching": {"min_tokens": 1024, "ttls": ["5m", "1h"]})"),
            std::string::npos);
  auto again = Catalog::Parse(c->ToJson(), "t");
  ASSERT_OK(again);
  EXPECT_EQ(*again, *c);

  auto message = [&](std::string_view caching) {
    auto r = Catalog::Parse(with(caching), "t");
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(message(R"({"min_tokens":0,"ttls":["5m"]})"),
            "t: $.foundation_models[0].prompt_caching.min_tokens: expected an integer of at "
            "least 1");
  EXPECT_EQ(message(R"({"min_tokens":1024,"ttls":["1h"]})"),
            R"(t: $.foundation_models[0].prompt_caching.ttls: expected ["5m"] or ["5m", "1h"])");
  EXPECT_EQ(message(R"({"min_tokens":1024,"ttls":["5m"],"max":4})"),
            "t: $.foundation_models[0].prompt_caching.max is not a recognised field");

  // The built-in catalog: the models Bedrock caches for, with their minimums.
  auto builtin = Catalog::Builtin();
  ASSERT_OK(builtin);
  const FoundationModel* haiku = builtin->FindModel("anthropic.claude-haiku-4-5-20251001-v1:0");
  ASSERT_NE(haiku, nullptr);
  EXPECT_EQ(haiku->prompt_cache_min_tokens, 4096);
  EXPECT_EQ(haiku->prompt_cache_ttls, (std::vector<std::string>{"5m", "1h"}));
  const FoundationModel* sonnet4 = builtin->FindModel("anthropic.claude-sonnet-4-20250514-v1:0");
  ASSERT_NE(sonnet4, nullptr);
  EXPECT_EQ(sonnet4->prompt_cache_ttls, (std::vector<std::string>{"5m"}));
  const FoundationModel* haiku3 = builtin->FindModel("anthropic.claude-3-haiku-20240307-v1:0");
  ASSERT_NE(haiku3, nullptr);
  EXPECT_EQ(haiku3->prompt_cache_min_tokens, 0);
}

TEST(CatalogTest, WithCapabilitiesFromKeepsWhatTheListingCannotSay) {
  auto builtin = Catalog::Builtin();
  ASSERT_OK(builtin);
  // A listing knows nothing of thinking or caching: one known model, one new.
  auto listed = Catalog::Parse(
      FileWith(R"({"model_id":"anthropic.claude-haiku-4-5-20251001-v1:0","model_name":"H",
          "provider_name":"Anthropic","regions":["eu-west-1"],"input_modalities":["TEXT"],
          "output_modalities":["TEXT"],"inference_types":["INFERENCE_PROFILE"]},)" +
                   std::string(kModelM),
               ""),
      "t");
  ASSERT_OK(listed);
  Catalog merged = listed->WithCapabilitiesFrom(*builtin);
  const FoundationModel* haiku = merged.FindModel("anthropic.claude-haiku-4-5-20251001-v1:0");
  ASSERT_NE(haiku, nullptr);
  EXPECT_TRUE(haiku->reasoning);
  EXPECT_EQ(haiku->prompt_cache_min_tokens, 4096);
  EXPECT_EQ(haiku->model_name, "H");  // everything else is the listing's
  EXPECT_EQ(haiku->regions, std::vector<std::string>{"eu-west-1"});
  const FoundationModel* m = merged.FindModel("m");
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->reasoning);
  EXPECT_EQ(m->prompt_cache_min_tokens, 0);
}

TEST(CatalogTest, GeographyIsTheRegionPrefix) {
  EXPECT_EQ(Catalog::Geography("eu-central-1"), "eu");
  EXPECT_EQ(Catalog::Geography("us-east-1"), "us");
  EXPECT_EQ(Catalog::Geography("nowhere"), "");
}

}  // namespace
}  // namespace bp::catalog
