// `output [NAME] [--json]`: the inference_profile_arns output, as
// `terraform output` prints it, read from the endpoint's live profiles.
#include <iostream>

#include "api/client/http_control_plane.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/profile_arn.h"
#include "planner/output.h"

namespace bp::cli {

namespace {

struct OutputArgs {
  std::string name;
  std::string config;
  ClientFlags client;
  bool json = false;
};

// Without a list grant (a consumer's rights): the pinned profiles one by one,
// and the denial explained for the others.
Result<planner::Outputs> OutputsWithoutList(const config::Config& config,
                                            const api::client::BedrockClient& client,
                                            const Status& denial) {
  planner::Outputs outputs;
  std::vector<std::string> unresolved;
  for (const config::ProfileConfig& p : config.profiles) {
    if (!p.id || !HonoursPinnedIds(client.endpoint())) {
      unresolved.push_back(p.name);
      continue;
    }
    Result<std::string> arn = ConfiguredProfileArn(p, config, client);
    if (arn.ok()) {
      outputs.arns[p.name] = *arn;
    } else if (arn.status().code() == ErrorCode::kResourceNotFound) {
      outputs.missing.push_back(p.name);
    } else {
      return arn.status();
    }
  }
  if (!unresolved.empty()) return ExplainListDenial(denial, unresolved);
  return outputs;
}

int RunOutput(const OutputArgs& args) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  const config::Config& config = loaded->config;
  auto fail = [](const Status& status) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  };
  const config::ProfileConfig* named = nullptr;
  if (!args.name.empty()) {
    named = config.FindProfile(args.name);
    // Before any credentials or connection: a typo is a typo.
    if (named == nullptr) return fail(planner::NotConfiguredError(config, args.name));
  }
  SystemClock clock;
  auto client = MakeControlClient(args.client, config, clock);
  if (!client.ok()) return fail(client.status());
  if (named != nullptr) {
    Result<std::string> arn = ConfiguredProfileArn(*named, config, **client);
    if (!arn.ok()) return fail(arn.status());
    std::cout << (args.json ? planner::RenderOutputArnJson(*arn) : *arn + "\n");
    return 0;
  }
  api::client::HttpControlPlane endpoint(**client);
  Result<planner::Outputs> outputs = [&]() -> Result<planner::Outputs> {
    auto live = endpoint.ListApplicationSummaries();
    if (live.ok()) return planner::CollectOutputs(config, *live);
    if (live.status().code() != ErrorCode::kAccessDenied) return live.status();
    return OutputsWithoutList(config, **client, live.status());
  }();
  if (!outputs.ok()) return fail(outputs.status());
  for (const std::string& name : outputs->missing) {
    std::cerr << "warning: profile '" << name << "' is in the config but not on "
              << endpoint.Describe() << " (not applied yet?)\n";
  }
  std::cout << (args.json ? planner::RenderOutputsJson(outputs->arns)
                          : planner::RenderOutputsText(outputs->arns));
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
