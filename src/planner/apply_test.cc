#include "planner/apply.h"

#include <memory>

#include "planner/planner_test_fixture.h"
#include "planner/render.h"

namespace bp::planner {
namespace {

using ::bp::testing::FakeClock;
using ::bp::testing::StatusIs;
using testing::BuiltinCatalog;
using testing::ConfigText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Live;
using testing::LoadConfig;
using testing::ProfileSpec;
using testing::SeedProfiles;

Tags Managed(Tags tags) {
  tags.insert_or_assign(std::string(kManagementTagKey), std::string(kManagementTagValue));
  return tags;
}

// Records observer calls as text.
class RecordingObserver final : public ApplyObserver {
 public:
  void OnResume(size_t already_applied, size_t total, bool partial) override {
    events.push_back(RenderResume(already_applied, total, partial));
  }
  void OnStart(const Action& action, size_t, size_t) override {
    ++started;
    events.push_back(RenderActionStart(action));
  }
  void OnDone(const Action& action, size_t, const Status& status, std::string_view arn) override {
    events.push_back(RenderActionDone(action, status, arn));
  }
  size_t started = 0;
  std::vector<std::string> events;
};

// An endpoint and a config that need every kind of action:
//   create rd-create; update rd-update (Tag + Untag); replace rd-replace
//   (Delete + Create); destroy rd-destroy; team-x unmanaged, untouched.
// Six steps (control-plane calls) after the List.
struct World {
  World() : cp(BuiltinCatalog(), MemoryControlPlaneOptions{}) {
    cp.Insert(Live("rd-update", std::string(testing::kHaikuModel), "Claude Haiku 4.5 for research",
                   Managed({{"Environment", "prod"}, {"billing-mode", "rd"}, {"Old", "x"}})));
    cp.Insert(Live("rd-replace", std::string(testing::kHaikuModel), "Old",
                   Managed({{"Environment", "rd"}, {"billing-mode", "rd"}})));
    cp.Insert(Live("rd-destroy", std::string(testing::kHaikuModel), std::nullopt, Managed({})));
    cp.Insert(Live("team-x", std::string(testing::kSonnetModel), std::nullopt, {{"Team", "x"}}));
    text = ConfigText({{"rd-create", ProfileSpec{}},
                       {"rd-update", ProfileSpec{}},
                       {"rd-replace", ProfileSpec{}}});
    plan = Replan();
  }

  Plan Replan() {
    Result<config::Config> config = LoadConfig(text);
    EXPECT_OK(config);
    Result<Plan> p = PlanAgainst(*config, BuiltinCatalog(), cp,
                                 PlanOptions{.planned_by = "bob", .config_text = text}, clock);
    EXPECT_OK(p);
    return p.ok() ? std::move(*p) : Plan{};
  }

  Result<ApplyReport> Run(ApplyObserver* observer = nullptr,
                          std::function<bool()> should_stop = {}) {
    return Apply(plan, cp,
                 ApplyOptions{.config_text = text,
                              .auto_approved = true,
                              .observer = observer,
                              .should_stop = std::move(should_stop)});
  }

  // The end state: nothing left to do, team-x as it was, one create per
  // created profile.
  void ExpectDone() {
    EXPECT_FALSE(Replan().HasChanges()) << Render(Replan());
    std::vector<LiveProfile> profiles = cp.Profiles();
    ASSERT_EQ(profiles.size(), 4u);
    EXPECT_EQ(profiles[3].name, "team-x");
    EXPECT_EQ(profiles[3].tags, (Tags{{"Team", "x"}}));
    EXPECT_EQ(cp.profiles_created(), 2u) << "rd-create and rd-replace, once each";
  }

