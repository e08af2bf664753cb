// Golden runner for the planner: every folder tests/golden/planner/NAME/
// holds config.hcl (the configuration), live.json (the profiles the endpoint
// reports, in the plan file's "live" shape) and expected.txt: exactly what
// `plan` prints for them (planner::Render). See README.md there.
//
// Each case also checks two properties: the plan survives its file format
// unchanged, and applying it to an in-memory endpoint holding live.json
// leaves nothing to do (a new plan has no changes).
//
// With BP_UPDATE_GOLDEN=1 the runner writes expected.txt instead of comparing
// (review the diff before committing it).

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config/load.h"
#include "planner/apply.h"
#include "planner/memory_control_plane.h"
#include "planner/plan.h"
#include "planner/plan_file.h"
#include "planner/render.h"
#include "testing/testing.h"

namespace bp::planner {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEndpoint = "http://127.0.0.1:8700";

fs::path CaseRoot() { return testing::SourceDir() / "tests" / "golden" / "planner"; }

std::vector<std::string> FindCases() {
  std::vector<std::string> names;
  for (const fs::path& dir : testing::ListCaseDirs(CaseRoot(), "config.hcl")) {
    names.push_back(dir.filename().string());
  }
  return names;
}

const catalog::Catalog& Catalog() {
  static const catalog::Catalog* catalog = [] {
    Result<catalog::Catalog> c = catalog::Catalog::Builtin();
    if (!c.ok()) std::abort();
    return new catalog::Catalog(std::move(*c));
  }();
  return *catalog;
}

std::optional<std::string> NoEnv(std::string_view) { return std::nullopt; }

class PlannerGoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = CaseRoot() / GetParam();
    config_text_ = testing::ReadFileOrDie(dir_ / "config.hcl");
    Result<config::Config> config =
        config::ToResult(config::LoadText(config_text_, "config.hcl", Catalog(), NoEnv));
    ASSERT_OK(config);
    config_ = std::move(*config);
    Result<std::vector<LiveProfile>> live =
        ParseLiveProfiles(testing::ReadFileOrDie(dir_ / "live.json"), "live.json");
    ASSERT_OK(live);
    live_ = std::move(*live);
  }

  Result<Plan> MakePlan(std::vector<LiveProfile> live) {
    return ComputePlan(config_, Catalog(), std::move(live),
                       PlanOptions{.planned_by = "golden",
                                   .endpoint = std::string(kEndpoint),
                                   .config_text = config_text_},
                       clock_);
  }

  fs::path dir_;
  std::string config_text_;
  config::Config config_;
  std::vector<LiveProfile> live_;
  testing::FakeClock clock_;
};

TEST_P(PlannerGoldenTest, RendersTheExpectedPlan) {
  Result<Plan> plan = MakePlan(live_);
  ASSERT_OK(plan);
  std::string actual = Render(*plan);
  fs::path expected = dir_ / "expected.txt";
  const char* update = std::getenv("BP_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream(expected, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected)) << expected << " is missing; run with BP_UPDATE_GOLDEN=1 "
                                    << "to create it, then review it";
  EXPECT_EQ(actual, testing::ReadFileOrDie(expected)) << "case " << GetParam();
}

TEST_P(PlannerGoldenTest, SurvivesThePlanFile) {
  Result<Plan> plan = MakePlan(live_);
  ASSERT_OK(plan);
  Result<Plan> back = ParsePlan(SerializePlan(*plan), "golden.plan");
  ASSERT_OK(back);
  EXPECT_EQ(*back, *plan);
  EXPECT_EQ(Render(*back), Render(*plan));
}

TEST_P(PlannerGoldenTest, ApplyingLeavesNothingToDo) {
  MemoryControlPlane cp(Catalog(), MemoryControlPlaneOptions{.endpoint = std::string(kEndpoint)});
  for (const LiveProfile& p : live_) cp.Insert(p);
  Result<Plan> plan = MakePlan(cp.Profiles());
  ASSERT_OK(plan);
  ASSERT_OK(Apply(*plan, cp, ApplyOptions{.config_text = config_text_, .auto_approved = true}));
  Result<Plan> again = MakePlan(cp.Profiles());
  ASSERT_OK(again);
  EXPECT_FALSE(again->HasChanges()) << Render(*again);
  EXPECT_EQ(again->unmanaged, plan->unmanaged) << "unmanaged profiles are never touched";
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, PlannerGoldenTest, ::testing::ValuesIn(FindCases()), CaseName);

TEST(PlannerGoldenSuiteTest, EveryCaseIsComplete) {
  testing::ExpectCases(testing::ListCaseDirs(CaseRoot(), "config.hcl"), CaseRoot());
  EXPECT_GE(FindCases().size(), 8u) << "case folder: " << CaseRoot();
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(CaseRoot(), ec)) {
    if (!e.is_directory()) continue;
    for (const char* file : {"config.hcl", "live.json", "expected.txt"}) {
      EXPECT_TRUE(fs::exists(e.path() / file)) << e.path() << " has no " << file;
    }
  }
}

}  // namespace
}  // namespace bp::planner
