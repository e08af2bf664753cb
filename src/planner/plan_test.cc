#include "planner/plan.h"

#include <regex>

#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

using ::bp::testing::StatusIs;
using testing::ConfigText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Live;
using testing::LoadConfig;
using testing::ProfileSpec;
using testing::SeedProfiles;

std::string FmArn(std::string_view region, std::string_view model) {
  return "arn:aws:bedrock:" + std::string(region) + "::foundation-model/" + std::string(model);
}

Tags ManagedTags(Tags tags) {
  tags.insert_or_assign(std::string(kManagementTagKey), std::string(kManagementTagValue));
  return tags;
}

// The seed's desired tags for a profile: Tier 1 + billing-mode = rd + mark.
Tags SeedTags() { return ManagedTags({{"Environment", "rd"}, {"billing-mode", "rd"}}); }

class PlanTest : public testing::PlannerTest {
 protected:
  Result<Plan> PlanWith(const std::string& text, std::vector<LiveProfile> live) {
    BP_ASSIGN_OR_RETURN(config::Config config, LoadConfig(text));
    return ComputePlan(
        config, testing::BuiltinCatalog(), std::move(live),
        PlanOptions{.planned_by = "bob", .endpoint = "memory://x", .config_text = text}, clock_);
  }

  std::vector<std::string> Kinds(const Plan& plan) {
    std::vector<std::string> out;
    for (const Action& a : plan.actions) {
      out.push_back(std::string(ActionKindName(a.kind)) + " " + a.name);
    }
    return out;
  }
};

TEST_F(PlanTest, DesiredStateExpandsSystemProfilesAndMarksTags) {
  Result<config::Config> config = LoadConfig(ConfigText(SeedProfiles()));
  ASSERT_OK(config);
  Result<std::vector<DesiredProfile>> desired = DesiredState(*config, testing::BuiltinCatalog());
  ASSERT_OK(desired);
  ASSERT_EQ(desired->size(), 2u);
  const DesiredProfile& haiku = (*desired)[0];
  EXPECT_EQ(haiku.name, "rd-haiku-45");
  EXPECT_EQ(haiku.copy_from, testing::kHaikuSource);
  EXPECT_EQ(haiku.description, "Claude Haiku 4.5 for research");
  EXPECT_THAT(haiku.models.arns, ElementsAre(FmArn("eu-central-1", testing::kHaikuModel),
                                             FmArn("eu-west-1", testing::kHaikuModel),
                                             FmArn("eu-west-3", testing::kHaikuModel)));
  EXPECT_TRUE(haiku.models.allow_extra_regions);
  EXPECT_EQ(haiku.tags, SeedTags());
}

TEST_F(PlanTest, DesiredStateKeepsAFoundationModelSourceExact) {
  std::string fm = FmArn("eu-west-1", testing::kHaikuModel);
  Result<config::Config> config =
      LoadConfig(ConfigText({{"rd-haiku-45", ProfileSpec{.model_arn = fm}}}));
  ASSERT_OK(config);
  Result<std::vector<DesiredProfile>> desired = DesiredState(*config, testing::BuiltinCatalog());
  ASSERT_OK(desired);
  EXPECT_THAT((*desired)[0].models.arns, ElementsAre(fm));
  EXPECT_FALSE((*desired)[0].models.allow_extra_regions);
}