  FakeClock clock;
  MemoryControlPlane cp;
  std::string text;
  Plan plan;
};

std::vector<std::string> Mutations(const MemoryControlPlane& cp) {
  std::vector<std::string> out;
  for (const std::string& entry : cp.log()) {
    if (entry != "List") out.push_back(entry.substr(0, entry.find(' ')));
  }
  return out;
}

TEST(ApplyTest, RunsEveryKindInPlanOrderAndEndsAtTheDesiredState) {
  World w;
  std::vector<std::string> kinds;
  for (const Action& a : w.plan.actions) kinds.push_back(a.name);
  ASSERT_THAT(kinds, ElementsAre("rd-create", "rd-update", "rd-replace", "rd-destroy"));
  RecordingObserver observer;
  Result<ApplyReport> report = w.Run(&observer);
  ASSERT_OK(report);
  EXPECT_EQ(report->applied, 4u);
  EXPECT_EQ(report->already_applied, 0u);
  EXPECT_FALSE(report->interrupted);
  EXPECT_EQ(report->Summary(),
            "Apply complete! Profiles: 1 added, 1 changed, 1 replaced, 1 destroyed.");
  EXPECT_THAT(Mutations(w.cp), ElementsAre("Create", "Tag", "Untag", "Delete", "Create", "Delete"));
  EXPECT_EQ(report->created_arns.size(), 2u);
  w.ExpectDone();
  ASSERT_EQ(observer.events.size(), 8u);
  EXPECT_EQ(observer.events[0], "rd-create: Creating...");
  EXPECT_EQ(observer.events[1],
            "rd-create: Creation complete [arn=" + report->created_arns.at("rd-create") + "]");
  EXPECT_THAT(observer.events[7], "rd-destroy: Destruction complete");
}

TEST(ApplyTest, CreatesSendTheDeterministicToken) {
  World w;
  ASSERT_OK(w.Run());
  std::vector<std::string> creates;
  for (const std::string& entry : w.cp.log()) {
    if (entry.rfind("Create", 0) == 0) creates.push_back(entry);
  }
  EXPECT_THAT(creates,
              ElementsAre("Create rd-create token=" + ClientRequestToken(w.plan.plan_digest, 0),
                          "Create rd-replace token=" + ClientRequestToken(w.plan.plan_digest, 2)));
}

TEST(ApplyTest, ApplyingACompletedPlanAgainDoesNothing) {
  World w;
  ASSERT_OK(w.Run());
  size_t calls = w.cp.calls();
  RecordingObserver observer;
  Result<ApplyReport> again = w.Run(&observer);
  ASSERT_OK(again);
  EXPECT_EQ(again->already_applied, 4u);
  EXPECT_EQ(again->applied, 0u);
  EXPECT_EQ(w.cp.calls(), calls + 1) << "one List, nothing else";
  EXPECT_THAT(observer.events,
              ElementsAre("Resuming: 4 of 4 actions were already applied by an earlier run."));
  w.ExpectDone();
}

// Ctrl-C between actions, after each possible number of actions, then a
// second apply of the same plan.
TEST(ApplyTest, ResumesAfterAnInterruptionAtEveryAction) {
  for (size_t k = 0; k <= 4; ++k) {
    SCOPED_TRACE("interrupted after " + std::to_string(k) + " actions");
    World w;
    RecordingObserver first;
    Result<ApplyReport> r1 = w.Run(&first, [&] { return first.started >= k; });
    ASSERT_OK(r1);
    EXPECT_EQ(r1->applied, k);
    EXPECT_EQ(r1->interrupted, k < 4);
    if (k < 4)
      EXPECT_THAT(r1->Summary(), HasSubstr("interrupted after " + std::to_string(k) + " of 4"));

    // What remains is exactly what a new plan shows.
    EXPECT_EQ(w.Replan().actions.size(), 4 - k);

    RecordingObserver second;
    Result<ApplyReport> r2 = w.Run(&second);
    ASSERT_OK(r2);
    EXPECT_EQ(r2->already_applied, k);
    EXPECT_EQ(r2->applied, 4 - k);
    EXPECT_EQ(second.started, 4 - k);
    w.ExpectDone();
  }
}

// A failing call at every position, before or after it took effect (a lost
// answer), then applies of the same plan until one succeeds.
TEST(ApplyTest, ResumesAfterAFailedCallAtEveryPosition) {
  for (bool after_effect : {false, true}) {
    for (size_t n = 1; n <= 7; ++n) {
      SCOPED_TRACE("call " + std::to_string(n) + (after_effect ? " fails after effect" : " fails"));
      World w;
      w.cp.FailCall(n, Status(ErrorCode::kServiceUnavailable, "injected"), after_effect);
      Result<ApplyReport> r1 = w.Run();
      ASSERT_THAT(r1, StatusIs(ErrorCode::kServiceUnavailable));
      if (n > 1) {
        EXPECT_THAT(r1.status().message(), HasSubstr("failed: ServiceUnavailable: injected."));
        EXPECT_THAT(r1.status().message(), HasSubstr("Apply this plan again"));
      }
      RecordingObserver second;
      Result<ApplyReport> r2 = w.Run(&second);
      ASSERT_OK(r2);
      w.ExpectDone();
    }
  }
}

// Delegates to a MemoryControlPlane but leaves one profile out of the next
// listing, like an eventually consistent endpoint right after a create.
class LaggingControlPlane final : public ControlPlane {
 public:
  explicit LaggingControlPlane(MemoryControlPlane& inner) : inner_(inner) {}
  Result<std::vector<LiveProfile>> ListApplicationProfiles() override {
    BP_ASSIGN_OR_RETURN(std::vector<LiveProfile> live, inner_.ListApplicationProfiles());
    std::erase_if(live, [&](const LiveProfile& p) { return p.name == hide_once; });
    hide_once.clear();
    return live;
  }
  Result<std::string> Create(const CreateRequest& r) override { return inner_.Create(r); }
  Status Delete(const std::string& arn) override { return inner_.Delete(arn); }
  Status Tag(const std::string& arn, const Tags& t) override { return inner_.Tag(arn, t); }
  Status Untag(const std::string& arn, const std::vector<std::string>& k) override {
    return inner_.Untag(arn, k);
  }
  std::string Describe() const override { return inner_.Describe(); }
  std::string hide_once;

