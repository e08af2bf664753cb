#include "server/config_reloader.h"

#include <exception>
#include <sstream>
#include <utility>

#include <spdlog/spdlog.h>

namespace bp::server {

namespace {

// "name changed from X to Y: needs a restart; kept X", when they differ;
// then `next` holds the running value again.
template <class T>
void KeepRunning(std::string_view name, const T& running, T& next,
                 std::vector<std::string>& warnings) {
  if (running == next) return;
  std::ostringstream line;
  line << name << " changed from " << running << " to " << next << ": needs a restart; kept "
       << running;
  warnings.push_back(line.str());
  next = running;
}

bool SameProfile(const config::ProfileConfig& a, const config::ProfileConfig& b) {
  return a.name == b.name && a.model_arn == b.model_arn && a.description == b.description &&
         a.id == b.id && a.tags == b.tags;
}

// The file a load was about, for the summary line.
std::string NameOf(const config::LoadResult& loaded,
                   const std::optional<std::filesystem::path>& path) {
  if (loaded.config) return loaded.config->source;
  if (!loaded.errors.empty() && !loaded.errors.front().location.file.empty()) {
    return loaded.errors.front().location.file;
  }
  return path ? path->string() : std::string(config::kBuiltinConfigName);
}

// Every diagnostic as `validate` prints it (config::FormatDiagnostics' text).
void LogDiagnostics(const config::LoadResult& loaded) {
  for (const config::Diagnostic& d : loaded.warnings) {
    config::Diagnostic shown = d;
    shown.message = "warning: " + d.message;
    spdlog::warn("{}", shown.ToString());
  }
  for (const config::Diagnostic& d : loaded.errors) spdlog::error("{}", d.ToString());
}

}  // namespace

std::vector<std::string> RestartOnlyChanges(const config::Config& running, config::Config& next) {
  std::vector<std::string> warnings;
  KeepRunning("account_id", running.account_id, next.account_id, warnings);
  // A home region left to default follows `region`; it stays with the kept one.
  if (next.region != running.region && next.routing.home_region == next.region) {
    next.routing.home_region = running.region;
  }
  KeepRunning("region", running.region, next.region, warnings);
  const config::ServerConfig& r = running.server;
  config::ServerConfig& n = next.server;
  KeepRunning("server.header_timeout_ms", r.header_timeout_ms, n.header_timeout_ms, warnings);
  KeepRunning("server.request_timeout_ms", r.request_timeout_ms, n.request_timeout_ms, warnings);
  KeepRunning("server.idle_timeout_ms", r.idle_timeout_ms, n.idle_timeout_ms, warnings);
  KeepRunning("server.max_connections", r.max_connections, n.max_connections, warnings);
  KeepRunning("server.max_body_bytes_in_flight", r.max_body_bytes_in_flight,
              n.max_body_bytes_in_flight, warnings);
  // The usage ledger is opened once, with its retention.
  if (next.metering != running.metering) {
    auto show = [](const config::MeteringConfig& m) {
      auto one = [](int64_t ms) {
        return ms == 0 ? std::string("forever") : std::to_string(ms / 3'600'000) + "h";
      };
      return "raw " + one(m.raw_retention_ms) + ", roll-ups " + one(m.rollup_retention_ms);
    };
    warnings.push_back("metering retention changed from " + show(running.metering) + " to " +
                       show(next.metering) + ": needs a restart; kept " + show(running.metering));
    next.metering = running.metering;
  }
  // The profile store is opened once. The url is not shown: it may hold a
  // password (from url_env).
  if (next.storage != running.storage) {
    warnings.push_back(
        "storage changed: needs a restart; kept the profile store serve started with");
    next.storage = running.storage;
  }
  return warnings;
}

bool ProfilesDiffer(const config::Config& a, const config::Config& b) {
  if (a.profiles.size() != b.profiles.size()) return true;
  for (size_t i = 0; i < a.profiles.size(); ++i) {
    if (!SameProfile(a.profiles[i], b.profiles[i])) return true;
  }
  return false;
}

ConfigReloader::ConfigReloader(Options options, const SnapshotEnvironment& environment,
                               SnapshotHandler& handler)
    : options_(std::move(options)),
      environment_(environment),
      handler_(handler),
      thread_([this] { Run(); }) {}

ConfigReloader::~ConfigReloader() {
  stopping_.store(true);
  wake_.release();
  thread_.join();
}

void ConfigReloader::Request() {
  // At most one wake-up outstanding: a reload that has not started yet will
  // read the file as it is by then.
  if (!pending_.exchange(true)) wake_.release();
}

void ConfigReloader::Run() {
  for (;;) {
    wake_.acquire();
    if (stopping_.load()) return;
    pending_.store(false);  // a request from now on asks for one more reload
    // This thread's one catch-all: a reload that throws keeps the old config
    // and the server up.
    try {
      (void)ReloadNow();
    } catch (const std::exception& e) {
      spdlog::error("config reload failed: {}; still serving the previous config", e.what());
    } catch (...) {
      spdlog::error("config reload failed; still serving the previous config");
    }
  }
}

Status ConfigReloader::ReloadNow() {
  const std::shared_ptr<const RuntimeSnapshot> running = handler_.Current();
  config::LoadResult loaded =
      config::LoadDefaultOrFile(options_.config_path, environment_.catalog, options_.env);
  const std::string name = NameOf(loaded, options_.config_path);
  LogDiagnostics(loaded);
  auto refuse = [&name](const Status& why) {
    spdlog::error("config reload from {} refused: {}; still serving the previous config", name,
                  why.message());
    return why;
  };
  if (!loaded.errors.empty() || !loaded.config) {
    return refuse(ValidationError(std::to_string(loaded.errors.size()) + " error(s) in the file"));
  }
  config::Config next = std::move(*loaded.config);
  if (options_.vet) {
    Status vetted = options_.vet(next);
    if (!vetted.ok()) return refuse(vetted);
  }
  for (const std::string& warning : RestartOnlyChanges(running->config(), next)) {
    spdlog::warn("config reload: {}", warning);
  }
  // The catalog stays the one serve started with (ControlService and the
  // runtime hold it): say so when catalog_file now says something else.
  if (loaded.catalog && !(*loaded.catalog == environment_.catalog)) {
    spdlog::warn(
        "config reload: the model catalog changed ({}): needs a restart; kept the "
        "catalog serve started with",
        next.catalog_file.empty() ? std::string("catalog_file") : next.catalog_file);
  }
  const bool profiles_differ = ProfilesDiffer(running->config(), next);
  auto applied = std::make_shared<const config::Config>(std::move(next));
  Result<std::shared_ptr<const RuntimeSnapshot>> built =
      RuntimeSnapshot::Build(applied, environment_, running.get());
  if (!built.ok()) return refuse(built.status());
  handler_.Publish(std::move(built).value());
  if (profiles_differ) {
    spdlog::warn(
        "config reload: inference_profiles changed in {}; a reload never writes profiles, the "
        "store keeps them as they are (run `bedrock-profiles plan`, then `apply`)",
        name);
  }
  spdlog::info(
      "reloaded config from {}: {} principal(s), {} profile(s), {} region(s) (routing {}, "
      "home {})",
      name, applied->principals.size(), applied->profiles.size(), applied->regions.size(),
      applied->routing.policy, applied->routing.home_region);
  return Status::Ok();
}

}  // namespace bp::server
