#pragma once
// The runtime's concrete parts built from the config: one backend per
// configured region (the simulated model, an OpenAI-compatible server or
// Amazon Bedrock, wrapped in fault injection when the region asks for faults), the region router,
// the configured guardrails and the price table the usage records are costed with. Private to
// bp_server.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/runtime/runtime_service.h"
#include "backends/backend.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "guardrails/guardrail.h"
#include "http/upstream_client.h"
#include "metering/budgets.h"
#include "metering/prices.h"
#include "metering/quotas.h"
#include "routing/router.h"

namespace bp::backends::simulated {
class PromptCache;
}

namespace bp::auth::credentials {
class CredentialProvider;
}

namespace bp::server {

// What the proxying backends need from the process: its environment (the
// OpenAI-compatible servers' API keys, AWS_CA_BUNDLE) and serve's own AWS
// credentials for the bedrock regions.
struct UpstreamEnvironment {
  std::function<std::optional<std::string>(std::string_view name)> env;
  // Started by serve when the config has a bedrock region; null otherwise.
  auth::credentials::CredentialProvider* aws_credentials = nullptr;
};

struct RuntimeParts {
  std::vector<std::unique_ptr<backends::ModelBackend>> owned;
  api::runtime::BackendMap backends;  // region -> owned backend
  std::unique_ptr<routing::Router> router;
  // region -> the service tiers it offers (RuntimeService::Options).
  std::map<std::string, std::vector<backends::ServiceTier>, std::less<>> service_tiers;
  std::unique_ptr<const guardrails::GuardrailSet> guardrails;  // never null
  // config.prices (built-in list merged with the config's); never null.
  std::shared_ptr<const metering::PriceTable> prices;
  // config.quotas; null when the config limits nothing.
  std::unique_ptr<const metering::Quotas> quotas;
  // config.budgets; null when the config sets no budget.
  std::unique_ptr<const metering::Budgets> budgets;
};

// The metering settings of a config's `budgets` section (principals' ARNs
// from config.principals).
metering::BudgetSettings BudgetSettingsOf(const config::Config& config);

// The metering settings of a config's `quotas` section.
metering::QuotaSettings QuotaSettingsOf(const config::QuotasConfig& quotas);

// The price table of a config's `prices` and `price_multipliers` (the
// built-in list merged with the config's own entries). Errors: kValidation
// for a figure the config check let through but metering refuses.
Result<std::shared_ptr<const metering::PriceTable>> BuildPriceTable(
    const config::PricesConfig& prices);

// `carry_health_from` (may be null): the router being replaced on a config
// reload, whose region health the new router shares (routing/router.h).
// `prompt_cache` (may be null: nothing is cached): the process's simulated
// prompt cache, shared by every region and every snapshot.
// `carry_quotas_from`, `carry_budgets_from` (may be null): the quotas and
// budgets being replaced on a config reload, whose counts and spend the new
// ones start from (metering/quotas.h, metering/budgets.h).
// `upstreams` (may be null only when every region is simulated): what the
// bedrock and openai regions' backends read from the process.
// Errors: kValidation for a backend kind this build cannot serve, an API key
// variable that is not set, a bedrock region without serve's AWS credentials,
// or a
// guardrail (a price) the config check let through but bp_guardrails
// (bp_metering) refuses.
Result<RuntimeParts> BuildRuntimeParts(const config::Config& config, const Clock& clock,
                                       const routing::Router* carry_health_from = nullptr,
                                       backends::simulated::PromptCache* prompt_cache = nullptr,
                                       const metering::Quotas* carry_quotas_from = nullptr,
                                       const metering::Budgets* carry_budgets_from = nullptr,
                                       const UpstreamEnvironment* upstreams = nullptr,
                                       bool shared_limits = false);

// The upstream client's options for a region's `limits` (and, for https, the
// CA bundle named by AWS_CA_BUNDLE).
http::UpstreamOptions UpstreamOptionsOf(const config::UpstreamLimitsConfig& limits,
                                        std::string ca_bundle_file);

// The simulated models' prompt cache of a serve process, with each catalog
// model's minimum prefix (FoundationModel::prompt_cache_min_tokens).
std::unique_ptr<backends::simulated::PromptCache> NewPromptCache(const catalog::Catalog& catalog,
                                                                 const Clock& clock);

// One line per region for the banner: "eu-west-1     simulated (first token 200 ms, 150
// tokens/s)", "eu-west-1     openai http://127.0.0.1:8080 model qwen2.5-7b-instruct (API key from
// LOCAL_LLM_KEY)", "eu-central-1  bedrock https://bedrock-runtime.eu-central-1.amazonaws.com
// (modelId: foundation-model)".
std::vector<std::string> DescribeRegions(const config::Config& config);

}  // namespace bp::server
