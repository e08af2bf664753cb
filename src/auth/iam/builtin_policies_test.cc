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

}  // namespace
}  // namespace bp::auth::iam
