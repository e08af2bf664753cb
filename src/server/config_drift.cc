#include "server/config_drift.h"

#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "planner/plan.h"
#include "planner/render.h"

namespace bp::server {

namespace {

planner::LiveProfile LiveOf(const storage::ProfileRecord& r) {
  return planner::LiveProfile{.name = r.name,
                              .id = r.id,
                              .arn = r.arn,
                              .description = r.description,
                              .model_arns = r.model_arns,
                              .tags = r.tags};
}

}  // namespace

ConfigDrift::ConfigDrift(const catalog::Catalog& catalog, const storage::CachingProfileStore& store,
                         const Clock& clock)
    : catalog_(catalog), store_(store), clock_(clock) {}

std::shared_ptr<const ConfigDrift::Report> ConfigDrift::Current(
    std::shared_ptr<const config::Config> config) {
  std::shared_ptr<const storage::ProfileSnapshot> snapshot = store_.Snapshot();
  MutexLock lock(mu_);
  if (cached_ != nullptr && cached_->generation == snapshot->generation &&
      cached_->config == config) {
    return cached_;
  }
  std::vector<planner::LiveProfile> live;
  live.reserve(snapshot->by_id.size());
  for (const auto& [id, record] : snapshot->by_id) live.push_back(LiveOf(*record));
  auto report = std::make_shared<Report>();
  report->generation = snapshot->generation;
  report->config = std::move(config);
  Result<planner::Plan> plan = planner::ComputePlan(*report->config, catalog_, std::move(live),
                                                    {.planned_by = "serve"}, clock_);
  if (plan.ok()) {
    report->drift = planner::DriftOf(*plan);
  } else {
    report->status = plan.status();
    spdlog::warn("cannot compare the store with the config: {}", plan.status().ToString());
  }
  cached_ = std::move(report);
  return cached_;
}

json::Object ConfigDrift::ReadyDetails(std::shared_ptr<const config::Config> config) {
  std::shared_ptr<const Report> report = Current(std::move(config));
  json::Object drift;
  if (!report->status.ok()) {
    drift["error"] = "the drift could not be computed; see the log";
  } else {
    const planner::Drift& d = report->drift;
    drift["profiles"] = static_cast<int64_t>(d.Count());
    drift["missing"] = static_cast<int64_t>(d.missing.size());
    drift["tags"] = static_cast<int64_t>(d.tags.size());
    drift["replaced"] = static_cast<int64_t>(d.replaced.size());
    drift["unconfigured"] = static_cast<int64_t>(d.unconfigured.size());
    drift["message"] = d.Sentence();
  }
  json::Object details;
  details["config_drift"] = std::move(drift);
  return details;
}

std::string PlanningPrincipal(const config::Config& config, const auth::Authorizer& authorizer,
                              const Clock& clock) {
  const auth::RequestFacts facts{.source_ip = "127.0.0.1", .time = clock.Now()};
  for (const config::PrincipalConfig& p : config.principals) {  // ordered by name
    if (p.access_key_id.empty() || p.secret_access_key.empty()) continue;
    const auth::Principal principal{.name = p.name, .arn = p.arn, .access_key_id = p.access_key_id};
    if (authorizer
            .Authorize(principal, facts,
                       {.action = "bedrock:ListInferenceProfiles", .resource = "*"})
            .ok()) {
      return p.name;
    }
  }
  return "";
}

std::string DriftBanner(const ConfigDrift::Report& report, const config::Config& config,
                        std::string_view endpoint, std::string_view principal) {
  if (!report.status.ok()) {
    return "drift: cannot compare the store with the config: " + report.status.message() + "\n";
  }
  if (report.drift.Count() == 0) return "";
  planner::Plan hint;
  hint.config_source = config.source;
  hint.endpoint = std::string(endpoint);
  hint.principal = std::string(principal);
  return "drift: " + report.drift.Sentence() + "\n  " + report.drift.Names() + "\n  " +
         planner::PlanCommandHint(hint, "rd.plan") + "\n";
}

}  // namespace bp::server
