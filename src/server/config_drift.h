#pragma once
// ConfigDrift: how far serve's store has drifted from serve's config, in the
// words of `plan` (planner/drift.h), for the start-up banner and the details
// of /readyz. `serve` never corrects drift on its own (only `apply`, or
// `serve --reconcile`, changes profiles); it reports it.
//
// Computed from the in-memory profile snapshot exactly as `plan` would see
// the store through the API, and cached: recomputed only when the store's
// generation (storage::ProfileSnapshot::generation) moved since the last
// computation, so a write through the control plane (an apply) shows on the
// next /readyz while the runtime path never pays for it. Private to bp_server.
//
// Thread-safety: Current() and ReadyDetails() may be called from any thread;
// one mutex guards the cached result (held while recomputing).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/authorizer.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "json/json.h"
#include "planner/drift.h"
#include "storage/caching_store.h"

namespace bp::server {

class ConfigDrift final {
 public:
  struct Report {
    uint64_t generation = 0;                       // of the snapshot it was computed from
    std::shared_ptr<const config::Config> config;  // and the config (SIGHUP replaces it)
    Status status;                                 // not OK when the drift could not be computed
    planner::Drift drift;
  };

  // Every reference must outlive this.
  ConfigDrift(const catalog::Catalog& catalog, const storage::CachingProfileStore& store,
              const Clock& clock);
  ConfigDrift(const ConfigDrift&) = delete;
  ConfigDrift& operator=(const ConfigDrift&) = delete;

  // The drift of the current snapshot from `config` (the cached report while
  // the store's generation and the config are unchanged).
  std::shared_ptr<const Report> Current(std::shared_ptr<const config::Config> config)
      BP_EXCLUDES(mu_);

  // /readyz's details (a public route: counts only, no profile names):
  //   {"config_drift": {"profiles": 2, "missing": 0, "tags": 2, "replaced": 0,
  //                     "unconfigured": 0,
  //                     "message": "2 profiles differ from the config; run plan"}}
  // or {"config_drift": {"error": "the drift could not be computed; see the log"}}.
  json::Object ReadyDetails(std::shared_ptr<const config::Config> config) BP_EXCLUDES(mu_);

 private:
  const catalog::Catalog& catalog_;
  const storage::CachingProfileStore& store_;
  const Clock& clock_;

  Mutex mu_;
  std::shared_ptr<const Report> cached_ BP_GUARDED_BY(mu_);
};

// The first configured principal (by name) with access keys whose policies
// allow bedrock:ListInferenceProfiles: the one a `plan` hint names. Empty
// when none does (the hint then relies on the AWS credential chain).
std::string PlanningPrincipal(const config::Config& config, const auth::Authorizer& authorizer,
                              const Clock& clock);

// The banner's drift lines, or nothing when there is no drift:
//   drift: 2 profiles differ from the config; run plan
//     rd-haiku-45 (tags), rd-sonnet-4 (tags)
//     bedrock-profiles plan --config F --endpoint URL --principal P --out rd.plan
std::string DriftBanner(const ConfigDrift::Report& report, const config::Config& config,
                        std::string_view endpoint, std::string_view principal);

}  // namespace bp::server
