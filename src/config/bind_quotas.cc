// Binding of `quotas = { profiles = {..}, principals = {..}, pairs = {..},
// default_max_tokens = N }` (metering/quotas.h; docs/config.md "quotas").

#include <algorithm>

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

}  // namespace

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
