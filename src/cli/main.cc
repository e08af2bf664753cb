#include "cli/main.h"

#include <cstdlib>
#include <exception>
#include <iostream>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"

namespace bp::cli {

namespace {

void SetUpLogging() {
  // Logs go to stderr so stdout stays machine-readable (banners, outputs).
  auto logger = spdlog::stderr_color_mt("bedrock-profiles");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::info);
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug etc.
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    SetUpLogging();
    CLI::App app{
        "bedrock-profiles: shared Amazon Bedrock application inference profiles, managed\n"
        "declaratively and served through a Bedrock-wire-compatible endpoint.",
        "bedrock-profiles"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "bedrock-profiles 0.1.0");
    app.footer(
        "Config: --config F, else ./bedrock-profiles.hcl if present, else the shipped default.\n"
        "Run `bedrock-profiles <command> --help` for a command's options.");
    int exit_code = 0;
    AddServeCommand(app, &exit_code);
    AddValidateCommand(app, &exit_code);
    AddPlanCommand(app, &exit_code);
    AddApproveCommand(app, &exit_code);
    AddApplyCommand(app, &exit_code);
    AddOutputCommand(app, &exit_code);
    AddPolicyCommand(app, &exit_code);
    AddSimulateCommand(app, &exit_code);
    AddInvokeCommand(app, &exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "bedrock-profiles: internal error: " << e.what() << "\n";
    return 70;
  } catch (...) {
    std::cerr << "bedrock-profiles: internal error\n";
    return 70;
  }
}

}  // namespace bp::cli