 private:
  MemoryControlPlane& inner_;
};

TEST(ApplyTest, TheTokenMakesARepeatedCreateHarmless) {
  World w;
  LaggingControlPlane lagging(w.cp);
  w.cp.FailCall(2, Status(ErrorCode::kServiceUnavailable, "timeout"), /*after_effect=*/true);
  ASSERT_THAT(Apply(w.plan, lagging, ApplyOptions{.config_text = w.text, .auto_approved = true}),
              StatusIs(ErrorCode::kServiceUnavailable));
  // The retry does not see rd-create yet, so it creates it again: the same
  // token makes the endpoint answer with the original profile.
  lagging.hide_once = "rd-create";
  Result<ApplyReport> retry =
      Apply(w.plan, lagging, ApplyOptions{.config_text = w.text, .auto_approved = true});
  ASSERT_OK(retry);
  EXPECT_EQ(retry->applied, 4u);
  w.ExpectDone();
}

TEST(ApplyTest, AReplaceHalfDoneIsFinishedOnResume) {
  World w;
  w.cp.FailCall(6, Status(ErrorCode::kThrottling, "slow down"));  // rd-replace's Create
  Result<ApplyReport> r1 = w.Run();
  ASSERT_THAT(r1, StatusIs(ErrorCode::kThrottling));
  EXPECT_THAT(r1.status().message(),
              HasSubstr("rd-replace: replace failed: Throttling: slow down. The old profile is "
                        "already deleted; the new one is not created yet. 2 of 4 actions were "
                        "applied before it"));
  RecordingObserver second;
  ASSERT_OK(w.Run(&second));
  ASSERT_GE(second.events.size(), 1u);
  EXPECT_EQ(second.events[0],
            "Resuming: 2 of 4 actions were already applied by an earlier run. The next one was "
            "partly applied; it continues where it stopped.");
  EXPECT_THAT(Mutations(w.cp),
              ElementsAre("Create", "Tag", "Untag", "Delete", "Create", "Create", "Delete"));
  w.ExpectDone();
}

TEST(ApplyTest, RefusesWithoutTheRequiredApprovals) {
  World w;
  w.text = ConfigText({{"rd-create", ProfileSpec{}}}, /*required_approvals=*/2);
  w.plan = w.Replan();
  const size_t calls = w.cp.calls();
  ApplyOptions options{.config_text = w.text};
  Result<ApplyReport> r = Apply(w.plan, w.cp, options);
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("needs 2 approvals and has none"));
  EXPECT_THAT(r.status().message(), HasSubstr("'bob' (who made it)"));

