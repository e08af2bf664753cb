#include "server/runtime_snapshot.h"

#include <chrono>
#include <utility>

#include "api/control/control_routes.h"
#include "api/control/control_service.h"
#include "api/metrics_route.h"
#include "api/runtime/invoke_gate.h"
#include "api/runtime/runtime_service.h"
#include "api/usage_route.h"
#include "auth/iam/iam_authorizer.h"
#include "auth/iam/values.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "metering/metrics.h"
#include "server/principals.h"

namespace bp::server {

RuntimeSnapshot::RuntimeSnapshot(std::shared_ptr<const config::Config> config)
    : config_(std::move(config)) {}

RuntimeSnapshot::~RuntimeSnapshot() = default;

const auth::Authorizer& RuntimeSnapshot::authorizer() const { return *authorizer_; }

Result<std::shared_ptr<const RuntimeSnapshot>> RuntimeSnapshot::Build(
    std::shared_ptr<const config::Config> config, const SnapshotEnvironment& env,
    const RuntimeSnapshot* previous) {
  std::shared_ptr<RuntimeSnapshot> s(new RuntimeSnapshot(std::move(config)));
  const config::Config& cfg = *s->config_;
  // Signatures and short-term API keys must be scoped to this endpoint's
  // region, as AWS's own endpoint of that region requires.
  s->authenticator_ = std::make_unique<auth::sigv4::SigV4Authenticator>(
      CredentialsOf(cfg), env.clock, auth::sigv4::SigV4AuthenticatorOptions{.region = cfg.region});
  BP_ASSIGN_OR_RETURN(s->authorizer_, auth::iam::IamAuthorizer::Create(
                                          PoliciesOf(cfg), {.requested_region = cfg.region}));
  s->control_ = std::make_unique<api::control::ControlService>(
      api::control::ControlService::Options{
          .account_id = cfg.account_id, .region = cfg.region, .default_tags = cfg.default_tags},
      env.store, env.catalog, env.clock, env.random);
  BP_ASSIGN_OR_RETURN(
      s->runtime_,
      BuildRuntimeParts(cfg, env.clock, previous != nullptr ? &previous->router() : nullptr,
                        env.prompt_cache, previous != nullptr ? previous->quotas() : nullptr,
                        previous != nullptr ? previous->budgets() : nullptr, env.upstreams,
                        env.shared_limits));
  s->gate_ = std::make_unique<api::runtime::InvokeGate>(
      api::runtime::InvokeGate::Options{.account_id = cfg.account_id, .region = cfg.region},
      env.store, *s->authorizer_, s->runtime_.guardrails.get());
  s->service_ = std::make_unique<api::runtime::RuntimeService>(
      api::runtime::RuntimeService::Options{
          .first_token_timeout = std::chrono::milliseconds(cfg.routing.first_token_timeout_ms),
          .region_service_tiers = s->runtime_.service_tiers,
          .source_region = cfg.region,
          .default_max_tokens = cfg.quotas.default_max_tokens},
      api::runtime::RuntimeService::Dependencies{.gate = *s->gate_,
                                                 .catalog = env.catalog,
                                                 .router = *s->runtime_.router,
                                                 .backends = s->runtime_.backends,
                                                 .clock = env.clock,
                                                 .random = env.random,
                                                 .usage = env.usage,
                                                 .prices = s->runtime_.prices.get(),
                                                 .quotas = s->runtime_.quotas.get(),
                                                 .budgets = s->runtime_.budgets.get()});
  s->handler_ =
      std::make_unique<api::ApiHandler>(*s->authenticator_, env.clock, env.handler_options);
  BP_RETURN_IF_ERROR(
      api::control::RegisterControlRoutes(*s->handler_, *s->control_, *s->authorizer_));
  BP_RETURN_IF_ERROR(s->service_->RegisterRoutes(*s->handler_));
  if (env.metrics != nullptr) {
    metering::AllowedLabels allowed;
    for (const config::ProfileConfig& p : cfg.profiles) allowed.profiles.push_back(p.name);
    for (const config::RegionConfig& r : cfg.regions) allowed.regions.push_back(r.name);
    for (const catalog::FoundationModel& m : env.catalog.models())
      allowed.models.push_back(m.model_id);
    env.metrics->Allow(allowed);
    BP_RETURN_IF_ERROR(api::RegisterMetricsRoute(
        *s->handler_, [metrics = env.metrics] { return metrics->RenderText(); },
        {.loopback_listener = env.loopback_listener,
         .bearer_token = cfg.metrics.bearer_token,
         .authenticator = *s->authenticator_,
         .authorizer = *s->authorizer_}));
  }
  if (env.usage_source && env.usage_worker != nullptr) {
    BP_RETURN_IF_ERROR(api::RegisterUsageRoute(
        *s->handler_,
        {.resource_arn = api::UsageResourceArn(cfg.region, cfg.account_id),
         // The parser `usage --from/--to` uses: the API takes what the CLI takes.
         .parse_time = [](std::string_view t) { return auth::iam::ParseTimestampMicros(t); }},
        {.source = env.usage_source, .worker = *env.usage_worker, .authorizer = *s->authorizer_}));
  }
  if (env.dashboard != nullptr) {
    api::dashboard::DashboardOptions dashboard{
        .region = cfg.region,
        .account_id = cfg.account_id,
        .principals = {},
        .usage_arn = api::UsageResourceArn(cfg.region, cfg.account_id)};
    for (const config::PrincipalConfig& p : cfg.principals) {
      dashboard.principals.push_back({.name = p.name, .arn = p.arn});
    }
    BP_RETURN_IF_ERROR(api::dashboard::RegisterDashboard(*s->handler_, std::move(dashboard),
                                                         {.sessions = *env.dashboard,
                                                          .authenticator = *s->authenticator_,
                                                          .authorizer = *s->authorizer_,
                                                          .profiles = env.store,
                                                          .router = *s->runtime_.router,
                                                          .budgets = s->runtime_.budgets.get(),
                                                          .clock = env.clock,
                                                          .ledger = env.dashboard_ledger,
                                                          .worker = env.usage_worker}));
  }
  return std::shared_ptr<const RuntimeSnapshot>(std::move(s));
}

SnapshotHandler::SnapshotHandler(std::shared_ptr<const RuntimeSnapshot> initial)
    : current_(std::move(initial)) {}

void SnapshotHandler::Publish(std::shared_ptr<const RuntimeSnapshot> next) {
  current_.store(std::move(next), std::memory_order_release);
}

std::shared_ptr<const RuntimeSnapshot> SnapshotHandler::Current() const {
  return current_.load(std::memory_order_acquire);
}

void SnapshotHandler::Handle(http::Request&& request,
                             std::shared_ptr<http::ResponseStream> stream) {
  // The one load of this request; the reference moves into the ApiHandler,
  // which holds it until it returns and hands it to an async operation.
  std::shared_ptr<const RuntimeSnapshot> snapshot = Current();
  api::ApiHandler& handler = snapshot->handler();
  handler.Handle(std::move(request), std::move(stream), std::move(snapshot));
}

http::Response SnapshotHandler::ErrorResponse(const Status& status, std::string_view request_id) {
  return Current()->handler().ErrorResponse(status, request_id);
}

}  // namespace bp::server