TEST_F(PlanTest, DesiredStateRefusesAnotherValueForTheManagementTag) {
  Result<config::Config> config =
      LoadConfig(ConfigText({{"rd-haiku-45", ProfileSpec{.tags = {{"managed-by", "terraform"}}}}}));
  ASSERT_OK(config);
  Result<std::vector<DesiredProfile>> desired = DesiredState(*config, testing::BuiltinCatalog());
  EXPECT_THAT(desired, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(desired.status().message(), HasSubstr("managed-by = \"terraform\""));

  config = LoadConfig(
      ConfigText({{"rd-haiku-45", ProfileSpec{.tags = {{"managed-by", "bedrock-profiles"}}}}}));
  ASSERT_OK(config);
  EXPECT_OK(DesiredState(*config, testing::BuiltinCatalog()));
}

TEST_F(PlanTest, DesiredStateCountsTheManagementTagAgainstTheLimit) {
  std::map<std::string, std::string> tags;
  for (int i = 0; i < 48; ++i) tags["k" + std::to_string(i)] = "v";  // + 2 defaults = 50
  Result<config::Config> config =
      LoadConfig(ConfigText({{"rd-haiku-45", ProfileSpec{.tags = tags}}}));
  ASSERT_OK(config);
  Result<std::vector<DesiredProfile>> desired = DesiredState(*config, testing::BuiltinCatalog());
  EXPECT_THAT(desired, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(desired.status().message(), HasSubstr("51 tags"));
}

TEST_F(PlanTest, FromEmptyCreatesEveryProfileInNameOrder) {
  Result<Plan> plan = PlanWith(ConfigText(SeedProfiles()), {});
  ASSERT_OK(plan);
  EXPECT_THAT(Kinds(*plan), ElementsAre("create rd-haiku-45", "create rd-sonnet-4"));
  EXPECT_EQ(plan->actions[0].after->tags, SeedTags());
  EXPECT_TRUE(plan->unmanaged.empty());
  EXPECT_EQ(plan->planned_by, "bob");
  EXPECT_EQ(plan->endpoint, "memory://x");
  EXPECT_EQ(plan->created_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(plan->required_approvals, 1u);
  EXPECT_EQ(plan->plan_digest, PlanDigest(*plan));
  EXPECT_OK(VerifyPlan(*plan));
}

TEST_F(PlanTest, TagDifferencesAreAnInPlaceUpdateWithPerKeyChanges) {
  Tags live_tags = ManagedTags({{"Environment", "prod"}, {"billing-mode", "rd"}, {"Old", "x"}});
  Result<Plan> plan = PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}),
                               {Live("rd-haiku-45", std::string(testing::kHaikuModel),
                                     "Claude Haiku 4.5 for research", live_tags)});
  ASSERT_OK(plan);
  ASSERT_THAT(Kinds(*plan), ElementsAre("update rd-haiku-45"));
  const Action& a = plan->actions[0];
  EXPECT_FALSE(a.adopt);
  EXPECT_THAT(a.tag_changes,
              ElementsAre(TagChange{"Environment", "prod", "rd"}, TagChange{"Old", "x", {}}));
}

TEST_F(PlanTest, DescriptionChangeForcesReplacement) {
  Result<Plan> plan =
      PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}),
               {Live("rd-haiku-45", std::string(testing::kHaikuModel), "Old text", SeedTags())});
  ASSERT_OK(plan);
  ASSERT_THAT(Kinds(*plan), ElementsAre("replace rd-haiku-45"));
  EXPECT_THAT(plan->actions[0].forces, ElementsAre("description"));
  EXPECT_TRUE(plan->actions[0].tag_changes.empty());
}

TEST_F(PlanTest, ModelChangeForcesReplacement) {
  Result<Plan> plan = PlanWith(
      ConfigText({{"rd-haiku-45", ProfileSpec{.model_arn = std::string(testing::kSonnetSource)}}}),
      {Live("rd-haiku-45", std::string(testing::kHaikuModel), "Claude Haiku 4.5 for research",
            SeedTags())});
  ASSERT_OK(plan);
  ASSERT_THAT(Kinds(*plan), ElementsAre("replace rd-haiku-45"));
  EXPECT_THAT(plan->actions[0].forces, ElementsAre("models"));
}

TEST_F(PlanTest, RemovedManagedProfileIsDestroyedUnmanagedIsLeftAlone) {
  Result<Plan> plan = PlanWith(
      ConfigText({}), {Live("rd-gone", std::string(testing::kHaikuModel), std::nullopt, SeedTags()),
                       Live("team-x", std::string(testing::kHaikuModel), std::nullopt,
                            {{"managed-by", "terraform"}})});
  ASSERT_OK(plan);
  EXPECT_THAT(Kinds(*plan), ElementsAre("destroy rd-gone"));
  EXPECT_THAT(plan->unmanaged, ElementsAre("team-x"));
}

TEST_F(PlanTest, ConfiguredProfileWithoutTheMarkIsAdopted) {
  Tags tags = {{"Environment", "rd"}, {"billing-mode", "rd"}};
  Result<Plan> plan = PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}),
                               {Live("rd-haiku-45", std::string(testing::kHaikuModel),
                                     "Claude Haiku 4.5 for research", tags)});
  ASSERT_OK(plan);
  ASSERT_THAT(Kinds(*plan), ElementsAre("update rd-haiku-45"));
  EXPECT_TRUE(plan->actions[0].adopt);
  EXPECT_THAT(plan->actions[0].tag_changes,
              ElementsAre(TagChange{"managed-by", std::nullopt, "bedrock-profiles"}));
  EXPECT_TRUE(plan->unmanaged.empty());
}

TEST_F(PlanTest, AdoptedProfileThatNeedsReplacementIsReplaced) {
  Result<Plan> plan =
      PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}),
               {Live("rd-haiku-45", std::string(testing::kHaikuModel), "Something else", {})});
  ASSERT_OK(plan);
  ASSERT_THAT(Kinds(*plan), ElementsAre("replace rd-haiku-45"));
  EXPECT_TRUE(plan->actions[0].adopt);
}

