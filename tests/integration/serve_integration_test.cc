// `serve` bootstraps, `apply` changes (issue 13): a real `serve` on an empty
// state directory creates the configured profiles as managed (the next plan
// is empty); after a reviewed apply of other tags, a restart with the
// ORIGINAL config keeps the applied tags and reports the drift in its banner
// (with the plan command to paste) and in /readyz's details, which follow
// later applies through the API; `serve --reconcile` resets the store to its
// config.
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

class ServeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    original_ = (dir_.path() / "bedrock-profiles.hcl").string();
    applied_ = (dir_.path() / "applied.hcl").string();
    const std::string shipped = ReadFileOrDie(SourceDir() / "config" / "bedrock-profiles.hcl");
    std::ofstream(original_) << shipped;
    const std::string from = "Owner        = \"platform-engineering\"";
    std::string changed = shipped;
    changed.replace(changed.find(from), from.size(), "Owner        = \"platform-team\"");
    std::ofstream(applied_) << changed;
  }
  void TearDown() override { Stop(); }

  // Starts serve on the test's state directory; reads its whole banner.
  void Start(const std::string& config, std::vector<std::string> extra = {}) {
    Stop();
    std::vector<std::string> args = {"serve",
                                     "--config",
                                     config,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--state",
                                     (dir_.path() / "state").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    serve_ = std::make_unique<ChildProcess>(args);
    auto first = serve_->ReadLine(seconds(20));
    std::smatch m;
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    ASSERT_TRUE(first && std::regex_search(*first, m, kListening))
        << first.value_or("") << serve_->Stderr();
    endpoint_ = m[1];
    banner_ = *first + "\n";
    // The banner ends when no line follows for a moment.
    while (auto line = serve_->ReadLine(milliseconds(1500))) banner_ += *line + "\n";
  }
  void Stop() {
    if (serve_ == nullptr) return;
    serve_->Signal(SIGTERM);
    serve_->Wait(seconds(20));
    serve_.reset();
  }

  RunResult Client(std::vector<std::string> args, const std::string& config) {
    for (const std::string& a :
         {std::string("--config"), config, std::string("--endpoint"), endpoint_,
          std::string("--principal"), std::string("platform-admin")}) {
      args.push_back(a);
    }
    return RunBinary(args);
  }
  RunResult Plan(const std::string& config) {
    return Client({"plan", "--detailed-exitcode", "--by", "alice"}, config);
  }
  // plan --out, approve by someone else, apply: the reviewed way.
  void ApplyReviewed(const std::string& config) {
    const std::string plan = (dir_.path() / "change.plan").string();
    RunResult planned = Client({"plan", "--out", plan, "--by", "alice"}, config);
    ASSERT_EQ(planned.exit_code, 0) << planned.err;
    RunResult approved = RunBinary({"approve", plan, "--by", "bob"});
    ASSERT_EQ(approved.exit_code, 0) << approved.err;
    RunResult applied = RunBinary({"apply", plan, "--principal", "platform-admin"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }
  std::string Readyz() {
    RunResult r =
        RunProgram("curl", {"--silent", "--show-error", "--max-time", "10", endpoint_ + "/readyz"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  static std::string ReadyWithDrift(int profiles, int tags, const std::string& message) {
    return R"({"status":"ready","details":{"config_drift":{"profiles":)" +
           std::to_string(profiles) + R"(,"missing":0,"tags":)" + std::to_string(tags) +
           R"(,"replaced":0,"unconfigured":0,"message":")" + message +
           R"("},"storage":{"backend":"sqlite","state":"ok"}}})";
  }

  TempDir dir_;
  std::string original_;
  std::string applied_;
  std::unique_ptr<ChildProcess> serve_;
  std::string endpoint_;
  std::string banner_;
};

constexpr char kMatch[] = "the profiles match the config";
constexpr char kTwoDiffer[] = "2 profiles differ from the config; run plan";