  ASSERT_OK(Approve(w.plan, "alice", w.clock));
  r = Apply(w.plan, w.cp, options);
  EXPECT_THAT(r.status().message(), HasSubstr("needs 2 approvals and has 1 (alice)"));
  EXPECT_TRUE(Mutations(w.cp).empty());
  EXPECT_EQ(w.cp.calls(), calls) << "refused before listing";

  ASSERT_OK(Approve(w.plan, "carol", w.clock));
  EXPECT_OK(Apply(w.plan, w.cp, options));
}

TEST(ApplyTest, ApprovalsOfTheZeroRequirementAndAutoApprove) {
  World w;
  w.text = ConfigText({{"rd-create", ProfileSpec{}}}, /*required_approvals=*/0);
  w.plan = w.Replan();
  EXPECT_OK(Apply(w.plan, w.cp, ApplyOptions{.config_text = w.text}));

  World v;
  EXPECT_THAT(Apply(v.plan, v.cp, ApplyOptions{.config_text = v.text}),
              StatusIs(ErrorCode::kValidation));
  EXPECT_OK(Apply(v.plan, v.cp, ApplyOptions{.config_text = v.text, .auto_approved = true}));
}

TEST(ApplyTest, AutoApproveIsRefusedWhileApprovalsAreRequiredUnlessAllowed) {
  config::Config config;
  config.source = "org.hcl";
  Plan hint;
  hint.config_source = "org.hcl";
  hint.endpoint = "http://127.0.0.1:8700";
  hint.principal = "platform-admin";
  Status refused = CheckAutoApprove(config, hint, "rd.plan");  // the default: 1 required
  EXPECT_THAT(refused, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(refused.message(),
            "--auto-approve is refused: org.hcl requires 1 approval of every plan (approvals = { "
            "required = 1 }), and --auto-approve would apply changes nobody reviewed.\n"
            "Make a plan, have someone other than you approve it, then apply it:\n"
            "  bedrock-profiles plan --config org.hcl --endpoint http://127.0.0.1:8700 "
            "--principal platform-admin --out rd.plan\n"
            "  bedrock-profiles approve rd.plan\n"
            "  bedrock-profiles apply rd.plan --principal platform-admin\n"
            "To allow unreviewed applies anyway, set approvals = { required = 1, "
            "allow_auto_approve = true } in org.hcl.");
  config.required_approvals = 2;
  EXPECT_THAT(CheckAutoApprove(config, hint, "rd.plan").message(),
              ::testing::HasSubstr("requires 2 approvals of every plan"));
  config.allow_auto_approve = true;
  EXPECT_OK(CheckAutoApprove(config, hint, "rd.plan"));
  config.allow_auto_approve = false;
  config.required_approvals = 0;
  EXPECT_OK(CheckAutoApprove(config, hint, "rd.plan"));
}

TEST(ApplyTest, RefusesWhenTheConfigChanged) {
  World w;
  Result<ApplyReport> r = Apply(
      w.plan, w.cp, ApplyOptions{.config_text = w.text + "# edited\n", .auto_approved = true});
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(),
              HasSubstr("config (test.hcl) changed since the plan was made; make a new plan: "
                        "`bedrock-profiles plan --config test.hcl --endpoint memory://bedrock "
                        "--out PLAN`"));
  EXPECT_TRUE(Mutations(w.cp).empty());
}

TEST(ApplyTest, RefusesAnotherEndpoint) {
  World w;
  MemoryControlPlane other(BuiltinCatalog(),
                           MemoryControlPlaneOptions{.endpoint = "memory://other"});
  Result<ApplyReport> r =
      Apply(w.plan, other, ApplyOptions{.config_text = w.text, .auto_approved = true});
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("made against memory://bedrock"));
  EXPECT_EQ(other.calls(), 0u);
}

TEST(ApplyTest, RefusesAStalePlanNamingWhatDiffers) {
  World w;
  ASSERT_OK(w.cp.Tag(w.cp.Profiles()[3].arn, {{"Team", "y"}}));  // team-x, by someone else
  size_t calls = w.cp.calls();
  Result<ApplyReport> r = w.Run();
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("changed since the plan was made"));
  EXPECT_THAT(r.status().message(), HasSubstr("make a new plan: `bedrock-profiles plan "));
  EXPECT_THAT(r.status().message(), HasSubstr("team-x: tags differ (Team)"));
  EXPECT_EQ(w.cp.calls(), calls + 1) << "only the List";

  World v;
  v.cp.Insert(Live("rd-surprise"));
  r = v.Run();
  EXPECT_THAT(r.status().message(), HasSubstr("rd-surprise: new"));
}

