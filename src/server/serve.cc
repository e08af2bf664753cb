#include "server/serve.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/control/control_service.h"
#include "api/dashboard/dashboard.h"
#include "api/metrics_route.h"
#include "auth/credentials/credentials.h"
#include "auth/credentials/provider.h"
#include "backends/simulated/prompt_cache.h"
#include "catalog/catalog.h"
#include "config/load.h"
#include "core/arn.h"
#include "core/clock.h"
#include "core/worker_pool.h"
#include "http/server.h"
#include "json/json.h"
#include "metering/leaser.h"
#include "metering/metrics.h"
#include "metering/metrics_limits.h"
#include "metering/usage_report.h"
#include "metering/usage_rollup.h"
#include "server/config_drift.h"
#include "server/config_reloader.h"
#include "server/principals.h"
#include "server/runtime_parts.h"
#include "server/runtime_snapshot.h"
#include "storage/caching_store.h"
#include "storage/postgres/database_health.h"
#include "storage/postgres/postgres_leases.h"
#include "storage/postgres/postgres_ledger.h"
#include "storage/postgres/postgres_profile_listener.h"
#include "storage/postgres/postgres_profile_store.h"
#include "storage/sqlite/sqlite_ledger.h"
#include "storage/sqlite/sqlite_profile_store.h"

