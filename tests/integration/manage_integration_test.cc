// The seed's add-a-profile procedure end to end (issue 5): plan, approve,
// apply and output against a real `serve` child process that starts with an
// empty store (its own config declares only an admin principal), driven with
// the shipped config and edits of it: create, update in place, replace,
// destroy, unapproved/stale/changed-config plans refused, an interrupted
// apply resumed without duplicates; governance: --auto-approve refused while
// approvals are required (unless the config allows it), planner and approver
// named by their login name.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "integration/child_process.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using std::chrono::seconds;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kServeConfig[] = R"(account_id = "123456789012"
region     = "eu-central-1"
principals = {
  platform-admin = {
    arn               = "arn:aws:iam::123456789012:role/platform-admin"
    access_key_id     = "AKIABPLOCALADMIN0001"
    secret_access_key = "bpLocalAdminSecretKeyDoNotUseOutsideDev1"
    policy            = <<-EOT
      { "Version": "2012-10-17",
        "Statement": [ { "Effect": "Allow", "Action": "bedrock:*", "Resource": "*" } ] }
    EOT
  }
}
)";
// The suites below apply with --auto-approve, which the config must allow.
constexpr char kAllowAutoApprove[] = R"(
# The tests apply unreviewed changes with --auto-approve.
approvals = { required = 1, allow_auto_approve = true }
)";
constexpr char kArnRe[] =
    "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/[a-z0-9]{12}";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class ManageIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string serve_config = (dir_.path() / "serve.hcl").string();
    std::ofstream(serve_config) << kServeConfig;
    config_ = (dir_.path() / "bedrock-profiles.hcl").string();
    WriteConfig(Shipped() + kAllowAutoApprove);
    serve_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"serve", "--config", serve_config, "--listen", "127.0.0.1:0",
                                 "--state", (dir_.path() / "state").string()});
    auto first = serve_->ReadLine(seconds(20));
    std::smatch m;
    static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
    ASSERT_TRUE(first && std::regex_search(*first, m, kListening))
        << first.value_or("") << serve_->Stderr();
    endpoint_ = m[1];
  }
  void TearDown() override {
    serve_->Signal(SIGTERM);
    serve_->Wait(seconds(20));
  }

  static std::string Shipped() {
    return ReadFileOrDie(SourceDir() / "config" / "bedrock-profiles.hcl");
  }
  void WriteConfig(const std::string& text) {
    config_text_ = text;
    std::ofstream(config_, std::ios::trunc) << text;
  }
  std::string Plan(const std::string& name) const { return (dir_.path() / name).string(); }

  // `command args... --config <config> --endpoint <serve> --principal platform-admin`.
  RunResult Run(std::vector<std::string> args, bool with_config = true) {
    if (with_config) {
      for (const std::string& a : {std::string("--config"), config_}) args.push_back(a);
    }
    for (const std::string& a : {std::string("--endpoint"), endpoint_, std::string("--principal"),
                                 std::string("platform-admin")}) {
      args.push_back(a);
    }
    return RunBinary(args);
  }
  RunResult AutoApply() { return Run({"apply", "--auto-approve"}); }

  TempDir dir_;
  std::unique_ptr<ChildProcess> serve_;
  std::string endpoint_;
  std::string config_;
  std::string config_text_;
};

