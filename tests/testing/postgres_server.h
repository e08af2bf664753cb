#pragma once
// PostgresServer: a throw-away PostgreSQL server for one test binary, from
// Debian's `postgresql` package (scripts/setup installs it). Start() runs
// initdb in a new temporary directory and starts the server there on a free
// loopback port (TCP on 127.0.0.1 only, its socket in the same directory,
// fsync off, trust authentication for the superuser `postgres`).
//
// PostgreSQL refuses to run as root: when the test runs as root (CI), initdb
// and pg_ctl run as `nobody`/`nogroup` (set in the forked child before exec),
// and the directory belongs to that user. Otherwise they run as the caller.
//
// It never outlives the test process: the destructor stops the server
// (pg_ctl stop -m fast, then -m immediate) and removes the directory; and a
// watchdog process, started first, waits on a pipe that only this process
// holds open, so if the test dies any other way (abort, crash, SIGKILL) it
// sends the postmaster SIGQUIT (an immediate shutdown) and removes the
// directory.
//
// Missing binaries are an error ("... run scripts/setup"), so a test that
// needs the server fails rather than skips. Test-only code.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "core/status.h"

namespace bp::testing {

class PostgresServer {
 public:
  // The newest /usr/lib/postgresql/<version>/bin that holds initdb and
  // pg_ctl ($BP_PG_BINDIR if set), or an error naming scripts/setup.
  static Result<std::filesystem::path> FindBinDir();

  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }

  // postgresql://postgres@127.0.0.1:<port>/<dbname>
  std::string Url(std::string_view dbname) const;

  // pg_ctl restart -m fast on the same port: every client connection is
  // closed by the server, as a database restart in production does.
  Status Restart();

  // Stops the server if running (pg_ctl stop -m fast, then -m immediate):
  // the database is lost, its clients' connections are closed and new ones
  // are refused until StartAgain(). Idempotent.
  void Stop();
  // Starts the stopped server again on the same port, with its databases.
  Status StartAgain();

  // CREATE DATABASE <dbname> (createdb); returns Url(dbname).
  Result<std::string> CreateDatabase(std::string_view dbname);

 private:
  PostgresServer() = default;
  Status Init();
  Status StartServer();
  // pg_ctl start on port_; its exit status.
  Result<int> StartOnPort();
  // Runs bin_dir_/<tool> with `args` in dir_, as the server's user when
  // `as_server_user`; output appended to dir_/<tool>.log. Its exit status.
  Result<int> Run(std::string_view tool, const std::vector<std::string>& args,
                  bool as_server_user) const;
  std::string LogTail(std::string_view tool) const;

  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;   // ours; removed by the destructor
  std::filesystem::path data_;  // dir_/data
  int port_ = 0;
  bool running_ = false;
  bool drop_to_nobody_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int watchdog_pipe_ = -1;  // write end; closing it wakes the watchdog
  pid_t watchdog_pid_ = -1;
};

}  // namespace bp::testing
