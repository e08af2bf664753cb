#pragma once
// Test-only fixture shared by the bp_api_control tests: a ControlService over a
// MemoryProfileStore, the built-in catalog, a FakeClock and a seeded Random.
// Test-only (tools/check_includes.sh exempts *_test_fixture.h), so it may
// name the concrete store.

#include <memory>
#include <string>
#include <vector>

#include "api/control/control_service.h"
#include "catalog/catalog.h"
#include "storage/memory/memory_profile_store.h"
#include "storage/profile_store.h"
#include "testing/testing.h"

namespace bp::api::control {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kRegion[] = "eu-central-1";
inline constexpr char kHaikuSystemArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-haiku-4-5-20251001-v1:0";
inline constexpr char kSonnetSystemArn[] =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
    "eu.anthropic.claude-sonnet-4-20250514-v1:0";
inline constexpr char kHaikuModel[] = "anthropic.claude-haiku-4-5-20251001-v1:0";
inline constexpr char kAppArnPrefix[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/";

inline std::string ModelArn(const std::string& region, const std::string& model = kHaikuModel) {
  return "arn:aws:bedrock:" + region + "::foundation-model/" + model;
}

inline std::unique_ptr<storage::ProfileStore> NewMemoryStore() {
  return std::make_unique<storage::MemoryProfileStore>();
}

inline catalog::Catalog BuiltinCatalog() {
  Result<catalog::Catalog> catalog = catalog::Catalog::Builtin();
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(catalog).value() : catalog::Catalog();
}

class ControlServiceFixture : public ::testing::Test {
 protected:
  static ControlService::Options DefaultOptions() {
    return ControlService::Options{
        .account_id = kAccount,
        .region = kRegion,
        .default_tags = {{"Environment", "rd"}, {"billing-mode", "standard"}},
    };
  }

  ControlServiceFixture()
      : owned_store_(NewMemoryStore()),
        store_(*owned_store_),
        catalog_(BuiltinCatalog()),
        control_(DefaultOptions(), store_, catalog_, clock_, random_) {}

  // Creates `name` from the Haiku system profile with `tags`; fails the test
  // on error and returns the ARN.
  std::string MakeProfile(const std::string& name, std::vector<Tag> tags = {}) {
    Result<CreateOutcome> created = control_.Create(
        CreateInput{.name = name, .copy_from = kHaikuSystemArn, .tags = std::move(tags)});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->profile.arn : "";
  }

  size_t StoredCount() {
    Result<std::vector<storage::ProfileRecord>> all = store_.List();
    EXPECT_TRUE(all.ok());
    return all.ok() ? all->size() : 0;
  }

  std::unique_ptr<storage::ProfileStore> owned_store_;
  storage::ProfileStore& store_;
  catalog::Catalog catalog_;
  bp::testing::FakeClock clock_;
  bp::testing::SeededRandom random_{301};
  ControlService control_;
};

}  // namespace bp::api::control
