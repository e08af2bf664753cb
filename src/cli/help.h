#pragma once
// One shape for every subcommand's --help footer: examples first, then notes,
// then the exit status. Private to cli/.

#include <string_view>

#include <CLI/CLI.hpp>

namespace bp::cli {

struct HelpFooter {
  std::string_view examples;  // one command a line, without the leading "  "
  std::string_view notes;     // free text, may be empty
  // Beyond "0 success, 2 usage error": what else the command exits with
  // ("1 on any other error" for most).
  std::string_view exit_status = "1 on any other error";
};

// Sets `cmd`'s footer to:
//   Examples:
//     <each line of examples>
//   <notes>
//   Exit status: 0 on success, 2 on a usage error, <exit_status>.
void SetHelpFooter(CLI::App* cmd, const HelpFooter& footer);

}  // namespace bp::cli
