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
  // Shared budgets only. `spent` is then shared_spent + unreported.
  int64_t granted = 0;       // the lease: what this instance may still spend
  int64_t unreported = 0;    // settled here, not yet reported (consumes the lease)
  int64_t shared_spent = 0;  // every instance's reported spend, as last exchanged
  int64_t valid_until = 0;   // steady ms; the lease admits nothing after it
  int64_t shortfall = 0;     // largest reservation refused for want of lease since the exchange
  int64_t admitted = 0;      // reservations admitted since the exchange
  int64_t largest = 0;       // largest reservation admitted or refused so far this month
  int64_t last_active = 0;   // steady ms of the last exchange with calls to lease for

  void Roll(int64_t month_now) {
    if (month == month_now) return;
    month = month_now;
    spent = 0;
    reserved = 0;
    warned = false;
    granted = 0;
    unreported = 0;
    shared_spent = 0;
    shortfall = 0;
    admitted = 0;
    largest = 0;
  }
};

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t GrantBudgetLease(int64_t limit, int64_t spent, int64_t others, int64_t keep, int64_t want) {
  const int64_t free = limit - spent - others - keep;
  return keep + std::clamp<int64_t>(want - keep, 0, std::max<int64_t>(0, free));
}

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
      c->granted = from->granted;
      c->unreported = from->unreported;
      c->shared_spent = from->shared_spent;
      c->valid_until = from->valid_until;
      c->largest = from->largest;
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
  const int64_t now_ms = settings_.shared ? SteadyMs() : 0;
  LockAll(r);
  for (size_t i = 0; i < r.count; ++i) {
    Counter& c = *r.counters[i];
    c.Roll(r.month);
    if (settings_.shared) {
      c.largest = std::max(c.largest, r.micro_usd);
      const int64_t lease = now_ms < c.valid_until ? c.granted : 0;
      if (c.unreported + c.reserved + r.micro_usd <= lease) continue;
      const bool used_up = c.spent + c.reserved + r.micro_usd > c.limit.monthly_micro_usd;
      if (!used_up) {
        c.shortfall = std::max(c.shortfall, r.micro_usd);
        std::string message =
            "Budget busy: " + c.label + " (" + FormatDollars(c.limit.monthly_micro_usd) +
            " per month) is shared by several instances and this one's share is in use" +
            (now_ms < c.valid_until ? "" : " (its lease lapsed: the database is unreachable)") +
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
    r.counters[i]->admitted += r.micro_usd;
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
    if (settings_.shared) c.unreported += actual;
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

// Per budget: the spend settled since the last exchange leaves the lease
// (it is reported); the lease shrinks here, now, to what the calls in flight
// and the expected demand need, so that the database may hand the rest to
// other instances; the wish is the calls in flight plus room for what came
// since the last exchange (twice over), for the largest refused call, and
// for one call as large as the largest seen (so an idle instance admits its
// next call without waiting).
std::vector<BudgetLeaseRequest> Budgets::BeginLeaseExchange(bool release_all) const {
  std::vector<BudgetLeaseRequest> out;
  if (!settings_.shared) return out;
  const int64_t month = MonthNow();
  const int64_t now_ms = SteadyMs();
  out.reserve(owned_.size());
  for (size_t i = 0; i < owned_.size(); ++i) {
    Counter& c = *owned_[i];
    BudgetLeaseRequest q{.counter = i,
                         .key = {},
                         .month = month,
                         .limit = c.limit.monthly_micro_usd,
                         .report = 0,
                         .keep = 0,
                         .want = 0};
    switch (c.scope) {
      case Scope::kProfile:
        q.key = "profile/" + std::string(c.name);
        break;
      case Scope::kPrincipal:
        q.key = "principal/" + std::string(c.name);
        break;
      case Scope::kTag:
        q.key = "tag/" + std::string(c.name) + "/" + std::string(c.value);
        break;
    }
    c.mu.Lock();
    c.Roll(month);
    q.report = c.unreported;
    c.unreported = 0;
    c.granted = std::max<int64_t>(0, c.granted - q.report);
    // An instance idle for a while keeps no room once the budget runs low:
    // what it holds goes back to the others, so a budget's last calls are not
    // stranded on it. (While plenty is left it keeps room for one call, so
    // its next call needs no exchange first.)
    if (c.admitted > 0 || c.shortfall > 0 || c.reserved > 0) c.last_active = now_ms;
    const bool release = now_ms - c.last_active > kLeaseIdleMs &&
                         c.limit.monthly_micro_usd - c.shared_spent < kLowBudgetCalls * c.largest;
    const int64_t headroom = std::max({2 * c.admitted, c.shortfall, release ? 0 : c.largest});
    q.want = c.reserved + (release_all ? 0 : headroom);
    c.granted = std::min(c.granted, std::max(q.want, c.reserved));
    q.keep = c.granted;
    q.want = std::max(q.want, q.keep);
    c.admitted = 0;
    c.shortfall = 0;
    c.mu.Unlock();
    out.push_back(std::move(q));
  }
  return out;
}

void Budgets::EndLeaseExchange(const BudgetLeaseRequest& q, const Result<BudgetLease>& lease,
                               int64_t exchanged_at_ms) const {
  if (q.counter >= owned_.size()) return;
  Counter& c = *owned_[q.counter];
  c.mu.Lock();
  if (c.month == q.month) {
    if (lease.ok()) {
      c.granted += std::max<int64_t>(0, lease->granted - q.keep);
      c.shared_spent = lease->shared_spent;
      c.spent = c.shared_spent + c.unreported;
      c.valid_until = exchanged_at_ms + kLeaseValidityMs;
    } else {  // not reported: kept for the next exchange
      c.unreported += q.report;
      c.granted += q.report;
    }
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
