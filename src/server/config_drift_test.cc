#include "server/config_drift.h"

#include <memory>
#include <string>

#include "api/control/control_service.h"
#include "auth/iam/iam_authorizer.h"
#include "config/load.h"
#include "server/principals.h"
#include "storage/memory/memory_profile_store.h"
#include "testing/testing.h"

namespace bp::server {
namespace {

using ::testing::HasSubstr;

constexpr char kHaikuArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo";

constexpr char kConfig[] = R"(account_id = "123456789012"
region     = "eu-central-1"
default_tags = { Environment = "rd", billing-mode = "standard" }
inference_profiles = {
  rd-haiku-45 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "Claude Haiku 4.5 for research"
    id          = "acwt9yee9wzo"
    tags        = { billing-mode = "rd" }
  }
  rd-sonnet-4 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"
    description = "Claude Sonnet 4 for research"
    id          = "tkxdfdh17c6o"
  }
}
principals = {
  a-consumer = {
    arn               = "arn:aws:iam::123456789012:role/a-consumer"
    access_key_id     = "AKIATESTCONSUMER0001"
    secret_access_key = "consumerSecretKeyForTheDriftTest0000001"
    policy            = <<-EOT
      { "Version": "2012-10-17",
        "Statement": [ { "Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*" } ] }
    EOT
  }
  platform-admin = {
    arn               = "arn:aws:iam::123456789012:role/platform-admin"
    access_key_id     = "AKIATESTADMIN0000001"
    secret_access_key = "adminSecretKeyForTheDriftTest00000000001"
    policy            = <<-EOT
      { "Version": "2012-10-17",
        "Statement": [ { "Effect": "Allow", "Action": "bedrock:*", "Resource": "*" } ] }
    EOT
  }
}
)";

class ConfigDriftTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<catalog::Catalog> c = catalog::Catalog::Builtin();
    ASSERT_OK(c);
    catalog_ = std::make_unique<catalog::Catalog>(std::move(*c));
    Result<config::Config> cfg = config::ToResult(config::LoadText(
        kConfig, "drift.hcl", *catalog_, [](std::string_view) { return std::nullopt; }));
    ASSERT_OK(cfg);
    config_ = std::make_shared<const config::Config>(std::move(*cfg));
    auto store = storage::CachingProfileStore::Create(memory_);
    ASSERT_OK(store);
    store_ = std::move(*store);
    control_ = std::make_unique<api::control::ControlService>(
        api::control::ControlService::Options{.account_id = config_->account_id,
                                              .region = config_->region,
                                              .default_tags = config_->default_tags},
        *store_, *catalog_, clock_, random_);
    drift_ = std::make_unique<ConfigDrift>(*catalog_, *store_, clock_);
  }

  storage::MemoryProfileStore memory_;
  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{7};
  std::unique_ptr<catalog::Catalog> catalog_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<storage::CachingProfileStore> store_;
  std::unique_ptr<api::control::ControlService> control_;
  std::unique_ptr<ConfigDrift> drift_;
};

TEST_F(ConfigDriftTest, AnEmptyStoreMissesEveryProfileAndABootstrapLeavesNoDrift) {
  std::shared_ptr<const ConfigDrift::Report> empty = drift_->Current(config_);
  ASSERT_OK(empty->status);
  EXPECT_EQ(empty->drift.missing, (std::vector<std::string>{"rd-haiku-45", "rd-sonnet-4"}));

  ASSERT_OK(control_->Bootstrap(*config_));
  std::shared_ptr<const ConfigDrift::Report> after = drift_->Current(config_);
  ASSERT_OK(after->status);
  EXPECT_EQ(after->drift.Count(), 0u) << after->drift.Names();
  EXPECT_EQ(DriftBanner(*after, *config_, "http://127.0.0.1:1", "platform-admin"), "");
}

TEST_F(ConfigDriftTest, IsRecomputedOnlyWhenTheStoreChanged) {
  ASSERT_OK(control_->Bootstrap(*config_));
  std::shared_ptr<const ConfigDrift::Report> first = drift_->Current(config_);
  EXPECT_EQ(drift_->Current(config_), first) << "same generation: the cached report";

  // A tag changed through the control plane (as an apply does).
  ASSERT_OK(control_->TagResource(kHaikuArn, {{"Owner", "platform-team"}}));
  std::shared_ptr<const ConfigDrift::Report> changed = drift_->Current(config_);
  EXPECT_NE(changed, first);
  EXPECT_EQ(changed->drift.tags, (std::vector<std::string>{"rd-haiku-45"}));
  EXPECT_EQ(changed->drift.Sentence(), "1 profile differs from the config; run plan");
  EXPECT_EQ(drift_->Current(config_), changed);

  json::Object details = drift_->ReadyDetails(config_);
  EXPECT_EQ(json::Serialize(details),
            R"({"config_drift":{"profiles":1,"missing":0,"tags":1,"replaced":0,)"
            R"("unconfigured":0,"message":"1 profile differs from the config; run plan"}})");

  ASSERT_OK(control_->UntagResource(kHaikuArn, {"Owner"}));
  EXPECT_EQ(drift_->Current(config_)->drift.Count(), 0u);
}

// A SIGHUP reload brings another config: the drift is recomputed against it.
TEST_F(ConfigDriftTest, IsRecomputedForAnotherConfig) {
  ASSERT_OK(control_->Bootstrap(*config_));
  std::shared_ptr<const ConfigDrift::Report> first = drift_->Current(config_);
  EXPECT_EQ(first->drift.Count(), 0u);
  auto fewer = std::make_shared<config::Config>(*config_);
  ASSERT_FALSE(fewer->profiles.empty());
  fewer->profiles.pop_back();
  std::shared_ptr<const ConfigDrift::Report> other = drift_->Current(fewer);
  EXPECT_NE(other, first);
  EXPECT_EQ(other->drift.unconfigured.size(), 1u);
  EXPECT_EQ(drift_->Current(fewer), other) << "same config and generation: cached";
}

TEST_F(ConfigDriftTest, TheBannerNamesTheProfilesAndThePlanToRun) {
  ASSERT_OK(control_->Bootstrap(*config_));
  ASSERT_OK(control_->UntagResource(kHaikuArn, {"managed-by"}));  // as if made by another tool
  std::string banner =
      DriftBanner(*drift_->Current(config_), *config_, "http://127.0.0.1:8700", "platform-admin");
  EXPECT_EQ(banner,
            "drift: 1 profile differs from the config; run plan\n"
            "  rd-haiku-45 (tags)\n"
            "  bedrock-profiles plan --config drift.hcl --endpoint http://127.0.0.1:8700 "
            "--principal platform-admin --out rd.plan\n");
}

TEST_F(ConfigDriftTest, ThePlanningPrincipalIsTheFirstWhoMayListProfiles) {
  auto authorizer =
      auth::iam::IamAuthorizer::Create(PoliciesOf(*config_), {.requested_region = config_->region});
  ASSERT_OK(authorizer);
  EXPECT_EQ(PlanningPrincipal(*config_, **authorizer, clock_), "platform-admin");

  config::Config consumers_only = *config_;
  consumers_only.principals.pop_back();
  auto narrow = auth::iam::IamAuthorizer::Create(PoliciesOf(consumers_only),
                                                 {.requested_region = config_->region});
  ASSERT_OK(narrow);
  EXPECT_EQ(PlanningPrincipal(consumers_only, **narrow, clock_), "");
}

}  // namespace
}  // namespace bp::server
