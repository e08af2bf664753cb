#pragma once
// Running a profile's credential_process. Private to bp_auth_credentials.
//
// The command is split into words like a POSIX shell would split them (the
// AWS CLI's own rule: Python's shlex.split), and the words are run directly
// (posix_spawnp: the first word is looked up in PATH), never through a shell:
// no variables, globs, pipes, redirections or command substitution, so a
// value in a config file cannot smuggle in a second command. A command that
// needs a shell says so: `credential_process = sh -c '...'`.
//
// The child gets this process's environment, /dev/null as standard input,
// no other inherited file descriptor, default signal dispositions, and its
// own process group, so a timeout kills its children too.
//
// Thread-safety: free functions; RunCredentialProcess may run on several
// threads at once.

#include <chrono>
#include <cstddef>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace bp::auth::credentials {

// Words of `command`: blanks (space, tab, CR, LF) separate words; '...'
// keeps everything literally; "..." keeps everything but `\"` and `\\`
// (a backslash before any other character stays); outside quotes a
// backslash keeps the next character literally; quoted and unquoted parts
// next to each other join into one word (a"b c"d is `ab cd`); '' is an
// empty word. Errors (kValidation): an unterminated quote, a trailing
// backslash, no words at all.
Result<std::vector<std::string>> SplitCommandLine(std::string_view command);

struct ProcessLimits {
  // Wall time from start to exit; the process group is then killed.
  std::chrono::milliseconds timeout{30'000};
  // Standard output beyond this kills the process (an answer is ~2 KB).
  size_t max_stdout_bytes = 64 * 1024;
};

// Runs `argv` (REQUIRES: non-empty) and returns its standard output when it
// exits with status 0. Standard error is kept only for the message of a
// failure. Errors, naming the program by argv[0] only (the other words may
// hold a secret):
//   kIo                 it cannot be started ("cannot run 'x': No such file ...")
//   kServiceUnavailable it exited with a non-zero status or was killed by a
//                       signal (with the first line of its standard error),
//                       ran longer than limits.timeout, or wrote more than
//                       max_stdout_bytes (each: killed, and said so);
//                       `stop` was requested ("stopped": the caller is
//                       shutting down; the process group is killed).
Result<std::string> RunCredentialProcess(const std::vector<std::string>& argv,
                                         const ProcessLimits& limits, std::stop_token stop);

}  // namespace bp::auth::credentials