TEST_F(ServeIntegrationTest, ServeBootstrapsAnEmptyStoreAndNeverOverrulesApply) {
  // An empty store: bootstrapped, managed, nothing left to plan.
  ASSERT_NO_FATAL_FAILURE(Start(original_));
  EXPECT_THAT(banner_, HasSubstr("(2 created, 0 updated, 0 unchanged)"));
  EXPECT_THAT(banner_, Not(HasSubstr("drift:")));
  RunResult first = Plan(original_);
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("No changes."));
  EXPECT_THAT(first.out, Not(HasSubstr("adopt")));
  EXPECT_EQ(Readyz(), ReadyWithDrift(0, 0, kMatch));

  // Other tags, reviewed and applied: the running serve reports the drift
  // from its own config at once.
  ASSERT_NO_FATAL_FAILURE(ApplyReviewed(applied_));
  EXPECT_EQ(Readyz(), ReadyWithDrift(2, 2, kTwoDiffer));

  // A restart with the original config keeps what apply did.
  ASSERT_NO_FATAL_FAILURE(Start(original_));
  EXPECT_THAT(banner_, HasSubstr("(bootstrap skipped: the store holds 2 profiles, left as they "
                                 "are; --reconcile resets them to the config)"));
  EXPECT_THAT(banner_, HasSubstr("drift: " + std::string(kTwoDiffer) +
                                 "\n  rd-haiku-45 (tags), rd-sonnet-4 (tags)\n"));
  RunResult kept = Plan(applied_);
  EXPECT_EQ(kept.exit_code, 0) << "the applied tags stayed:\n" << kept.out << kept.err;
  EXPECT_EQ(Readyz(), ReadyWithDrift(2, 2, kTwoDiffer));

  // The banner's plan command works as pasted.
  std::smatch hint;
  ASSERT_TRUE(std::regex_search(banner_, hint, std::regex("\n  bedrock-profiles (plan .*)\n")))
      << banner_;
  std::vector<std::string> pasted;
  std::istringstream words(hint[1].str());
  for (std::string w; words >> w;) pasted.push_back(w);
  EXPECT_EQ(pasted,
            (std::vector<std::string>{"plan", "--config", original_, "--endpoint", endpoint_,
                                      "--principal", "platform-admin", "--out", "rd.plan"}));
  pasted.push_back("--by");
  pasted.push_back("alice");
  RunResult replan = RunBinary(pasted, seconds(30), dir_.path().string());
  EXPECT_EQ(replan.exit_code, 0) << replan.err;
  EXPECT_THAT(replan.out, HasSubstr("\"platform-team\" -> \"platform-engineering\""));
  EXPECT_THAT(replan.out, HasSubstr("Plan: 0 to add, 2 to change"));

  // Applying the config through the API clears the drift while serving.
  ASSERT_NO_FATAL_FAILURE(ApplyReviewed(original_));
  EXPECT_EQ(Readyz(), ReadyWithDrift(0, 0, kMatch));

  // --reconcile resets the store to serve's config without a plan.
  ASSERT_NO_FATAL_FAILURE(ApplyReviewed(applied_));
  ASSERT_NO_FATAL_FAILURE(Start(original_, {"--reconcile"}));
  EXPECT_THAT(banner_, HasSubstr("(0 created, 2 updated, 0 unchanged)"));
  EXPECT_THAT(banner_, Not(HasSubstr("drift:")));
  EXPECT_EQ(Readyz(), ReadyWithDrift(0, 0, kMatch));
  RunResult reset = Plan(original_);
  EXPECT_EQ(reset.exit_code, 0) << reset.out << reset.err;
}

TEST_F(ServeIntegrationTest, HelpDescribesBootstrapAndReconcile) {
  RunResult help = RunBinary({"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--reconcile"));
  EXPECT_THAT(help.out, HasSubstr("An empty state store is bootstrapped from the config"));
}

}  // namespace
}  // namespace bp::testing