TEST(ApplyTest, ActsOnTheArnTheEndpointReportsNow) {
  World w;
  // rd-update recreated out of band with identical attributes: not stale,
  // but its ARN changed.
  LiveProfile old = w.cp.Profiles()[2];
  ASSERT_EQ(old.name, "rd-update");
  ASSERT_OK(w.cp.Delete(old.arn));
  old.id.clear();
  old.arn.clear();
  std::string fresh = w.cp.Insert(old);
  ASSERT_OK(w.Run());
  bool tagged_fresh = false;
  for (const std::string& e : w.cp.log()) tagged_fresh |= e == "Tag " + fresh;
  EXPECT_TRUE(tagged_fresh);
  w.ExpectDone();
}

TEST(ApplyTest, APlanWithoutChangesCallsNothing) {
  World w;
  ASSERT_OK(w.Run());
  Plan empty = w.Replan();
  ASSERT_FALSE(empty.HasChanges());
  size_t calls = w.cp.calls();
  Result<ApplyReport> r = Apply(empty, w.cp, ApplyOptions{.config_text = w.text});
  ASSERT_OK(r);
  EXPECT_EQ(r->total, 0u);
  EXPECT_EQ(w.cp.calls(), calls);
}

TEST(ApplyTest, RefusesAPlanChangedInMemory) {
  World w;
  w.plan.actions[0].after->copy_from = "arn:aws:bedrock:eu-west-1::foundation-model/x";
  Result<ApplyReport> r = w.Run();
  EXPECT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(), HasSubstr("tampered"));
  EXPECT_TRUE(Mutations(w.cp).empty());
}

TEST(ApplyTest, SeedFromEmptyThenTagModelAndRemovalChanges) {
  FakeClock clock;
  MemoryControlPlane cp(BuiltinCatalog(), MemoryControlPlaneOptions{});
  auto plan_and_apply = [&](const std::string& text) -> Plan {
    Result<config::Config> config = LoadConfig(text);
    EXPECT_OK(config);
    Result<Plan> plan = PlanAgainst(*config, BuiltinCatalog(), cp,
                                    PlanOptions{.planned_by = "bob", .config_text = text}, clock);
    EXPECT_OK(plan);
    EXPECT_OK(Approve(*plan, "alice", clock));
    EXPECT_OK(Apply(*plan, cp, ApplyOptions{.config_text = text}));
    Result<Plan> again = PlanAgainst(*config, BuiltinCatalog(), cp,
                                     PlanOptions{.planned_by = "bob", .config_text = text}, clock);
    EXPECT_OK(again);
    EXPECT_FALSE(again->HasChanges()) << Render(*again);
    return *plan;
  };
  auto profiles = SeedProfiles();
  Plan p = plan_and_apply(ConfigText(profiles));
  EXPECT_EQ(RenderSummaryLine(p), "Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy.");
  std::string haiku_arn = cp.Profiles()[0].arn;

  profiles["rd-haiku-45"].tags["Team"] = "ml";
  p = plan_and_apply(ConfigText(profiles));
  EXPECT_EQ(RenderSummaryLine(p), "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.");
  EXPECT_EQ(cp.Profiles()[0].arn, haiku_arn) << "in place";

  profiles["rd-haiku-45"].model_arn = std::string(testing::kSonnetSource);
  p = plan_and_apply(ConfigText(profiles));
  EXPECT_EQ(RenderSummaryLine(p), "Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.");
  EXPECT_NE(cp.Profiles()[0].arn, haiku_arn) << "replaced";

  profiles.erase("rd-haiku-45");
  p = plan_and_apply(ConfigText(profiles));
  EXPECT_EQ(RenderSummaryLine(p), "Plan: 0 to add, 0 to change, 0 to replace, 1 to destroy.");
  ASSERT_EQ(cp.Profiles().size(), 1u);
  EXPECT_EQ(cp.Profiles()[0].name, "rd-sonnet-4");
}

}  // namespace
}  // namespace bp::planner
