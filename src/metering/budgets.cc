#include "metering/budgets.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#define BP_NO_THREAD_SAFETY_ANALYSIS_ BP_THREAD_ANNOTATION_(no_thread_safety_analysis)

namespace bp::metering {

// One budget's month. The fields below `mu` are guarded by it (taken by
// hand: a call holds all its budgets' locks at once, in `order`).
struct Budgets::Counter {
  BudgetLimit limit;
  std::string label;  // "profile rd-haiku-45", "tag billing-mode = rd"
  size_t order = 0;
  Scope scope = Scope::kProfile;
  std::string_view name;  // keys of settings_
  std::string_view value;
  Mutex mu;
  int64_t month = -1;  // year * 12 + month - 1
  int64_t spent = 0;
  int64_t reserved = 0;
  bool warned = false;
  // Shared budgets only: this instance's lease of the month (its settled
  // spend is the slot's use; `spent` is then shared_used + unreported).
  LeaseSlot lease;

  void Roll(int64_t month_now) {
    if (month == month_now) return;
    month = month_now;
    spent = 0;
    reserved = 0;
    warned = false;
    lease = LeaseSlot{};
  }
};

std::string FormatDollars(int64_t micro_usd) {
  const int64_t cents = (std::max<int64_t>(0, micro_usd) + 9'999) / 10'000;
  std::string c = std::to_string(cents % 100);
  return "$" + std::to_string(cents / 100) + "." + (c.size() < 2 ? "0" : "") + c;
}

Budgets::Budgets(BudgetSettings settings, const Clock& clock, const Budgets* carry_from)
    : settings_(std::move(settings)), clock_(clock) {
  auto add = [&](const BudgetLimit& limit, std::string label, Counter* from, Scope scope,
                 std::string_view name, std::string_view value) {
    owned_.push_back(std::make_unique<Counter>());
    Counter* c = owned_.back().get();
    c->limit = limit;
    c->label = std::move(label);
    c->order = owned_.size();
    c->scope = scope;
    c->name = name;
    c->value = value;
    if (from != nullptr) {
      from->mu.Lock();
      c->month = from->month;
      c->spent = from->spent;
      c->reserved = from->reserved;
      c->warned = from->warned;
      c->lease = from->lease;
      from->mu.Unlock();
    }
    return c;
  };
  for (const auto& [name, limit] : settings_.profiles) {
    Counter* from = carry_from != nullptr ? carry_from->Find(carry_from->profiles_, name) : nullptr;
    profiles_.emplace(name, add(limit, "profile " + name, from, Scope::kProfile, name, {}));
  }
  for (const auto& [name, limit] : settings_.principals) {
    Counter* from =
        carry_from != nullptr ? carry_from->Find(carry_from->principals_, name) : nullptr;
    Counter* c = add(limit, "principal " + name, from, Scope::kPrincipal, name, {});
    principals_.emplace(name, c);
    if (auto it = settings_.principal_arns.find(name); it != settings_.principal_arns.end()) {
      principals_by_arn_.emplace(it->second, c);
    }
  }
  for (const auto& [key, values] : settings_.tags) {
    for (const auto& [value, limit] : values) {
      Counter* from = nullptr;
      if (carry_from != nullptr) {
        if (auto it = carry_from->tags_.find(key); it != carry_from->tags_.end()) {
          from = carry_from->Find(it->second, value);
        }
      }
      tags_[key].emplace(value,
                         add(limit, "tag " + key + " = " + value, from, Scope::kTag, key, value));
    }
  }
}

Budgets::~Budgets() = default;

Budgets::Counter* Budgets::Find(const CounterMap& map, std::string_view key) const {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

int64_t Budgets::MonthNow() const {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(clock_.Now())};
  return static_cast<int64_t>(static_cast<int>(ymd.year())) * 12 +
         static_cast<unsigned>(ymd.month()) - 1;
}

void Budgets::Collect(std::string_view principal, std::string_view profile, const Tags& tags,
                      Reservation& r) const {
  auto push = [&r](Counter* c) {
    if (c != nullptr && r.count < kMaxBudgetsPerCall) r.counters[r.count++] = c;
  };
  push(Find(profiles_, profile));
  push(Find(principals_, principal));
  for (const auto& [key, values] : tags_) {
    auto tag = tags.find(key);
    if (tag != tags.end()) push(Find(values, tag->second));
  }
  std::sort(r.counters.begin(), r.counters.begin() + static_cast<std::ptrdiff_t>(r.count),
            [](const Counter* a, const Counter* b) { return a->order < b->order; });
}

bool Budgets::Applies(std::string_view principal, std::string_view profile,
                      const Tags& tags) const {
  Reservation r;
  Collect(principal, profile, tags, r);
  return !r.empty();
}

void Budgets::LockAll(const Reservation& r) BP_NO_THREAD_SAFETY_ANALYSIS_ {
  for (size_t i = 0; i < r.count; ++i) r.counters[i]->mu.Lock();
}

void Budgets::UnlockAll(const Reservation& r) BP_NO_THREAD_SAFETY_ANALYSIS_ {
  for (size_t i = r.count; i > 0; --i) r.counters[i - 1]->mu.Unlock();
}

Result<Budgets::Reservation> Budgets::Admit(std::string_view principal, std::string_view profile,
                                            const Tags& tags, int64_t micro_usd) const {
  Reservation r;
  Collect(principal, profile, tags, r);
  if (r.empty()) return r;
  r.micro_usd = std::max<int64_t>(0, micro_usd);
  r.month = MonthNow();
  const int64_t now_ms = settings_.shared ? LeaseNowMs() : 0;
  LockAll(r);
  for (size_t i = 0; i < r.count; ++i) {
    Counter& c = *r.counters[i];
    c.Roll(r.month);
    if (settings_.shared) {
      if (c.lease.Fits(r.micro_usd, c.reserved, now_ms)) continue;
      const bool used_up = c.spent + c.reserved + r.micro_usd > c.limit.monthly_micro_usd;
      if (!used_up) {
        c.lease.Refused(r.micro_usd);
        std::string message =
            "Budget busy: " + c.label + " (" + FormatDollars(c.limit.monthly_micro_usd) +
            " per month) is shared by several instances and this one's share is in use" +
            (c.lease.valid(now_ms) ? "" : " (its lease lapsed: the database is unreachable)") +
            "; try again in 1 s.";
        UnlockAll(r);
        lease_wanted_.store(true);
        return Status(ErrorCode::kThrottling, std::move(message));
      }
    }
    if (c.spent + c.reserved + r.micro_usd > c.limit.monthly_micro_usd) {
      std::string message =
          "Budget exhausted: " + c.label + " allows " + FormatDollars(c.limit.monthly_micro_usd) +
          " per month; " + FormatDollars(c.spent + c.reserved) +
          " spent or reserved, this call may cost up to " + FormatDollars(r.micro_usd) + ".";
      UnlockAll(r);
      return Status(ErrorCode::kServiceQuotaExceeded, std::move(message));
    }
  }
  for (size_t i = 0; i < r.count; ++i) {
    r.counters[i]->reserved += r.micro_usd;
    if (settings_.shared) r.counters[i]->lease.Admitted(r.micro_usd);
  }
  UnlockAll(r);
  return r;
}

std::vector<std::string> Budgets::Settle(Reservation& r, int64_t actual_micro_usd) const {
  std::vector<std::string> warnings;
  if (r.empty() || r.settled) return warnings;
  r.settled = true;
  const int64_t actual = std::max<int64_t>(0, actual_micro_usd);
  for (size_t i = 0; i < r.count; ++i) {
    Counter& c = *r.counters[i];
    c.mu.Lock();
    if (c.month == r.month) {
      c.reserved = std::max<int64_t>(0, c.reserved - r.micro_usd);
    } else {  // the month turned while the call ran: its cost counts in the new month
      c.Roll(MonthNow());
    }
    c.spent += actual;
    if (settings_.shared) c.lease.Use(actual);
    const bool warn = !c.warned && c.limit.warn_ppm > 0 &&
                      static_cast<__int128>(c.spent) * 1'000'000 >=
                          static_cast<__int128>(c.limit.monthly_micro_usd) * c.limit.warn_ppm;
    if (warn) c.warned = true;
    const int64_t spent = c.spent;  // read under the lock: the warning's figure
    c.mu.Unlock();
    if (warn) {
      warnings.push_back(c.label + " has spent " + FormatDollars(spent) + " of its " +
                         FormatDollars(c.limit.monthly_micro_usd) + " monthly budget");
    }
  }
  return warnings;
}

void Budgets::Restore(const UsageRecord& record) const {
  if (record.cost_micro_usd <= 0) return;
  const int64_t month = MonthNow();
  const std::chrono::year_month_day ymd{
      std::chrono::floor<std::chrono::days>(FromUnixMillis(record.time_ms))};
  if (static_cast<int64_t>(static_cast<int>(ymd.year())) * 12 + static_cast<unsigned>(ymd.month()) -
          1 !=
      month) {
    return;
  }
  Reservation r;
  auto push = [&r](Counter* c) {
    if (c != nullptr && r.count < kMaxBudgetsPerCall) r.counters[r.count++] = c;
  };
  push(Find(profiles_, record.profile_name));
  push(Find(principals_by_arn_, record.principal));
  for (const auto& [key, values] : tags_) {
    auto tag = record.tags.find(key);
    if (tag != record.tags.end()) push(Find(values, tag->second));
  }
  for (size_t i = 0; i < r.count; ++i) {
    Counter& c = *r.counters[i];
    c.mu.Lock();
    c.Roll(month);
    c.spent += record.cost_micro_usd;
    c.mu.Unlock();
  }
}

std::vector<LeaseRequest> Budgets::BeginLeaseExchange(bool release) const {
  std::vector<LeaseRequest> out;
  if (!settings_.shared) return out;
  const int64_t month = MonthNow();
  const int64_t now_ms = LeaseNowMs();
  out.reserve(owned_.size());
  for (size_t i = 0; i < owned_.size(); ++i) {
    Counter& c = *owned_[i];
    LeaseRequest q{.slot = i, .key = {}, .period = month, .limit = c.limit.monthly_micro_usd};
    switch (c.scope) {
      case Scope::kProfile:
        q.key = "budget/profile/" + std::string(c.name);
        break;
      case Scope::kPrincipal:
        q.key = "budget/principal/" + std::string(c.name);
        break;
      case Scope::kTag:
        q.key = "budget/tag/" + std::string(c.name) + "/" + std::string(c.value);
        break;
    }
    c.mu.Lock();
    c.Roll(month);
    c.lease.Begin(q, c.reserved, release, now_ms);
    c.mu.Unlock();
    out.push_back(std::move(q));
  }
  return out;
}

void Budgets::EndLeaseExchange(const LeaseRequest& q, const Result<Lease>& lease,
                               int64_t exchanged_at_ms) const {
  if (q.slot >= owned_.size()) return;
  Counter& c = *owned_[q.slot];
  c.mu.Lock();
  if (c.month == q.period) {
    c.lease.End(q, lease, exchanged_at_ms);
    c.spent = c.lease.shared_used + c.lease.unreported;
  }
  c.mu.Unlock();
}

Budgets::Usage Budgets::UsageOf(Counter* c) const {
  if (c == nullptr) return {};
  const int64_t month = MonthNow();
  c->mu.Lock();
  Usage u;
  if (c->month == month) u = {.spent = c->spent, .reserved = c->reserved};
  c->mu.Unlock();
  return u;
}

std::vector<Budgets::State> Budgets::States() const {
  const int64_t month = MonthNow();
  std::vector<State> out;
  out.reserve(owned_.size());
  for (const std::unique_ptr<Counter>& c : owned_) {
    State s{.scope = c->scope, .name = c->name, .value = c->value, .limit = c->limit};
    c->mu.Lock();
    if (c->month == month) {
      s.usage = {.spent = c->spent, .reserved = c->reserved};
      s.warned = c->warned;
    }
    c->mu.Unlock();
    out.push_back(s);
  }
  return out;
}

Budgets::Usage Budgets::ProfileUsage(std::string_view profile) const {
  return UsageOf(Find(profiles_, profile));
}
Budgets::Usage Budgets::PrincipalUsage(std::string_view principal) const {
  return UsageOf(Find(principals_, principal));
}
Budgets::Usage Budgets::TagUsage(std::string_view key, std::string_view value) const {
  auto it = tags_.find(key);
  return it == tags_.end() ? Usage{} : UsageOf(Find(it->second, value));
}

}  // namespace bp::metering
