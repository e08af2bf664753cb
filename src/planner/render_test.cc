#include "planner/render.h"

#include "planner/planner_test_fixture.h"

namespace bp::planner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LiveProfile Existing(std::string name, Tags tags, std::optional<std::string> description = "d") {
  LiveProfile p;
  p.name = std::move(name);
  p.id = "abcdefabcdef";
  p.arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abcdefabcdef";
  p.description = std::move(description);
  p.model_arns = {"arn:aws:bedrock:eu-west-1::foundation-model/m"};
  p.tags = std::move(tags);
  return p;
}

Plan PlanOf(std::vector<Action> actions, std::vector<LiveProfile> live = {},
            std::vector<std::string> unmanaged = {}) {
  Plan plan;
  plan.endpoint = "http://127.0.0.1:8700";
  plan.config_source = "bedrock-profiles.hcl";
  plan.actions = std::move(actions);
  plan.live = std::move(live);
  plan.unmanaged = std::move(unmanaged);
  return plan;
}

TEST(RenderTest, NoChanges) {
  EXPECT_EQ(Render(PlanOf({})),
            "Endpoint: http://127.0.0.1:8700\n"
            "Config:   bedrock-profiles.hcl\n"
            "\n"
            "No changes. The live profiles match the configuration.\n");
}

TEST(RenderTest, UnmanagedProfilesAreListedBeforeTheLastLine) {
  LiveProfile manual = Existing("manual", {});
  EXPECT_EQ(Render(PlanOf({}, {manual}, {"manual"})),
            "Endpoint: http://127.0.0.1:8700\n"
            "Config:   bedrock-profiles.hcl\n"
            "\n"
            "Unmanaged profiles (left alone):\n"
            "  manual  " +
                manual.arn +
                "\n"
                "\n"
                "No changes. The live profiles match the configuration.\n");
}

TEST(RenderTest, UpdateShowsEachTagChangeAligned) {
  Action a{.kind = ActionKind::kUpdate,
           .name = "rd-x",
           .before = Existing("rd-x", {}),
           .tag_changes = {
               {"a", "1", "2"}, {"cost center", std::nullopt, "R\"D"}, {"old", "v", std::nullopt}}};
  EXPECT_EQ(Render(PlanOf({a})),
            "Endpoint: http://127.0.0.1:8700\n"
            "Config:   bedrock-profiles.hcl\n"
            "\n"
            "bedrock-profiles will perform the following actions:\n"
            "\n"
            "  # rd-x will be updated in place\n"
            "  ~ rd-x\n"
            "        arn                 = \"" +
                a.before->arn +
                "\"\n"
                "      ~ tags.a              = \"1\" -> \"2\"\n"
                "      + tags[\"cost center\"] = \"R\\\"D\"\n"
                "      - tags.old            = \"v\" -> null\n"
                "\n"
                "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.\n");
}

TEST(RenderTest, AdoptionIsExplained) {
  Action a{.kind = ActionKind::kUpdate,
           .name = "rd-x",
           .before = Existing("rd-x", {}),
           .tag_changes = {{"managed-by", std::nullopt, "bedrock-profiles"}},
           .adopt = true};
  std::string text = Render(PlanOf({a}));
  EXPECT_THAT(text, HasSubstr("# (adopted: bedrock-profiles did not create it"));
  EXPECT_THAT(text, HasSubstr("+ tags.managed-by = \"bedrock-profiles\"\n"));
}

TEST(RenderTest, ReplaceNamesTheForcingAttributes) {
  DesiredProfile after{.name = "rd-x",
                       .description = "new",
                       .copy_from = "arn:aws:bedrock:eu-west-3::foundation-model/m",
                       .models = {.arns = {"arn:aws:bedrock:eu-west-3::foundation-model/m"}}};
  Action a{.kind = ActionKind::kReplace,
           .name = "rd-x",
           .before = Existing("rd-x", {}, "old"),
           .after = after,
           .forces = {"description", "models"}};
  std::string text = Render(PlanOf({a}));
  EXPECT_THAT(text, HasSubstr("  # rd-x must be replaced\n"));
  EXPECT_THAT(text, HasSubstr("the old profile is deleted first"));
  EXPECT_THAT(text, HasSubstr("-/+ rd-x\n"));
  EXPECT_THAT(text, HasSubstr("~ description = \"old\" -> \"new\" # forces replacement\n"));
  EXPECT_THAT(text, HasSubstr("~ models      = [\n"
                              "          - \"arn:aws:bedrock:eu-west-1::foundation-model/m\",\n"
                              "          + \"arn:aws:bedrock:eu-west-3::foundation-model/m\",\n"
                              "        ] # forces replacement\n"));
  EXPECT_THAT(text, HasSubstr("(known after apply)"));
  EXPECT_THAT(text, HasSubstr("Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.\n"));
}

