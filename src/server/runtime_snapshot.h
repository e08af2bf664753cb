#pragma once
// What `serve` builds from one config that a reload (SIGHUP) may replace, as
// one immutable value, and the http::Handler that serves every request from
// the snapshot current when the request arrived. Private to bp_server.
//
// A RuntimeSnapshot owns the config and everything wired from it: the SigV4
// authenticator (principals), the IAM authorizer (policies), a ControlService
// (default_tags for API creates), the ADR-0007 gate, the backends and region
// router (regions, routing), the RuntimeService and the ApiHandler with every
// route. What stays fixed for the life of the process is passed in as a
// SnapshotEnvironment: the profile store (reload never writes profiles), the
// model catalog (built in; a catalog change needs a restart), clock, random
// and the readiness probe.
//
// SnapshotHandler holds the current snapshot in a
// std::atomic<std::shared_ptr<const RuntimeSnapshot>> (as CachingProfileStore
// holds the profile snapshot; see docs/architecture.md for libstdc++'s spin
// bit). Each request loads it once, and that reference travels with the
// request (ApiCall::keep_alive) until its answer is complete, streams
// included: a request in flight keeps the credentials, policies, routes and
// backends it started with; the old snapshot is destroyed by whichever
// request ends last. Per request: one atomic load (one reference count), no
// lock, no allocation.

#include <atomic>
#include <memory>
#include <string_view>

#include "api/dashboard/dashboard.h"
#include "api/router.h"
#include "api/usage_route.h"
#include "auth/authorizer.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"
#include "routing/router.h"
#include "server/runtime_parts.h"
#include "storage/caching_store.h"

namespace bp::auth::iam {
class IamAuthorizer;
}
namespace bp::auth::sigv4 {
class SigV4Authenticator;
}
namespace bp::api::control {
class ControlService;
}
namespace bp::backends::simulated {
class PromptCache;
}
namespace bp::metering {
class UsageSink;
class Metrics;
}  // namespace bp::metering
namespace bp {
class WorkerPool;
}
namespace bp::api::runtime {
class InvokeGate;
class RuntimeService;
}  // namespace bp::api::runtime

namespace bp::server {

// Shared by every snapshot; everything must outlive the snapshots.
struct SnapshotEnvironment {
  storage::CachingProfileStore& store;
  const catalog::Catalog& catalog;
  Clock& clock;
  Random& random;
  api::ApiHandlerOptions handler_options;  // /readyz
  // The simulated models' prompt cache (null: nothing is cached).
  backends::simulated::PromptCache* prompt_cache = nullptr;
  // Where the runtime's usage records go (null: nothing is metered).
  metering::UsageSink* usage = nullptr;
  // The process's metrics (null: no GET /metrics): each snapshot allows its
  // config's profiles and regions and the catalog's models as label values
  // and serves it at GET /metrics (api/metrics_route.h); `usage` feeds it.
  metering::Metrics* metrics = nullptr;
  bool loopback_listener = false;  // GET /metrics: loopback peers need no signature
  // GET /usage (api/usage_route.h): the ledger's reports, read on
  // `usage_worker`. Both set, or neither (no route).
  api::UsageSource usage_source;
  WorkerPool* usage_worker = nullptr;
  // What the bedrock and openai regions read from the process (null: every
  // region must be simulated).
  const UpstreamEnvironment* upstreams = nullptr;
  // Several instances share the budgets and quotas through leases from the
  // database (metering/lease_slot.h; serve on PostgreSQL).
  bool shared_limits = false;
  // The dashboard under /ui/ (api/dashboard/dashboard.h): its sessions,
  // kept across reloads, and the ledger reads of its pages (run on
  // `usage_worker`). Null: no dashboard.
  api::dashboard::DashboardSessions* dashboard = nullptr;
  api::dashboard::LedgerReads dashboard_ledger;
};

class RuntimeSnapshot final {
 public:
  // Wires everything `config` decides. `previous` (may be null: the first
  // snapshot) lends its router's region health to the new router for the
  // regions both route to (routing/router.h). Errors: a policy the IAM
  // authorizer refuses, a backend kind this build lacks (kValidation), a
  // route table conflict (kInternal).
  static Result<std::shared_ptr<const RuntimeSnapshot>> Build(
      std::shared_ptr<const config::Config> config, const SnapshotEnvironment& env,
      const RuntimeSnapshot* previous);
  ~RuntimeSnapshot();
  RuntimeSnapshot(const RuntimeSnapshot&) = delete;
  RuntimeSnapshot& operator=(const RuntimeSnapshot&) = delete;

  const config::Config& config() const { return *config_; }
  const std::shared_ptr<const config::Config>& shared_config() const { return config_; }
  // The IAM decisions of this config (the serve banner's plan hint).
  const auth::Authorizer& authorizer() const;
  // Thread-safe (ApiHandler's contract: its table is fixed once built).
  api::ApiHandler& handler() const { return *handler_; }
  const routing::Router& router() const { return *runtime_.router; }
  // The config's quotas (null: none); the next snapshot starts from their counts.
  const metering::Quotas* quotas() const { return runtime_.quotas.get(); }
  // The config's budgets (null: none); the next snapshot starts from their spend.
  const metering::Budgets* budgets() const { return runtime_.budgets.get(); }

 private:
  explicit RuntimeSnapshot(std::shared_ptr<const config::Config> config);

  const std::shared_ptr<const config::Config> config_;
  std::unique_ptr<auth::sigv4::SigV4Authenticator> authenticator_;
  std::unique_ptr<auth::iam::IamAuthorizer> authorizer_;
  std::unique_ptr<api::control::ControlService> control_;
  std::unique_ptr<api::runtime::InvokeGate> gate_;
  RuntimeParts runtime_;
  std::unique_ptr<api::runtime::RuntimeService> service_;
  std::unique_ptr<api::ApiHandler> handler_;  // last: its routes use everything above
};

// The http::Handler of `serve`: every request goes to the snapshot current
// when it arrived. Thread-safe: Handle() on any loop thread, Publish() from
// any thread at the same time.
class SnapshotHandler final : public http::Handler {
 public:
  explicit SnapshotHandler(std::shared_ptr<const RuntimeSnapshot> initial);
  SnapshotHandler(const SnapshotHandler&) = delete;
  SnapshotHandler& operator=(const SnapshotHandler&) = delete;

  // Requests that arrive from now on use `next`; those in flight keep theirs.
  void Publish(std::shared_ptr<const RuntimeSnapshot> next);
  std::shared_ptr<const RuntimeSnapshot> Current() const;

  // http::Handler
  void Handle(http::Request&& request, std::shared_ptr<http::ResponseStream> stream) override;
  http::Response ErrorResponse(const Status& status, std::string_view request_id) override;

 private:
  std::atomic<std::shared_ptr<const RuntimeSnapshot>> current_;
};

}  // namespace bp::server
