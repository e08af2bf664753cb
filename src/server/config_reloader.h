#pragma once
// `serve`'s config reload (SIGHUP). Private to bp_server.
//
// Request() (the SIGHUP hook, called on a loop thread) only wakes the
// reloader's own thread, which reads and checks the file off the request
// path and, when it is valid, publishes a new RuntimeSnapshot through the
// SnapshotHandler. Requests that arrive while a reload runs are merged into
// one more reload after it.
//
// A reload loads the file the way serve's start did (the same --config, or
// BRIEF.md's default rule) and then:
//   - any error: logs every diagnostic as `validate` prints it
//     ("file:line:col: message", spdlog error; warnings at warn), then one
//     summary line, and keeps serving the old snapshot;
//   - settings that need a restart (RestartOnlyChanges) keep their old values,
//     each named in a warning, and the rest is applied;
//   - the configured profiles are never written (the store is the apply
//     path's); a difference from the running config is one warning;
//   - otherwise one info line: "reloaded config from F: N principal(s),
//     M profile(s), K region(s) (routing P, home H)".
// The model catalog is the one serve started with (a catalog change needs a
// restart).

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "config/load.h"
#include "core/status.h"
#include "server/runtime_snapshot.h"

namespace bp::server {

// The settings a running server cannot change, each as "name changed from X
// to Y: needs a restart; kept X", and `next` with the old values put back:
// account_id, region (every ARN, SigV4 scope, aws:RequestedRegion; a
// routing.home_region equal to the new region follows the kept one) and the
// server { } limits (the HTTP server is built once). The listen address and
// the state directory are command-line flags, so a reload cannot change them.
std::vector<std::string> RestartOnlyChanges(const config::Config& running, config::Config& next);

// True when the configured profiles differ (name, source, description, id,
// tags) between the two.
bool ProfilesDiffer(const config::Config& a, const config::Config& b);

class ConfigReloader final {
 public:
  struct Options {
    std::optional<std::filesystem::path> config_path;  // as given to serve
    config::EnvLookup env;                             // for *_env keys
    // A further refusal of a new config, or OK (serve: the shipped keys on a
    // non-loopback listen address). Empty: none.
    std::function<Status(const config::Config&)> vet;
  };

  // `environment` and `handler` must outlive the reloader. Starts its thread.
  ConfigReloader(Options options, const SnapshotEnvironment& environment, SnapshotHandler& handler);
  // Waits for a reload in progress to end, then stops the thread.
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // Asks for a reload and returns at once. Never blocks; thread-safe.
  void Request();

  // One reload on the calling thread (the reloader's thread runs this; tests
  // call it directly). OK when a new snapshot was published; otherwise the
  // kValidation (or build) error that kept the old one, already logged.
  // Not to be called concurrently with itself.
  Status ReloadNow();

 private:
  void Run();

  const Options options_;
  const SnapshotEnvironment& environment_;
  SnapshotHandler& handler_;
  std::atomic<bool> pending_{false};
  std::atomic<bool> stopping_{false};
  std::counting_semaphore<> wake_{0};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace bp::server
