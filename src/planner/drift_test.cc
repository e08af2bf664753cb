#include "planner/drift.h"

#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class DriftTest : public testing::PlannerTest {};

TEST_F(DriftTest, NoneOnceTheConfigIsApplied) {
  const std::string text = testing::ConfigText(testing::SeedProfiles());
  ASSERT_OK(PlanAndApply(text));
  Drift drift = DriftOf(MakePlan(text));
  EXPECT_EQ(drift.Count(), 0u);
  EXPECT_EQ(drift.Sentence(), "the profiles match the config");
  EXPECT_EQ(drift.Names(), "");
}

TEST_F(DriftTest, EveryKindOfDifferenceIsOneProfile) {
  std::map<std::string, testing::ProfileSpec> applied = testing::SeedProfiles();
  applied["rd-old"] = testing::ProfileSpec{};
  applied["rd-sonnet-45"] = testing::ProfileSpec{};
  ASSERT_OK(PlanAndApply(testing::ConfigText(applied)));
  cp_.Insert(testing::Live("rd-manual"));  // unmanaged, not configured: no drift

  std::map<std::string, testing::ProfileSpec> wanted = testing::SeedProfiles();
  wanted["rd-haiku-45"].tags["team"] = "research";                   // tags
  wanted["rd-sonnet-4"].description = "Sonnet described otherwise";  // replace
  wanted["rd-new"] = testing::ProfileSpec{};                         // missing
  wanted["rd-sonnet-45"] = testing::ProfileSpec{};                   // unchanged
  // rd-old: managed, no longer configured.
  Drift drift = DriftOf(MakePlan(testing::ConfigText(wanted)));
  EXPECT_THAT(drift.missing, ElementsAre("rd-new"));
  EXPECT_THAT(drift.tags, ElementsAre("rd-haiku-45"));
  EXPECT_THAT(drift.replaced, ElementsAre("rd-sonnet-4"));
  EXPECT_THAT(drift.unconfigured, ElementsAre("rd-old"));
  EXPECT_EQ(drift.Count(), 4u);
  EXPECT_EQ(drift.Sentence(), "4 profiles differ from the config; run plan");
  EXPECT_EQ(drift.Names(),
            "rd-new (missing), rd-haiku-45 (tags), rd-sonnet-4 (description or model source), "
            "rd-old (not in the config)");
}

TEST_F(DriftTest, AProfileWithoutTheManagementTagHasDriftedTags) {
  Tags tags = {{"Environment", "rd"}, {"billing-mode", "rd"}};
  cp_.Insert(testing::Live("rd-haiku-45", std::string(testing::kHaikuModel),
                           "Claude Haiku 4.5 for research", tags));
  std::map<std::string, testing::ProfileSpec> wanted = {{"rd-haiku-45", testing::ProfileSpec{}}};
  Drift drift = DriftOf(MakePlan(testing::ConfigText(wanted)));
  EXPECT_THAT(drift.tags, ElementsAre("rd-haiku-45"));
  EXPECT_THAT(drift.missing, IsEmpty());
  EXPECT_EQ(drift.Sentence(), "1 profile differs from the config; run plan");
}

}  // namespace
}  // namespace bp::planner
