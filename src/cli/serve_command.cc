#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "server/serve.h"

namespace bp::cli {

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<server::ServeOptions>();
  auto config = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>(options->state_dir.string());
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the Bedrock control plane and runtime for the configured profiles.\n"
      "An empty state store is bootstrapped from the config (the configured profiles\n"
      "are created with their pinned ids and the managed-by tag); a store that holds\n"
      "profiles is never changed by serve: changes go through plan/approve/apply.\n"
      "The banner (and /readyz's details) report how the store differs from the\n"
      "config. SIGINT/SIGTERM drain in-flight requests and exit 0.");
  cmd->add_option("--config", *config, "config file (.hcl or .json)");
  cmd->add_option("--listen", options->listen, "HOST:PORT to listen on ([v6]:PORT; port 0 = any)")
      ->capture_default_str();
  cmd->add_option("--state", *state, "state directory (SQLite database)")->capture_default_str();
  cmd->add_option("--threads", options->threads, "event loops (0 = one per core)")
      ->capture_default_str();
  cmd->add_flag("--allow-default-credentials", options->allow_default_credentials,
                "allow a non-loopback --listen while the shipped default keys are configured");
  cmd->add_flag("--reconcile", options->reconcile,
                "also bring a non-empty store in line with the config: create missing profiles "
                "and reset configured profiles' tags (no plan, no approval)");
  // Hidden: for measuring what metering costs (scripts/bench-load), not for use.
  cmd->add_flag("!--no-metering", options->metering, "write no usage records (benchmarks only)")
      ->group("");
  SetHelpFooter(
      cmd,
      {.examples = "bedrock-profiles serve                      # the shipped default config\n"
                   "bedrock-profiles serve --config org.hcl --listen 127.0.0.1:9000\n"
                   "bedrock-profiles serve --reconcile         # reset the store to the config",
       .notes = "The dashboard is at http://HOST:PORT/ui/ (docs/dashboard.md). "
                "Logs (one access line per request) go to stderr; --log-level debug (or "
                "SPDLOG_LEVEL=debug) shows more. SIGHUP (kill -HUP PID) reloads the config "
                "file without a restart; an invalid file is refused with its errors logged and "
                "the running config stays.",
       .exit_status = "1 when the config is invalid or the address is taken"});
  cmd->callback([options, config, state, exit_code] {
    if (!config->empty()) options->config_path = *config;
    options->state_dir = *state;
    Status s = server::Serve(*options, std::cout, std::cerr);
    if (!s.ok()) {
      std::cerr << "error: " << s.ToString() << "\n";
      *exit_code = 1;
      return;
    }
    *exit_code = 0;
  });
}

}  // namespace bp::cli
