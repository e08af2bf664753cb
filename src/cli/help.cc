#include "cli/help.h"

#include <string>

namespace bp::cli {

void SetHelpFooter(CLI::App* cmd, const HelpFooter& footer) {
  std::string text = "Examples:\n";
  std::string_view rest = footer.examples;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    text += "  ";
    text += line;
    text += '\n';
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (!footer.notes.empty()) {
    text += footer.notes;
    if (text.back() != '\n') text += '\n';
  }
  text += "Exit status: 0 on success, 2 on a usage error, ";
  text += footer.exit_status;
  text += '.';
  cmd->footer(text);
}

}  // namespace bp::cli
