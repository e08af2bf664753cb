#include "integration/child_process.h"

#include <cstdlib>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

namespace bp::testing {

namespace {

using Clock = std::chrono::steady_clock;

// Starts `program` (a path, or a name looked up in PATH) with `args`. stdin
// is /dev/null, or the read end of a pipe whose write end goes to *in_fd
// when in_fd is given.
pid_t Spawn(const std::string& program, const std::vector<std::string>& args, int* out_fd,
            int* err_fd, const std::string& working_dir, int* in_fd = nullptr,
            const SpawnOptions& options = {}) {
  int in_pipe[2] = {-1, -1};
  if (in_fd != nullptr && pipe2(in_pipe, O_CLOEXEC) != 0) std::abort();
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) std::abort();
  std::vector<std::string> argv_storage;
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (in_fd != nullptr) {
      dup2(in_pipe[0], 0);
    } else {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
    }
    if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(126);
    if (options.max_open_files) {
      rlimit limit{static_cast<rlim_t>(*options.max_open_files),
                   static_cast<rlim_t>(*options.max_open_files)};
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(125);
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (in_fd != nullptr) {
    close(in_pipe[0]);
    *in_fd = in_pipe[1];
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  *out_fd = out_pipe[0];
  *err_fd = err_pipe[0];
  return pid;
}

// Reads what is available from fd into buf; false at EOF.
bool Drain(int fd, std::string& buf) {
  char chunk[4096];
  while (true) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      buf.append(chunk, static_cast<size_t>(n));
      continue;
    }
    return n < 0;  // EAGAIN: still open; 0: EOF
  }
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

std::string BinaryPath() {
  const char* p = std::getenv("BP_BINARY");
  return p ? p : "build/bedrock-profiles";
}

namespace {

RunResult RunToEnd(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout, const std::string& working_dir,
                   const std::string* input) {
  int out_fd = -1;
  int err_fd = -1;
  int in_fd = -1;
  pid_t pid =
      Spawn(program, args, &out_fd, &err_fd, working_dir, input != nullptr ? &in_fd : nullptr);
  if (input != nullptr) {
    ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test
    // Small inputs only (tests): the pipe buffer holds them, so this cannot
    // block on a child that is not reading yet.
    size_t done = 0;
    while (done < input->size()) {
      ssize_t n = write(in_fd, input->data() + done, input->size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(in_fd);
  }
  RunResult result;
  auto deadline = Clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    poll(fds, 2, 100);
    if (out_open) out_open = Drain(out_fd, result.out);
    if (err_open) err_open = Drain(err_fd, result.err);
  }
  if (out_open || err_open) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  result.exit_code = DecodeStatus(status);
  return result;
}

}  // namespace

RunResult RunBinary(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                    const std::string& working_dir) {
  return RunToEnd(BinaryPath(), args, timeout, working_dir, nullptr);
}

RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout, const std::string& working_dir) {
  return RunToEnd(program, args, timeout, working_dir, nullptr);
}

RunResult RunBinaryWithInput(const std::vector<std::string>& args, const std::string& input,
                             std::chrono::milliseconds timeout) {
  return RunToEnd(BinaryPath(), args, timeout, "", &input);
}

ChildProcess::ChildProcess(const std::vector<std::string>& args, const SpawnOptions& options) {
  pid_ = Spawn(BinaryPath(), args, &out_fd_, &err_fd_, "", nullptr, options);
}

ChildProcess::~ChildProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  close(out_fd_);
  close(err_fd_);
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    size_t nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    poll(fds, 2, 50);
    bool open = Drain(out_fd_, out_buf_);
    Drain(err_fd_, err_buf_);
    if (!open && out_buf_.find('\n') == std::string::npos) return std::nullopt;
  }
}

void ChildProcess::Signal(int sig) {
  if (!exited_) kill(pid_, sig);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!exited_) {
    Drain(out_fd_, out_buf_);
    Drain(err_fd_, err_buf_);
    pid_t r = waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      break;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Drain(err_fd_, err_buf_);
  return DecodeStatus(status_);
}

std::string ChildProcess::Stderr() {
  Drain(err_fd_, err_buf_);
  return err_buf_;
}

}  // namespace bp::testing
