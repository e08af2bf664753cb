#pragma once
// Runs the bedrock-profiles binary (or another program, such as curl) as a
// child process for integration tests: captures stdout/stderr, reads lines
// with a deadline, signals, waits.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace bp::testing {

// Path of the binary under test (env BP_BINARY).
std::string BinaryPath();

struct RunResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;
  std::string err;
};

// Runs to completion (bounded by `timeout`, then SIGKILL) with `args`.
RunResult RunBinary(const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30),
                    const std::string& working_dir = "");

// The same for another program: a path, or a name looked up in PATH (exit
// code 127 when it cannot be started).
RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30),
                     const std::string& working_dir = "");

// The same with `input` as the child's standard input (then end of file).
RunResult RunBinaryWithInput(const std::vector<std::string>& args, const std::string& input,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct SpawnOptions {
  // RLIMIT_NOFILE (soft and hard) set in the child before exec.
  std::optional<uint64_t> max_open_files;
};

// A long-running child (serve). Kills it on destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& args, const SpawnOptions& options = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Next stdout line, or nullopt at EOF / after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  void Signal(int sig);
  // Waits for exit; returns the exit code, -signal if killed, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Everything the child wrote to stderr so far (after Wait, all of it).
  std::string Stderr();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buf_;
  std::string err_buf_;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace bp::testing
