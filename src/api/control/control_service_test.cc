#include "api/control/control_service.h"

#include <set>

#include "api/control/control_internal.h"
#include "api/control/control_test_fixture.h"

namespace bp::api::control {
namespace {

using ::bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ControlServiceTest : public ControlServiceFixture {};

// --- CreateInferenceProfile ----------------------------------------------

TEST_F(ControlServiceTest, CreateFromSystemProfileCopiesItsModelsAndMergesTags) {
  Result<CreateOutcome> created = control_.Create(CreateInput{
      .name = "rd-haiku-45",
      .description = "Claude Haiku 4.5 for research",
      .copy_from = kHaikuSystemArn,
      .tags = {{"billing-mode", "rd"}, {"team", "ml"}},
  });
  ASSERT_OK(created);
  EXPECT_FALSE(created->replayed);
  const InferenceProfile& p = created->profile;
  EXPECT_THAT(p.arn, StartsWith(kAppArnPrefix));
  EXPECT_EQ(p.arn, kAppArnPrefix + p.id);
  EXPECT_EQ(p.id.size(), 12u);
  EXPECT_EQ(p.type, ProfileType::kApplication);
  EXPECT_THAT(p.model_arns,
              ElementsAre(ModelArn("eu-central-1"), ModelArn("eu-west-1"), ModelArn("eu-west-3")));
  EXPECT_EQ(p.created_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(p.updated_at, p.created_at);

  Result<storage::ProfileRecord> stored = store_.Get(p.id);
  ASSERT_OK(stored);
  EXPECT_EQ(stored->source_arn, kHaikuSystemArn);
  // The request's own tags win over default_tags (Terraform's tags_all).
  EXPECT_EQ(stored->tags, (Tags{{"Environment", "rd"}, {"billing-mode", "rd"}, {"team", "ml"}}));
  EXPECT_EQ(stored->description, "Claude Haiku 4.5 for research");
}

TEST_F(ControlServiceTest, CreateFromFoundationModelListsThatOneModel) {
  Result<CreateOutcome> created =
      control_.Create(CreateInput{.name = "single", .copy_from = ModelArn("eu-west-3")});
  ASSERT_OK(created);
  EXPECT_THAT(created->profile.model_arns, ElementsAre(ModelArn("eu-west-3")));
  EXPECT_FALSE(created->profile.description.has_value());
}

TEST_F(ControlServiceTest, UnknownOrForeignSourcesAreNotFound) {
  const std::string sources[] = {
      // a region where the model is not served
      ModelArn("us-east-1"),
      // an unknown model / system profile
      ModelArn("eu-central-1", "anthropic.claude-nope-v1:0"),
      "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.meta.llama-v1:0",
      // a system profile ARN of another account or region
      "arn:aws:bedrock:eu-central-1:999999999999:inference-profile/"
      "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/"
      "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      // another partition
      "arn:aws-cn:bedrock:eu-central-1::foundation-model/" + std::string(kHaikuModel),
  };
  for (const std::string& source : sources) {
    Result<CreateOutcome> created = control_.Create(CreateInput{.name = "p", .copy_from = source});
    EXPECT_THAT(created, StatusIs(ErrorCode::kResourceNotFound)) << source;
    if (!created.ok()) EXPECT_THAT(created.status().message(), HasSubstr(source));
  }
  EXPECT_EQ(StoredCount(), 0u);
}

TEST_F(ControlServiceTest, FoundationModelArnWithAnAccountIsInvalid) {
  Result<CreateOutcome> created = control_.Create(
      CreateInput{.name = "p",
                  .copy_from = "arn:aws:bedrock:eu-central-1:123456789012:foundation-model/" +
                               std::string(kHaikuModel)});
  EXPECT_THAT(created, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(created.status().message(), HasSubstr("account must be empty"));
}

TEST_F(ControlServiceTest, ValidationUsesCoralWordingAndNeverEchoesTheDescription) {
  Result<CreateOutcome> bad_name =
      control_.Create(CreateInput{.name = "R&D", .copy_from = kHaikuSystemArn});
  EXPECT_THAT(bad_name, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(bad_name.status().message(),
            "1 validation error detected: Value 'R&D' at 'inferenceProfileName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^([0-9a-zA-Z][ _-]?)+$");

  Result<CreateOutcome> bad_description = control_.Create(CreateInput{
      .name = "ok", .description = "Claude Haiku 4.5 for R&D", .copy_from = kHaikuSystemArn});
  EXPECT_THAT(bad_description, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(bad_description.status().message(), HasSubstr("Value '***' at 'description'"));
  EXPECT_THAT(bad_description.status().message(), Not(HasSubstr("R&D")));

  Result<CreateOutcome> several = control_.Create(CreateInput{.name = std::string(65, 'a'),
                                                              .description = std::string(201, 'd'),
                                                              .client_token = "-bad-",
                                                              .copy_from = "not-an-arn",
                                                              .tags = {{"k&", "v"}}});
  EXPECT_THAT(several, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(several.status().message(), StartsWith("5 validation errors detected: "));
  EXPECT_THAT(several.status().message(),
              HasSubstr("at 'inferenceProfileName' failed to satisfy constraint: Member must "
                        "have length less than or equal to 64"));
  EXPECT_THAT(several.status().message(), HasSubstr("Value '-bad-' at 'clientRequestToken'"));
  EXPECT_THAT(several.status().message(), HasSubstr("at 'modelSource.copyFrom'"));
  EXPECT_EQ(StoredCount(), 0u);
}

TEST_F(ControlServiceTest, DuplicateNameIsConflictAndWritesNothing) {
  MakeProfile("dup");
  Result<CreateOutcome> again =
      control_.Create(CreateInput{.name = "dup", .copy_from = ModelArn("eu-west-1")});
  EXPECT_THAT(again, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(again.status().message(), HasSubstr("dup"));
  EXPECT_EQ(StoredCount(), 1u);
}

TEST_F(ControlServiceTest, IdempotentReplayReturnsTheSameArn) {
  CreateInput input{
      .name = "idem", .client_token = "tok-1", .copy_from = kHaikuSystemArn, .tags = {{"a", "1"}}};
  Result<CreateOutcome> first = control_.Create(input);
  ASSERT_OK(first);
  clock_.Advance(std::chrono::seconds(5));
  Result<CreateOutcome> second = control_.Create(input);
  ASSERT_OK(second);
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->profile.arn, first->profile.arn);
  EXPECT_EQ(second->profile.created_at, first->profile.created_at);
  EXPECT_EQ(StoredCount(), 1u);

  // Same token, other parameters: a conflict, nothing written.
  input.tags = {{"a", "2"}};
  EXPECT_THAT(control_.Create(input), StatusIs(ErrorCode::kConflict));
  input.tags = {{"a", "1"}};
  input.name = "idem-2";
  EXPECT_THAT(control_.Create(input), StatusIs(ErrorCode::kConflict));
  EXPECT_EQ(StoredCount(), 1u);
}

TEST_F(ControlServiceTest, TooManyTagsAfterMergingNamesTheArnAndWritesNothing) {
  std::vector<Tag> tags;
  for (int i = 0; i < 49; ++i) tags.push_back({"k" + std::to_string(i), "v"});
  std::string resource;
  Result<CreateOutcome> created = control_.Create(
      CreateInput{.name = "tagged", .copy_from = kHaikuSystemArn, .tags = tags}, &resource);
  EXPECT_THAT(created, StatusIs(ErrorCode::kTooManyTags));  // 49 + 2 defaults = 51
  EXPECT_THAT(resource, StartsWith(kAppArnPrefix));
  EXPECT_EQ(StoredCount(), 0u);
  // An override of a default key does not count twice: 48 + billing-mode + Environment = 50.
  tags.resize(48);
  tags.push_back({"billing-mode", "rd"});
  EXPECT_OK(
      control_.Create(CreateInput{.name = "tagged", .copy_from = kHaikuSystemArn, .tags = tags}));
}

// Replays a fixed prefix of values, then continues from a seeded sequence.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> script) : script_(std::move(script)) {}
  uint64_t Next() override {
    if (next_ < script_.size()) return script_[next_++];
    return fallback_.Next();
  }

 private:
  std::vector<uint64_t> script_;
  size_t next_ = 0;
  bp::testing::SeededRandom fallback_{99};
};

// Records what it hands out.
class RecordingRandom final : public Random {
 public:
  uint64_t Next() override {
    values.push_back(inner_.Next());
    return values.back();
  }
  std::vector<uint64_t> values;

 private:
  bp::testing::SeededRandom inner_{7};
};

TEST_F(ControlServiceTest, AnIdCollisionDrawsAnotherId) {
  RecordingRandom recording;
  ControlService first(DefaultOptions(), store_, catalog_, clock_, recording);
  ASSERT_OK(first.Create(CreateInput{.name = "one", .copy_from = kHaikuSystemArn}));
  ScriptedRandom replay(recording.values);  // draws the same id first
  ControlService second(DefaultOptions(), store_, catalog_, clock_, replay);
  Result<CreateOutcome> created =
      second.Create(CreateInput{.name = "two", .copy_from = kHaikuSystemArn});
  ASSERT_OK(created);
  EXPECT_EQ(StoredCount(), 2u);
  Result<std::vector<storage::ProfileRecord>> all = store_.List();
  ASSERT_OK(all);
  EXPECT_NE((*all)[0].id, (*all)[1].id);
  EXPECT_EQ(created->profile.arn, kAppArnPrefix + created->profile.id);
}

// --- GetInferenceProfile --------------------------------------------------

TEST_F(ControlServiceTest, GetByIdOrArn) {
  std::string arn = MakeProfile("getme");
  std::string id = arn.substr(arn.rfind('/') + 1);
  for (const std::string& identifier : {id, arn}) {
    Result<InferenceProfile> p = control_.Get(identifier);
    ASSERT_OK(p);
    EXPECT_EQ(p->name, "getme");
    EXPECT_EQ(p->arn, arn);
    EXPECT_EQ(p->type, ProfileType::kApplication);
  }
}

TEST_F(ControlServiceTest, GetSystemDefinedByIdOrArn) {
  for (const std::string& identifier :
       {std::string("eu.anthropic.claude-haiku-4-5-20251001-v1:0"), std::string(kHaikuSystemArn)}) {
    Result<InferenceProfile> p = control_.Get(identifier);
    ASSERT_OK(p);
    EXPECT_EQ(p->type, ProfileType::kSystemDefined);
    EXPECT_EQ(p->arn, kHaikuSystemArn);
    EXPECT_EQ(p->name, "EU Anthropic Claude Haiku 4.5");
    EXPECT_EQ(p->created_at, "2025-10-15T00:00:00Z");
    EXPECT_THAT(p->model_arns, ElementsAre(ModelArn("eu-central-1"), ModelArn("eu-west-1"),
                                           ModelArn("eu-west-3")));
  }
}

TEST_F(ControlServiceTest, GetRefusesMalformedAndForeignIdentifiers) {
  std::string arn = MakeProfile("mine");
  std::string id = arn.substr(arn.rfind('/') + 1);
  EXPECT_THAT(control_.Get("a b"), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Get(""), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Get(std::string(2049, 'a')), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Get(ModelArn("eu-central-1")), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Get("zzzzzzzzzzzz"), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(control_.Get("eu.anthropic.unknown-v1:0"), StatusIs(ErrorCode::kResourceNotFound));
  // The same id under another region or account is not ours.
  EXPECT_THAT(
      control_.Get("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/" + id),
      StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(
      control_.Get("arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/" + id),
      StatusIs(ErrorCode::kResourceNotFound));
  Result<InferenceProfile> missing = control_.Get(kAppArnPrefix + std::string("nothere00000"));
  EXPECT_THAT(missing, StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(missing.status().message(), HasSubstr("nothere00000"));
}

// --- ListInferenceProfiles ------------------------------------------------

TEST_F(ControlServiceTest, ListWithoutTypeShowsOnlySystemDefined) {
  MakeProfile("app-one");
  Result<ListPage> page = control_.List({});
  ASSERT_OK(page);
  ASSERT_EQ(page->profiles.size(), catalog_.system_profiles().size());
  for (const InferenceProfile& p : page->profiles) EXPECT_EQ(p.type, ProfileType::kSystemDefined);
  EXPECT_FALSE(page->next_token.has_value());
  Result<ListPage> apps = control_.List({.type = "APPLICATION"});
  ASSERT_OK(apps);
  ASSERT_EQ(apps->profiles.size(), 1u);
  EXPECT_EQ(apps->profiles[0].name, "app-one");
}

TEST_F(ControlServiceTest, PaginationWalksEveryPageOnceInIdOrder) {
  for (int i = 0; i < 7; ++i) MakeProfile("p" + std::to_string(i));
  std::vector<std::string> seen;
  ListInput input{.type = "APPLICATION", .max_results = 3};
  int pages = 0;
  while (true) {
    Result<ListPage> page = control_.List(input);
    ASSERT_OK(page);
    ++pages;
    EXPECT_LE(page->profiles.size(), 3u);
    for (const InferenceProfile& p : page->profiles) seen.push_back(p.id);
    if (!page->next_token) break;
    EXPECT_NE(input.next_token, page->next_token);  // never the same token twice
    input.next_token = page->next_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_F(ControlServiceTest, PaginationSurvivesDeletingTheLastServedProfile) {
  for (int i = 0; i < 4; ++i) MakeProfile("p" + std::to_string(i));
  Result<ListPage> first = control_.List({.type = "APPLICATION", .max_results = 2});
  ASSERT_OK(first);
  ASSERT_TRUE(first->next_token);
  ASSERT_OK(control_.Delete(first->profiles.back().id));
  Result<ListPage> second =
      control_.List({.type = "APPLICATION", .max_results = 2, .next_token = first->next_token});
  ASSERT_OK(second);
  EXPECT_EQ(second->profiles.size(), 2u);
  EXPECT_GT(second->profiles.front().id, first->profiles.back().id);
  EXPECT_FALSE(second->next_token);
}

TEST_F(ControlServiceTest, ListValidatesItsInput) {
  EXPECT_THAT(control_.List({.max_results = 0}), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.List({.max_results = 1001}), StatusIs(ErrorCode::kValidation));
  Result<ListPage> bad_type = control_.List({.type = "CUSTOM"});
  EXPECT_THAT(bad_type, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(bad_type.status().message(),
              HasSubstr("Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]"));
  for (const std::string& token : {std::string("garbage!"), std::string("Zm9v"),
                                   EncodeNextToken(ProfileType::kSystemDefined, "x"),
                                   std::string(2049, 'A'), std::string("a b")}) {
    Result<ListPage> r = control_.List({.type = "APPLICATION", .next_token = token});
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << token;
  }
  Result<ListPage> foreign =
      control_.List({.type = "APPLICATION", .next_token = std::string("Zm9v")});
  EXPECT_THAT(foreign.status().message(), HasSubstr("Invalid nextToken"));
  EXPECT_OK(control_.List({.max_results = 1000}));
  EXPECT_OK(control_.List({.max_results = 1}));
}

TEST(NextTokenTest, RoundTrips) {
  std::string token = EncodeNextToken(ProfileType::kApplication, "abc123");
  Result<std::string> id = DecodeNextToken(token, ProfileType::kApplication);
  ASSERT_OK(id);
  EXPECT_EQ(*id, "abc123");
  EXPECT_THAT(DecodeNextToken(token, ProfileType::kSystemDefined),
              StatusIs(ErrorCode::kValidation));
  for (char c : token)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
}

// --- DeleteInferenceProfile -----------------------------------------------

TEST_F(ControlServiceTest, DeleteApplicationProfilesOnly) {
  std::string arn = MakeProfile("doomed");
  EXPECT_OK(control_.Delete(arn));
  EXPECT_THAT(control_.Get(arn), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(control_.Delete(arn), StatusIs(ErrorCode::kResourceNotFound));
  EXPECT_THAT(control_.Delete(kHaikuSystemArn), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Delete("eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
              StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(control_.Delete("bad id"), StatusIs(ErrorCode::kValidation));
  // The name is free again.
  MakeProfile("doomed");
}

}  // namespace
}  // namespace bp::api::control
