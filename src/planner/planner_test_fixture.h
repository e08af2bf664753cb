#pragma once
// Shared by the bp_planner tests: the seed's config as HCL, config loading,
// the built-in catalog, and a fixture with a MemoryControlPlane and a fake
// clock.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "config/load.h"
#include "planner/apply.h"
#include "planner/memory_control_plane.h"
#include "planner/plan.h"
#include "testing/testing.h"

namespace bp::planner::testing {

inline constexpr std::string_view kHaikuSource =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
inline constexpr std::string_view kSonnetSource =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-sonnet-4-20250514-v1:0";
inline constexpr std::string_view kHaikuModel = "anthropic.claude-haiku-4-5-20251001-v1:0";
inline constexpr std::string_view kSonnetModel = "anthropic.claude-sonnet-4-20250514-v1:0";

// One inference_profiles entry.
struct ProfileSpec {
  std::string model_arn = std::string(kHaikuSource);
  std::optional<std::string> description = "Claude Haiku 4.5 for research";
  std::map<std::string, std::string> tags = {{"billing-mode", "rd"}};
};

// A config in HCL: the seed's account, region and Tier 1 tags, the given
// profiles, and approvals = { required = N }.
inline std::string ConfigText(const std::map<std::string, ProfileSpec>& profiles,
                              int required_approvals = 1,
                              const std::map<std::string, std::string>& default_tags = {
                                  {"Environment", "rd"}, {"billing-mode", "standard"}}) {
  std::string text = "account_id = \"123456789012\"\nregion = \"eu-central-1\"\n";
  text += "approvals = { required = " + std::to_string(required_approvals) + " }\n";
  text += "default_tags = {\n";
  for (const auto& [k, v] : default_tags) text += "  \"" + k + "\" = \"" + v + "\"\n";
  text += "}\ninference_profiles = {\n";
  for (const auto& [name, spec] : profiles) {
    text += "  " + name + " = {\n    model_arn = \"" + spec.model_arn + "\"\n";
    if (spec.description) text += "    description = \"" + *spec.description + "\"\n";
    text += "    tags = {";
    for (const auto& [k, v] : spec.tags) text += " \"" + k + "\" = \"" + v + "\",";
    text += " }\n  }\n";
  }
  return text + "}\n";
}

// The seed's two profiles.
inline std::map<std::string, ProfileSpec> SeedProfiles() {
  return {{"rd-haiku-45", ProfileSpec{}},
          {"rd-sonnet-4", ProfileSpec{.model_arn = std::string(kSonnetSource),
                                      .description = "Claude Sonnet 4 for research"}}};
}

inline const catalog::Catalog& BuiltinCatalog() {
  static const catalog::Catalog* catalog = [] {
    Result<catalog::Catalog> c = catalog::Catalog::Builtin();
    if (!c.ok()) std::abort();
    return new catalog::Catalog(std::move(*c));
  }();
  return *catalog;
}

inline Result<config::Config> LoadConfig(std::string_view text) {
  return config::ToResult(config::LoadText(text, "test.hcl", BuiltinCatalog(),
                                           [](std::string_view) { return std::nullopt; }));
}

// A live profile as another tool would have made it.
inline LiveProfile Live(std::string name, std::string model_id = std::string(kHaikuModel),
                        std::optional<std::string> description = std::nullopt, Tags tags = {}) {
  LiveProfile p;
  p.name = std::move(name);
  p.description = std::move(description);
  for (const char* region : {"eu-central-1", "eu-west-1", "eu-west-3"}) {
    p.model_arns.push_back("arn:aws:bedrock:" + std::string(region) + "::foundation-model/" +
                           model_id);
  }
  p.tags = std::move(tags);
  return p;
}

class PlannerTest : public ::testing::Test {
 protected:
  PlannerTest() : cp_(BuiltinCatalog(), MemoryControlPlaneOptions{}) {}

  // Plans `config_text` against cp_, by "planner-bob".
  Plan MakePlan(const std::string& config_text) {
    Result<config::Config> config = LoadConfig(config_text);
    EXPECT_OK(config);
    if (!config.ok()) return Plan{};
    Result<Plan> plan =
        PlanAgainst(*config, BuiltinCatalog(), cp_,
                    PlanOptions{.planned_by = "planner-bob", .config_text = config_text}, clock_);
    EXPECT_OK(plan);
    return plan.ok() ? std::move(*plan) : Plan{};
  }

  // Plans, approves (by "alice") and applies `config_text`.
  Result<ApplyReport> PlanAndApply(const std::string& config_text) {
    Plan plan = MakePlan(config_text);
    return Apply(plan, cp_, ApplyOptions{.config_text = config_text, .auto_approved = true});
  }

  ::bp::testing::FakeClock clock_;
  MemoryControlPlane cp_;
};

}  // namespace bp::planner::testing
