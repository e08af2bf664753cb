#include "auth/credentials/credential_process.h"

#include <cerrno>
#include <cstring>
#include <optional>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace bp::auth::credentials {
namespace {

constexpr size_t kMaxStderrBytes = 4096;
constexpr size_t kMaxShownLine = 200;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A file descriptor closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Status OpenPipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  p.read = Fd(fds[0]);
  p.write = Fd(fds[1]);
  // The child's ends are blocking: a program writing to a non-blocking
  // stdout may fail with EAGAIN.
  ::fcntl(fds[1], F_SETFL, 0);
  return Status::Ok();
}

// The first line of a child's standard error, made safe to print.
std::string FirstLine(std::string_view err) {
  while (!err.empty() && IsBlank(err.front())) err.remove_prefix(1);
  err = err.substr(0, err.find('\n'));
  while (!err.empty() && IsBlank(err.back())) err.remove_suffix(1);
  std::string out;
  for (char c : err.substr(0, kMaxShownLine)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (err.size() > kMaxShownLine) out += "...";
  return out.empty() ? "nothing on standard error" : out;
}

// posix_spawn attributes and file actions, freed on destruction.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // stdin from /dev/null, stdout/stderr into the pipes, nothing else
  // inherited; a new process group; no blocked signals, default handlers
  // for those a server catches or ignores.
  void Configure(int out_fd, int err_fd) {
    posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions_, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions_, err_fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr_, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    posix_spawnattr_setpgroup(&attr_, 0);
    posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// What reading a running child's output came to.
enum class Outcome : uint8_t { kExited, kTimedOut, kTooMuchOutput, kStopped, kPollFailed };

// Reads the child's two pipes until it exits (pidfd readable; without a
// pidfd, until both pipes are closed), the deadline passes, stdout grows past
// its cap or `wake` (the stop pipe) becomes readable.
class OutputReader {
 public:
  OutputReader(int out, int err, int pidfd, int wake, size_t max_stdout)
      : out_(out), err_(err), pidfd_(pidfd), wake_(wake), max_stdout_(max_stdout) {}

  Outcome Run(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      const bool exited = pidfd_ < 0 ? (out_eof_ && err_eof_) : exited_;
      if (exited) return Drain() ? Outcome::kExited : Outcome::kTooMuchOutput;
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Outcome::kTimedOut;
      pollfd fds[4] = {{out_eof_ ? -1 : out_, POLLIN, 0},
                       {err_eof_ ? -1 : err_, POLLIN, 0},
                       {pidfd_, POLLIN, 0},
                       {wake_, POLLIN, 0}};
      int n = ::poll(fds, 4, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
      if (n < 0 && errno != EINTR) return Outcome::kPollFailed;
      if (n <= 0) continue;
      if (fds[3].revents != 0) return Outcome::kStopped;
      if (fds[0].revents != 0 && !ReadSome(out_, stdout_, out_eof_, max_stdout_)) {
        return Outcome::kTooMuchOutput;
      }
      if (fds[1].revents != 0) ReadSome(err_, stderr_, err_eof_, 0);
      if (fds[2].revents != 0) exited_ = true;
    }
  }

  std::string& stdout_text() { return stdout_; }
  const std::string& stderr_text() const { return stderr_; }

 private:
  // One read. stdout: false once it holds more than `cap` bytes. stderr
  // (cap 0): the first kMaxStderrBytes are kept, the rest dropped.
  bool ReadSome(int fd, std::string& into, bool& eof, size_t cap) {
    char buf[8192];
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) eof = true;
    if (got <= 0) return true;
    if (cap == 0) {
      size_t keep = std::min(static_cast<size_t>(got),
                             kMaxStderrBytes - std::min(kMaxStderrBytes, into.size()));
      into.append(buf, keep);
      return true;
    }
    into.append(buf, static_cast<size_t>(got));
    return into.size() <= cap;
  }

  // After the exit: what the child wrote is all in the pipes now. Reads it
  // without waiting for a grandchild that may still hold them open, and
  // bounded, since such a grandchild may keep writing.
  bool Drain() {
    for (size_t rounds = 0; rounds < 64 && !(out_eof_ && err_eof_); ++rounds) {
      size_t before = stdout_.size() + stderr_.size();
      if (!out_eof_ && !ReadSome(out_, stdout_, out_eof_, max_stdout_)) return false;
      if (!err_eof_) ReadSome(err_, stderr_, err_eof_, 0);
      if (stdout_.size() + stderr_.size() == before) break;  // EAGAIN: nothing more now
    }
    return true;
  }

  const int out_, err_, pidfd_, wake_;
  const size_t max_stdout_;
  bool out_eof_ = false, err_eof_ = false, exited_ = false;
  std::string stdout_, stderr_;
};

std::string Quoted(const std::string& program) { return "'" + program + "'"; }

Status Unavailable(std::string m) { return Status(ErrorCode::kServiceUnavailable, std::move(m)); }

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == command.size()) return ValidationError("the command ends in a lone backslash");
      word += command[i];
    } else if (c == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) return ValidationError("a ' quote is not closed");
      word.append(command.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= command.size()) return ValidationError("a \" quote is not closed");
        if (command[i] == '"') break;
        if (command[i] == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\')) {
          ++i;
        }
        word += command[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return ValidationError("the command is empty");
  return words;
}

