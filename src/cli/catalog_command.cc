// `catalog refresh`: a catalog file (the format of config/model-catalog.json,
// for the config's catalog_file) written from a live control plane's
// ListFoundationModels and ListInferenceProfiles --type SYSTEM_DEFINED.
#include <iostream>

#include "api/client/catalog_reader.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "planner/atomic_file.h"

namespace bp::cli {

namespace {

struct RefreshArgs {
  std::string config;
  ClientFlags client;
  std::string out;  // empty: stdout
  std::string provider;
  std::string geography = "eu";
};

int RunRefresh(const RefreshArgs& args) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  SystemClock clock;
  auto client = MakeControlClient(args.client, loaded->config, clock);
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return 1;
  }
  api::client::CatalogReadOptions options{.geography = args.geography};
  if (!args.provider.empty()) options.provider = args.provider;
  auto read = api::client::ReadCatalog(**client, options);
  if (!read.ok()) {
    std::cerr << "error: " << read.status().message() << "\n";
    return 1;
  }
  // The listing says nothing of thinking or prompt caching: keep what the
  // catalog in force knows of each model.
  read->catalog = read->catalog.WithCapabilitiesFrom(loaded->catalog);
  std::string text = read->catalog.ToJson();
  std::string where = args.out.empty() ? "standard output" : args.out;
  if (!args.out.empty()) {
    Status written = planner::WriteFileAtomically(args.out, text, 0644);
    if (!written.ok()) {
      std::cerr << "error: " << written.message() << "\n";
      return 1;
    }
  } else {
    std::cout << text;
  }
  // The summary goes where it does not mix with the file's text.
  (args.out.empty() ? std::cerr : std::cout)
      << read->catalog.models().size() << " model(s), " << read->catalog.system_profiles().size()
      << " system-defined profile(s) from " << (*client)->Describe() << ", written to " << where
      << (read->skipped_profiles > 0
              ? " (" + std::to_string(read->skipped_profiles) +
                    " system-defined profile(s) skipped: outside geography '" + args.geography +
                    "' or on a model the model list lacks)"
              : std::string())
      << "\n";
  return 0;
}

}  // namespace

void AddCatalogCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "catalog",
      "The model catalog: foundation models and system-defined (cross-region) profiles\n"
      "that configs may name. The built-in one can be extended with a catalog file\n"
      "(catalog_file = \"models.json\" in the config), which `catalog refresh` writes.");
  cmd->require_subcommand(1);
  SetHelpFooter(cmd, {.examples = "bedrock-profiles catalog refresh --endpoint "
                                  "http://127.0.0.1:8700 --principal platform-admin --out "
                                  "models.json"});

  auto args = std::make_shared<RefreshArgs>();
  CLI::App* refresh = cmd->add_subcommand(
      "refresh",
      "Write a catalog file from a live control plane: ListFoundationModels and every page\n"
      "of ListInferenceProfiles --type SYSTEM_DEFINED. A model's regions are the\n"
      "destination regions of the system profiles that route to it (or the endpoint's\n"
      "region); a profile's regions come from its models[] ARNs; api_model_name is derived\n"
      "from the model id. Name the file in the config as catalog_file.");
  refresh->add_option("--out", args->out, "file to write (atomically); default: standard output");
  refresh->add_option("--provider", args->provider,
                      "only this provider's models (byProvider), e.g. Anthropic");
  refresh->add_option("--geography", args->geography,
                      "keep system profiles whose regions are all in this geography "
                      "(default eu; \"\" keeps all)");
  refresh->add_option("--config", args->config, "config file (.hcl or .json): region, principals");
  AddClientFlags(refresh, args->client);
  SetHelpFooter(refresh,
                {.examples = "bedrock-profiles catalog refresh --endpoint http://127.0.0.1:8700 "
                             "--principal platform-admin --out models.json\n"
                             "bedrock-profiles catalog refresh --provider Anthropic --out "
                             "models.json   # real AWS, credentials from the AWS chain",
                 .exit_status = "1 when the endpoint cannot be read or the file cannot be "
                                "written"});
  refresh->callback([args, exit_code] { *exit_code = RunRefresh(*args); });
}

}  // namespace bp::cli
