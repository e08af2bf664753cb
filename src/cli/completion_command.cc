// `completion bash|zsh`: a shell completion script generated from the same
// CLI11 tree that parses the arguments, so it never lists a stale flag.

#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/help.h"

namespace bp::cli {
namespace {

struct OptionInfo {
  std::string name;  // "--config"
  std::string help;  // first line of the description
  bool takes_value = false;
  bool is_file = false;
};

struct CommandInfo {
  std::string name;
  std::string help;
  std::vector<OptionInfo> options;
  bool file_positional = false;  // PLAN, cases PATH
};

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool IsFileOption(const std::string& name) {
  return name == "--config" || name == "--out" || name == "--state" || name == "--cases";
}

std::vector<CommandInfo> Describe(const CLI::App& app) {
  std::vector<CommandInfo> out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    CommandInfo info{.name = sub->get_name(), .help = FirstLine(sub->get_description())};
    for (const CLI::Option* opt : sub->get_options({})) {
      if (opt->get_group().empty()) continue;  // hidden from help, so from completion too
      if (!opt->nonpositional()) {
        if (opt->get_name() == "PLAN") info.file_positional = true;
        continue;
      }
      for (const std::string& lname : opt->get_lnames()) {
        std::string name = "--" + lname;
        if (name == "--help") continue;  // every command gets it once, below
        info.options.push_back({.name = name,
                                .help = FirstLine(opt->get_description()),
                                .takes_value = opt->get_items_expected_max() != 0,
                                .is_file = IsFileOption(name)});
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

void PrintBash(const std::vector<CommandInfo>& commands, std::ostream& out) {
  std::string names;
  for (const CommandInfo& c : commands) names += c.name + " ";
  out << "# bash completion for bedrock-profiles. Load it with\n"
         "#   source <(bedrock-profiles completion bash)\n"
         "# or install it as /usr/share/bash-completion/completions/bedrock-profiles.\n"
         "_bedrock_profiles() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
         "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
         "    COMPREPLY=($(compgen -W \""
      << names
      << "--help --version\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case \"$prev\" in\n"
         "    --config|--out|--state|--cases) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  local opts=\"--help\" files=0\n"
         "  case \"${COMP_WORDS[1]}\" in\n";
  for (const CommandInfo& c : commands) {
    out << "    " << c.name << ") opts=\"";
    for (const OptionInfo& o : c.options) out << o.name << " ";
    out << "--help\"" << (c.file_positional ? "; files=1" : "") << " ;;\n";
  }
  out << "  esac\n"
         "  COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  if [ \"$files\" -eq 1 ] && [[ \"$cur\" != -* ]]; then\n"
         "    COMPREPLY+=($(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -o filenames -F _bedrock_profiles bedrock-profiles\n";
}

// Text inside a zsh '...' word, also safe inside _arguments' [...] and
// _describe's name:description.
std::string ZshText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

void PrintZsh(const std::vector<CommandInfo>& commands, std::ostream& out) {
  out << "#compdef bedrock-profiles\n"
         "# zsh completion for bedrock-profiles. Load it with\n"
         "#   source <(bedrock-profiles completion zsh)\n"
         "# or save it as _bedrock-profiles in a directory of $fpath.\n"
         "_bedrock_profiles() {\n"
         "  local -a commands\n"
         "  commands=(\n";
  for (const CommandInfo& c : commands) {
    out << "    '" << c.name << ":" << ZshText(c.help) << "'\n";
  }
  out << "  )\n"
         "  if (( CURRENT == 2 )); then\n"
         "    _describe 'command' commands\n"
         "    return\n"
         "  fi\n"
         "  case $words[2] in\n";
  for (const CommandInfo& c : commands) {
    out << "    " << c.name << ")\n      _arguments";
    for (const OptionInfo& o : c.options) {
      out << " \\\n        '" << o.name << "[" << ZshText(o.help) << "]";
      if (o.takes_value) out << (o.is_file ? ":file:_files" : ":value: ");
      out << "'";
    }
    out << " \\\n        '--help[print this help]'";
    if (c.file_positional) out << " \\\n        '*:file:_files'";
    out << " ;;\n";
  }
  out << "  esac\n"
         "}\n"
         "if [ \"$funcstack[1]\" = \"_bedrock_profiles\" ]; then\n"
         "  _bedrock_profiles \"$@\"\n"
         "else\n"
         "  compdef _bedrock_profiles bedrock-profiles\n"
         "fi\n";
}

}  // namespace

void AddCompletionCommand(CLI::App& app, int* exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion", "Print a shell completion script for bash or zsh on standard output.");
  cmd->add_option("SHELL", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  SetHelpFooter(cmd,
                {.examples = "bedrock-profiles completion bash > ~/.local/share/bash-completion/"
                             "completions/bedrock-profiles\n"
                             "source <(bedrock-profiles completion zsh)    # in ~/.zshrc"});
  const CLI::App* root = &app;
  cmd->callback([root, shell, exit_code] {
    std::vector<CommandInfo> commands = Describe(*root);
    if (*shell == "bash") {
      PrintBash(commands, std::cout);
    } else {
      PrintZsh(commands, std::cout);
    }
    *exit_code = std::cout.good() ? 0 : 1;
  });
}

}  // namespace bp::cli