namespace bp::server {

namespace {

// GET /usage's pool: queries are rare (people and dashboards), each a scan
// of the ledger; two at a time and a few waiting keep one heavy query from
// starving the rest without letting a burst pile up (429 beyond that).
constexpr int kUsageWorkerThreads = 2;
constexpr size_t kUsageQueueCapacity = 8;
// Dashboard sessions: signed out after 30 idle minutes; at most 10,000 at
// once (the least recently used goes first).
constexpr std::chrono::seconds kDashboardIdleTimeout{1800};
constexpr size_t kDashboardMaxSessions = 10'000;
// A clean shutdown waits this long for the last records to reach PostgreSQL.
constexpr std::chrono::milliseconds kShipOnExit{5000};

// The secret keys shipped in config/bedrock-profiles.hcl. Listening beyond
// loopback with any of them configured would publish an open door.
constexpr std::string_view kShippedAccessKeys[] = {"AKIABPLOCALADMIN0001", "AKIABPLOCALRDE2E0001"};

bool UsesShippedKeys(const config::Config& cfg) {
  return std::any_of(cfg.principals.begin(), cfg.principals.end(), [](const auto& p) {
    return std::find(std::begin(kShippedAccessKeys), std::end(kShippedAccessKeys),
                     p.access_key_id) != std::end(kShippedAccessKeys);
  });
}

// At start and on every reload.
Status CheckShippedKeys(const ListenAddress& listen, const config::Config& cfg,
                        bool allow_default_credentials) {
  if (IsLoopbackHost(listen.host) || !UsesShippedKeys(cfg) || allow_default_credentials) {
    return Status::Ok();
  }
  return ValidationError(
      "refusing to listen on non-loopback address '" + listen.host +
      "' while the config holds the shipped default access keys (their secrets are public); "
      "configure your own principals, or pass --allow-default-credentials");
}

std::string JoinRegions(const std::vector<std::string>& model_arns) {
  std::string out;
  for (const std::string& arn : model_arns) {
    auto parsed = Arn::Parse(arn);
    if (!parsed.ok()) continue;
    if (!out.empty()) out += ",";
    out += parsed->region;
  }
  return out;
}

void PrintBanner(std::ostream& out, const std::string& url, const config::Config& cfg,
                 const api::control::ControlService& control, const std::string& reconcile_note,
                 const auth::credentials::CredentialProvider* aws_credentials) {
  out << "bedrock-profiles listening on " << url << "\n";
  out << "dashboard: " << url << "/ui/  (sign in with a principal's access key or API key)\n";
  out << "config: " << cfg.source << "  (" << reconcile_note << ")\n";
  size_t name_width = 4;
  for (const auto& p : cfg.profiles) name_width = std::max(name_width, p.name.size());
  out << std::left << std::setw(static_cast<int>(name_width) + 2) << "NAME" << std::setw(95)
      << "ARN" << std::setw(44) << "MODEL"
      << "REGIONS\n";
  for (const auto& p : cfg.profiles) {
    auto described = control.DescribeConfigured(p);
    if (!described.ok()) {
      out << std::setw(static_cast<int>(name_width) + 2) << p.name << "("
          << described.status().ToString() << ")\n";
      continue;
    }
    out << std::setw(static_cast<int>(name_width) + 2) << p.name << std::setw(95) << described->arn
        << std::setw(44) << described->model_id << JoinRegions(described->model_arns) << "\n";
  }
  out << "regions (routing " << cfg.routing.policy << ", home " << cfg.routing.home_region
      << "):\n";
  for (const std::string& line : DescribeRegions(cfg)) out << "  " << line << "\n";
  if (aws_credentials != nullptr) out << aws_credentials->StatusLine() << "\n";
  out.flush();
}

// The routers' per-region state as gauges and counters of `metrics`: read at
// each scrape from the snapshot current then (a reload's router carries the
// health of the regions it keeps, so the counters stay monotonic).
storage::sqlite::RollupGrain SqliteGrain(api::dashboard::RollupGrain grain) {
  switch (grain) {
    case api::dashboard::RollupGrain::kMinute:
      return storage::sqlite::RollupGrain::kMinute;
    case api::dashboard::RollupGrain::kHour:
      return storage::sqlite::RollupGrain::kHour;
    case api::dashboard::RollupGrain::kDay:
      return storage::sqlite::RollupGrain::kDay;
  }
  return storage::sqlite::RollupGrain::kHour;
}

// The dashboard's pages read the local ledger's roll-ups and latest calls
// (storage/sqlite), on the usage worker.
api::dashboard::LedgerReads DashboardLedger(const std::filesystem::path& state_dir) {
  return {.rollups =
              [state_dir](api::dashboard::RollupGrain grain, int64_t from_ms, int64_t to_ms,
                          std::string_view principal_arn,
                          const std::function<void(const metering::UsageRollup&)>& fn) {
                return storage::sqlite::ScanUsageRollups(state_dir, SqliteGrain(grain), from_ms,
                                                         to_ms, principal_arn, fn);
              },
          .latest =
              [state_dir](const api::dashboard::RecordFilter& f, size_t limit) {
                using Outcome = storage::sqlite::RecordFilter::Outcome;
                storage::sqlite::RecordFilter filter{
                    .profile_name = f.profile_name,
                    .principal_arn = f.principal_arn,
                    .serving_region = f.serving_region,
                    .outcome = f.outcome == api::dashboard::RecordFilter::Outcome::kOk
                                   ? Outcome::kOk
                               : f.outcome == api::dashboard::RecordFilter::Outcome::kError
                                   ? Outcome::kError
                               : f.outcome == api::dashboard::RecordFilter::Outcome::kThrottled
                                   ? Outcome::kThrottled
                                   : Outcome::kAny};
                return storage::sqlite::LatestUsageRecords(state_dir, filter, limit);
              },
          .minute_rollups_kept_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        storage::sqlite::kMinuteRollupRetention)
                                        .count()};
}

// The runtime's usage sink: the metrics count a record, then the ledger
// keeps it (encoded into the ledger's queue).
class MeteredSinks final : public metering::UsageSink {
 public:
  MeteredSinks(metering::Metrics& metrics, metering::UsageSink& ledger)
      : metrics_(metrics), ledger_(ledger) {}
  void Record(const metering::UsageRecord& record) override {
    metrics_.Observe(record);
    ledger_.Record(record);
  }

