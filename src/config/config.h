#pragma once
// The validated configuration (the "meaning" stage of STYLE.md A.3): what the
// HCL or JSON file says after syntax, binding and the org's rules. Immutable
// once loaded; share it as std::shared_ptr<const Config>. Public header of
// bp_config (with load.h).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tags.h"

namespace bp::config {

// Where something was written: "bedrock-profiles.hcl:12:5".
struct SourceLocation {
  std::string file;
  uint32_t line = 0;    // 1-based; 0 = unknown
  uint32_t column = 0;  // 1-based, in bytes
  std::string ToString() const;
};

struct ProfileConfig {
  std::string name;       // map key; "rd-{model-short}"
  std::string model_arn;  // copyFrom source: system-defined profile or foundation model ARN
  std::optional<std::string> description;
  std::optional<std::string> id;  // pinned id, honoured by the local endpoint only
  Tags tags;                      // the profile's own tags (merge with default_tags for tags_all)
  SourceLocation location;        // of the map key
};

struct PolicyDocument {
  std::string text;    // the IAM policy JSON as written
  std::string origin;  // "bedrock-profiles.hcl:40:14" or the policy_file path
};

struct PrincipalConfig {
  std::string name;  // map key
  std::string arn;   // "arn:aws:iam::123456789012:role/rd-e2e"
  std::string access_key_id;
  std::string secret_access_key;             // resolved (inline or from *_env); never logged
  std::optional<std::string> session_token;  // resolved; requires x-amz-security-token
  std::vector<std::string> api_key_sha256;   // hex SHA-256 of long-term Bedrock API keys
  std::vector<PolicyDocument> policies;      // from policy, policies, policy_file(s)
  Tags tags;                                 // aws:PrincipalTag/*
  SourceLocation location;
};

// How the built-in simulated model answers in one region (backends/simulated).
struct SimulatedConfig {
  int64_t time_to_first_token_ms = 200;
  double tokens_per_second = 150;  // 0: every token at once
};

// Fault injection for drills and tests, applied to any backend of a region.
struct FaultConfig {
  double error_rate = 0;             // share of calls failing before output (ServiceUnavailable)
  double throttle_rate = 0;          // share of calls throttled before output
  double mid_stream_error_rate = 0;  // share of calls failing after the first token
  bool outage = false;               // every call fails before output
  uint64_t seed = 1;                 // of the fault dice (deterministic per call order)
};

// Connection limits of a region's upstream (backend "bedrock" or "openai").
struct UpstreamLimitsConfig {
  int64_t connect_timeout_ms = 3'000;      // TCP connect + TLS handshake
  int64_t first_byte_timeout_ms = 60'000;  // request written to the answer's first byte
  int64_t idle_timeout_ms = 30'000;        // between two pieces of the answer
  uint32_t max_concurrency = 256;          // calls in flight to this upstream, all loops
};

// backend = "bedrock": Amazon Bedrock's runtime API, re-signed with serve's
// own AWS credentials.
struct BedrockBackendConfig {
  // Default: https://bedrock-runtime.<region>.amazonaws.com.
  std::string endpoint;
  // The modelId sent upstream for a profile not in profile_model_ids:
  // "foundation-model" (the region's foundation model id, as the profile
  // routes) or "system-profile" (the geography's system profile,
  // "eu.<model id>", so Bedrock itself routes inside the geography).
  std::string model_id = "foundation-model";
  // Per profile name: the modelId to send instead (the organisation's own
  // application inference profile ARN in AWS, or any model / profile id).
  std::map<std::string, std::string> profile_model_ids;
  UpstreamLimitsConfig limits;
  SourceLocation location;  // of the block; empty file when defaulted
};

// backend = "openai": an OpenAI-compatible chat-completions server.
struct OpenAiBackendConfig {
  std::string base_url;     // the server's root; the client appends /v1/chat/completions
  std::string model;        // the upstream model name
  std::string api_key_env;  // variable holding the API key; "" sends none
  UpstreamLimitsConfig limits;
  SourceLocation location;
};

// A region calls may be routed to, and what answers there.
struct RegionConfig {
  std::string name;                   // "eu-west-1"
  std::string backend = "simulated";  // "simulated", "bedrock" or "openai"
  SimulatedConfig simulated;
  BedrockBackendConfig bedrock;  // backend "bedrock"
  OpenAiBackendConfig openai;    // backend "openai"
  FaultConfig faults;
  // The service tiers offered here ("default", "priority", "flex",
  // "reserved"); a call asking for another is not routed here.
  std::vector<std::string> service_tiers = {"default", "priority", "flex"};
  SourceLocation location;  // of the map key; empty file when defaulted
};

// How a call picks among its profile's regions (routing/router.h).
struct RoutingConfig {
  std::string policy = "home-first";   // or "least-outstanding"
  std::string home_region;             // default: the config's `region`
  uint32_t overflow_outstanding = 64;  // home-first: calls in flight before overflowing
  uint32_t failure_threshold = 3;      // consecutive failures that open a region's circuit
  double open_seconds = 30;            // first open period; doubles on re-open
  double max_open_seconds = 300;
  uint32_t max_attempts = 3;  // regions tried per call before giving up
  // An attempt with no first token by then is retried elsewhere (0: never).
  int64_t first_token_timeout_ms = 30'000;
};

// Resource limits of `serve`'s HTTP server (http::ServerOptions).
struct ServerConfig {
  int64_t header_timeout_ms = 10'000;    // first byte of a request to the end of its header
  int64_t request_timeout_ms = 120'000;  // first byte to the end of the body
  int64_t idle_timeout_ms = 60'000;      // keep-alive connection with no request
  uint64_t max_connections = 0;          // 0: from the open-file limit
  // Request bodies being received or handled at once, all connections together.
  uint64_t max_body_bytes_in_flight = 96ull * 1024 * 1024;
};

// A guardrail served by the local endpoint (guardrails = { NAME = {...} }):
// blocked words and RE2 patterns per direction, and the messages that replace
// blocked text (guardrails/guardrail.h has the matching rules).
struct GuardrailConfig {
  std::string name;                    // map key: 1-50 of [0-9a-zA-Z_-]
  std::string id;                      // 12 of [a-z0-9], unique; as callers name it
  std::optional<std::string> version;  // published version "1".."99999999"; DRAFT always exists
  std::vector<std::string> blocked_input_words;
  std::vector<std::string> blocked_output_words;
  std::vector<std::string> blocked_input_patterns;
  std::vector<std::string> blocked_output_patterns;
  std::string blocked_input_message;  // default: Bedrock's "Sorry, the model cannot answer..."
  std::string blocked_output_message;
  SourceLocation location;  // of the map key
};

// What a foundation model's tokens cost (prices = { MODEL_ID = { ... } }), in
// micro-USD per million tokens (USD x 10^6: `input = 1.25` is 1'250'000),
// which is also pico-USD per token (metering/prices.h).
struct ModelPriceConfig {
  std::string model_id;  // map key: a catalog foundation model id
  int64_t input = 0;
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;
  int64_t cache_write_1h = 0;
  // Of the map key: in the config, or in config/model-prices.hcl (built in).
  SourceLocation location;
};

// The price list in force: the built-in config/model-prices.hcl with the
// config's own `prices` and `price_multipliers` entries over it (an entry
// replaces the built-in one of the same model, region or tier).
struct PricesConfig {
  std::vector<ModelPriceConfig> models;  // ordered by model id
  // price_multipliers: name -> multiplier in parts per million (1.75 = 1'750'000).
  std::vector<std::pair<std::string, int64_t>> region_multipliers;  // ordered by name
  std::vector<std::pair<std::string, int64_t>> tier_multipliers;    // ordered by name

