#include "planner/plan_file.h"

#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>

#include <signal.h>

#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

namespace fs = std::filesystem;
using ::bp::testing::StatusIs;
using ::bp::testing::TempDir;
using testing::ConfigText;
using ::testing::HasSubstr;
using testing::Live;
using testing::SeedProfiles;
using ::testing::StartsWith;

class PlanFileTest : public testing::PlannerTest {
 protected:
  void SetUp() override {
    cp_.Insert(
        Live("rd-manual", std::string(testing::kHaikuModel), "Made by hand", {{"Team", "x"}}));
    plan_ = MakePlan(ConfigText(SeedProfiles()));
    ASSERT_TRUE(plan_.HasChanges());
    ASSERT_OK(Approve(plan_, "alice", clock_));
  }

  std::vector<std::string> DirEntries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // The serialised plan with one substring replaced (must occur).
  std::string Edited(std::string_view from, std::string_view to) {
    std::string text = SerializePlan(plan_);
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  Plan plan_;
  TempDir dir_;
};

TEST_F(PlanFileTest, SerializeParseRoundTrip) {
  std::string text = SerializePlan(plan_);
  EXPECT_THAT(text, StartsWith("{\n  \"format\": \"bedrock-profiles-plan\",\n  \"version\": 1,\n"));
  EXPECT_EQ(text.back(), '\n');
  Result<Plan> back = ParsePlan(text, "p.json");
  ASSERT_OK(back);
  EXPECT_EQ(*back, plan_);
  EXPECT_EQ(SerializePlan(*back), text);
}

// The principal a plan was made with (a name, for hints) is part of the
// signed content and survives the file; old plans without it still load.
TEST_F(PlanFileTest, ThePrincipalNameRoundTripsAndIsOptional) {
  plan_.principal = "platform-admin";
  plan_.plan_digest = PlanDigest(plan_);
  plan_.approvals.clear();
  ASSERT_OK(Approve(plan_, "alice", clock_));
  std::string text = SerializePlan(plan_);
  EXPECT_THAT(text, ::testing::HasSubstr("\"principal\": \"platform-admin\""));
  Result<Plan> back = ParsePlan(text, "p.json");
  ASSERT_OK(back);
  EXPECT_EQ(back->principal, "platform-admin");
  plan_.principal.clear();
  plan_.plan_digest = PlanDigest(plan_);
  plan_.approvals.clear();
  ASSERT_OK(Approve(plan_, "alice", clock_));
  EXPECT_THAT(SerializePlan(plan_), ::testing::Not(::testing::HasSubstr("\"principal\"")));
}

TEST_F(PlanFileTest, SaveLoadRoundTripWithMode0600AndNoLeftovers) {
  fs::path path = dir_.path() / "changes.plan";
  ASSERT_OK(SavePlanFile(path, plan_));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(DirEntries(), ::testing::ElementsAre("changes.plan"));
  Result<Plan> loaded = LoadPlanFile(path);
  ASSERT_OK(loaded);
  EXPECT_EQ(*loaded, plan_);

  // Overwriting (approve amends the file) keeps one file.
  ASSERT_OK(Approve(plan_, "carol", clock_));
  ASSERT_OK(SavePlanFile(path, plan_));
  EXPECT_THAT(DirEntries(), ::testing::ElementsAre("changes.plan"));
  loaded = LoadPlanFile(path);
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->approvals.size(), 2u);
}

TEST_F(PlanFileTest, RefusesWhatIsNotAPlan) {
  Result<Plan> r = ParsePlan("hello", "x.plan");
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), StartsWith("x.plan: not a bedrock-profiles plan"));
  r = ParsePlan("[1,2]", "x.plan");
  EXPECT_THAT(r.status().message(), StartsWith("x.plan: not a bedrock-profiles plan"));
  r = ParsePlan(R"({"format": "terraform-plan", "version": 1})", "x.plan");
  EXPECT_THAT(r.status().message(), StartsWith("x.plan: not a bedrock-profiles plan"));
}

TEST_F(PlanFileTest, RefusesOtherVersions) {
  Result<Plan> r = ParsePlan(Edited("\"version\": 1", "\"version\": 2"), "x.plan");
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), StartsWith("x.plan: unsupported plan version 2"));
}

