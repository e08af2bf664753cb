#include "metering/metrics_limits.h"

#include <algorithm>
#include <string>
#include <utility>

namespace bp::metering {

namespace {

std::string_view ScopeName(Quotas::Scope scope) {
  switch (scope) {
    case Quotas::Scope::kProfile:
      return "profile";
    case Quotas::Scope::kPrincipal:
      return "principal";
    case Quotas::Scope::kPair:
      return "pair";
  }
  return "profile";
}

std::string_view ScopeName(Budgets::Scope scope) {
  switch (scope) {
    case Budgets::Scope::kProfile:
      return "profile";
    case Budgets::Scope::kPrincipal:
      return "principal";
    case Budgets::Scope::kTag:
      return "tag";
  }
  return "profile";
}

// The key's labels: scope, then the names that make it up.
Labels KeyLabels(const Quotas::State& s) {
  Labels labels{{"scope", std::string(ScopeName(s.scope))}};
  if (!s.profile.empty()) labels.emplace_back("profile", std::string(s.profile));
  if (!s.principal.empty()) labels.emplace_back("principal", std::string(s.principal));
  return labels;
}

Labels KeyLabels(const Budgets::State& s) {
  Labels labels{{"scope", std::string(ScopeName(s.scope))}};
  switch (s.scope) {
    case Budgets::Scope::kProfile:
      labels.emplace_back("profile", std::string(s.name));
      break;
    case Budgets::Scope::kPrincipal:
      labels.emplace_back("principal", std::string(s.name));
      break;
    case Budgets::Scope::kTag:
      labels.emplace_back("tag_key", std::string(s.name));
      labels.emplace_back("tag_value", std::string(s.value));
      break;
  }
  return labels;
}

// One sample per limit kind the key sets: f(limit, used).
template <typename F>
std::vector<Sample> PerLimit(const Quotas& quotas, F f) {
  std::vector<Sample> out;
  for (const Quotas::State& s : quotas.States()) {
    const struct {
      std::string_view kind;
      int64_t limit;
      int64_t used;
    } kinds[] = {{"rpm", s.limits.requests_per_minute, s.usage.requests},
                 {"tpm", s.limits.tokens_per_minute, s.usage.minute_tokens},
                 {"tpd", s.limits.tokens_per_day, s.usage.day_tokens}};
    for (const auto& k : kinds) {
      if (k.limit <= 0) continue;
      Labels labels = KeyLabels(s);
      labels.emplace_back("limit", std::string(k.kind));
      out.push_back({std::move(labels), static_cast<double>(f(k.limit, k.used))});
    }
  }
  return out;
}

double Usd(int64_t micro_usd) { return static_cast<double>(micro_usd) / 1e6; }

}  // namespace

std::vector<Sample> QuotaLimitSamples(const Quotas& quotas) {
  return PerLimit(quotas, [](int64_t limit, int64_t) { return limit; });
}

std::vector<Sample> QuotaRemainingSamples(const Quotas& quotas) {
  return PerLimit(quotas,
                  [](int64_t limit, int64_t used) { return std::max<int64_t>(0, limit - used); });
}

std::vector<Sample> BudgetSamples(const Budgets& budgets, BudgetFigure figure) {
  std::vector<Sample> out;
  for (const Budgets::State& s : budgets.States()) {
    double value = 0;
    switch (figure) {
      case BudgetFigure::kLimit:
        value = Usd(s.limit.monthly_micro_usd);
        break;
      case BudgetFigure::kSpent:
        value = Usd(s.usage.spent);
        break;
      case BudgetFigure::kReserved:
        value = Usd(s.usage.reserved);
        break;
      case BudgetFigure::kRemaining:
        value =
            Usd(std::max<int64_t>(0, s.limit.monthly_micro_usd - s.usage.spent - s.usage.reserved));
        break;
      case BudgetFigure::kWarned:
        value = s.warned ? 1 : 0;
        break;
    }
    out.push_back({KeyLabels(s), value});
  }
  return out;
}

Status AddLimitMetrics(Metrics& metrics, LimitsSource source) {
  auto quota = [source](auto samples) {
    return [source, samples] {
      const LimitsView view = source();
      return view.quotas != nullptr ? samples(*view.quotas) : std::vector<Sample>{};
    };
  };
  auto budget = [source](BudgetFigure figure) {
    return [source, figure] {
      const LimitsView view = source();
      return view.budgets != nullptr ? BudgetSamples(*view.budgets, figure) : std::vector<Sample>{};
    };
  };
  BP_RETURN_IF_ERROR(
      metrics.AddGauge("bedrock_profiles_quota_limit",
                       "Configured quota: requests (limit rpm) or tokens (tpm, tpd) per window.",
                       quota([](const Quotas& q) { return QuotaLimitSamples(q); })));
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_quota_remaining",
      "What the quota's current window still admits (reservations in flight included).",
      quota([](const Quotas& q) { return QuotaRemainingSamples(q); })));
  BP_RETURN_IF_ERROR(metrics.AddGauge("bedrock_profiles_budget_limit_usd",
                                      "Configured monthly budget in US dollars.",
                                      budget(BudgetFigure::kLimit)));
  BP_RETURN_IF_ERROR(metrics.AddGauge("bedrock_profiles_budget_spent_usd",
                                      "This month's settled cost against the budget, US dollars.",
                                      budget(BudgetFigure::kSpent)));
  BP_RETURN_IF_ERROR(metrics.AddGauge(
      "bedrock_profiles_budget_reserved_usd",
      "Worst-case cost reserved by calls in flight against the budget, US dollars.",
      budget(BudgetFigure::kReserved)));
  BP_RETURN_IF_ERROR(
      metrics.AddGauge("bedrock_profiles_budget_remaining_usd",
                       "Budget left this month (limit - spent - reserved, at least 0), US dollars.",
                       budget(BudgetFigure::kRemaining)));
  return metrics.AddGauge("bedrock_profiles_budget_warned",
                          "1 once the budget's warning threshold was reached this month.",
                          budget(BudgetFigure::kWarned));
}

}  // namespace bp::metering
