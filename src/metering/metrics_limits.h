#pragma once
// The quota and budget gauges of GET /metrics (docs/metrics.md), read at
// each scrape from the quotas and budgets in force then. Public header of
// bp_metering.
//
// Families (labels from the config's `quotas` and `budgets` keys only, so
// their number is bounded by the config):
//   bedrock_profiles_quota_limit{scope,profile?,principal?,limit}
//   bedrock_profiles_quota_remaining{...}   limit minus the current window's
//       requests (limit="rpm") or tokens ("tpm", "tpd"), reservations
//       included, never below 0
//   scope: "profile" (label profile), "principal" (label principal), "pair"
//   (both); one sample per limit kind the key sets.
//   bedrock_profiles_budget_limit_usd{scope,profile?|principal?|tag_key,tag_value}
//   bedrock_profiles_budget_spent_usd       this month's settled cost
//   bedrock_profiles_budget_reserved_usd    worst-case cost of calls in flight
//   bedrock_profiles_budget_remaining_usd   limit - spent - reserved, never
//       below 0 (what the next admission can still reserve)
//   bedrock_profiles_budget_warned          1 once this month's warning was given
//   scope: "profile", "principal" or "tag".
//
// Thread-safety: the gauges call `source` on the scraping thread; it must be
// callable from any thread (serve: the current snapshot). Reading takes each
// quota's or budget's own mutex in turn, alone (Quotas::States,
// Budgets::States), so a scrape adds no lock to the request path.

#include <functional>
#include <memory>
#include <vector>

#include "core/status.h"
#include "metering/budgets.h"
#include "metering/metrics.h"
#include "metering/quotas.h"

namespace bp::metering {

// What the gauges read: the quotas and budgets in force (either may be null:
// none configured) and whatever keeps them alive while they are read.
struct LimitsView {
  const Quotas* quotas = nullptr;
  const Budgets* budgets = nullptr;
  std::shared_ptr<const void> keep_alive;
};
using LimitsSource = std::function<LimitsView()>;

// The samples of the families above (one call, one family; exposed for tests).
std::vector<Sample> QuotaLimitSamples(const Quotas& quotas);
std::vector<Sample> QuotaRemainingSamples(const Quotas& quotas);
enum class BudgetFigure : uint8_t { kLimit, kSpent, kReserved, kRemaining, kWarned };
std::vector<Sample> BudgetSamples(const Budgets& budgets, BudgetFigure figure);

// Registers the seven families on `metrics`. Errors: AddCallback's (a name
// already taken).
Status AddLimitMetrics(Metrics& metrics, LimitsSource source);

}  // namespace bp::metering
