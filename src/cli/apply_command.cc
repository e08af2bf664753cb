// `apply PLAN` (approved, not stale) or `apply --auto-approve` (plan and
// apply in one step). Prints each action as it starts and ends; Ctrl-C stops
// after the current action, and a new plan shows what remains.
#include <atomic>
#include <csignal>
#include <iostream>

#include "api/client/endpoint.h"
#include "api/client/http_control_plane.h"
#include "auth/credentials/credentials.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/identity.h"
#include "planner/apply.h"
#include "planner/plan.h"
#include "planner/plan_file.h"
#include "planner/render.h"

namespace bp::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnInterrupt(int) { g_stop.store(true); }

// First Ctrl-C: finish the current action, then stop. A second one kills
// (SA_RESETHAND restores the default action).
void CatchInterrupts() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

struct ApplyArgs {
  std::string plan;
  std::string config;
  ClientFlags client;
  std::string by;
  bool auto_approve = false;
};

class Progress final : public planner::ApplyObserver {
 public:
  void OnResume(size_t already, size_t total, bool partial) override {
    std::cout << planner::RenderResume(already, total, partial) << std::endl;
  }
  void OnStart(const planner::Action& action, size_t, size_t) override {
    std::cout << planner::RenderActionStart(action) << std::endl;
  }
  void OnDone(const planner::Action& action, size_t, const Status& status,
              std::string_view arn) override {
    std::cout << planner::RenderActionDone(action, status, arn) << std::endl;
  }
};

int Fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

// --auto-approve is governed by the config's approvals block; checked, and
// the applier named, before any credentials or network.
Result<std::string> CheckAutoApproveFirst(const ApplyArgs& args, const config::Config& cfg) {
  planner::Plan hint;
  hint.config_source = cfg.source;
  hint.principal = args.client.principal;
  hint.endpoint = args.client.endpoint;
  Result<api::client::ResolvedEndpoint> endpoint =
      api::client::ResolveEndpoint(api::client::Plane::kControl, args.client.endpoint, cfg.region,
                                   auth::credentials::ProcessEnv());
  if (endpoint.ok()) hint.endpoint = endpoint->endpoint.ToString();
  BP_RETURN_IF_ERROR(planner::CheckAutoApprove(cfg, hint, "rd.plan"));
  return WhoIsRunning(args.by);
}

int RunApply(const ApplyArgs& args) {
  if (args.plan.empty() == !args.auto_approve) {
    return Fail(ValidationError(args.plan.empty()
                                    ? "give a plan file (from `plan --out`), or --auto-approve "
                                      "to plan and apply in one step"
                                    : "give either a plan file or --auto-approve, not both"));
  }
  SystemClock clock;
  planner::Plan plan;
  std::string config_path = args.config;
  if (!args.plan.empty()) {
    Result<planner::Plan> loaded = planner::LoadPlanFile(args.plan);
    if (!loaded.ok()) return Fail(loaded.status());
    plan = std::move(*loaded);
    // Before credentials or the network: an unapproved plan says so first.
    if (plan.HasChanges()) {
      if (Status approved = planner::CheckApprovals(plan, args.plan); !approved.ok()) {
        return Fail(approved);
      }
    }
    if (config_path.empty()) {
      config_path = plan.config_source.ends_with("(built in)") ? "" : plan.config_source;
    }
  }
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(config_path);
  if (!loaded) return 1;
  const config::Config& cfg = loaded->config;
  std::string by;
  if (args.auto_approve) {
    Result<std::string> allowed = CheckAutoApproveFirst(args, cfg);
    if (!allowed.ok()) return Fail(allowed.status());
    by = *allowed;
  }
  Result<std::string> text = ConfigText(cfg.source);
  if (!text.ok()) return Fail(text.status());

  ClientFlags flags = args.client;
  if (!args.plan.empty() && flags.endpoint.empty()) flags.endpoint = plan.endpoint;
  auto client = MakeControlClient(flags, cfg, clock);
  if (!client.ok()) return Fail(client.status());
  api::client::HttpControlPlane endpoint(**client);

  if (args.auto_approve) {
    Result<planner::Plan> fresh = planner::PlanAgainst(cfg, loaded->catalog, endpoint,
                                                       {.planned_by = by,
                                                        .endpoint = endpoint.Describe(),
                                                        .principal = args.client.principal,
                                                        .config_text = *text},
                                                       clock);
    if (!fresh.ok()) return Fail(fresh.status());
    plan = std::move(*fresh);
    std::cout << planner::Render(plan);
    if (!plan.HasChanges()) return 0;
    std::cout << "\n";
  }

  CatchInterrupts();
  Progress progress;
  Result<planner::ApplyReport> report =
      planner::Apply(plan, endpoint,
                     {.config_text = *text,
                      .plan_path = args.plan,
                      .auto_approved = args.auto_approve,
                      .observer = &progress,
                      .should_stop = [] { return g_stop.load(); }});
  if (!report.ok()) return Fail(report.status());
  std::cout << "\n" << report->Summary() << "\n";
  return report->interrupted ? 1 : 0;
}

}  // namespace

void AddApplyCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ApplyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "apply",
      "Run an approved plan file against the endpoint it was made for: refused when it\n"
      "lacks approvals, when the config changed, or when the live profiles changed since\n"
      "(except by an earlier, interrupted apply of the same plan, which is resumed).\n"
      "Creates carry a clientRequestToken derived from the plan, so a retried or resumed\n"
      "apply never creates twice. --auto-approve plans and applies in one step, without\n"
      "review: refused while the config requires approvals (approvals.required >= 1, the\n"
      "default) unless it sets approvals = { ..., allow_auto_approve = true }.");
  cmd->add_option("PLAN", args->plan, "the plan file (from `plan --out`, approved)");
  cmd->add_option("--config", args->config,
                  "config file (default: the one the plan was made from; with --auto-approve: "
                  "the usual rule)");
  AddClientFlags(cmd, args->client);
  cmd->add_flag("--auto-approve", args->auto_approve, "plan and apply without a plan file");
  cmd->add_option("--by", args->by,
                  "with --auto-approve: who is applying (default: your login name)");
  SetHelpFooter(cmd, {.examples = "bedrock-profiles apply rd.plan --endpoint http://127.0.0.1:8700 "
                                  "--principal platform-admin",
                      .notes = "Ctrl-C stops after the current action; the state stays consistent "
                               "and a new\n`plan` shows what remains."});
  cmd->callback([args, exit_code] { *exit_code = RunApply(*args); });
}

}  // namespace bp::cli