Result<std::string> RunCredentialProcess(const std::vector<std::string>& argv,
                                         const ProcessLimits& limits, std::stop_token stop) {
  BP_ASSERT(!argv.empty());
  const std::string program = Quoted(argv[0]);
  Pipe out, err, wake;
  BP_RETURN_IF_ERROR(OpenPipe(out));
  BP_RETURN_IF_ERROR(OpenPipe(err));
  BP_RETURN_IF_ERROR(OpenPipe(wake));
  // Runs at once when stop was already requested.
  std::stop_callback on_stop(stop, [fd = wake.write.get()] { (void)!::write(fd, "x", 1); });

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  SpawnSetup setup;
  setup.Configure(out.write.get(), err.write.get());
  pid_t pid = -1;
  const auto started = std::chrono::steady_clock::now();
  int rc = ::posix_spawnp(&pid, args[0], setup.actions(), setup.attr(), args.data(), environ);
  if (rc != 0) return IoError("cannot run " + program + ": " + std::strerror(rc));
  out.write.Reset();
  err.write.Reset();
  // Readable once the child has exited; -1 (old kernel): rely on the pipes.
  // (The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C".)
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  OutputReader reader(out.read.get(), err.read.get(), pidfd.get(), wake.read.get(),
                      limits.max_stdout_bytes);
  const Outcome outcome = reader.Run(started + limits.timeout);
  const int poll_errno = errno;
  if (outcome != Outcome::kExited) ::kill(-pid, SIGKILL);  // the whole group
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  switch (outcome) {
    case Outcome::kExited:
      break;
    case Outcome::kTimedOut:
      return Unavailable(program + " did not finish within " +
                         std::to_string(limits.timeout.count()) + " ms and was killed");
    case Outcome::kTooMuchOutput:
      return Unavailable(program + " wrote more than " + std::to_string(limits.max_stdout_bytes) +
                         " bytes to standard output and was killed");
    case Outcome::kStopped:
      return Unavailable(program + " was stopped: shutting down");
    case Outcome::kPollFailed:
      return IoError("waiting for " + program + ": " + std::strerror(poll_errno));
  }
  if (WIFSIGNALED(wstatus)) {
    const char* name = sigabbrev_np(WTERMSIG(wstatus));
    return Unavailable(program + " was killed by signal " + std::to_string(WTERMSIG(wstatus)) +
                       " (SIG" + (name ? name : "?") + "): " + FirstLine(reader.stderr_text()));
  }
  if (WEXITSTATUS(wstatus) != 0) {
    return Unavailable(program + " exited with status " + std::to_string(WEXITSTATUS(wstatus)) +
                       ": " + FirstLine(reader.stderr_text()));
  }
  return std::move(reader.stdout_text());
}

}  // namespace bp::auth::credentials
