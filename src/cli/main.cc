#include "cli/main.h"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/log_format.h"
#include "cli/commands.h"

namespace bp::cli {

namespace {

constexpr char kLogFormatEnv[] = "BP_LOG_FORMAT";

// Logs go to stderr so stdout stays machine-readable (banners, outputs), as
// JSON lines when stderr is not a terminal (a service manager, a pipe), else
// as text; BP_LOG_FORMAT=json|text, then --log-format, override that.
void SetUpLogging() {
  api::LogFormat format = ::isatty(STDERR_FILENO) ? api::LogFormat::kText : api::LogFormat::kJson;
  const char* env = std::getenv(kLogFormatEnv);
  std::optional<api::LogFormat> from_env = env != nullptr ? api::ParseLogFormat(env) : std::nullopt;
  api::SetUpLogging(from_env.value_or(format));
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug etc.
  if (env != nullptr && !from_env) {
    spdlog::warn("{}='{}' ignored: expected json or text", kLogFormatEnv, env);
  }
}

constexpr int kUsageError = 2;

constexpr std::string_view kLogLevelFlag = "--log-level";
constexpr std::string_view kLogFormatFlag = "--log-format";
const std::vector<std::string> kLogLevels = {"trace", "debug",    "info", "warn",
                                             "error", "critical", "off"};

// `bedrock-profiles frobnicate`: CLI11 would say "A subcommand is required";
// name the word instead. The command is the first argument after the root's
// options (only --log-level and --log-format take a value).
std::optional<int> RefuseUnknownCommand(const CLI::App& app, int argc, char** argv) {
  int at = 1;
  while (at < argc) {
    std::string_view arg = argv[at];
    if (arg == kLogLevelFlag || arg == kLogFormatFlag) {
      at += 2;
    } else if (arg.rfind(kLogLevelFlag, 0) == 0 || arg.rfind(kLogFormatFlag, 0) == 0) {
      ++at;
    } else {
      break;
    }
  }
  if (at >= argc || argv[at][0] == '-' || argv[at][0] == '\0') return std::nullopt;
  std::string_view word = argv[at];
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(std::string(word))) return std::nullopt;
  }
  std::cerr << "bedrock-profiles: unknown command '" << word << "'\n"
            << "Commands:";
  for (const CLI::App* sub : app.get_subcommands({})) std::cerr << " " << sub->get_name();
  std::cerr << "\nRun 'bedrock-profiles --help' for what each does.\n";
  return kUsageError;
}

// --help and --version exit 0 through CLI11; every other parse error is a
// usage error: CLI11's message, a pointer to --help, exit 2.
int UsageExit(const CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
  app.exit(e);
  return kUsageError;
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
        "Logs go to stderr; --log-level (before or after the command), else SPDLOG_LEVEL\n"
        "(e.g. debug, or info,access=off per logger), sets how much; default info.\n"
        "--log-format json|text, else BP_LOG_FORMAT, sets their form: one JSON object a\n"
        "line (the default when stderr is not a terminal) or text (on a terminal).\n"
        "Run `bedrock-profiles <command> --help` for a command's options and examples.\n"
        "Exit status: 0 on success, 2 on a usage error, 1 on any other error (plan\n"
        "--detailed-exitcode and simulate also use 2 for \"changes\" and \"denied\").");
    // Also after the command (`serve --log-level debug`): options of the root
    // fall through from subcommands. Applied as soon as it is parsed, before
    // any command runs; it overrides SPDLOG_LEVEL.
    app.fallthrough();
    app.add_option_function<std::string>(
           std::string(kLogLevelFlag),
           [](const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); },
           "log level on stderr: trace, debug, info (default), warn, error, critical, off")
        ->check(CLI::IsMember(kLogLevels))
        ->trigger_on_parse();
    app.add_option_function<std::string>(
           std::string(kLogFormatFlag),
           [](const std::string& name) { api::SetLogFormat(*api::ParseLogFormat(name)); },
           "log lines on stderr: json (one object a line; the default when stderr is not a\n"
           "terminal) or text; overrides BP_LOG_FORMAT")
        ->check(CLI::IsMember(std::vector<std::string>{"json", "text"}))
        ->trigger_on_parse();
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
    AddCatalogCommand(app, &exit_code);
    AddUsageCommand(app, &exit_code);
    AddCompletionCommand(app, &exit_code);
    if (std::optional<int> code = RefuseUnknownCommand(app, argc, argv)) return *code;
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return UsageExit(app, e);
    }
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "bedrock-profiles: internal error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "bedrock-profiles: internal error\n";
    return 1;
  }
}

}  // namespace bp::cli
