#include "testing/postgres_server.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <system_error>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace bp::testing {
namespace {

constexpr std::string_view kSetupHint = "run scripts/setup (it installs Debian's postgresql)";

// A port the kernel just handed out on 127.0.0.1 and took back. Another
// process may take it before the server does; Start() then tries another.
Result<int> FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return IoError("binding a loopback port: " + error);
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

bool IsExecutable(const std::filesystem::path& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

Result<std::filesystem::path> PostgresServer::FindBinDir() {
  if (const char* env = std::getenv("BP_PG_BINDIR"); env != nullptr && *env != '\0') {
    std::filesystem::path dir(env);
    if (IsExecutable(dir / "initdb") && IsExecutable(dir / "pg_ctl")) return dir;
    return IoError("BP_PG_BINDIR=" + dir.string() + " holds no initdb and pg_ctl; " +
                   std::string(kSetupHint));
  }
  const std::filesystem::path root = "/usr/lib/postgresql";
  int best_version = -1;
  std::filesystem::path best;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    int version = 0;
    auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), version);
    if (err != std::errc() || ptr != name.data() + name.size()) continue;
    const std::filesystem::path bin = it->path() / "bin";
    if (version > best_version && IsExecutable(bin / "initdb") && IsExecutable(bin / "pg_ctl")) {
      best_version = version;
      best = bin;
    }
  }
  if (best_version < 0) {
    return IoError("PostgreSQL server binaries (initdb, pg_ctl) not found under " + root.string() +
                   "/<version>/bin; " + std::string(kSetupHint));
  }
  return best;
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  BP_RETURN_IF_ERROR(server->Init());
  BP_RETURN_IF_ERROR(server->StartServer());
  return server;
}

Status PostgresServer::Init() {
  BP_ASSIGN_OR_RETURN(bin_dir_, FindBinDir());
  std::string tmpl = (std::filesystem::temp_directory_path() / "bp-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return IoError("mkdtemp " + tmpl + ": " + std::strerror(errno));
  }
  dir_ = tmpl;
  data_ = dir_ / "data";
  if (geteuid() == 0) {
    // PostgreSQL refuses root; `nobody` owns the directory and runs it.
    const passwd* pw = getpwnam("nobody");
    const group* gr = getgrnam("nogroup");
    if (pw == nullptr)
      return IoError(
          "running as root, and there is no user `nobody` to run "
          "PostgreSQL as");
    drop_to_nobody_ = true;
    uid_ = pw->pw_uid;
    gid_ = gr != nullptr ? gr->gr_gid : pw->pw_gid;
    if (chown(dir_.c_str(), uid_, gid_) != 0) {
      return IoError("chown " + dir_.string() + ": " + std::strerror(errno));
    }
  }

  // The watchdog: a shell reading a pipe whose write end only this process
  // holds (close-on-exec, so no server process inherits it). EOF comes when
  // we close it or die; then it stops whatever server the directory holds.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return IoError(std::string("pipe: ") + std::strerror(errno));
  const std::string script =
      "read _ignored; "
      "pid=$(head -n 1 \"$1/data/postmaster.pid\" 2>/dev/null) && [ -n \"$pid\" ] && "
      "kill -QUIT \"$pid\" 2>/dev/null && "
      "for i in $(seq 1 100); do kill -0 \"$pid\" 2>/dev/null || break; sleep 0.1; done; "
      "rm -rf \"$1\"";
  const std::string dir = dir_.string();
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), "bp-pg-watchdog", dir.c_str(), nullptr};
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Own session: a signal to the test's process group leaves it running.
    setsid();
    dup2(fds[0], 0);  // the new descriptor is not close-on-exec
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execv(argv[0], const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[0]);
  watchdog_pipe_ = fds[1];
  watchdog_pid_ = pid;

  BP_ASSIGN_OR_RETURN(int rc, Run("initdb",
                                  {"-D", data_.string(), "-U", "postgres", "--auth=trust",
                                   "--encoding=UTF8", "--locale=C", "--no-sync"},
                                  true));
  if (rc != 0) {
    return IoError("initdb failed (exit " + std::to_string(rc) + "): " + LogTail("initdb"));
  }
  return Status::Ok();
}