TEST_F(PlanTest, ActionsRunCreatesThenUpdatesThenReplacesThenDestroys) {
  // Names chosen so that alphabetical order differs from the safe order.
  std::map<std::string, ProfileSpec> profiles = {
      {"rd-a-replace", ProfileSpec{.description = "New"}},
      {"rd-b-update", ProfileSpec{}},
      {"rd-z-create", ProfileSpec{}}};
  Result<Plan> plan =
      PlanWith(ConfigText(profiles),
               {Live("rd-a-replace", std::string(testing::kHaikuModel), "Old", SeedTags()),
                Live("rd-b-update", std::string(testing::kHaikuModel),
                     "Claude Haiku 4.5 for research", ManagedTags({})),
                Live("rd-0-destroy", std::string(testing::kHaikuModel), std::nullopt, SeedTags())});
  ASSERT_OK(plan);
  EXPECT_THAT(Kinds(*plan), ElementsAre("create rd-z-create", "update rd-b-update",
                                        "replace rd-a-replace", "destroy rd-0-destroy"));
}

TEST_F(PlanTest, MatchingLiveStateHasNoChanges) {
  Result<Plan> plan = PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}),
                               {Live("rd-haiku-45", std::string(testing::kHaikuModel),
                                     "Claude Haiku 4.5 for research", SeedTags())});
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->HasChanges());
}

TEST_F(PlanTest, ExtraRegionsOfASystemSourceAreNoDrift) {
  LiveProfile live = Live("rd-haiku-45", std::string(testing::kHaikuModel),
                          "Claude Haiku 4.5 for research", SeedTags());
  live.model_arns.push_back(FmArn("eu-north-1", testing::kHaikuModel));
  Result<Plan> plan = PlanWith(ConfigText({{"rd-haiku-45", ProfileSpec{}}}), {live});
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->HasChanges());
}

TEST(ExpectedModelsTest, MatchRules) {
  ExpectedModels system{.arns = {FmArn("eu-central-1", "m"), FmArn("eu-west-1", "m")},
                        .allow_extra_regions = true};
  EXPECT_TRUE(system.Matches({FmArn("eu-west-1", "m"), FmArn("eu-central-1", "m")}));
  EXPECT_TRUE(system.Matches(
      {FmArn("eu-west-1", "m"), FmArn("eu-central-1", "m"), FmArn("eu-north-1", "m")}));
  EXPECT_FALSE(system.Matches({FmArn("eu-central-1", "m")}));
  EXPECT_FALSE(system.Matches(
      {FmArn("eu-west-1", "m"), FmArn("eu-central-1", "m"), FmArn("eu-north-1", "other")}));
  EXPECT_FALSE(system.Matches({FmArn("eu-west-1", "m"), FmArn("eu-central-1", "m"), "junk"}));

  ExpectedModels exact{.arns = {FmArn("eu-west-1", "m")}};
  EXPECT_TRUE(exact.Matches({FmArn("eu-west-1", "m")}));
  EXPECT_FALSE(exact.Matches({FmArn("eu-west-1", "m"), FmArn("eu-west-3", "m")}));
  EXPECT_FALSE(exact.Matches({}));
}

TEST_F(PlanTest, DuplicateLiveNamesAndAnonymousPlannersAreRefused) {
  EXPECT_THAT(PlanWith(ConfigText({}), {Live("rd-x"), Live("rd-x")}),
              StatusIs(ErrorCode::kValidation));
  Result<config::Config> config = LoadConfig(ConfigText({}));
  ASSERT_OK(config);
  EXPECT_THAT(
      ComputePlan(*config, testing::BuiltinCatalog(), {}, PlanOptions{.planned_by = "  "}, clock_),
      StatusIs(ErrorCode::kValidation));
}

TEST_F(PlanTest, DigestsAreDeterministicAndSensitive) {
  std::string text = ConfigText(SeedProfiles());
  Result<Plan> a = PlanWith(text, {Live("rd-other")});
  Result<Plan> b = PlanWith(text, {Live("rd-other")});
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->plan_digest, b->plan_digest);
  EXPECT_EQ(a->config_digest, ConfigDigest(text));
  EXPECT_EQ(a->config_digest.size(), 64u);

  clock_.Advance(std::chrono::milliseconds(1));
  Result<Plan> later = PlanWith(text, {Live("rd-other")});
  ASSERT_OK(later);
  EXPECT_NE(later->plan_digest, a->plan_digest) << "created_at is part of the plan";

  Plan edited = *a;
  edited.actions[0].after->tags["Environment"] = "prod";
  EXPECT_NE(PlanDigest(edited), a->plan_digest);
  edited = *a;
  edited.approvals.push_back(Approval{"alice", "t", a->plan_digest});
  EXPECT_EQ(PlanDigest(edited), a->plan_digest) << "approvals are not content";
}