 private:
  metering::Metrics& metrics_;
  metering::UsageSink& ledger_;
};

// Adds this UTC month's costs in the ledger to `budgets`: the month's whole
// hours from the hourly roll-ups (one per key and hour, carrying the
// profile, principal ARN and tags Budgets::Restore matches on), the hour
// now running from its raw records (docs/metering.md "Budgets").
Status RestoreBudgets(const metering::Budgets& budgets, const std::filesystem::path& state_dir,
                      storage::sqlite::SqliteLedger& ledger, const Clock& clock) {
  BP_RETURN_IF_ERROR(ledger.Flush());
  const auto now = clock.Now();
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
  const std::chrono::sys_days month_start{today.year() / today.month() / 1};
  int64_t records = 0;
  int64_t rollups = 0;
  int64_t micro_usd = 0;
  Result<std::vector<std::string>> notes = storage::sqlite::ScanUsageHourly(
      state_dir, ToUnixMillis(month_start), ToUnixMillis(now) + 1,
      [&](const metering::UsageRecord& r) {
        budgets.Restore(r);
        ++records;
        micro_usd += std::max<int64_t>(0, r.cost_micro_usd);
      },
      [&](const metering::UsageRollup& u) {
        budgets.Restore(u.SpendRecord());
        ++rollups;
        micro_usd += u.cost_micro_usd;
      });
  if (!notes.ok() && notes.status().code() != ErrorCode::kResourceNotFound) return notes.status();
  if (notes.ok()) {
    for (const std::string& note : *notes) spdlog::warn("budgets: {}", note);
  }
  spdlog::info(
      "budgets: this month's spend rebuilt from the ledger ({} hourly roll-up(s), {} record(s) "
      "of this hour, ${})",
      rollups, records, metering::FormatUsd(micro_usd));
  return Status::Ok();
}

// The ledger's queue and writes, read at each scrape.
Status AddLedgerMetrics(metering::Metrics& metrics, const storage::sqlite::SqliteLedger& ledger) {
  using metering::Sample;
  auto stat = [&ledger](auto value) {
    return [&ledger, value] { return std::vector<Sample>{{{}, value(ledger.stats())}}; };
  };
  using Stats = storage::sqlite::LedgerStats;
  BP_RETURN_IF_ERROR(metrics.AddGauge("bedrock_profiles_ledger_queue_depth",
                                      "Usage records waiting for the ledger's writer.",
                                      stat([](const Stats& s) { return double(s.queued); })));
  BP_RETURN_IF_ERROR(
      metrics.AddGauge("bedrock_profiles_ledger_last_commit_seconds",
                       "How long the ledger's last batch took to commit.",
                       stat([](const Stats& s) { return double(s.last_commit_ms) / 1000.0; })));
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_ledger_write_lag_seconds",
      "Age of the oldest usage record not yet committed to the ledger (0: none waits).",
      stat([](const Stats& s) { return double(s.oldest_pending_ms) / 1000.0; })));
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_ledger_records_written_total", "Usage records committed to the ledger.",
      metering::MetricType::kCounter, stat([](const Stats& s) { return double(s.written); })));
  return metrics.AddCallback(
      "bedrock_profiles_ledger_records_dropped_total",
      "Usage records dropped: the ledger's queue was full, or a batch could not be written.",
      metering::MetricType::kCounter, stat([](const Stats& s) { return double(s.dropped); }));
}

// The shipping of the local ledger to PostgreSQL, read at each scrape.
Status AddShipperMetrics(metering::Metrics& metrics,
                         const storage::PostgresLedgerShipper& shipper) {
  using metering::Sample;
  auto stat = [&shipper](auto value) {
    return [&shipper, value] { return std::vector<Sample>{{{}, value(shipper.stats())}}; };
  };
  using Stats = storage::LedgerShipperStats;
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_ledger_records_shipped_total",
      "Usage records this instance copied from its local ledger to the shared PostgreSQL one.",
      metering::MetricType::kCounter, stat([](const Stats& s) { return double(s.shipped); })));
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_ledger_ship_failures_total",
      "Attempts to ship usage records to PostgreSQL that did not commit (the records wait).",
      metering::MetricType::kCounter,
      stat([](const Stats& s) { return double(s.failed_batches); })));
  // Every instance's calls, from the shared ledger's totals, under the
  // per-call series' labels (names the config and catalog do not know are
  // "-"): the same on every instance, so take max(), never sum(), across them.
  auto cluster = [&shipper, &metrics](auto value) {
    return [&shipper, &metrics, value] {
      std::map<metering::Labels, double> merged;
      for (const storage::UsageTotal& t : shipper.Totals()) {
        const metering::Metrics::SeriesNames names =
            metrics.LabelsFor(t.profile, t.model, t.region);
        const metering::Labels key = {{"profile", names.profile},
                                      {"model", names.model},
                                      {"operation", t.operation},
                                      {"region", names.region},
                                      {"status_class", t.status_class}};
        value(t, key, merged);
      }
      std::vector<Sample> out;
      out.reserve(merged.size());
      for (auto& [labels, v] : merged) out.push_back({labels, v});
      return out;
    };
  };
  using Merged = std::map<metering::Labels, double>;
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_cluster_requests_total",
      "Runtime calls of every instance on the shared database (the same on each instance).",
      metering::MetricType::kCounter,
      cluster([](const storage::UsageTotal& t, const metering::Labels& key, Merged& out) {
        out[key] += static_cast<double>(t.requests);
      })));
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_cluster_tokens_total",
      "Tokens of every instance's calls on the shared database (the same on each instance).",
      metering::MetricType::kCounter,
      cluster([](const storage::UsageTotal& t, const metering::Labels& key, Merged& out) {
        const std::pair<const char*, int64_t> kinds[] = {{"input", t.tokens.input},
                                                         {"output", t.tokens.output},
                                                         {"cache_read", t.tokens.cache_read},
                                                         {"cache_write", t.tokens.cache_write()}};
        for (const auto& [type, n] : kinds) {
          metering::Labels labels = key;
          labels.emplace_back("type", type);
          out[labels] += static_cast<double>(n);
        }
      })));
  BP_RETURN_IF_ERROR(metrics.AddCallback(
      "bedrock_profiles_cluster_cost_usd_total",
      "Cost of every instance's calls on the shared database, USD (the same on each instance).",
      metering::MetricType::kCounter,
      cluster([](const storage::UsageTotal& t, const metering::Labels& key, Merged& out) {
        out[key] += static_cast<double>(t.cost_micro_usd) / 1e6;
      })));
  return metrics.AddGauge("bedrock_profiles_ledger_ship_lag_seconds",
                          "Time since the shipper last found nothing left to ship to PostgreSQL.",
                          stat([](const Stats& s) {
                            if (s.caught_up_at_ms == 0) return -1.0;
                            const int64_t now =
                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
                            return double(std::max<int64_t>(0, now - s.caught_up_at_ms)) / 1000.0;
                          }));
}

