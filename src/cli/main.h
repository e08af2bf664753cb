#pragma once
// The command-line front end: `bedrock-profiles <subcommand> ...` (BRIEF.md
// contract). Returns the process exit code. Public header of bp_cli.

namespace bp::cli {

int Main(int argc, char** argv);

}  // namespace bp::cli
