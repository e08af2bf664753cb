#include <iostream>
#include <utility>

#include "auth/iam/consumer_policy.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "json/json.h"

namespace bp::cli {

namespace {

struct PolicyArgs {
  std::string name;
  std::string config;
  bool json = false;
};

int RunPolicy(const PolicyArgs& args) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  const config::ProfileConfig* profile = loaded->config.FindProfile(args.name);
  if (profile == nullptr) {
    std::cerr << "error: no profile named '" << args.name << "' in " << loaded->config.source
              << "; configured:";
    for (const auto& p : loaded->config.profiles) std::cerr << " " << p.name;
    std::cerr << "\n";
    return 1;
  }
  auto target = ResolveProfile(*loaded, *profile);
  if (!target.ok()) {
    std::cerr << "error: " << target.status().ToString() << "\n";
    return 1;
  }
  auto json = auth::iam::ConsumerPolicyJson(target->arn, target->model_id);
  if (!json.ok()) {
    std::cerr << "error: " << json.status().ToString() << "\n";
    return 1;
  }
  if (!args.json) {
    std::cout << *json;
    return 0;
  }
  // The generator's own output; parsed through bp_json all the same, so a bug
  // there is an error line, not an exception.
  auto policy = json::Parse(*json);
  if (!policy.ok()) {
    std::cerr << "error: the generated policy is not JSON: " << policy.status().ToString() << "\n";
    return 1;
  }
  json::Object out{{"profile", args.name},
                   {"profileArn", target->arn},
                   {"modelId", target->model_id},
                   {"policy", std::move(*policy)}};
  std::cout << json::Serialize(out) << "\n";
  return 0;
}

}  // namespace

void AddPolicyCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PolicyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "policy",
      "Print the IAM policy a consumer of profile NAME needs (the seed's two statements:\n"
      "invoke on the profile ARN, and on its foundation model in any region), as JSON.");
  cmd->add_option("NAME", args->name, "profile name, e.g. rd-haiku-45")->required();
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  cmd->add_flag("--json", args->json,
                "one JSON object: profile, profileArn, modelId and the policy");
  SetHelpFooter(cmd, {.examples = "bedrock-profiles policy rd-haiku-45 > rd-haiku-45-policy.json"});
  cmd->callback([args, exit_code] { *exit_code = RunPolicy(*args); });
}

}  // namespace bp::cli