Status AddRouterMetrics(metering::Metrics& metrics, const SnapshotHandler& handler) {
  using metering::Sample;
  auto per_region = [&handler](auto value) {
    return [&handler, value] {
      std::vector<Sample> out;
      for (const routing::RegionHealth& h : handler.Current()->router().Health()) {
        out.push_back({{{"region", h.region}}, value(h)});
      }
      return out;
    };
  };
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_region_circuit_state",
      "Circuit of the region: 0 closed, 1 open (or half-open with its probe out).",
      per_region([](const routing::RegionHealth& h) { return h.open ? 1.0 : 0.0; })));
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_region_consecutive_failures", "Consecutive failed attempts in the region.",
      per_region([](const routing::RegionHealth& h) { return double(h.consecutive_failures); })));
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_region_in_flight", "Attempts in flight in the region.",
      per_region([](const routing::RegionHealth& h) { return double(h.outstanding); })));
  return metrics.AddCallback(
      "bedrock_profiles_upstream_attempts_total",
      "Attempts the region answered (outcome success) or failed server-side (outcome failure).",
      metering::MetricType::kCounter, [&handler] {
        std::vector<Sample> out;
        for (const routing::RegionHealth& h : handler.Current()->router().Health()) {
          out.push_back({{{"region", h.region}, {"outcome", "success"}}, double(h.successes)});
          out.push_back({{{"region", h.region}, {"outcome", "failure"}}, double(h.failures)});
        }
        return out;
      });
}

// /readyz's "storage" member (docs/storage.md "When PostgreSQL is lost"):
// {"backend":"sqlite","state":"ok"}, or on PostgreSQL the database (without
// its password), "ok" or "unreachable" since when and why. Still 200 while
// unreachable: the runtime answers from the snapshot; profile changes fail.
json::Object StorageReadyDetails(const storage::DatabaseHealth* health) {
  json::Object out;
  if (health == nullptr) {
    out["backend"] = "sqlite";
    out["state"] = "ok";
    return out;
  }
  const storage::DatabaseHealth::State state = health->Current();
  out["backend"] = "postgres";
  out["database"] = health->database();
  out["state"] = state.reachable ? "ok" : "unreachable";
  out["since_ms"] = state.since_ms;
  if (!state.reachable) {
    out["error"] = state.error;
    out["message"] =
        "profile changes fail with ServiceUnavailableException until the database is back; "
        "runtime calls are answered from this instance's snapshot";
  }
  return out;
}

// /readyz's "usage_ledger" member on PostgreSQL: how the shipping of this
// instance's records goes ("state": "ok" or "behind", with the error).
json::Object ShipperReadyDetails(const storage::PostgresLedgerShipper& shipper) {
  const storage::LedgerShipperStats stats = shipper.stats();
  json::Object out;
  out["state"] = stats.last_error.empty() && stats.caught_up_at_ms > 0 ? "ok" : "behind";
  out["shipped"] = stats.shipped;
  out["cursor"] = stats.cursor;
  if (!stats.last_error.empty()) out["error"] = stats.last_error;
  return out;
}

