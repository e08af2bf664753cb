// The policies shipped in config/bedrock-profiles.hcl must parse with this
// module's validator (config only checks that they are JSON), and the R&D
// consumer's policy must do what the seed's Consumer Guide promises.

#include <gtest/gtest.h>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "catalog/catalog.h"
#include "config/load.h"
#include "testing/testing.h"

namespace bp::auth::iam {
namespace {

config::Config LoadBuiltin() {
  Result<catalog::Catalog> catalog = catalog::Catalog::Builtin();
  EXPECT_OK(catalog);
  config::EnvLookup no_env = [](std::string_view) { return std::optional<std::string>(); };
  Result<config::Config> cfg = config::ToResult(config::LoadText(
      config::BuiltinConfigText(), std::string(config::kBuiltinConfigName), *catalog, no_env));
  EXPECT_OK(cfg);
  return cfg.ok() ? std::move(cfg).value() : config::Config{};
}

TEST(BuiltinPoliciesTest, EveryPolicyParses) {
  config::Config cfg = LoadBuiltin();
  ASSERT_FALSE(cfg.principals.empty());
  for (const config::PrincipalConfig& principal : cfg.principals) {
    for (const config::PolicyDocument& doc : principal.policies) {
      EXPECT_OK(ParsePolicy(doc.text, doc.origin)) << principal.name;
    }
  }
}

TEST(BuiltinPoliciesTest, RdConsumerMayInvokeBothProfilesAndTheirModels) {
  config::Config cfg = LoadBuiltin();
  const config::PrincipalConfig* rd = cfg.FindPrincipal("rd-e2e");
  ASSERT_NE(rd, nullptr);
  std::vector<Policy> policies;
  for (const config::PolicyDocument& doc : rd->policies) {
    Result<Policy> p = ParsePolicy(doc.text, doc.origin);
    ASSERT_OK(p);
    policies.push_back(std::move(p).value());
  }
  std::vector<const Policy*> attached;
  for (const Policy& p : policies) attached.push_back(&p);
  const std::string account = cfg.account_id;
  for (std::string_view id : {"acwt9yee9wzo", "tkxdfdh17c6o"}) {
    Request r{"bedrock:InvokeModelWithResponseStream",
              "arn:aws:bedrock:eu-central-1:" + account + ":application-inference-profile/" +
                  std::string(id),
              {}};
    EXPECT_TRUE(Evaluate(attached, r).allowed()) << r.resource;
  }
  for (std::string_view region : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    Request r{"bedrock:InvokeModel",
              "arn:aws:bedrock:" + std::string(region) +
                  "::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
              {}};
    EXPECT_TRUE(Evaluate(attached, r).allowed()) << r.resource;
  }
  Request create{"bedrock:CreateInferenceProfile", "*", {}};
  EXPECT_EQ(Evaluate(attached, create).outcome, Outcome::kImplicitDeny);
}

// The shipped admin reads usage (GET /usage) and metrics (GET /metrics from
// elsewhere than loopback); the consumer reads neither. The resources are
// the ones api/usage_route.h and api/metrics_route.h ask about.
TEST(BuiltinPoliciesTest, AdminReadsUsageAndMetricsTheConsumerDoesNot) {
  config::Config cfg = LoadBuiltin();
  const std::string usage_arn =
      "arn:aws:bedrock-profiles:" + cfg.region + ":" + cfg.account_id + ":usage";
  auto attached_of = [&cfg](std::string_view name, std::vector<Policy>& keep) {
    const config::PrincipalConfig* p = cfg.FindPrincipal(name);
    EXPECT_NE(p, nullptr) << name;
    std::vector<const Policy*> attached;
    if (p == nullptr) return attached;
    for (const config::PolicyDocument& doc : p->policies) {
      Result<Policy> parsed = ParsePolicy(doc.text, doc.origin);
      EXPECT_OK(parsed);
      if (parsed.ok()) keep.push_back(std::move(parsed).value());
    }
    for (const Policy& policy : keep) attached.push_back(&policy);
    return attached;
  };
  std::vector<Policy> admin_policies;
  std::vector<Policy> rd_policies;
  const std::vector<const Policy*> admin = attached_of("platform-admin", admin_policies);
  const std::vector<const Policy*> rd = attached_of("rd-e2e", rd_policies);
  const Request usage{"bedrock-profiles:GetUsage", usage_arn, {}};
  const Request metrics{"bedrock-profiles:GetMetrics", "*", {}};
  EXPECT_TRUE(Evaluate(admin, usage).allowed());
  EXPECT_TRUE(Evaluate(admin, metrics).allowed());
  // Strict: another account's or region's ledger is not this one.
  const Request elsewhere{"bedrock-profiles:GetUsage",
                          "arn:aws:bedrock-profiles:eu-west-1:" + cfg.account_id + ":usage",
                          {}};
  EXPECT_EQ(Evaluate(admin, elsewhere).outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(Evaluate(rd, usage).outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(Evaluate(rd, metrics).outcome, Outcome::kImplicitDeny);

  // The dashboard (api/dashboard/dashboard.h): the admin sees the regions'
  // health and may simulate any principal; the consumer sees its own calls
  // and nothing else.
  const Request own{"bedrock-profiles:GetOwnUsage", usage_arn, {}};
  const Request health{"bedrock-profiles:GetHealth",
                       "arn:aws:bedrock-profiles:" + cfg.region + ":" + cfg.account_id + ":health",
                       {}};
  const Request simulate{"bedrock-profiles:SimulatePrincipalPolicy",
                         "arn:aws:iam::" + cfg.account_id + ":role/rd-e2e",
                         {}};
  EXPECT_TRUE(Evaluate(admin, health).allowed());
  EXPECT_TRUE(Evaluate(admin, simulate).allowed());
  EXPECT_TRUE(Evaluate(rd, own).allowed());
  EXPECT_EQ(Evaluate(rd, health).outcome, Outcome::kImplicitDeny);
  EXPECT_EQ(Evaluate(rd, simulate).outcome, Outcome::kImplicitDeny);
}

}  // namespace
}  // namespace bp::auth::iam
