// `output [NAME] [--json]`: the inference_profile_arns output, as
// `terraform output` prints it, read from the endpoint's live profiles.
#include <iostream>

#include "api/client/http_control_plane.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "planner/output.h"

namespace bp::cli {

namespace {

struct OutputArgs {
  std::string name;
  std::string config;
  ClientFlags client;
  bool json = false;
};

int RunOutput(const OutputArgs& args) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  SystemClock clock;
  auto client = MakeControlClient(args.client, loaded->config, clock);
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return 1;
  }
  api::client::HttpControlPlane endpoint(**client);
  auto live = endpoint.ListApplicationProfiles();
  if (!live.ok()) {
    std::cerr << "error: " << live.status().message() << "\n";
    return 1;
  }
  planner::Outputs outputs = planner::CollectOutputs(loaded->config, *live);
  if (!args.name.empty()) {
    Result<std::string> arn = planner::OutputArn(outputs, args.name);
    if (!arn.ok()) {
      std::cerr << "error: " << arn.status().message() << "\n";
      return 1;
    }
    std::cout << (args.json ? planner::RenderOutputArnJson(*arn) : *arn + "\n");
    return 0;
  }
  for (const std::string& name : outputs.missing) {
    std::cerr << "warning: profile '" << name << "' is in the config but not on "
              << endpoint.Describe() << " (not applied yet?)\n";
  }
  std::cout << (args.json ? planner::RenderOutputsJson(outputs.arns)
                          : planner::RenderOutputsText(outputs.arns));
  return 0;
}

}  // namespace

void AddOutputCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<OutputArgs>();
  CLI::App* cmd = app.add_subcommand(
      "output",
      "Print the inference_profile_arns output (profile name -> ARN) of the configured\n"
      "profiles as the endpoint has them; with NAME, only that ARN, for\n"
      "  export BEDROCK_INFERENCE_PROFILE_ARN=$(bedrock-profiles output rd-haiku-45)");
  cmd->add_option("NAME", args->name, "one profile: print only its ARN");
  cmd->add_flag("--json", args->json, "JSON, as `terraform output -json`");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  AddClientFlags(cmd, args->client);
  SetHelpFooter(cmd, {.examples = "bedrock-profiles output --endpoint http://127.0.0.1:8700 "
                                  "--principal platform-admin\n"
                                  "export BEDROCK_INFERENCE_PROFILE_ARN=$(bedrock-profiles output "
                                  "rd-haiku-45 --endpoint http://127.0.0.1:8700 --principal "
                                  "platform-admin)"});
  cmd->callback([args, exit_code] { *exit_code = RunOutput(*args); });
}

}  // namespace bp::cli
