// `approve PLAN [--by NAME]`: record an approval in the plan file, by
// --by or else the login name.
#include <iostream>

#include "cli/commands.h"
#include "cli/help.h"
#include "cli/identity.h"
#include "planner/plan.h"
#include "planner/plan_file.h"
#include "planner/render.h"

namespace bp::cli {

namespace {

struct ApproveArgs {
  std::string plan;
  std::string by;
};

int RunApprove(const ApproveArgs& args) {
  Result<planner::Plan> plan = planner::LoadPlanFile(args.plan);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return 1;
  }
  Result<std::string> by = WhoIsRunning(args.by);
  if (!by.ok()) {
    std::cerr << "error: " << by.status().message() << "\n";
    return 1;
  }
  SystemClock clock;
  Status approved = planner::Approve(*plan, *by, clock);
  if (!approved.ok()) {
    std::cerr << "error: " << approved.message() << "\n";
    if (args.by.empty()) {
      std::cerr << "(the approver's name '" << *by
                << "' is your login name; to approve for someone else, give --by NAME)\n";
    }
    return 1;
  }
  Status saved = planner::SavePlanFile(args.plan, *plan);
  if (!saved.ok()) {
    std::cerr << "error: " << saved.message() << "\n";
    return 1;
  }
  const size_t have = planner::Approvers(*plan).size();
  std::cout << "Approved by " << *by << " (" << have << " of " << plan->required_approvals
            << " required).\n";
  if (have >= plan->required_approvals) {
    std::cout << "Ready: " << planner::ApplyCommandHint(*plan, args.plan) << "\n";
  }
  return 0;
}

}  // namespace

void AddApproveCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ApproveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "approve",
      "Record your approval in a plan file written by `plan --out`, under your login\n"
      "name (or --by NAME). The planner cannot approve their own plan; `apply` needs\n"
      "the config's approvals.required (default 1).");
  cmd->add_option("PLAN", args->plan, "the plan file")->required();
  cmd->add_option("--by", args->by, "who approves (default: your login name)");
  SetHelpFooter(cmd, {.examples = "bedrock-profiles approve rd.plan              # as yourself\n"
                                  "bedrock-profiles approve rd.plan --by alice"});
  cmd->callback([args, exit_code] { *exit_code = RunApprove(*args); });
}

}  // namespace bp::cli