TEST(StateFingerprintTest, IgnoresIdsArnsAndModelOrderButNotTags) {
  LiveProfile p = Live("rd-x", "m", "d", {{"a", "1"}});
  p.id = "id1";
  p.arn = "arn1";
  LiveProfile q = p;
  q.id = "id2";
  q.arn = "arn2";
  std::reverse(q.model_arns.begin(), q.model_arns.end());
  EXPECT_EQ(StateFingerprint({p}), StateFingerprint({q}));
  EXPECT_EQ(StateFingerprint({p, Live("rd-a")}), StateFingerprint({Live("rd-a"), q}));
  q.tags["a"] = "2";
  EXPECT_NE(StateFingerprint({p}), StateFingerprint({q}));
  LiveProfile r = p;
  r.description = std::nullopt;
  EXPECT_NE(StateFingerprint({p}), StateFingerprint({r}));
  EXPECT_NE(StateFingerprint({p}), StateFingerprint({}));
}

class ApproveTest : public PlanTest {
 protected:
  void SetUp() override {
    Result<Plan> plan = PlanWith(ConfigText(SeedProfiles()), {});
    ASSERT_OK(plan);
    plan_ = std::move(*plan);
  }
  Plan plan_;
};

TEST_F(ApproveTest, RecordsWhoWhenAndForWhichPlan) {
  clock_.Advance(std::chrono::seconds(90));
  ASSERT_OK(Approve(plan_, "  alice ", clock_));
  ASSERT_EQ(plan_.approvals.size(), 1u);
  EXPECT_EQ(plan_.approvals[0], (Approval{"alice", "2026-01-01T00:01:30.000Z", plan_.plan_digest}));
  EXPECT_THAT(Approvers(plan_), ElementsAre("alice"));
  EXPECT_OK(VerifyPlan(plan_));
  ASSERT_OK(Approve(plan_, "carol", clock_));
  EXPECT_THAT(Approvers(plan_), ElementsAre("alice", "carol"));
}

TEST_F(ApproveTest, RefusesEmptySelfAndRepeatedApprovals) {
  EXPECT_THAT(Approve(plan_, "", clock_), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Approve(plan_, "   ", clock_), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Approve(plan_, "a\nb", clock_), StatusIs(ErrorCode::kValidation));
  Status self = Approve(plan_, "BOB", clock_);
  EXPECT_THAT(self, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(self.message(), HasSubstr("made this plan"));
  ASSERT_OK(Approve(plan_, "alice", clock_));
  Status again = Approve(plan_, "Alice", clock_);
  EXPECT_THAT(again, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(again.message(), HasSubstr("already approved"));
  EXPECT_EQ(plan_.approvals.size(), 1u);
}

TEST_F(ApproveTest, APlanWithoutChangesNeedsNoApproval) {
  Result<Plan> empty = PlanWith(ConfigText({}), {});
  ASSERT_OK(empty);
  Status s = Approve(*empty, "alice", clock_);
  EXPECT_THAT(s, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(s.message(), HasSubstr("no changes"));
}

TEST_F(ApproveTest, VerifyDetectsEditsAndForeignApprovals) {
  Plan edited = plan_;
  edited.actions[0].after->description = "Changed";
  EXPECT_THAT(VerifyPlan(edited), StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(Approve(edited, "alice", clock_), StatusIs(ErrorCode::kValidation));

  Plan foreign = plan_;
  foreign.approvals.push_back(Approval{"alice", "t", std::string(64, 'a')});
  EXPECT_THAT(VerifyPlan(foreign).message(), HasSubstr("another plan"));
  EXPECT_TRUE(Approvers(foreign).empty());

  Plan self = plan_;
  self.approvals.push_back(Approval{"bob", "t", plan_.plan_digest});
  EXPECT_THAT(VerifyPlan(self), StatusIs(ErrorCode::kValidation));
  EXPECT_TRUE(Approvers(self).empty());
}

TEST(ClientRequestTokenTest, MatchesBedrockPatternAndIsStablePerPlanAndAction) {
  const std::regex pattern("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$");
  std::string digest(64, 'f');
  std::string token = ClientRequestToken(digest, 3);
  EXPECT_TRUE(std::regex_match(token, pattern)) << token;
  EXPECT_LE(token.size(), 256u);
  EXPECT_EQ(token, ClientRequestToken(digest, 3));
  EXPECT_NE(token, ClientRequestToken(digest, 4));
  EXPECT_NE(token, ClientRequestToken(std::string(64, 'e'), 3));
  EXPECT_TRUE(std::regex_match(ClientRequestToken("", 0), pattern));
}

}  // namespace
}  // namespace bp::planner
