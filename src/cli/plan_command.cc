// `plan`: compare the config with the endpoint's live profiles and print
// what apply would do; --out writes the plan file that approve and apply use.
#include <iostream>

#include "api/client/http_control_plane.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/identity.h"
#include "planner/plan.h"
#include "planner/plan_file.h"
#include "planner/render.h"

namespace bp::cli {

namespace {

struct PlanArgs {
  std::string config;
  ClientFlags client;
  std::string out;
  std::string by;
  bool detailed_exitcode = false;
};

int RunPlan(const PlanArgs& args) {
  Result<std::string> planned_by = WhoIsRunning(args.by);
  if (!planned_by.ok()) {
    std::cerr << "error: " << planned_by.status().message() << "\n";
    return 1;
  }
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  const config::Config& cfg = loaded->config;
  Result<std::string> text = ConfigText(cfg.source);
  if (!text.ok()) {
    std::cerr << "error: " << text.status().message() << "\n";
    return 1;
  }
  SystemClock clock;
  auto client = MakeControlClient(args.client, cfg, clock);
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return 1;
  }
  api::client::HttpControlPlane endpoint(**client);
  std::cerr << "Reading the live profiles from " << endpoint.Describe() << " ...\n";
  Result<planner::Plan> plan = planner::PlanAgainst(cfg, loaded->catalog, endpoint,
                                                    {.planned_by = *planned_by,
                                                     .endpoint = endpoint.Describe(),
                                                     .principal = args.client.principal,
                                                     .config_text = *text},
                                                    clock);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return 1;
  }
  std::cout << planner::Render(*plan);
  if (!args.out.empty()) {
    Status saved = planner::SavePlanFile(args.out, *plan);
    if (!saved.ok()) {
      std::cerr << "error: " << saved.message() << "\n";
      return 1;
    }
    std::cout << "\nSaved the plan to: " << args.out << "\n";
    if (plan->HasChanges()) {
      std::cout << "It needs " << plan->required_approvals << " approval(s) by someone other than "
                << plan->planned_by << ":\n  " << planner::ApproveCommandHint(args.out)
                << "\nthen:\n  " << planner::ApplyCommandHint(*plan, args.out) << "\n";
    }
  }
  if (args.detailed_exitcode && plan->HasChanges()) return 2;
  return 0;
}

}  // namespace

void AddPlanCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Compare the config with the live application inference profiles of an endpoint\n"
      "(the local serve or AWS) and print the changes apply would make: + create,\n"
      "~ update tags in place, -/+ replace (Bedrock cannot change model or description),\n"
      "- destroy (only profiles this tool created; others are listed as unmanaged).");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  AddClientFlags(cmd, args->client);
  cmd->add_option("--out", args->out, "write the plan file for `approve` and `apply`");
  cmd->add_option("--by", args->by,
                  "who is planning (default: your login name); approvers must differ");
  cmd->add_flag("--detailed-exitcode", args->detailed_exitcode,
                "exit 0 when there are no changes, 2 when there are, 1 on error");
  SetHelpFooter(cmd,
                {.examples = "bedrock-profiles plan --endpoint http://127.0.0.1:8700 "
                             "--principal platform-admin \\\n"
                             "    --out rd.plan",
                 .exit_status = "1 on any other error; with --detailed-exitcode 2 when there are "
                                "changes"});
  cmd->callback([args, exit_code] { *exit_code = RunPlan(*args); });
}

}  // namespace bp::cli