Result<int> PostgresServer::StartOnPort() {
  // -F: no fsync (a test server); -k: the socket beside the data, not in
  // /var/run/postgresql; -h: TCP on loopback only.
  const std::string options = "-k " + dir_.string() + " -p " + std::to_string(port_) +
                              " -h 127.0.0.1 -F -c shared_buffers=16MB -c max_connections=40";
  return Run("pg_ctl",
             {"start", "-D", data_.string(), "-l", (dir_ / "server.log").string(), "-w", "-t", "60",
              "-s", "-o", options},
             true);
}

Status PostgresServer::StartServer() {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    BP_ASSIGN_OR_RETURN(port_, FreePort());
    BP_ASSIGN_OR_RETURN(int rc, StartOnPort());
    if (rc == 0) {
      running_ = true;
      return Status::Ok();
    }
    // Whatever half-started is stopped before trying again or giving up.
    running_ = true;
    Stop();
    if (attempt == kAttempts) {
      std::string log;
      std::ifstream in(dir_ / "server.log");
      std::stringstream buffer;
      buffer << in.rdbuf();
      log = buffer.str();
      if (log.size() > 2000) log = log.substr(log.size() - 2000);
      return IoError("pg_ctl start failed (exit " + std::to_string(rc) + "): " + LogTail("pg_ctl") +
                     "; server.log: " + log);
    }
  }
}

Status PostgresServer::StartAgain() {
  if (running_) return Status::Ok();
  BP_ASSIGN_OR_RETURN(int rc, StartOnPort());
  running_ = true;  // so that a half-started server is stopped by the destructor
  if (rc != 0) {
    return IoError("pg_ctl start (again, port " + std::to_string(port_) + ") failed (exit " +
                   std::to_string(rc) + "): " + LogTail("pg_ctl"));
  }
  return Status::Ok();
}

void PostgresServer::Stop() {
  if (!running_) return;
  running_ = false;
  Result<int> fast =
      Run("pg_ctl", {"stop", "-D", data_.string(), "-m", "fast", "-w", "-t", "30", "-s"}, true);
  if (fast.ok() && *fast == 0) return;
  (void)Run("pg_ctl", {"stop", "-D", data_.string(), "-m", "immediate", "-w", "-t", "30", "-s"},
            true);
}

PostgresServer::~PostgresServer() {
  Stop();
  if (watchdog_pipe_ >= 0) {
    close(watchdog_pipe_);
    int status = 0;
    while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Status PostgresServer::Restart() {
  // Without -o, pg_ctl restarts with the options of the last start
  // (data/postmaster.opts): the same port and socket directory.
  BP_ASSIGN_OR_RETURN(
      int rc, Run("pg_ctl",
                  {"restart", "-D", data_.string(), "-l", (dir_ / "server.log").string(), "-m",
                   "fast", "-w", "-t", "60", "-s"},
                  true));
  if (rc != 0) {
    return IoError("pg_ctl restart failed (exit " + std::to_string(rc) + "): " + LogTail("pg_ctl"));
  }
  return Status::Ok();
}

std::string PostgresServer::Url(std::string_view dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(dbname);
}

Result<std::string> PostgresServer::CreateDatabase(std::string_view dbname) {
  BP_ASSIGN_OR_RETURN(int rc, Run("createdb",
                                  {"-h", "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres",
                                   std::string(dbname)},
                                  false));
  if (rc != 0) {
    return IoError("createdb " + std::string(dbname) + " failed (exit " + std::to_string(rc) +
                   "): " + LogTail("createdb"));
  }
  return Url(dbname);
}

Result<int> PostgresServer::Run(std::string_view tool, const std::vector<std::string>& args,
                                bool as_server_user) const {
  const std::string program = (bin_dir_ / tool).string();
  const std::string log = (dir_ / (std::string(tool) + ".log")).string();
  std::vector<const char*> argv = {program.c_str()};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  // Everything the child needs is made before fork: after it, only
  // async-signal-safe calls until exec (the parent has threads).
  const bool drop = as_server_user && drop_to_nobody_;
  const uid_t uid = uid_;
  const gid_t gid = gid_;
  const std::string cwd = dir_.string();
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (log_fd < 0) return IoError("open " + log + ": " + std::strerror(errno));
  if (drop && fchown(log_fd, uid, gid) != 0) {
    close(log_fd);
    return IoError("chown " + log + ": " + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execv(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(log_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return IoError(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string PostgresServer::LogTail(std::string_view tool) const {
  std::ifstream in(dir_ / (std::string(tool) + ".log"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > 2000) text = text.substr(text.size() - 2000);
  return text.empty() ? "(no output)" : text;
}

}  // namespace bp::testing
