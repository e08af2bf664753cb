// `simulate`: evaluates a configured principal's policies the way `serve`
// does (auth.md §4: a call through a profile needs the profile ARN and the
// foundation model in every destination region), explains the decision, and
// names the grant that is missing.

#include <algorithm>
#include <chrono>
#include <iostream>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/simulate_cases.h"
#include "core/arn.h"
#include "core/clock.h"
#include "json/json.h"

namespace bp::cli {

namespace {

namespace iam = auth::iam;

struct SimulateArgs {
  std::string principal;
  std::string action;
  std::string profile;
  std::string resource;
  std::string config;
  std::string cases;
  bool json = false;
};

// One evaluation: the action on one resource, with its decision.
struct Check {
  iam::Request request;
  iam::Decision decision;
};

// The requests `serve` would evaluate for this question.
Result<std::vector<iam::Request>> BuildRequests(const LoadedConfig& loaded,
                                                const config::PrincipalConfig& principal,
                                                const SimulateArgs& args) {
  const config::Config& cfg = loaded.config;
  std::vector<iam::Request> out;
  if (!args.resource.empty()) {
    auto arn = Arn::Parse(args.resource);
    std::string region = arn.ok() && !arn->region.empty() ? arn->region : cfg.region;
    out.push_back(RequestAs(principal, args.action, args.resource, region));
    return out;
  }
  const config::ProfileConfig* profile = cfg.FindProfile(args.profile);
  if (profile == nullptr) return ValidationError("no profile named '" + args.profile + "'");
  BP_ASSIGN_OR_RETURN(ProfileTarget target, ResolveProfile(loaded, *profile));
  return ProfileRequests(cfg, principal, *profile, target, args.action);
}

// The statement that would allow `c`.
json::Object MissingGrant(const Check& c) {
  return json::Object{
      {"Effect", "Allow"}, {"Action", c.request.action}, {"Resource", c.request.resource}};
}

void PrintText(const std::vector<Check>& checks, bool allowed, const SimulateArgs& args) {
  for (const Check& c : checks) {
    std::cout << (c.decision.allowed() ? "ALLOW  " : "DENY   ") << c.request.action << " on "
              << c.request.resource << "\n       " << c.decision.Describe() << "\n";
  }
  std::cout << "decision: " << (allowed ? "allowed" : "denied") << " (" << args.principal << ")\n";
  for (const Check& c : checks) {
    if (c.decision.outcome == iam::Outcome::kImplicitDeny) {
      std::cout << "missing grant: add to " << args.principal
                << "'s policy: " << json::Serialize(MissingGrant(c)) << "\n";
    } else if (c.decision.outcome == iam::Outcome::kExplicitDeny) {
      std::cout << "explicit deny: " << c.decision.Describe()
                << "; narrow or remove that statement\n";
    }
  }
}

void PrintJson(const std::vector<Check>& checks, bool allowed, const SimulateArgs& args) {
  json::Array items;
  for (const Check& c : checks) {
    json::Object item{{"action", c.request.action},
                      {"resource", c.request.resource},
                      {"decision", iam::OutcomeName(c.decision.outcome)},
                      {"explanation", c.decision.Describe()}};
    if (c.decision.statement != nullptr) item["statement"] = c.decision.statement->Name();
    if (c.decision.outcome == iam::Outcome::kImplicitDeny) {
      item["missingGrant"] = MissingGrant(c);
    }
    items.push_back(std::move(item));
  }
  json::Object out{{"principal", args.principal},
                   {"action", args.action},
                   {"decision", allowed ? "allow" : "deny"},
                   {"checks", std::move(items)}};
  std::cout << json::Serialize(out) << "\n";
}

int RunSimulate(const SimulateArgs& args) {
  if (!args.cases.empty()) {
    if (!args.principal.empty() || !args.action.empty() || !args.profile.empty() ||
        !args.resource.empty() || !args.config.empty()) {
      std::cerr << "error: --cases takes its policies and requests from the case files; it "
                   "cannot be combined with --principal, --action, --profile, --resource or "
                   "--config\n";
      return 1;
    }
    return RunSimulateCases(args.cases, args.json);
  }
  if (args.principal.empty() || args.action.empty()) {
    std::cerr << "error: give --principal NAME and --action ACTION (or --cases PATH)\n";
    return 1;
  }
  if (args.profile.empty() == args.resource.empty()) {
    std::cerr << "error: give exactly one of --profile NAME or --resource ARN\n";
    return 1;
  }
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  const config::PrincipalConfig* principal = loaded->config.FindPrincipal(args.principal);
  if (principal == nullptr) {
    std::cerr << "error: no principal named '" << args.principal << "'\n";
    return 1;
  }
  std::vector<iam::Policy> policies;
  for (const config::PolicyDocument& doc : principal->policies) {
    auto policy = iam::ParsePolicy(doc.text, doc.origin);
    if (!policy.ok()) {
      std::cerr << "error: " << policy.status().ToString() << "\n";
      return 1;
    }
    policies.push_back(std::move(policy).value());
  }
  std::vector<const iam::Policy*> pointers;
  for (const iam::Policy& p : policies) pointers.push_back(&p);

  auto requests = BuildRequests(*loaded, *principal, args);
  if (!requests.ok()) {
    std::cerr << "error: " << requests.status().ToString() << "\n";
    return 1;
  }
  std::vector<Check> checks;
  for (iam::Request& r : *requests) {
    iam::Decision d = iam::Evaluate(pointers, r);
    checks.push_back(Check{std::move(r), d});
  }
  bool allowed = std::all_of(checks.begin(), checks.end(),
                             [](const Check& c) { return c.decision.allowed(); });
  if (args.json) {
    PrintJson(checks, allowed, args);
  } else {
    PrintText(checks, allowed, args);
  }
  return allowed ? 0 : 2;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Evaluate a configured principal's IAM policies for ACTION on a profile (checking,\n"
      "for invoke actions, the profile ARN and its foundation model in every destination\n"
      "region, as serve does) or on one resource ARN. Prints each check, the statement that\n"
      "decided and, when denied, the grant that is missing. Exit 0 allowed, 2 denied, 1 error.\n"
      "With --cases PATH it instead decides IAM case files (one file, or each *.json of a\n"
      "folder), each holding policies and one request (principal, action, resource, context\n"
      "keys) in the format of the IAM golden cases (docs/auth.md), and prints each file's\n"
      "decision and deciding statement; a case's optional \"expect\" is checked. Exit 0 all\n"
      "decided as expected, 2 some decision differs from its expect, 1 some file not decided.");
  cmd->add_option("--principal", args->principal, "principal name from the config");
  cmd->add_option("--action", args->action, "e.g. bedrock:InvokeModel");
  cmd->add_option("--profile", args->profile, "profile name, e.g. rd-haiku-45");
  cmd->add_option("--resource", args->resource, "a resource ARN");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  cmd->add_option("--cases", args->cases, "an IAM case file, or a folder of them");
  cmd->add_flag("--json", args->json,
                "machine-readable output (with --cases: one JSON object a line)");
  SetHelpFooter(cmd, {.examples = "bedrock-profiles simulate --principal rd-e2e --action "
                                  "bedrock:InvokeModel --profile rd-haiku-45\n"
                                  "bedrock-profiles simulate --cases tests/golden/iam/cases --json",
                      .exit_status = "2 when denied (with --cases: when a decision differs from "
                                     "a case's expect), 1 on any other error"});
  cmd->callback([args, exit_code] { *exit_code = RunSimulate(*args); });
}

}  // namespace bp::cli
