#include <filesystem>
#include <iostream>
#include <optional>

#include "auth/iam/policy_parser.h"
#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "config/load.h"

namespace bp::cli {

namespace {

struct ValidateArgs {
  std::string config;
};

int RunValidate(const ValidateArgs& args) {
  auto catalog = catalog::Catalog::Builtin();
  if (!catalog.ok()) {
    std::cerr << "error: " << catalog.status().ToString() << "\n";
    return 1;
  }
  std::optional<std::filesystem::path> path;
  if (!args.config.empty()) path = args.config;
  config::LoadResult result = config::LoadDefaultOrFile(path, *catalog, config::ProcessEnv());
  for (const std::string& line : config::FormatDiagnostics(result)) std::cerr << line << "\n";
  if (!result.errors.empty()) {
    std::cerr << result.errors.size() << " error(s) found\n";
    return 1;
  }
  const config::Config& cfg = *result.config;
  // Full IAM validation (the config layer only checks that policies are JSON
  // objects): the same parser `serve` uses, so what passes here loads there.
  size_t policy_errors = 0;
  for (const config::PrincipalConfig& principal : cfg.principals) {
    for (const config::PolicyDocument& doc : principal.policies) {
      auto policy = auth::iam::ParsePolicy(doc.text, doc.origin);
      if (policy.ok()) continue;
      std::cerr << policy.status().ToString() << " (policy of principal '" << principal.name
                << "')\n";
      ++policy_errors;
    }
  }
  if (policy_errors > 0) {
    std::cerr << policy_errors << " error(s) found\n";
    return 1;
  }
  std::cout << cfg.source << ": valid (" << cfg.profiles.size() << " profile(s), "
            << cfg.principals.size() << " principal(s))\n";
  if (!cfg.catalog_file.empty()) {
    std::cout << "model catalog: built-in merged with " << cfg.catalog_file << " ("
              << result.catalog->models().size() << " model(s), "
              << result.catalog->system_profiles().size() << " system-defined profile(s))\n";
  }
  return 0;
}

}  // namespace

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check the config: syntax, naming (rd-{model-short}), EU-only sources known to the\n"
      "model catalog, ids, descriptions and tags within Bedrock's limits, principals and\n"
      "policies. Exit 0 when valid, 1 listing every error as file:line:col: message.");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  SetHelpFooter(cmd, {.examples = "bedrock-profiles validate --config bedrock-profiles.hcl",
                      .exit_status = "1 when the config has errors (each as file:line:col)"});
  cmd->callback([args, exit_code] { *exit_code = RunValidate(*args); });
}

}  // namespace bp::cli
