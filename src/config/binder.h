#pragma once
// The binder (the "meaning" stage of STYLE.md A.3): ast::Body -> config::Config.
// It checks the shape (known keys, kinds, required keys), applies the rules
// of validate.h to every value, checks what spans values (unique ids and
// access keys, tag counts after merging default_tags), resolves *_env keys
// through the EnvLookup and reads policy files through the FileReader.
// Every problem is collected; none stops the walk. Private header of bp_config.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "config/ast.h"
#include "config/bind_util.h"
#include "config/load.h"
#include "core/status.h"

namespace bp::config {

// Reads a policy file. Errors are messages for the user (no location).
using FileReader = std::function<Result<std::string>(const std::filesystem::path&)>;

struct BindContext {
  const catalog::Catalog& catalog;
  const EnvLookup& env;            // may be empty: no variable is set
  std::filesystem::path base_dir;  // relative policy_file paths resolve against it
  FileReader read_file;            // may be empty: policy files are refused
};

// Binds and validates. `config` is set only when no error was found (the
// caller still adds the parser's errors). Profiles and principals come out
// sorted by name. Config::source is left empty for the caller to fill.
LoadResult Bind(const ast::Body& body, const BindContext& context);

// A map of tag key -> string value, each checked by CheckTagKey/CheckTagValue,
// at most kMaxTagsPerResource. Shared with the principals' binder.
Tags BindTags(const ast::Value& value, std::string_view path, DiagnosticSink& sink);

// principals = { name = { ... } } (bind_principals.cc).
std::vector<PrincipalConfig> BindPrincipals(const ast::Value& principals,
                                            const BindContext& context, DiagnosticSink& sink);

// regions = { name = { ... } } and routing = { ... } (bind_runtime.cc).
std::vector<RegionConfig> BindRegions(const ast::Value& regions, const BindContext& context,
                                      DiagnosticSink& sink);
RoutingConfig BindRouting(const ast::Value& routing, DiagnosticSink& sink);
// server = { header_timeout_ms = .., max_connections = .., ... } (bind_runtime.cc).
ServerConfig BindServer(const ast::Value& server, DiagnosticSink& sink);
// metering = { raw_retention = "30d", rollup_retention = "400d" }
// (bind_metering.cc): each "<n>h", "<n>d", "<n>w" (up to 100 years) or
// "forever"; roll-ups kept at least 32d and at least as long as raw records.
MeteringConfig BindMetering(const ast::Value& metering, DiagnosticSink& sink);
// storage = { backend = "sqlite" | "postgres", url = ".." | url_env = "VAR" }
// (bind_storage.cc): a url in the file must not hold a password.
StorageConfig BindStorage(const ast::Entry& storage, const BindContext& context,
                          DiagnosticSink& sink);
// metrics = { bearer_token = "..." | bearer_token_env = "VAR" } (bind_metrics.cc).
MetricsConfig BindMetrics(const ast::Entry& metrics, const BindContext& context,
                          DiagnosticSink& sink);
// `key` inline or `key`_env from the environment, in the object `entry`
// (messages name the key and the variable, never the value); nullopt when
// neither is set (an error when `required`) or on error (bind_principals.cc).
std::optional<std::string> BindSecret(const ast::Entry& entry, const std::string& path,
                                      const std::string& key, bool required,
                                      const BindContext& context, DiagnosticSink& sink);
// guardrails = { name = { id, version, blocked_*_words, blocked_*_patterns,
// blocked_*_message } } (bind_guardrails.cc). Sorted by name.
std::vector<GuardrailConfig> BindGuardrails(const ast::Value& guardrails, DiagnosticSink& sink);
// approvals = { required = N, allow_auto_approve = BOOL }: N in 0..10 (0:
// plans need no approval); sets config.required_approvals and
// config.allow_auto_approve.
void BindApprovals(const ast::Value& approvals, Config& config, DiagnosticSink& sink);
// catalog_file = "path" (bind_catalog.cc): reads the file (relative to
// context.base_dir, through context.read_file), checks its JSON syntax and
// merges it over context.catalog. On success returns the merged catalog and
// sets `resolved` to the path read; otherwise nullopt, with each error at
// its place in the catalog file (file:line:col) or at the catalog_file value.
std::optional<catalog::Catalog> BindCatalogFile(const ast::Value& value, const BindContext& context,
                                                std::string& resolved, DiagnosticSink& sink);
// After profiles, regions and routing are bound: defaults the regions (every
// destination region of the profiles, simulated) and the home region, and
// checks that each profile's destination regions are configured.
void CheckRuntimeSections(const ast::Body& body, const BindContext& context, Config& config,
                          DiagnosticSink& sink);

// prices and price_multipliers (bind_prices.cc), after the profiles are
// bound: the built-in price list (BuiltinPricesText) with the file's entries
// over it, into config.prices. Errors: a price for a model not in the
// catalog, a missing or malformed figure, a multiplier not in (0, 1000], and
// a profile whose model has no price. A catalog model with no price that no
// profile uses is a warning (a profile may be created for it at runtime).
void BindPrices(const ast::Body& body, const BindContext& context, Config& config,
                DiagnosticSink& sink);

// quotas (bind_quotas.cc), after the profiles and principals are bound, into
// config.quotas. Errors: an unknown key, a limit that is not a whole number
// in [1, 10^12], a principal that is not configured, a pair key that is not
// "PRINCIPAL/PROFILE". A profile not declared in the file is a warning (one
// may be created at runtime with that name), as is a key that sets no limit.
void BindQuotas(const ast::Value& quotas, Config& config, DiagnosticSink& sink);

// budgets (bind_quotas.cc), after the principals are bound, into
// config.budgets. Errors: an unknown key, monthly_usd missing or not in
// (0, 10^9] with at most 6 decimals, warn_at not in [0, 1], a principal that
// is not configured. An undeclared profile is a warning.
void BindBudgets(const ast::Value& budgets, Config& config, DiagnosticSink& sink);

}  // namespace bp::config