// /readyz's "limits" member on PostgreSQL: the lease exchanges of the shared
// quotas and budgets ("state": "ok" or "failing": limited calls are refused
// once the leases lapse).
json::Object LeaserReadyDetails(const metering::Leaser& leaser) {
  const metering::Leaser::Stats stats = leaser.stats();
  json::Object out;
  out["state"] = stats.last_error.empty() ? "ok" : "failing";
  out["exchanges"] = stats.exchanges;
  if (!stats.last_error.empty()) out["error"] = stats.last_error;
  return out;
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return ValidationError("--listen '" + std::string(text) + "': expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return ValidationError("--listen '" + std::string(text) +
                             "': expected HOST:PORT (use [addr]:PORT for IPv6)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return ValidationError("--listen '" + std::string(text) + "': empty host");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(std::string(port)) > 65535) {
    return ValidationError("--listen '" + std::string(text) + "': port must be 0-65535");
  }
  return ListenAddress{std::string(host), static_cast<uint16_t>(std::stoul(std::string(port)))};
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  in6_addr v6{};
  if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  in_addr v4{};
  if (inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  return false;
}

Status Serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  BP_ASSIGN_OR_RETURN(ListenAddress listen, ParseListenAddress(options.listen));
  BP_ASSIGN_OR_RETURN(catalog::Catalog builtin, catalog::Catalog::Builtin());

  config::LoadResult loaded =
      config::LoadDefaultOrFile(options.config_path, builtin, config::ProcessEnv());
  for (const std::string& line : config::FormatDiagnostics(loaded)) err << line << "\n";
  if (!loaded.errors.empty()) {
    return ValidationError("the configuration has " + std::to_string(loaded.errors.size()) +
                           " error(s); run `bedrock-profiles validate` for details");
  }
  const auto shared_cfg = std::make_shared<const config::Config>(std::move(*loaded.config));
  const config::Config& cfg = *shared_cfg;
  // Built-in with the config's catalog_file merged over it: what the control
  // plane lists and the runtime routes by (fixed until a restart).
  const catalog::Catalog& catalog = *loaded.catalog;
  BP_RETURN_IF_ERROR(CheckShippedKeys(listen, cfg, options.allow_default_credentials));

  // The profiles: SQLite in the state directory (the default) or a
  // PostgreSQL database several instances share (docs/storage.md
  // "PostgreSQL"). The usage ledger is in the state directory either way;
  // on PostgreSQL it is shipped to a shared one, and quotas and budgets are
  // shared through leases (both below).
  const bool on_postgres = cfg.storage.backend == config::StorageConfig::Backend::kPostgres;
  std::unique_ptr<storage::ProfileStore> durable;
  // The banner's storage line (on PostgreSQL: set once the shipper exists).
  std::string profiles_where = "profiles and usage ledger in " + options.state_dir.string();
  // Held from before the snapshot is loaded until Bootstrap/Reconcile is
  // done: instances starting together take turns, and a later one sees
  // what an earlier one created (so its Bootstrap skips).
  std::unique_ptr<storage::PostgresStartupLock> startup_lock;
  SystemClock clock;
  // Whether this instance reaches its database (PostgreSQL only), for /readyz.
  storage::DatabaseHealth* database_health = nullptr;
  if (on_postgres) {
    BP_ASSIGN_OR_RETURN(auto postgres,
                        storage::PostgresProfileStore::Open(cfg.storage.url, {.clock = &clock}));
    database_health = &postgres->health();
    BP_ASSIGN_OR_RETURN(startup_lock, storage::PostgresStartupLock::Acquire(cfg.storage.url));
    durable = std::move(postgres);
  } else {
    BP_ASSIGN_OR_RETURN(durable, storage::SqliteProfileStore::Open(options.state_dir, {}));
  }
  // Every read (the runtime's above all) comes from memory; writes go through
  // to the database first.
  BP_ASSIGN_OR_RETURN(auto store, storage::CachingProfileStore::Create(*durable));

  SystemRandom random;
  api::control::ControlService control(
      api::control::ControlService::Options{
          .account_id = cfg.account_id, .region = cfg.region, .default_tags = cfg.default_tags},
      *store, catalog, clock, random);
  // Only an empty store is filled from the config (or any with --reconcile):
  // serve never overrules what `apply` did; it reports the drift instead.
  BP_ASSIGN_OR_RETURN(api::control::ReconcileSummary summary,
                      options.reconcile ? control.Reconcile(cfg) : control.Bootstrap(cfg));
  startup_lock.reset();
  // Other instances' writes reach this one's snapshot: a NOTIFY (or the
  // periodic check) makes the listener reload it from the database. It is
  // stopped (and destroyed) before the store it reloads.
  std::unique_ptr<storage::PostgresProfileListener> listener;
  if (on_postgres) {
    BP_ASSIGN_OR_RETURN(listener,
                        storage::PostgresProfileListener::Start(
                            cfg.storage.url, {.health = database_health}, [cached = store.get()] {
                              if (Result<bool> reloaded = cached->Reload(); !reloaded.ok()) {
                                spdlog::warn("profiles: reloading from PostgreSQL: {}",
                                             reloaded.status().message());
                              }
                            }));
  }
  ConfigDrift drift(catalog, *store, clock);

  // Everything a SIGHUP reload replaces (credentials, policies, routes,
  // backends, router) lives in one snapshot; the store, catalog, clock and
  // random stay (server/runtime_snapshot.h, server/config_reloader.h).
  // /readyz reports the drift from the config current at the time.
  SnapshotHandler* current = nullptr;
  // One prompt cache for the process: a reload keeps what is cached.
  std::unique_ptr<backends::simulated::PromptCache> prompt_cache = NewPromptCache(catalog, clock);
  // One Metrics for the process, like the prompt cache: a reload keeps the
  // counts (docs/metrics.md).
  metering::Metrics metrics({.error_codes = api::MetricsErrorCodes()});
  // The usage ledger beside the profile database (docs/metering.md): every
  // runtime call's record, written by its own thread in batches.
  // Raw records and roll-ups older than the config's `metering` retention
  // are deleted by the ledger's writer (read at start; a reload keeps them).
  BP_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::sqlite::SqliteLedger> ledger,
      storage::sqlite::SqliteLedger::Open(
          options.state_dir,
          {.raw_retention = std::chrono::milliseconds(cfg.metering.raw_retention_ms),
           .rollup_retention = std::chrono::milliseconds(cfg.metering.rollup_retention_ms),
           .clock = &clock}));
  // Each runtime call's record is counted by the metrics, then kept by the ledger.
  MeteredSinks usage(metrics, *ledger);
  // On PostgreSQL the local ledger is also the queue of the shared one: its
  // records are shipped from there (docs/storage.md "The usage ledger on
  // PostgreSQL"), and GET /usage reads the shared one.
  std::unique_ptr<storage::sqlite::LedgerTail> ledger_tail;
  std::unique_ptr<storage::PostgresLedgerShipper> shipper;
  // Declared here for /readyz's details; made once the first snapshot is (below).
  std::unique_ptr<metering::Leaser> leaser;
  if (on_postgres) {
    BP_ASSIGN_OR_RETURN(ledger_tail, storage::sqlite::LedgerTail::Open(options.state_dir));
    shipper = storage::PostgresLedgerShipper::Start(
        cfg.storage.url, ledger->instance_id(),
        [tail = ledger_tail.get()](
            int64_t after, size_t limit,
            const std::function<void(int64_t, const metering::UsageRecord&)>& fn) {
          return tail->Read(after, limit, fn);
        });
    profiles_where = "profiles and usage ledger on PostgreSQL " + shipper->display_name() +
                     " (this instance's records queue in " + options.state_dir.string() +
                     ", instance " + ledger->instance_id() + ")";
  }
  // GET /usage reads the ledger (blocking SQLite) on its own small pool,
  // never on a loop (api/usage_route.h); stopped right after the server
  // drains, before the loops it posts answers to are destroyed.
  WorkerPool usage_worker({.threads = kUsageWorkerThreads, .queue_capacity = kUsageQueueCapacity});
  // The dashboard's sessions outlive every snapshot (a reload signs no one
  // out); its pages read this instance's ledger (docs/dashboard.md).
  api::dashboard::DashboardSessions dashboard(
      {.idle_timeout = kDashboardIdleTimeout, .max_sessions = kDashboardMaxSessions}, clock);
  // The proxying regions' view of the process: API keys and AWS_CA_BUNDLE
  // from the environment (read when a snapshot is built, so a reload sees a
  // changed key file only through a restart).
  // serve's own AWS credentials, for the bedrock regions: resolved once here
  // from the standard chain (a clear error when there are none), then kept
  // fresh by the provider's own thread; a call only reads the current set.
  std::unique_ptr<auth::credentials::CredentialProvider> aws_credentials;
  if (std::any_of(cfg.regions.begin(), cfg.regions.end(),
                  [](const config::RegionConfig& r) { return r.backend == "bedrock"; })) {
    auth::credentials::EnvLookup env = auth::credentials::ProcessEnv();
    const std::string home = env("HOME").value_or("");
    aws_credentials = std::make_unique<auth::credentials::CredentialProvider>(
        auth::credentials::ProviderOptions{}, std::move(env), home, clock);
    BP_RETURN_IF_ERROR(aws_credentials->Start());
  }
  const UpstreamEnvironment upstreams{.env = config::ProcessEnv(),
                                      .aws_credentials = aws_credentials.get()};
  const SnapshotEnvironment environment{
      .store = *store,
      .catalog = catalog,
      .clock = clock,
      .random = random,
      .handler_options = {.ready_details =
                              [&drift, &current, database_health, &shipper, &leaser] {
                                json::Object details =
                                    drift.ReadyDetails(current->Current()->shared_config());
                                details["storage"] = StorageReadyDetails(database_health);
                                if (shipper != nullptr) {
                                  details["usage_ledger"] = ShipperReadyDetails(*shipper);
                                }
                                if (leaser != nullptr) {
                                  details["limits"] = LeaserReadyDetails(*leaser);
                                }
                                return details;
                              }},
      .prompt_cache = prompt_cache.get(),
      .usage = options.metering ? &usage : nullptr,
      .metrics = &metrics,
      .loopback_listener = IsLoopbackHost(listen.host),
      .usage_source =
          [state_dir = options.state_dir, on_postgres,
           url = cfg.storage.url](const api::UsageQuery& q) {
            if (on_postgres) {
              return storage::QueryPostgresUsage(url, q.dimensions, q.from_ms, q.to_ms);
            }
            return storage::sqlite::QueryUsage(state_dir, q.dimensions, q.from_ms, q.to_ms);
          },
      .usage_worker = &usage_worker,
      .upstreams = &upstreams,
      .shared_limits = on_postgres,
      .dashboard = &dashboard,
      .dashboard_ledger = DashboardLedger(options.state_dir)};
  BP_ASSIGN_OR_RETURN(std::shared_ptr<const RuntimeSnapshot> first,
                      RuntimeSnapshot::Build(shared_cfg, environment, nullptr));
  // Budget state survives a restart: this month's spend is rebuilt from the
  // ledger before the first call (docs/metering.md "Budgets"); on PostgreSQL
  // it is the database's, read with the first leases below.
  if (const metering::Budgets* budgets = first->budgets(); budgets != nullptr && !on_postgres) {
    BP_RETURN_IF_ERROR(RestoreBudgets(*budgets, options.state_dir, *ledger, clock));
  }
  SnapshotHandler handler(std::move(first));
  current = &handler;
  // On PostgreSQL the budgets and quotas are shared through leases
  // (metering/lease_slot.h), exchanged by their own thread; the first
  // exchange happens before the server listens, so the first calls have
  // leases.
  std::unique_ptr<storage::PostgresLeases> limit_leases;
  if (on_postgres) {
    limit_leases =
        std::make_unique<storage::PostgresLeases>(cfg.storage.url, ledger->instance_id());
    leaser = std::make_unique<metering::Leaser>(
        [leases = limit_leases.get()](const std::vector<metering::LeaseRequest>& requests) {
          return leases->Exchange(requests);
        },
        [&handler] {
          std::shared_ptr<const RuntimeSnapshot> snapshot = handler.Current();
          return metering::LimitsView{
              .quotas = snapshot->quotas(), .budgets = snapshot->budgets(), .keep_alive = snapshot};
        },
        clock, metering::Leaser::Options{});
    if (Status leased = leaser->ExchangeNow(); !leased.ok()) {
      spdlog::warn(
          "limits: {}; budgeted and rate-limited calls are refused until the leases are "
          "exchanged",
          leased.message());
    }
  }
  BP_RETURN_IF_ERROR(AddRouterMetrics(metrics, handler));
  BP_RETURN_IF_ERROR(AddLedgerMetrics(metrics, *ledger));
  if (shipper != nullptr) BP_RETURN_IF_ERROR(AddShipperMetrics(metrics, *shipper));
  // Quota and budget gauges, from the snapshot current at each scrape.
  BP_RETURN_IF_ERROR(metering::AddLimitMetrics(metrics, [&handler] {
    std::shared_ptr<const RuntimeSnapshot> snapshot = handler.Current();
    return metering::LimitsView{
        .quotas = snapshot->quotas(), .budgets = snapshot->budgets(), .keep_alive = snapshot};
  }));
  ConfigReloader reloader(
      {.config_path = options.config_path,
       .env = config::ProcessEnv(),
       .vet = [&listen, allow = options.allow_default_credentials](
                  const config::Config& next) { return CheckShippedKeys(listen, next, allow); }},
      environment, handler);

  http::ServerOptions http_options;
  http_options.host = listen.host;
  http_options.port = listen.port;
  http_options.threads = options.threads;
  http_options.header_timeout = std::chrono::milliseconds(cfg.server.header_timeout_ms);
  http_options.request_timeout = std::chrono::milliseconds(cfg.server.request_timeout_ms);
  http_options.idle_timeout = std::chrono::milliseconds(cfg.server.idle_timeout_ms);
  http_options.max_connections = static_cast<size_t>(cfg.server.max_connections);
  http_options.max_body_bytes_in_flight = static_cast<size_t>(cfg.server.max_body_bytes_in_flight);
  http_options.on_hangup = [&reloader] { reloader.Request(); };
  std::unique_ptr<http::Server> server = http::Server::Create(http_options, handler, clock, random);
  BP_RETURN_IF_ERROR(server->Listen());
  // Before the banner: whoever reads it may signal at once (tests, scripts).
  server->CatchSignals();

  std::string host =
      listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  const std::string url = "http://" + host + ":" + std::to_string(server->port());
  PrintBanner(out, url, cfg, control, summary.ToString(), aws_credentials.get());
  out << profiles_where << "\n";
  std::shared_ptr<const ConfigDrift::Report> drifted = drift.Current(shared_cfg);
  out << DriftBanner(*drifted, cfg, url,
                     PlanningPrincipal(cfg, handler.Current()->authorizer(), clock))
      << std::flush;
  if (drifted->drift.Count() > 0) spdlog::warn("{}", drifted->drift.Sentence());
  spdlog::info("serving {} profile(s) from {}; {}", cfg.profiles.size(), cfg.source,
               profiles_where);
  spdlog::info("limits: {} connections, {} body bytes in flight, header timeout {} ms",
               server->max_connections(), http_options.max_body_bytes_in_flight,
               cfg.server.header_timeout_ms);
  spdlog::info("SIGHUP reloads the config (kill -HUP {})", ::getpid());
  server->Run(/*handle_signals=*/true);
  if (listener != nullptr) listener->Stop();
  if (leaser != nullptr) {
    if (Status released = leaser->StopAndRelease(); !released.ok()) {
      spdlog::warn("limits: the last use was not reported ({})", released.message());
    }
  }
  // Queued usage queries are answered 503 on loops that no longer run (their
  // streams go with the server); a running one finishes first.
  usage_worker.Stop();
  if (Status flushed = ledger->Flush(); !flushed.ok()) {
    spdlog::error("usage ledger: {}", flushed.message());
  }
  const storage::sqlite::LedgerStats metered = ledger->stats();
  spdlog::info("usage ledger: {} record(s) written{}", metered.written,
               metered.dropped > 0 ? ", " + std::to_string(metered.dropped) + " dropped" : "");
  if (shipper != nullptr) {
    // What is not shipped now waits in the local ledger for the next start.
    if (Status shipped = shipper->Drain(kShipOnExit); !shipped.ok()) {
      spdlog::warn(
          "usage ledger: not all records reached PostgreSQL ({}); they are shipped at "
          "the next start",
          shipped.message());
    }
    shipper->Stop();
    spdlog::info("usage ledger: {} record(s) shipped to PostgreSQL", shipper->stats().shipped);
  }
  spdlog::info("drained; bye");
  return Status::Ok();
}

}  // namespace bp::server