TEST_F(ManageIntegrationTest, TheSeedProcedureFromAnEmptyStore) {
  RunResult plan =
      Run({"plan", "--out", Plan("seed.plan"), "--by", "alice", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("+ rd-haiku-45"));
  EXPECT_THAT(plan.out, HasSubstr("+ rd-sonnet-4"));
  EXPECT_THAT(plan.out, HasSubstr("\"managed-by\"   = \"bedrock-profiles\""));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy."));
  // The hints name the flags the next commands need.
  EXPECT_THAT(plan.out, HasSubstr("bedrock-profiles approve " + Plan("seed.plan") + "\n"));
  EXPECT_THAT(plan.out, HasSubstr("bedrock-profiles apply " + Plan("seed.plan") +
                                  " --principal platform-admin"));

  // Approvals are checked before credentials: no --principal, no endpoint.
  RunResult unapproved = RunBinary({"apply", Plan("seed.plan")});
  EXPECT_EQ(unapproved.exit_code, 1);
  EXPECT_THAT(unapproved.err, HasSubstr("the plan needs 1 approval and has none"));
  EXPECT_THAT(unapproved.err, HasSubstr("`bedrock-profiles approve " + Plan("seed.plan") + "`"));
  RunResult self = RunBinary({"approve", Plan("seed.plan"), "--by", "alice"});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_THAT(self.err, HasSubstr("made this plan and cannot approve it"));
  RunResult approve = RunBinary({"approve", Plan("seed.plan"), "--by", "bob"});
  EXPECT_EQ(approve.exit_code, 0) << approve.err;
  EXPECT_THAT(approve.out, HasSubstr("Approved by bob (1 of 1 required)"));

  // The "Ready:" line is pasted as it is.
  std::smatch ready;
  ASSERT_TRUE(std::regex_search(approve.out, ready, std::regex("Ready: bedrock-profiles (.*)\n")))
      << approve.out;
  std::vector<std::string> pasted;
  std::istringstream words(ready[1].str());
  for (std::string w; words >> w;) pasted.push_back(w);
  EXPECT_EQ(pasted, (std::vector<std::string>{"apply", Plan("seed.plan"), "--principal",
                                              "platform-admin"}));
  RunResult apply = RunBinary(pasted);
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("rd-haiku-45: Creating..."));
  EXPECT_THAT(
      apply.out,
      ContainsRegex("rd-sonnet-4: Creation complete \\[arn=" + std::string(kArnRe) + "\\]"));
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Profiles: 2 added"));

  RunResult replan = Run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(replan.exit_code, 0) << replan.out << replan.err;
  EXPECT_THAT(replan.out, HasSubstr("No changes."));

  RunResult text = Run({"output"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, ContainsRegex("^inference_profile_arns = \\{\n  \"rd-haiku-45\" = \"" +
                                      std::string(kArnRe) + "\"\n  \"rd-sonnet-4\" = \"" + kArnRe +
                                      "\"\n\\}\n$"));
  RunResult one = Run({"output", "rd-haiku-45"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, ContainsRegex("^" + std::string(kArnRe) + "\n$"));
  EXPECT_THAT(text.out, HasSubstr(one.out.substr(0, one.out.size() - 1)));
  RunResult json = Run({"output", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"inference_profile_arns\""));
  EXPECT_THAT(json.out, HasSubstr(one.out.substr(0, one.out.size() - 1)));
  RunResult unknown = Run({"output", "rd-nope"});
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST_F(ManageIntegrationTest, TagChangeModelChangeAndRemoval) {
  ASSERT_EQ(AutoApply().exit_code, 0);
  const std::string sonnet_before = Run({"output", "rd-sonnet-4"}).out;

  // A tag: updated in place.
  WriteConfig(Replace(config_text_, "Owner        = \"platform-engineering\"",
                      "Owner        = \"platform-team\""));
  RunResult tag = Run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(tag.exit_code, 2) << tag.err;
  EXPECT_THAT(tag.out, HasSubstr("~ rd-haiku-45"));
  EXPECT_THAT(tag.out, HasSubstr("\"platform-engineering\" -> \"platform-team\""));
  EXPECT_THAT(tag.out, HasSubstr("Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy."));
  RunResult tagged = AutoApply();
  EXPECT_EQ(tagged.exit_code, 0) << tagged.out << tagged.err;
  EXPECT_EQ(Run({"output", "rd-sonnet-4"}).out, sonnet_before) << "in place: same ARN";

  // A model: replaced (new ARN).
  WriteConfig(Replace(config_text_,
                      "inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0\"",
                      "inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0\""));
  RunResult model = Run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(model.exit_code, 2) << model.err;
  EXPECT_THAT(model.out, HasSubstr("-/+ rd-sonnet-4"));
  EXPECT_THAT(model.out, HasSubstr("forces replacement"));
  EXPECT_THAT(model.out, HasSubstr("1 to replace"));
  ASSERT_EQ(AutoApply().exit_code, 0);
  EXPECT_NE(Run({"output", "rd-sonnet-4"}).out, sonnet_before);

  // A removal: destroyed.
  size_t begin = config_text_.find("  rd-sonnet-4 = {");
  size_t end = config_text_.find("\n  }\n", begin) + 5;
  WriteConfig(config_text_.erase(begin, end - begin));
  RunResult removal = Run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(removal.exit_code, 2) << removal.err;
  EXPECT_THAT(removal.out, HasSubstr("- rd-sonnet-4"));
  EXPECT_THAT(removal.out, HasSubstr("Plan: 0 to add, 0 to change, 0 to replace, 1 to destroy."));
  RunResult destroyed = AutoApply();
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.out << destroyed.err;
  EXPECT_THAT(destroyed.out, HasSubstr("rd-sonnet-4: Destruction complete"));
  EXPECT_EQ(Run({"plan", "--detailed-exitcode"}).exit_code, 0);
  EXPECT_THAT(Run({"output"}).out, Not(HasSubstr("rd-sonnet-4")));
}

TEST_F(ManageIntegrationTest, StaleAndChangedConfigPlansAreRefused) {
  ASSERT_EQ(Run({"plan", "--out", Plan("p1"), "--by", "alice"}).exit_code, 0);
  ASSERT_EQ(RunBinary({"approve", Plan("p1"), "--by", "bob"}).exit_code, 0);
  // Someone else creates rd-haiku-45 differently from the plan: stale (a
  // state the plan itself leads to would be resumed instead).
  const std::string full = config_text_;
  size_t begin = config_text_.find("  rd-sonnet-4 = {");
  size_t end = config_text_.find("\n  }\n", begin) + 5;
  WriteConfig(Replace(std::string(full).erase(begin, end - begin), "Claude Haiku 4.5 for research",
                      "Haiku made by someone else"));
  ASSERT_EQ(AutoApply().exit_code, 0);
  WriteConfig(full);
  RunResult stale = Run({"apply", Plan("p1")}, false);
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("changed since the plan was made"));
  EXPECT_THAT(stale.err, HasSubstr("make a new plan: `bedrock-profiles plan --config " + config_ +
                                   " --endpoint " + endpoint_ +
                                   " --principal platform-admin --out " + Plan("p1") + "`"));

  // The config changes after planning: refused too.
  ASSERT_EQ(Run({"plan", "--out", Plan("p2"), "--by", "alice"}).exit_code, 0);
  ASSERT_EQ(RunBinary({"approve", Plan("p2"), "--by", "bob"}).exit_code, 0);
  WriteConfig(Replace(config_text_, "Claude Sonnet 4 for research", "Sonnet for research"));
  RunResult changed = Run({"apply", Plan("p2")}, false);
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_THAT(changed.err, HasSubstr("changed since the plan was made; make a new plan: "
                                     "`bedrock-profiles plan --config "));
  EXPECT_THAT(Run({"output"}).out, Not(HasSubstr("rd-sonnet-4")));
}

TEST_F(ManageIntegrationTest, AnInterruptedApplyResumesWithoutDuplicates) {
  ASSERT_EQ(Run({"plan", "--out", Plan("p"), "--by", "alice"}).exit_code, 0);
  ASSERT_EQ(RunBinary({"approve", Plan("p"), "--by", "bob"}).exit_code, 0);
  {
    // Ctrl-C once the first create is done: apply stops between actions
    // (if it was quicker than the signal it simply finishes).
    ChildProcess apply(
        {"apply", Plan("p"), "--endpoint", endpoint_, "--principal", "platform-admin"});
    for (int i = 0; i < 10; ++i) {
      auto line = apply.ReadLine(seconds(20));
      if (!line || line->find("Creation complete") != std::string::npos) break;
    }
    apply.Signal(SIGINT);
    ASSERT_TRUE(apply.Wait(seconds(20)).has_value());
  }
  RunResult resumed = Run({"apply", Plan("p")}, false);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_THAT(resumed.out + resumed.err,
              ContainsRegex("already applied|Apply complete! Profiles: 1 added"));
  // Exactly the two profiles: nothing was created twice.
  RunResult after = Run({"plan", "--detailed-exitcode"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  RunResult outputs = Run({"output"});
  EXPECT_EQ(std::count(outputs.out.begin(), outputs.out.end(), '\n'), 4) << outputs.out;
  // And applying the same plan once more is a no-op resume, not a duplicate.
  RunResult again = Run({"apply", Plan("p")}, false);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("Creating...")));
}

TEST_F(ManageIntegrationTest, AnApplyThatStoppedAfterTheFirstActionIsResumed) {
  ASSERT_EQ(Run({"plan", "--out", Plan("p"), "--by", "alice"}).exit_code, 0);
  ASSERT_EQ(RunBinary({"approve", Plan("p"), "--by", "bob"}).exit_code, 0);
  // The live state after exactly the plan's first action (rd-haiku-45 as
  // planned), as an apply stopped right after it would leave it.
  const std::string full = config_text_;
  size_t begin = config_text_.find("  rd-sonnet-4 = {");
  size_t end = config_text_.find("\n  }\n", begin) + 5;
  WriteConfig(std::string(full).erase(begin, end - begin));
  ASSERT_EQ(AutoApply().exit_code, 0);
  WriteConfig(full);
  const std::string haiku = Run({"output", "rd-haiku-45"}).out;

  RunResult resumed = Run({"apply", Plan("p")}, false);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("Resuming: 1 of 2 actions were already applied"));
  EXPECT_THAT(resumed.out, Not(HasSubstr("rd-haiku-45: Creating...")));
  EXPECT_THAT(resumed.out, HasSubstr("rd-sonnet-4: Creation complete"));
  EXPECT_EQ(Run({"output", "rd-haiku-45"}).out, haiku) << "the existing profile was kept";
  EXPECT_EQ(Run({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(ManageIntegrationTest, AutoApproveIsRefusedWhileApprovalsAreRequired) {
  WriteConfig(Shipped());  // no approvals block: 1 approval required, no auto-approve
  RunResult refused = AutoApply();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--auto-approve is refused: " + config_ +
                                     " requires 1 approval of every plan (approvals = { "
                                     "required = 1 })"));
  // The reviewed flow, ready to paste, and the setting that would allow it.
  EXPECT_THAT(refused.err,
              HasSubstr("  bedrock-profiles plan --config " + config_ + " --endpoint " + endpoint_ +
                        " --principal platform-admin --out rd.plan\n"
                        "  bedrock-profiles approve rd.plan\n"
                        "  bedrock-profiles apply rd.plan --principal platform-admin"));
  EXPECT_THAT(refused.err, HasSubstr("set approvals = { required = 1, allow_auto_approve = true } "
                                     "in " +
                                     config_));
  EXPECT_THAT(refused.out, Not(HasSubstr("Creating")));

  // Refused before credentials or the network: no principal, nobody listening.
  RunResult offline = RunBinary(
      {"apply", "--auto-approve", "--config", config_, "--endpoint", "http://127.0.0.1:1"});
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_THAT(offline.err, HasSubstr("--auto-approve is refused"));

  WriteConfig(Shipped() + "approvals = { required = 2 }\n");
  RunResult two = AutoApply();
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_THAT(two.err, HasSubstr("requires 2 approvals of every plan"));

  // Nothing changed on the endpoint.
  RunResult plan = Run({"plan", "--detailed-exitcode", "--by", "alice"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("Plan: 2 to add, 0 to change"));

  // Allowed by the config: plans and applies in one step.
  WriteConfig(Shipped() + kAllowAutoApprove);
  RunResult allowed = AutoApply();
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("Apply complete! Profiles: 2 added"));
  // And required = 0 needs no review at all.
  WriteConfig(Replace(Shipped(), "Owner        = \"platform-engineering\"",
                      "Owner        = \"platform-team\"") +
              "approvals = { required = 0 }\n");
  EXPECT_EQ(AutoApply().exit_code, 0);
}

// The name getpwuid() gives the effective user: what plan and approve record
// without --by.
std::string LoginName() {
  const passwd* pw = getpwuid(geteuid());
  return pw == nullptr ? "" : pw->pw_name;
}

TEST_F(ManageIntegrationTest, PlannerAndApproverAreTheLoginNameWithoutBy) {
  const std::string login = LoginName();
  if (login.empty()) GTEST_SKIP() << "no password entry for this uid";
  // $USER says otherwise: the password database wins.
  auto as_other_user = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"USER=not-" + LoginName(), BinaryPath()});
    return RunProgram("env", args);
  };

  RunResult plan = as_other_user({"plan", "--config", config_, "--endpoint", endpoint_,
                                  "--principal", "platform-admin", "--out", Plan("mine.plan")});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(ReadFileOrDie(Plan("mine.plan")), HasSubstr("\"planned_by\": \"" + login + "\""));
  EXPECT_THAT(plan.out, HasSubstr("by someone other than " + login));
  // The planner's own approval is refused, with the way to name someone else.
  RunResult self = as_other_user({"approve", Plan("mine.plan")});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_THAT(self.err, HasSubstr("'" + login + "' made this plan and cannot approve it"));
  EXPECT_THAT(self.err, HasSubstr("--by NAME"));

  ASSERT_EQ(Run({"plan", "--out", Plan("alice.plan"), "--by", "alice"}).exit_code, 0);
  RunResult approve = as_other_user({"approve", Plan("alice.plan")});
  EXPECT_EQ(approve.exit_code, 0) << approve.err;
  EXPECT_THAT(approve.out, HasSubstr("Approved by " + login + " (1 of 1 required)"));
  EXPECT_THAT(ReadFileOrDie(Plan("alice.plan")), HasSubstr("\"by\": \"" + login + "\""));
  RunResult apply = Run({"apply", Plan("alice.plan")}, false);
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
}

}  // namespace
}  // namespace bp::testing
