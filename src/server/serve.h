#pragma once
// The composition root of `bedrock-profiles serve`: the only place (with cli/)
// that names concrete classes. Loads the config and the model catalog, opens
// the state store, bootstraps the configured profiles into it when it is
// empty (reconciles them with --reconcile), wires the API routes onto the
// HTTP server, prints the banner (with the drift from the config) and serves
// until SIGINT or SIGTERM, then drains. SIGHUP reloads the config without a
// restart (server/config_reloader.h). Public header of bp_server.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "core/status.h"

namespace bp::server {

struct ServeOptions {
  std::optional<std::filesystem::path> config_path;  // unset: BRIEF.md default rule
  std::string listen = "127.0.0.1:8700";             // HOST:PORT, [v6]:PORT; port 0 = any free
  std::filesystem::path state_dir = ".bedrock-profiles";
  int threads = 0;                         // event loops; 0 = one per core
  bool allow_default_credentials = false;  // permit non-loopback listen with the shipped keys
  // false: create the configured profiles only into an empty store, never
  // change a stored one; true: ControlService::Reconcile (create what is
  // missing, reset configured profiles' tags to the config).
  bool reconcile = false;
  // false: no usage records (no ledger writes, no usage metrics); quotas and
  // budgets still apply. For measuring metering's cost (scripts/bench-load).
  bool metering = true;
};

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// Parses "127.0.0.1:8700", "[::1]:8700", "localhost:0". Errors name the input.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

// Runs the server; returns once it has drained after a signal. Errors (bad
// config, state dir locked, port in use) come back before anything is served;
// config errors are printed to `err` one per line first.
Status Serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace bp::server