  // nullptr when the model has no price.
  const ModelPriceConfig* Find(std::string_view model_id) const;
};

// GET /metrics (metrics = { bearer_token_env = "BP_METRICS_TOKEN" }; api/metrics_route.h).
struct MetricsConfig {
  // Resolved (inline or from *_env); never logged. Empty: no token, so a
  // non-local scraper must sign as a principal allowed bedrock-profiles:GetMetrics.
  std::string bearer_token;
};

// quotas = { profiles = { NAME = LIMITS }, principals = { NAME = LIMITS },
// pairs = { "PRINCIPAL/PROFILE" = LIMITS }, default_max_tokens = N } with
// LIMITS = { requests_per_minute, tokens_per_minute, tokens_per_day } (each
// optional; 0 here = not set). Enforced by metering/quotas.h (docs/config.md).
struct QuotaLimitsConfig {
  int64_t requests_per_minute = 0;
  int64_t tokens_per_minute = 0;
  int64_t tokens_per_day = 0;
};
struct QuotasConfig {
  std::map<std::string, QuotaLimitsConfig, std::less<>> profiles;
  std::map<std::string, QuotaLimitsConfig, std::less<>> principals;
  // principal name -> profile name -> limits
  std::map<std::string, std::map<std::string, QuotaLimitsConfig, std::less<>>, std::less<>> pairs;
  // The output a call is assumed to produce (reserved against the token
  // limits) when it sets no maxTokens / max_tokens.
  int64_t default_max_tokens = 1024;
};

// budgets = { profiles = { NAME = B }, principals = { NAME = B }, tags = {
// KEY = { VALUE = B } } } with B = { monthly_usd = 100, warn_at = 0.8 }.
// Enforced by metering/budgets.h (docs/config.md "Budgets").
struct BudgetConfig {
  int64_t monthly_micro_usd = 0;
  int64_t warn_ppm = 800'000;  // warn_at in parts per million (0: never)
};
struct BudgetsConfig {
  std::map<std::string, BudgetConfig, std::less<>> profiles;
  std::map<std::string, BudgetConfig, std::less<>> principals;
  std::map<std::string, std::map<std::string, BudgetConfig, std::less<>>, std::less<>> tags;
};

// metering = { raw_retention = "30d", rollup_retention = "400d" }: how long
// the usage ledger keeps raw records and hourly roll-ups (docs/config.md
// "Metering"). 0: forever. rollup_retention_ms is 0 or >= 32 days and
// >= raw_retention_ms (which is then not 0).
struct MeteringConfig {
  int64_t raw_retention_ms = 30 * 86'400'000LL;
  int64_t rollup_retention_ms = 400 * 86'400'000LL;
  bool operator==(const MeteringConfig&) const = default;
};

// storage = { backend = "sqlite" | "postgres", url = "postgresql://..." |
// url_env = "VAR" }: where serve keeps the profiles (docs/config.md
// "Storage", docs/storage.md "PostgreSQL"). Read at start; a reload keeps
// what serve started with.
struct StorageConfig {
  enum class Backend { kSqlite, kPostgres };
  Backend backend = Backend::kSqlite;
  // kPostgres: the connection string, from `url` (never holding a password)
  // or the variable `url_env` names (which may). Empty: libpq's standard
  // PG* environment variables (PGHOST, PGUSER, ...) say everything.
  std::string url;
  bool operator==(const StorageConfig&) const = default;
};

struct Config {
  std::string source;      // the file it came from, or "config/bedrock-profiles.hcl (built in)"
  std::string account_id;  // 12 digits
  std::string region;      // home region of application profiles: "eu-central-1"
  Tags default_tags;       // ADR-0006 Tier 1 set
  std::vector<ProfileConfig> profiles;      // ordered by name
  std::vector<PrincipalConfig> principals;  // ordered by name
  // Ordered by name. When the file has no `regions`, every destination region
  // of the declared profiles gets the simulated model with defaults.
  std::vector<RegionConfig> regions;
  RoutingConfig routing;
  ServerConfig server;
  std::vector<GuardrailConfig> guardrails;  // ordered by name
  MetricsConfig metrics;
  // `apply` refuses a plan with fewer approvals (approvals = { required = N }).
  uint32_t required_approvals = 1;
  // approvals = { allow_auto_approve = true }: `apply --auto-approve` (plan and
  // apply unreviewed) is allowed even though approvals are required. Without
  // it, --auto-approve is refused whenever required_approvals >= 1.
  bool allow_auto_approve = false;
  // catalog_file = "models.json": the path as resolved against the config
  // file's directory; empty when the config names none. The catalog it was
  // validated against (built-in merged with this file) is LoadResult::catalog.
  std::string catalog_file;
  // Every profile's model has a price here (a config where one has none does
  // not load).
  PricesConfig prices;
  QuotasConfig quotas;
  BudgetsConfig budgets;
  MeteringConfig metering;
  StorageConfig storage;

  // nullptr when absent.
  const ProfileConfig* FindProfile(std::string_view name) const;
  const PrincipalConfig* FindPrincipal(std::string_view name) const;
  const RegionConfig* FindRegion(std::string_view name) const;
};

}  // namespace bp::config