TEST(RenderTest, ReplaceOnlyForDescriptionShowsModelsUnchanged) {
  DesiredProfile after{.name = "rd-x", .description = "new", .copy_from = "c"};
  Action a{.kind = ActionKind::kReplace,
           .name = "rd-x",
           .before = Existing("rd-x", {}, std::nullopt),
           .after = after,
           .forces = {"description"}};
  std::string text = Render(PlanOf({a}));
  EXPECT_THAT(text, HasSubstr("+ description = \"new\" # forces replacement\n"));
  EXPECT_THAT(text, Not(HasSubstr("models      = [\n          -")));
}

TEST(RenderTest, DestroyShowsWhatGoes) {
  Action a{.kind = ActionKind::kDestroy, .name = "rd-x", .before = Existing("rd-x", {{"k", "v"}})};
  std::string text = Render(PlanOf({a}));
  EXPECT_THAT(text, HasSubstr("  # rd-x will be destroyed\n"));
  EXPECT_THAT(text,
              HasSubstr("  - rd-x\n      - arn         = \"" + a.before->arn + "\" -> null\n"));
  EXPECT_THAT(text, HasSubstr("          - \"k\" = \"v\"\n        } -> null\n"));
  EXPECT_THAT(text, HasSubstr("Plan: 0 to add, 0 to change, 0 to replace, 1 to destroy.\n"));
}

TEST(RenderTest, ControlCharactersAreEscaped) {
  Action a{.kind = ActionKind::kUpdate,
           .name = "rd-x",
           .before = Existing("rd-x", {}),
           .tag_changes = {{"k", std::nullopt, std::string("a\x01\n\\b", 5)}}};
  EXPECT_THAT(Render(PlanOf({a})), HasSubstr("+ tags.k = \"a\\x01\\n\\\\b\"\n"));
}

TEST(RenderTest, ProgressLines) {
  Action create{.kind = ActionKind::kCreate, .name = "rd-x"};
  Action update{.kind = ActionKind::kUpdate, .name = "rd-x", .before = Existing("rd-x", {})};
  Action destroy{.kind = ActionKind::kDestroy, .name = "rd-x", .before = Existing("rd-x", {})};
  EXPECT_EQ(RenderActionStart(create), "rd-x: Creating...");
  EXPECT_EQ(RenderActionDone(create, Status::Ok(), "arn:new"),
            "rd-x: Creation complete [arn=arn:new]");
  EXPECT_EQ(RenderActionStart(update), "rd-x: Modifying... [arn=" + update.before->arn + "]");
  EXPECT_EQ(RenderActionDone(destroy, Status::Ok(), ""), "rd-x: Destruction complete");
  EXPECT_EQ(RenderActionDone(create,
                             ConflictError("An inference profile named 'rd-x' already exists"), ""),
            "rd-x: Error: Conflict: An inference profile named 'rd-x' already exists");
  EXPECT_EQ(RenderResume(1, 1, false),
            "Resuming: 1 of 1 action was already applied by an earlier run.");
}

// The hints are commands to paste: every flag the next step needs, and
// nothing the plan file already carries.
TEST(RenderTest, CommandHintsNameTheFlagsTheNextCommandNeeds) {
  Plan plan = PlanOf({});
  plan.principal = "platform-admin";
  EXPECT_EQ(PlanCommandHint(plan, "rd.plan"),
            "bedrock-profiles plan --config bedrock-profiles.hcl --endpoint http://127.0.0.1:8700 "
            "--principal platform-admin --out rd.plan");
  EXPECT_EQ(ApproveCommandHint("rd.plan"), "bedrock-profiles approve rd.plan");
  EXPECT_EQ(ApplyCommandHint(plan, "rd.plan"),
            "bedrock-profiles apply rd.plan --principal platform-admin");
  // The AWS credential chain and the built-in config need no flag; no path
  // (--auto-approve) prints a placeholder.
  plan.principal.clear();
  plan.config_source = "bedrock-profiles.hcl (built in)";
  EXPECT_EQ(PlanCommandHint(plan, ""),
            "bedrock-profiles plan --endpoint http://127.0.0.1:8700 --out PLAN");
  EXPECT_EQ(ApplyCommandHint(plan, ""), "bedrock-profiles apply PLAN");
}

}  // namespace
}  // namespace bp::planner
