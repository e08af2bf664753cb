#pragma once
// One function per subcommand, each in its own file; private to cli/.

#include <CLI/CLI.hpp>

namespace bp::cli {

// Registers the subcommand on `app`. The callback stores the exit code in
// `*exit_code` (CLI11 callbacks return nothing).
void AddValidateCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);
void AddPolicyCommand(CLI::App& app, int* exit_code);
void AddSimulateCommand(CLI::App& app, int* exit_code);
void AddPlanCommand(CLI::App& app, int* exit_code);
void AddApproveCommand(CLI::App& app, int* exit_code);
void AddApplyCommand(CLI::App& app, int* exit_code);
void AddOutputCommand(CLI::App& app, int* exit_code);
void AddInvokeCommand(CLI::App& app, int* exit_code);
void AddCatalogCommand(CLI::App& app, int* exit_code);
void AddUsageCommand(CLI::App& app, int* exit_code);
void AddCompletionCommand(CLI::App& app, int* exit_code);

}  // namespace bp::cli
