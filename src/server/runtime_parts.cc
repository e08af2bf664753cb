#include "server/runtime_parts.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <utility>

#include "backends/fault_injection.h"
#include "backends/simulated/prompt_cache.h"
#include "backends/simulated/simulated_backend.h"
#include "backends/upstream/bedrock_backend.h"
#include "backends/upstream/openai_backend.h"
#include "http/client.h"

namespace bp::server {

namespace {

bool HasFaults(const config::FaultConfig& f) {
  return f.outage || f.error_rate > 0 || f.throttle_rate > 0 || f.mid_stream_error_rate > 0;
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

Result<std::unique_ptr<backends::ModelBackend>> BuildOpenAi(const config::RegionConfig& region,
                                                            const config::Config& config,
                                                            const UpstreamEnvironment& upstreams) {
  const config::OpenAiBackendConfig& c = region.openai;
  const std::string path = "regions." + region.name + ".openai";
  Result<http::Endpoint> endpoint = http::ParseEndpointUrl(c.base_url);
  if (!endpoint.ok()) return ValidationError(path + ".base_url: " + endpoint.status().message());
  std::string api_key;
  if (!c.api_key_env.empty()) {
    std::optional<std::string> value = upstreams.env(c.api_key_env);
    if (!value || value->empty()) {
      return ValidationError(path + ".api_key_env: the variable " + c.api_key_env +
                             " is not set (it holds the server's API key)");
    }
    api_key = std::move(*value);
  }
  std::unique_ptr<backends::ModelBackend> backend =
      std::make_unique<backends::upstream::OpenAiBackend>(
          std::move(endpoint).value(),
          UpstreamOptionsOf(c.limits, upstreams.env("AWS_CA_BUNDLE").value_or("")),
          backends::upstream::OpenAiBackendOptions{
              .model = c.model,
              .api_key = std::move(api_key),
              .default_max_tokens = static_cast<int32_t>(config.quotas.default_max_tokens)});
  return backend;
}

Result<std::unique_ptr<backends::ModelBackend>> BuildBedrock(const config::RegionConfig& region,
                                                             const Clock& clock,
                                                             const UpstreamEnvironment& upstreams) {
  const config::BedrockBackendConfig& c = region.bedrock;
  const std::string path = "regions." + region.name + ".bedrock";
  if (upstreams.aws_credentials == nullptr) {
    return ValidationError("regions." + region.name +
                           ": backend \"bedrock\" needs serve's AWS credentials, which serve "
                           "resolves when it starts with a bedrock region; restart serve");
  }
  const std::string url =
      c.endpoint.empty() ? "https://bedrock-runtime." + region.name + ".amazonaws.com" : c.endpoint;
  Result<http::Endpoint> endpoint = http::ParseEndpointUrl(url);
  if (!endpoint.ok()) return ValidationError(path + ".endpoint: " + endpoint.status().message());
  backends::upstream::BedrockBackendOptions options{
      .region = region.name,
      .model_id = c.model_id == "system-profile"
                      ? backends::upstream::BedrockModelId::kSystemProfile
                      : backends::upstream::BedrockModelId::kFoundationModel,
      .profile_model_ids = {c.profile_model_ids.begin(), c.profile_model_ids.end()}};
  std::unique_ptr<backends::ModelBackend> backend =
      std::make_unique<backends::upstream::BedrockBackend>(
          std::move(endpoint).value(),
          UpstreamOptionsOf(c.limits, upstreams.env("AWS_CA_BUNDLE").value_or("")),
          std::move(options), *upstreams.aws_credentials, clock);
  return backend;
}

Result<std::unique_ptr<backends::ModelBackend>> BuildBackend(
    const config::RegionConfig& region, const config::Config& config, const Clock& clock,
    backends::simulated::PromptCache* prompt_cache, const UpstreamEnvironment* upstreams) {
  if (region.backend == "simulated") {
    return std::unique_ptr<backends::ModelBackend>(
        std::make_unique<backends::simulated::SimulatedBackend>(
            backends::simulated::SimulatedOptions{
                .time_to_first_token =
                    std::chrono::milliseconds(region.simulated.time_to_first_token_ms),
                .tokens_per_second = region.simulated.tokens_per_second,
            },
            prompt_cache));
  }
  if (upstreams == nullptr || !upstreams->env) {
    return ValidationError("regions." + region.name + ".backend: '" + region.backend +
                           "' needs serve's environment (API keys, AWS credentials)");
  }
  if (region.backend == "openai") return BuildOpenAi(region, config, *upstreams);
  if (region.backend == "bedrock") return BuildBedrock(region, clock, *upstreams);
  return ValidationError("regions." + region.name + ".backend: '" + region.backend +
                         "' is not available in this build");
}

}  // namespace

http::UpstreamOptions UpstreamOptionsOf(const config::UpstreamLimitsConfig& limits,
                                        std::string ca_bundle_file) {
  http::UpstreamOptions o;
  o.connect_timeout = std::chrono::milliseconds(limits.connect_timeout_ms);
  o.first_byte_timeout = std::chrono::milliseconds(limits.first_byte_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(limits.idle_timeout_ms);
  o.max_concurrent = limits.max_concurrency;
  o.ca_bundle_file = std::move(ca_bundle_file);
  return o;
}

Result<std::shared_ptr<const metering::PriceTable>> BuildPriceTable(
    const config::PricesConfig& prices) {
  metering::PriceTable::PriceMap models;
  for (const config::ModelPriceConfig& m : prices.models) {
    models.emplace(m.model_id, metering::ModelPrice{.input = m.input,
                                                    .output = m.output,
                                                    .cache_read = m.cache_read,
                                                    .cache_write_5m = m.cache_write_5m,
                                                    .cache_write_1h = m.cache_write_1h});
  }
  metering::PriceTable::MultiplierMap regions(prices.region_multipliers.begin(),
                                              prices.region_multipliers.end());
  metering::PriceTable::MultiplierMap tiers(prices.tier_multipliers.begin(),
                                            prices.tier_multipliers.end());
  Result<metering::PriceTable> table =
      metering::PriceTable::Create(std::move(models), std::move(regions), std::move(tiers));
  if (!table.ok()) return std::move(table.status()).Annotate("prices");
  return std::make_shared<const metering::PriceTable>(std::move(table).value());
}

Result<RuntimeParts> BuildRuntimeParts(const config::Config& config, const Clock& clock,
                                       const routing::Router* carry_health_from,
                                       backends::simulated::PromptCache* prompt_cache,
                                       const metering::Quotas* carry_quotas_from,
                                       const metering::Budgets* carry_budgets_from,
                                       const UpstreamEnvironment* upstreams, bool shared_limits) {
  RuntimeParts parts;
  std::vector<std::string> names;
  for (const config::RegionConfig& region : config.regions) {
    BP_ASSIGN_OR_RETURN(std::unique_ptr<backends::ModelBackend> backend,
                        BuildBackend(region, config, clock, prompt_cache, upstreams));
    if (HasFaults(region.faults)) {
      backend = std::make_unique<backends::FaultInjectingBackend>(
          std::move(backend), backends::FaultOptions{
                                  .error_rate = region.faults.error_rate,
                                  .throttle_rate = region.faults.throttle_rate,
                                  .outage = region.faults.outage,
                                  .mid_stream_error_rate = region.faults.mid_stream_error_rate,
                                  .seed = region.faults.seed,
                              });
    }
    std::vector<backends::ServiceTier>& tiers = parts.service_tiers[region.name];
    for (const std::string& name : region.service_tiers) {
      std::optional<backends::ServiceTier> tier = backends::ServiceTierFromName(name);
      if (!tier) {
        return ValidationError("regions." + region.name + ".service_tiers: unknown tier '" + name +
                               "'");
      }
      // An OpenAI-compatible server has one tier: a call asking for another
      // is routed to a region that offers it, never refused there.
      if (region.backend == "openai" && *tier != backends::ServiceTier::kDefault) continue;
      tiers.push_back(*tier);
    }
    parts.backends.emplace(region.name, backend.get());
    parts.owned.push_back(std::move(backend));
    names.push_back(region.name);
  }
  std::vector<std::unique_ptr<const guardrails::Guardrail>> guardrails;
  for (const config::GuardrailConfig& g : config.guardrails) {
    BP_ASSIGN_OR_RETURN(
        std::unique_ptr<const guardrails::Guardrail> built,
        guardrails::Guardrail::Create({.name = g.name,
                                       .id = g.id,
                                       .version = g.version,
                                       .input = {.words = g.blocked_input_words,
                                                 .patterns = g.blocked_input_patterns,
                                                 .blocked_message = g.blocked_input_message},
                                       .output = {.words = g.blocked_output_words,
                                                  .patterns = g.blocked_output_patterns,
                                                  .blocked_message = g.blocked_output_message}}));
    guardrails.push_back(std::move(built));
  }
  parts.guardrails = std::make_unique<const guardrails::GuardrailSet>(std::move(guardrails));
  BP_ASSIGN_OR_RETURN(parts.prices, BuildPriceTable(config.prices));
  metering::QuotaSettings quotas = QuotaSettingsOf(config.quotas);
  quotas.shared = shared_limits;
  if (!quotas.profiles.empty() || !quotas.principals.empty() || !quotas.pairs.empty()) {
    parts.quotas =
        std::make_unique<const metering::Quotas>(std::move(quotas), clock, carry_quotas_from);
  }
  metering::BudgetSettings budgets = BudgetSettingsOf(config);
  budgets.shared = shared_limits;
  if (!budgets.profiles.empty() || !budgets.principals.empty() || !budgets.tags.empty()) {
    parts.budgets =
        std::make_unique<const metering::Budgets>(std::move(budgets), clock, carry_budgets_from);
  }
  const config::RoutingConfig& r = config.routing;
  std::optional<routing::Policy> policy = routing::ParsePolicy(r.policy);
  if (!policy) return ValidationError("routing.policy: unknown policy '" + r.policy + "'");
  parts.router = std::make_unique<routing::Router>(
      routing::Options{.policy = *policy,
                       .home_region = r.home_region,
                       .overflow_outstanding = r.overflow_outstanding,
                       .failure_threshold = r.failure_threshold,
                       .open_for = Millis(r.open_seconds),
                       .max_open_for = Millis(r.max_open_seconds),
                       .max_attempts = r.max_attempts},
      std::move(names), clock, carry_health_from);
  return parts;
}

metering::QuotaSettings QuotaSettingsOf(const config::QuotasConfig& quotas) {
  auto limits = [](const config::QuotaLimitsConfig& l) {
    return metering::QuotaLimits{.requests_per_minute = l.requests_per_minute,
                                 .tokens_per_minute = l.tokens_per_minute,
                                 .tokens_per_day = l.tokens_per_day};
  };
  metering::QuotaSettings out;
  for (const auto& [name, l] : quotas.profiles) out.profiles.emplace(name, limits(l));
  for (const auto& [name, l] : quotas.principals) out.principals.emplace(name, limits(l));
  for (const auto& [principal, profiles] : quotas.pairs) {
    for (const auto& [profile, l] : profiles) out.pairs[principal].emplace(profile, limits(l));
  }
  out.default_max_tokens = quotas.default_max_tokens;
  return out;
}

metering::BudgetSettings BudgetSettingsOf(const config::Config& config) {
  auto limit = [](const config::BudgetConfig& b) {
    return metering::BudgetLimit{.monthly_micro_usd = b.monthly_micro_usd, .warn_ppm = b.warn_ppm};
  };
  metering::BudgetSettings out;
  for (const auto& [name, b] : config.budgets.profiles) out.profiles.emplace(name, limit(b));
  for (const auto& [name, b] : config.budgets.principals) {
    out.principals.emplace(name, limit(b));
    if (const config::PrincipalConfig* p = config.FindPrincipal(name)) {
      out.principal_arns.emplace(name, p->arn);
    }
  }
  for (const auto& [key, values] : config.budgets.tags) {
    for (const auto& [value, b] : values) out.tags[key].emplace(value, limit(b));
  }
  return out;
}

std::unique_ptr<backends::simulated::PromptCache> NewPromptCache(const catalog::Catalog& catalog,
                                                                 const Clock& clock) {
  backends::simulated::PromptCacheOptions options;
  for (const catalog::FoundationModel& model : catalog.models()) {
    if (model.prompt_cache_min_tokens <= 0) continue;
    options.models.emplace(model.model_id, backends::simulated::ModelCacheRules{
                                               .min_tokens = model.prompt_cache_min_tokens});
  }
  return std::make_unique<backends::simulated::PromptCache>(clock, std::move(options));
}

std::vector<std::string> DescribeRegions(const config::Config& config) {
  std::vector<std::string> lines;
  for (const config::RegionConfig& region : config.regions) {
    std::ostringstream line;
    line << std::left << std::setw(14) << region.name << region.backend;
    if (region.backend == "openai") {
      line << " " << region.openai.base_url << " model " << region.openai.model;
      if (!region.openai.api_key_env.empty()) {
        line << " (API key from " << region.openai.api_key_env << ")";
      }
    } else if (region.backend == "bedrock") {
      line << " "
           << (region.bedrock.endpoint.empty()
                   ? "https://bedrock-runtime." + region.name + ".amazonaws.com"
                   : region.bedrock.endpoint)
           << " (modelId: " << region.bedrock.model_id;
      if (!region.bedrock.profile_model_ids.empty()) {
        line << ", " << region.bedrock.profile_model_ids.size() << " profile(s) mapped";
      }
      line << ")";
    } else {
      line << " (first token " << region.simulated.time_to_first_token_ms << " ms, ";
      if (region.simulated.tokens_per_second > 0) {
        line << region.simulated.tokens_per_second << " tokens/s)";
      } else {
        line << "unthrottled)";
      }
    }
    const config::FaultConfig& f = region.faults;
    if (f.outage) line << "  faults: OUTAGE";
    if (f.error_rate > 0) line << "  faults: error_rate " << f.error_rate;
    if (f.throttle_rate > 0) line << "  throttle_rate " << f.throttle_rate;
    if (f.mid_stream_error_rate > 0) line << "  mid_stream_error_rate " << f.mid_stream_error_rate;
    lines.push_back(line.str());
  }
  return lines;
}

}  // namespace bp::server
