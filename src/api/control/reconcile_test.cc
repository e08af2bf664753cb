#include "api/control/control_service.h"
#include "api/control/control_test_fixture.h"

namespace bp::api::control {
namespace {

using ::bp::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The shipped default config, built by hand.
config::Config ShippedConfig() {
  config::Config c;
  c.source = "test";
  c.account_id = kAccount;
  c.region = kRegion;
  c.default_tags = {{"Environment", "rd"},
                    {"Owner", "platform-engineering"},
                    {"CostCenter", "rd"},
                    {"billing-mode", "standard"}};
  c.profiles.push_back(
      config::ProfileConfig{.name = "rd-haiku-45",
                            .model_arn = kHaikuSystemArn,
                            .description = "Claude Haiku 4.5 for research",
                            .id = "acwt9yee9wzo",
                            .tags = {{"billing-mode", "rd"}},
                            .location = {.file = "bedrock-profiles.hcl", .line = 24, .column = 3}});
  c.profiles.push_back(
      config::ProfileConfig{.name = "rd-sonnet-4",
                            .model_arn = kSonnetSystemArn,
                            .description = "Claude Sonnet 4 for research",
                            .id = "tkxdfdh17c6o",
                            .tags = {{"billing-mode", "rd"}},
                            .location = {.file = "bedrock-profiles.hcl", .line = 31, .column = 3}});
  return c;
}

const Tags kMerged = {{"CostCenter", "rd"},
                      {"Environment", "rd"},
                      {"Owner", "platform-engineering"},
                      {"billing-mode", "rd"}};
// What reconcile puts on a configured profile: the merged set plus the
// management tag `plan` expects of the profiles it manages.
const Tags kReconciled = [] {
  Tags t = kMerged;
  t[std::string(kManagedByTagKey)] = std::string(kManagedByTagValue);
  return t;
}();

class ReconcileTest : public ControlServiceFixture {};

TEST_F(ReconcileTest, CreatesConfiguredProfilesWithTheirPinnedIds) {
  Result<ReconcileSummary> summary = control_.Reconcile(ShippedConfig());
  ASSERT_OK(summary);
  EXPECT_THAT(summary->created, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  EXPECT_THAT(summary->updated, IsEmpty());
  EXPECT_THAT(summary->warnings, IsEmpty());
  for (const char* id : {"acwt9yee9wzo", "tkxdfdh17c6o"}) {
    std::string arn = kAppArnPrefix + std::string(id);
    Result<InferenceProfile> p = control_.Get(arn);
    ASSERT_OK(p);
    EXPECT_EQ(p->id, id);
    EXPECT_EQ(p->model_arns.size(), 3u);
    EXPECT_EQ(*control_.ListTagsForResource(arn), kReconciled);
  }
  EXPECT_EQ(control_.Get("acwt9yee9wzo")->description, "Claude Haiku 4.5 for research");

  EXPECT_EQ(summary->ToString(), "2 created, 0 updated, 0 unchanged");
  Result<ConfiguredProfile> described = control_.DescribeConfigured(ShippedConfig().profiles[1]);
  ASSERT_OK(described);
  EXPECT_EQ(described->arn, kAppArnPrefix + std::string("tkxdfdh17c6o"));
  EXPECT_EQ(described->model_id, "anthropic.claude-sonnet-4-20250514-v1:0");
  EXPECT_EQ(described->model_arns.size(), 3u);

  Result<ReconcileSummary> again = control_.Reconcile(ShippedConfig());
  ASSERT_OK(again);
  EXPECT_THAT(again->created, IsEmpty());
  EXPECT_THAT(again->unchanged, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  EXPECT_EQ(StoredCount(), 2u);
}

TEST_F(ReconcileTest, SetsTagsToExactlyTheConfiguredMergedSet) {
  ASSERT_OK(control_.Reconcile(ShippedConfig()));
  std::string arn = kAppArnPrefix + std::string("acwt9yee9wzo");
  ASSERT_OK(control_.TagResource(arn, {{"extra", "x"}, {"billing-mode", "standard"}}));
  ASSERT_OK(control_.UntagResource(arn, {"Owner"}));

  config::Config changed = ShippedConfig();
  changed.default_tags["CostCenter"] = "rd-42";
  Result<ReconcileSummary> summary = control_.Reconcile(changed);
  ASSERT_OK(summary);
  EXPECT_THAT(summary->updated, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  Tags expected = kReconciled;
  expected["CostCenter"] = "rd-42";
  EXPECT_EQ(*control_.ListTagsForResource(arn), expected);
  EXPECT_EQ(*control_.ListTagsForResource(kAppArnPrefix + std::string("tkxdfdh17c6o")), expected);
}

TEST_F(ReconcileTest, PutsTheManagementTagBack) {
  ASSERT_OK(control_.Reconcile(ShippedConfig()));
  std::string arn = kAppArnPrefix + std::string("acwt9yee9wzo");
  ASSERT_OK(control_.UntagResource(arn, {std::string(kManagedByTagKey)}));
  ASSERT_OK(control_.TagResource(arn, {{"extra", "x"}}));
  Result<ReconcileSummary> summary = control_.Reconcile(ShippedConfig());
  ASSERT_OK(summary);
  EXPECT_THAT(summary->updated, ElementsAre("rd-haiku-45"));
  EXPECT_EQ(*control_.ListTagsForResource(arn), kReconciled) << "extra removed, managed-by back";
}

TEST_F(ReconcileTest, BootstrapFillsOnlyAnEmptyStore) {
  Result<ReconcileSummary> first = control_.Bootstrap(ShippedConfig());
  ASSERT_OK(first);
  EXPECT_FALSE(first->skipped);
  EXPECT_THAT(first->created, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  std::string arn = kAppArnPrefix + std::string("acwt9yee9wzo");
  EXPECT_EQ(*control_.ListTagsForResource(arn), kReconciled);

  // Tags changed since (by an apply): a later start leaves them as they are.
  ASSERT_OK(control_.TagResource(arn, {{"Owner", "platform-team"}}));
  config::Config changed = ShippedConfig();
  changed.default_tags["CostCenter"] = "rd-42";
  Result<ReconcileSummary> second = control_.Bootstrap(changed);
  ASSERT_OK(second);
  EXPECT_TRUE(second->skipped);
  EXPECT_EQ(second->stored, 2u);
  EXPECT_THAT(second->created, IsEmpty());
  EXPECT_THAT(second->updated, IsEmpty());
  EXPECT_EQ(control_.ListTagsForResource(arn)->at("Owner"), "platform-team");
  EXPECT_EQ(control_.ListTagsForResource(arn)->at("CostCenter"), "rd");
  EXPECT_EQ(second->ToString(),
            "bootstrap skipped: the store holds 2 profiles, left as they are; --reconcile "
            "resets them to the config");
}

TEST_F(ReconcileTest, BootstrapLeavesAStoreOfApiProfilesAlone) {
  MakeProfile("my-experiment");
  Result<ReconcileSummary> summary = control_.Bootstrap(ShippedConfig());
  ASSERT_OK(summary);
  EXPECT_TRUE(summary->skipped);
  EXPECT_EQ(StoredCount(), 1u);
  EXPECT_THAT(control_.Get("acwt9yee9wzo"), StatusIs(ErrorCode::kResourceNotFound));
}

TEST_F(ReconcileTest, LeavesProfilesMadeThroughTheApiAlone) {
  std::string mine = MakeProfile("my-experiment", {{"owner", "me"}});
  Tags before = *control_.ListTagsForResource(mine);
  Result<ReconcileSummary> summary = control_.Reconcile(ShippedConfig());
  ASSERT_OK(summary);
  EXPECT_THAT(summary->created, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  EXPECT_OK(control_.Get(mine));
  EXPECT_EQ(*control_.ListTagsForResource(mine), before);
  EXPECT_EQ(StoredCount(), 3u);
}

TEST_F(ReconcileTest, ANameHeldByAnotherIdIsAConflictAndNothingIsWritten) {
  MakeProfile("rd-haiku-45");  // made through the API with a random id
  Result<ReconcileSummary> summary = control_.Reconcile(ShippedConfig());
  EXPECT_THAT(summary, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(summary.status().message(), HasSubstr("bedrock-profiles.hcl:24:3"));
  EXPECT_THAT(summary.status().message(), HasSubstr("acwt9yee9wzo"));
  // rd-sonnet-4 had no problem, but nothing is written when anything conflicts.
  EXPECT_EQ(StoredCount(), 1u);
  EXPECT_THAT(control_.Get("tkxdfdh17c6o"), StatusIs(ErrorCode::kResourceNotFound));
}

TEST_F(ReconcileTest, APinnedIdHeldByAnotherNameIsAConflict) {
  ASSERT_OK(control_.Reconcile(ShippedConfig()));
  config::Config renamed = ShippedConfig();
  renamed.profiles[0].name = "rd-haiku-renamed";
  Result<ReconcileSummary> summary = control_.Reconcile(renamed);
  EXPECT_THAT(summary, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(summary.status().message(), HasSubstr("'rd-haiku-45'"));
  EXPECT_EQ(StoredCount(), 2u);
}

TEST_F(ReconcileTest, DescribeConfiguredBeforeReconcileIsNotFound) {
  EXPECT_THAT(control_.DescribeConfigured(ShippedConfig().profiles[0]),
              StatusIs(ErrorCode::kResourceNotFound));
  config::ProfileConfig unpinned = ShippedConfig().profiles[0];
  unpinned.id.reset();
  EXPECT_THAT(control_.DescribeConfigured(unpinned), StatusIs(ErrorCode::kResourceNotFound));
}

TEST_F(ReconcileTest, UnpinnedProfilesAreFoundByName) {
  config::Config c = ShippedConfig();
  c.profiles[1].id.reset();
  Result<ReconcileSummary> first = control_.Reconcile(c);
  ASSERT_OK(first);
  EXPECT_EQ(first->created.size(), 2u);
  Result<ReconcileSummary> second = control_.Reconcile(c);
  ASSERT_OK(second);
  EXPECT_THAT(second->unchanged, ElementsAre("rd-haiku-45", "rd-sonnet-4"));
  EXPECT_EQ(StoredCount(), 2u);
  Result<ConfiguredProfile> described = control_.DescribeConfigured(c.profiles[1]);
  ASSERT_OK(described);
  EXPECT_EQ(described->id.size(), 12u);
  EXPECT_NE(described->id, "tkxdfdh17c6o");
}

TEST_F(ReconcileTest, InvalidConfiguredProfilesAreReportedNotWritten) {
  config::Config c = ShippedConfig();
  c.profiles[1].model_arn = ModelArn("us-east-1");
  c.profiles[0].id = "bad id!";
  Result<ReconcileSummary> summary = control_.Reconcile(c);
  EXPECT_THAT(summary, StatusIs(ErrorCode::kConflict));
  EXPECT_THAT(summary.status().message(), HasSubstr("rd-sonnet-4"));
  EXPECT_THAT(summary.status().message(), HasSubstr("bad id!"));
  EXPECT_EQ(StoredCount(), 0u);
}

TEST_F(ReconcileTest, WarnsWhenAStoredProfileDriftedFromItsSource) {
  ASSERT_OK(control_.Reconcile(ShippedConfig()));
  config::Config c = ShippedConfig();
  c.profiles[0].description = "Something else";
  Result<ReconcileSummary> summary = control_.Reconcile(c);
  ASSERT_OK(summary);
  ASSERT_EQ(summary->warnings.size(), 1u);
  EXPECT_THAT(summary->warnings[0], HasSubstr("rd-haiku-45"));
  EXPECT_EQ(control_.Get("acwt9yee9wzo")->description, "Claude Haiku 4.5 for research");
}

}  // namespace
}  // namespace bp::api::control
