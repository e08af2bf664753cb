// Binding of `quotas = { profiles = {..}, principals = {..}, pairs = {..},
// default_max_tokens = N }` (metering/quotas.h) and of `budgets = { profiles
// = {..}, principals = {..}, tags = { KEY = { VALUE = {..} } } }`
// (metering/budgets.h); docs/config.md "Quotas" and "Budgets".

#include <algorithm>
#include <cmath>

#include "config/binder.h"

namespace bp::config {

namespace {

constexpr std::string_view kQuotasKeys[] = {"profiles", "principals", "pairs",
                                            "default_max_tokens"};
constexpr std::string_view kLimitKeys[] = {"requests_per_minute", "tokens_per_minute",
                                           "tokens_per_day"};
constexpr double kMaxLimit = 1e12;
constexpr double kMaxDefaultMaxTokens = 1'000'000;

QuotaLimitsConfig BindLimits(const ast::Entry& entry, const std::string& path,
                             DiagnosticSink& sink) {
  QuotaLimitsConfig out;
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return out;
  const std::vector<ast::Entry>& f = entry.value.entries;
  CheckKeys(f, kLimitKeys, path, sink);
  if (auto v = NumberMember(f, "requests_per_minute", path, 1, kMaxLimit, true, sink))
    out.requests_per_minute = static_cast<int64_t>(*v);
  if (auto v = NumberMember(f, "tokens_per_minute", path, 1, kMaxLimit, true, sink))
    out.tokens_per_minute = static_cast<int64_t>(*v);
  if (auto v = NumberMember(f, "tokens_per_day", path, 1, kMaxLimit, true, sink))
    out.tokens_per_day = static_cast<int64_t>(*v);
  if (std::none_of(kLimitKeys, std::end(kLimitKeys),
                   [&](std::string_view k) { return FindSet(f, k) != nullptr; })) {
    sink.Warning(entry.key_location, path +
                                         ": sets no limit (requests_per_minute, "
                                         "tokens_per_minute, tokens_per_day)");
  }
  return out;
}

void CheckProfileName(const ast::Entry& entry, std::string_view name, const std::string& path,
                      const Config& config, DiagnosticSink& sink) {
  if (config.FindProfile(name) != nullptr) return;
  sink.Warning(entry.key_location,
               path + ": profile '" + std::string(name) +
                   "' is not declared in inference_profiles (the limit applies to a profile "
                   "created at runtime with this name)");
}

bool CheckPrincipalName(const ast::Entry& entry, std::string_view name, const std::string& path,
                        const Config& config, DiagnosticSink& sink) {
  if (config.FindPrincipal(name) != nullptr) return true;
  std::vector<std::string_view> names;
  for (const PrincipalConfig& p : config.principals) names.push_back(p.name);
  std::string message = path + ": principal '" + std::string(name) + "' is not configured";
  if (std::optional<std::string_view> close = ClosestMatch(name, names)) {
    message += " (did you mean '" + std::string(*close) + "'?)";
  }
  sink.Error(entry.key_location, std::move(message));
  return false;
}

constexpr std::string_view kBudgetsKeys[] = {"profiles", "principals", "tags"};
constexpr std::string_view kBudgetKeys[] = {"monthly_usd", "warn_at"};
constexpr double kMaxBudgetUsd = 1e9;

BudgetConfig BindBudget(const ast::Entry& entry, const std::string& path, DiagnosticSink& sink) {
  BudgetConfig out;
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return out;
  const std::vector<ast::Entry>& f = entry.value.entries;
  CheckKeys(f, kBudgetKeys, path, sink);
  if (FindSet(f, "monthly_usd") == nullptr) {
    sink.Error(entry.key_location, path + ": missing required key 'monthly_usd'");
  } else if (auto v = NumberMember(f, "monthly_usd", path, 0.000001, kMaxBudgetUsd, false, sink)) {
    out.monthly_micro_usd = static_cast<int64_t>(std::llround(*v * 1e6));
  }
  if (auto v = NumberMember(f, "warn_at", path, 0, 1, false, sink)) {
    out.warn_ppm = static_cast<int64_t>(std::llround(*v * 1e6));
  }
  return out;
}

// A map of NAME = { ... } under `path`, each bound by `bind`.
template <typename Fn>
void ForEachEntry(const ast::Entry* section, const std::string& path, DiagnosticSink& sink,
                  Fn&& bind) {
  if (section == nullptr || !ExpectKind(section->value, ast::Kind::kObject, path, sink)) return;
  for (const ast::Entry& e : section->value.entries) bind(e, ChildPath(path, e.key));
}

}  // namespace

void BindBudgets(const ast::Value& value, Config& config, DiagnosticSink& sink) {
  BudgetsConfig& out = config.budgets;
  if (!ExpectKind(value, ast::Kind::kObject, "budgets", sink)) return;
  CheckKeys(value.entries, kBudgetsKeys, "budgets", sink);
  ForEachEntry(FindSet(value.entries, "profiles"), "budgets.profiles", sink,
               [&](const ast::Entry& e, const std::string& path) {
                 CheckProfileName(e, e.key, path, config, sink);
                 out.profiles[e.key] = BindBudget(e, path, sink);
               });
  ForEachEntry(FindSet(value.entries, "principals"), "budgets.principals", sink,
               [&](const ast::Entry& e, const std::string& path) {
                 CheckPrincipalName(e, e.key, path, config, sink);
                 out.principals[e.key] = BindBudget(e, path, sink);
               });
  ForEachEntry(FindSet(value.entries, "tags"), "budgets.tags", sink,
               [&](const ast::Entry& key, const std::string& key_path) {
                 ForEachEntry(&key, key_path, sink,
                              [&](const ast::Entry& e, const std::string& path) {
                                out.tags[key.key][e.key] = BindBudget(e, path, sink);
                              });
               });
}

void BindQuotas(const ast::Value& value, Config& config, DiagnosticSink& sink) {
  QuotasConfig& out = config.quotas;
  if (!ExpectKind(value, ast::Kind::kObject, "quotas", sink)) return;
  CheckKeys(value.entries, kQuotasKeys, "quotas", sink);
  if (auto v = NumberMember(value.entries, "default_max_tokens", "quotas", 1, kMaxDefaultMaxTokens,
                            true, sink)) {
    out.default_max_tokens = static_cast<int64_t>(*v);
  }
  if (const ast::Entry* profiles = FindSet(value.entries, "profiles")) {
    if (ExpectKind(profiles->value, ast::Kind::kObject, "quotas.profiles", sink)) {
      for (const ast::Entry& e : profiles->value.entries) {
        const std::string path = ChildPath("quotas.profiles", e.key);
        CheckProfileName(e, e.key, path, config, sink);
        out.profiles[e.key] = BindLimits(e, path, sink);
      }
    }
  }
  if (const ast::Entry* principals = FindSet(value.entries, "principals")) {
    if (ExpectKind(principals->value, ast::Kind::kObject, "quotas.principals", sink)) {
      for (const ast::Entry& e : principals->value.entries) {
        const std::string path = ChildPath("quotas.principals", e.key);
        CheckPrincipalName(e, e.key, path, config, sink);
        out.principals[e.key] = BindLimits(e, path, sink);
      }
    }
  }
  if (const ast::Entry* pairs = FindSet(value.entries, "pairs")) {
    if (ExpectKind(pairs->value, ast::Kind::kObject, "quotas.pairs", sink)) {
      for (const ast::Entry& e : pairs->value.entries) {
        const std::string path = ChildPath("quotas.pairs", e.key);
        const size_t slash = e.key.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == e.key.size()) {
          sink.Error(e.key_location, path + ": expected a key \"PRINCIPAL/PROFILE\"");
          continue;
        }
        const std::string principal = e.key.substr(0, slash);
        const std::string profile = e.key.substr(slash + 1);
        CheckPrincipalName(e, principal, path, config, sink);
        CheckProfileName(e, profile, path, config, sink);
        out.pairs[principal][profile] = BindLimits(e, path, sink);
      }
    }
  }
}

}  // namespace bp::config