TEST_F(PlanFileTest, RefusesCorruptFilesNamingThePath) {
  Result<Plan> r = ParsePlan(Edited("\"kind\": \"create\"", "\"kind\": \"upsert\""), "x.plan");
  EXPECT_THAT(r.status().message(), StartsWith("x.plan: corrupt plan: $.actions[0].kind"));
  r = ParsePlan(Edited("\"planned_by\"", "\"planner\""), "x.plan");
  EXPECT_THAT(r.status().message(), HasSubstr("corrupt plan: $.planner is not a recognised field"));
  r = ParsePlan(Edited("\"required_approvals\": 1", "\"required_approvals\": -1"), "x.plan");
  EXPECT_THAT(r.status().message(), HasSubstr("corrupt plan: $.required_approvals"));
  r = ParsePlan(Edited("\"kind\": \"create\"", "\"kind\": \"destroy\""), "x.plan");
  EXPECT_THAT(r.status().message(), HasSubstr("a destroy action needs \"before\""));
  std::string text = SerializePlan(plan_);
  r = ParsePlan(text.substr(0, text.size() / 2), "x.plan");
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
}

TEST_F(PlanFileTest, DetectsTampering) {
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"billing-mode\": \"rd\"", "\"billing-mode\": \"free\""},
           {"\"planned_by\": \"planner-bob\"", "\"planned_by\": \"mallory\""},
           {"\"required_approvals\": 1", "\"required_approvals\": 0"},
           {"Made by hand", "Made by robots"}}) {
    Result<Plan> r = ParsePlan(Edited(from, to), "x.plan");
    EXPECT_THAT(r, StatusIs(ErrorCode::kValidation)) << from;
    EXPECT_THAT(r.status().message(), HasSubstr("tampered")) << from;
  }
  // An approval copied from another plan.
  std::string text = SerializePlan(plan_);
  size_t approval = text.rfind(plan_.plan_digest);
  text.replace(approval, 64, std::string(64, '0'));
  Result<Plan> r = ParsePlan(text, "x.plan");
  EXPECT_THAT(r.status().message(), HasSubstr("another plan"));
}

TEST_F(PlanFileTest, LoadReportsUnreadableFiles) {
  EXPECT_THAT(LoadPlanFile(dir_.path() / "missing.plan"), StatusIs(ErrorCode::kIo));
  EXPECT_THAT(LoadPlanFile(dir_.path()), StatusIs(ErrorCode::kIo));
}

TEST_F(PlanFileTest, FailedSaveLeavesTheOldFileAndNoTemporary) {
  fs::path path = dir_.path() / "changes.plan";
  ASSERT_OK(SavePlanFile(path, plan_));
  const std::string before = ::bp::testing::ReadFileOrDie(path);

  // A file-size limit below the plan's size makes write(2) fail part-way.
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  ASSERT_OK(Approve(plan_, "carol", clock_));
  Status saved = SavePlanFile(path, plan_);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_THAT(saved, StatusIs(ErrorCode::kIo));
  EXPECT_THAT(saved.message(), HasSubstr(path.string()));
  EXPECT_EQ(::bp::testing::ReadFileOrDie(path), before);
  EXPECT_THAT(DirEntries(), ::testing::ElementsAre("changes.plan"));
}

TEST_F(PlanFileTest, SaveIntoAMissingDirectoryOrOverADirectoryFails) {
  EXPECT_THAT(SavePlanFile(dir_.path() / "no" / "such.plan", plan_), StatusIs(ErrorCode::kIo));
  fs::create_directory(dir_.path() / "taken");
  EXPECT_THAT(SavePlanFile(dir_.path() / "taken", plan_), StatusIs(ErrorCode::kIo));
  EXPECT_THAT(DirEntries(), ::testing::ElementsAre("taken"));
}

TEST(LiveProfilesFileTest, RoundTripAndErrors) {
  LiveProfile p = Live("rd-x", "m", "d", {{"k", "v"}});
  p.id = "abc";
  p.arn = "arn:x";
  LiveProfile q = Live("rd-y");
  q.id = "def";
  q.arn = "arn:y";
  std::string text = SerializeLiveProfiles({p, q});
  Result<std::vector<LiveProfile>> back = ParseLiveProfiles(text, "live.json");
  ASSERT_OK(back);
  EXPECT_EQ(*back, (std::vector<LiveProfile>{p, q}));

  EXPECT_THAT(ParseLiveProfiles("{}", "live.json").status().message(),
              StartsWith("live.json: $: expected an array"));
  EXPECT_THAT(ParseLiveProfiles(R"([{"name": "a"}])", "live.json").status().message(),
              StartsWith("live.json: $[0].id is required"));
  EXPECT_THAT(
      ParseLiveProfiles(R"([{"name":"a","id":"i","arn":"r","model_arns":[],"tags":{"k":1}}])",
                        "live.json")
          .status()
          .message(),
      HasSubstr("$[0].tags.k: expected a string"));
}

}  // namespace
}  // namespace bp::planner
