#include "metering/quotas.h"

#include <algorithm>
#include <chrono>

namespace bp::metering {

namespace {

constexpr int64_t kMinuteMs = 60'000;
// A counter's leases (Counter::leases).
constexpr int kRpm = 0;
constexpr int kTpm = 1;
constexpr int kTpd = 2;
constexpr int64_t kDayMs = 86'400'000;

int64_t CeilSeconds(int64_t ms) { return std::max<int64_t>(1, (ms + 999) / 1000); }

}  // namespace

// The analysis cannot follow a variable number of locks: these two take and
// release the first `n` counters' locks, in order and in reverse.
#define BP_NO_THREAD_SAFETY_ANALYSIS_ BP_THREAD_ANNOTATION_(no_thread_safety_analysis)

// One limited key's windows. The window fields are guarded by `mu` (taken
// by hand: a call holds up to three counters' locks at once, always in the
// order profile, principal, pair, so there is no lock-order cycle).
struct Quotas::Counter {
  QuotaLimits limits;
  std::string label;  // "profile rd-haiku-45", "principal rd-e2e on profile rd-haiku-45"
  Scope scope = Scope::kProfile;
  std::string_view principal;  // keys of settings_ ("" when not part of the key)
  std::string_view profile;
  Mutex mu;
  int64_t minute = -1;  // the minute window's index (unix ms / 60000)
  int64_t requests = 0;
  int64_t minute_tokens = 0;
  int64_t day = -1;  // the UTC day's index
  int64_t day_tokens = 0;
  // Shared quotas only: this instance's lease of each limit's current
  // window (metering/lease_slot.h), indexed by kRpm, kTpm, kTpd.
  LeaseSlot leases[3];

  // Opens the windows `now_ms` is in when they are not the current ones.
  void Roll(int64_t minute_now, int64_t day_now) {
    if (minute != minute_now) {
      minute = minute_now;
      requests = 0;
      minute_tokens = 0;
      leases[kRpm] = LeaseSlot{};
      leases[kTpm] = LeaseSlot{};
    }
    if (day != day_now) {
      day = day_now;
      day_tokens = 0;
      leases[kTpd] = LeaseSlot{};
    }
  }
};

int64_t QuotaTokens(const TokenCounts& t) {
  return std::max<int64_t>(0, t.input) + std::max<int64_t>(0, t.cache_write_5m) +
         std::max<int64_t>(0, t.cache_write_1h) + std::max<int64_t>(0, t.output);
}

Quotas::Quotas(QuotaSettings settings, const Clock& clock, const Quotas* carry_from)
    : settings_(std::move(settings)), clock_(clock) {
  auto add = [&](const QuotaLimits& limits, std::string label, Scope scope,
                 std::string_view principal, std::string_view profile) {
    owned_.push_back(std::make_unique<Counter>());
    Counter* c = owned_.back().get();
    c->limits = limits;
    c->label = std::move(label);
    c->scope = scope;
    c->principal = principal;
    c->profile = profile;
    return c;
  };
  auto carry = [](Counter* to, Counter* from) {
    if (from == nullptr) return;
    from->mu.Lock();
    to->minute = from->minute;
    to->requests = from->requests;
    to->minute_tokens = from->minute_tokens;
    to->day = from->day;
    to->day_tokens = from->day_tokens;
    for (int k = 0; k < 3; ++k) to->leases[k] = from->leases[k];
    from->mu.Unlock();
  };
  for (const auto& [name, limits] : settings_.profiles) {
    if (!limits.any()) continue;
    Counter* c = profiles_.emplace(name, add(limits, "profile " + name, Scope::kProfile, {}, name))
                     .first->second;
    if (carry_from != nullptr) carry(c, carry_from->FindProfile(name));
  }
  for (const auto& [name, limits] : settings_.principals) {
    if (!limits.any()) continue;
    Counter* c =
        principals_.emplace(name, add(limits, "principal " + name, Scope::kPrincipal, name, {}))
            .first->second;
    if (carry_from != nullptr) carry(c, carry_from->FindPrincipal(name));
  }
  for (const auto& [principal, profiles] : settings_.pairs) {
    for (const auto& [profile, limits] : profiles) {
      if (!limits.any()) continue;
      Counter* c =
          pairs_[principal]
              .emplace(profile, add(limits, "principal " + principal + " on profile " + profile,
                                    Scope::kPair, principal, profile))
              .first->second;
      if (carry_from != nullptr) carry(c, carry_from->FindPair(principal, profile));
    }
  }
}

Quotas::~Quotas() = default;

void Quotas::LockAll(Counter* const* counters, size_t n) BP_NO_THREAD_SAFETY_ANALYSIS_ {
  for (size_t i = 0; i < n; ++i) counters[i]->mu.Lock();
}

void Quotas::UnlockAll(Counter* const* counters, size_t n) BP_NO_THREAD_SAFETY_ANALYSIS_ {
  for (size_t i = n; i > 0; --i) counters[i - 1]->mu.Unlock();
}

Quotas::Counter* Quotas::FindProfile(std::string_view profile) const {
  auto it = profiles_.find(profile);
  return it == profiles_.end() ? nullptr : it->second;
}

Quotas::Counter* Quotas::FindPrincipal(std::string_view principal) const {
  auto it = principals_.find(principal);
  return it == principals_.end() ? nullptr : it->second;
}

Quotas::Counter* Quotas::FindPair(std::string_view principal, std::string_view profile) const {
  auto it = pairs_.find(principal);
  if (it == pairs_.end()) return nullptr;
  auto jt = it->second.find(profile);
  return jt == it->second.end() ? nullptr : jt->second;
}

bool Quotas::Applies(std::string_view principal, std::string_view profile) const {
  return FindProfile(profile) != nullptr || FindPrincipal(principal) != nullptr ||
         FindPair(principal, profile) != nullptr;
}

Result<Quotas::Reservation> Quotas::Admit(std::string_view principal, std::string_view profile,
                                          int64_t tokens) const {
  Reservation r;
  size_t n = 0;
  for (Counter* c :
       {FindProfile(profile), FindPrincipal(principal), FindPair(principal, profile)}) {
    if (c != nullptr) r.counters[n++] = c;
  }
  if (n == 0) return r;
  tokens = std::max<int64_t>(0, tokens);
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  r.tokens = tokens;
  r.minute = now_ms / kMinuteMs;
  r.day = now_ms / kDayMs;
  const int64_t minute_left_ms = (r.minute + 1) * kMinuteMs - now_ms;
  const int64_t day_left_ms = (r.day + 1) * kDayMs - now_ms;

  LockAll(r.counters, n);
  auto unlock = [&] { UnlockAll(r.counters, n); };
  for (size_t i = 0; i < n; ++i) {
    Counter& c = *r.counters[i];
    c.Roll(r.minute, r.day);
    const QuotaLimits& l = c.limits;
    std::string refusal;
    if (settings_.shared) refusal = SharedRefusal(c, tokens, minute_left_ms, day_left_ms);
    if (!refusal.empty()) {
      // the shared windows refused (above)
    } else if (l.requests_per_minute > 0 && c.requests + 1 > l.requests_per_minute) {
      refusal = "Rate exceeded: " + c.label + " allows " + std::to_string(l.requests_per_minute) +
                " requests per minute; try again in " +
                std::to_string(CeilSeconds(minute_left_ms)) + " s.";
    } else if (l.tokens_per_minute > 0 && tokens > l.tokens_per_minute) {
      refusal = "Rate exceeded: " + c.label + " allows " + std::to_string(l.tokens_per_minute) +
                " tokens per minute and this call reserves " + std::to_string(tokens) +
                " (its input and maxTokens); lower maxTokens.";
    } else if (l.tokens_per_minute > 0 && c.minute_tokens + tokens > l.tokens_per_minute) {
      refusal = "Rate exceeded: " + c.label + " allows " + std::to_string(l.tokens_per_minute) +
                " tokens per minute (this call reserves " + std::to_string(tokens) +
                "); try again in " + std::to_string(CeilSeconds(minute_left_ms)) + " s.";
    } else if (l.tokens_per_day > 0 && tokens > l.tokens_per_day) {
      refusal = "Rate exceeded: " + c.label + " allows " + std::to_string(l.tokens_per_day) +
                " tokens per day and this call reserves " + std::to_string(tokens) +
                " (its input and maxTokens); lower maxTokens.";
    } else if (l.tokens_per_day > 0 && c.day_tokens + tokens > l.tokens_per_day) {
      refusal = "Rate exceeded: " + c.label + " allows " + std::to_string(l.tokens_per_day) +
                " tokens per day (this call reserves " + std::to_string(tokens) +
                "); try again in " + std::to_string(CeilSeconds(day_left_ms)) + " s.";
    }
    if (!refusal.empty()) {
      unlock();
      return Status(ErrorCode::kThrottling, std::move(refusal));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Counter& c = *r.counters[i];
    c.requests += 1;
    c.minute_tokens += tokens;
    c.day_tokens += tokens;
    if (settings_.shared) {
      for (int k : {kRpm, kTpm, kTpd}) {
        const int64_t amount = k == kRpm ? 1 : tokens;
        c.leases[k].Admitted(amount);
        c.leases[k].Use(amount);
      }
    }
  }
  unlock();
  return r;
}

// The shared windows' check (metering/lease_slot.h): the call's request and
// tokens must fit this instance's lease of each limited window. When one
// does not, the window as every instance used it decides the words: used up
// ("Rate exceeded ... across the instances"), or only this instance's share
// in use ("busy"; the leaser is asked for more at once). Both throttle.
std::string Quotas::SharedRefusal(Counter& c, int64_t tokens, int64_t minute_left_ms,
                                  int64_t day_left_ms) const {
  const int64_t now_ms = LeaseNowMs();
  const QuotaLimits& l = c.limits;
  const int64_t limits[3] = {l.requests_per_minute, l.tokens_per_minute, l.tokens_per_day};
  static constexpr const char* kWhat[3] = {"requests per minute", "tokens per minute",
                                           "tokens per day"};
  for (int k : {kRpm, kTpm, kTpd}) {
    if (limits[k] <= 0) continue;
    LeaseSlot& slot = c.leases[k];
    const int64_t amount = k == kRpm ? 1 : tokens;
    if (slot.Fits(amount, 0, now_ms)) continue;
    if (amount > limits[k]) return "";  // never fits: the local check says why
    const int64_t left_ms = k == kTpd ? day_left_ms : minute_left_ms;
    if (slot.shared_used + slot.unreported + amount > limits[k]) {
      return "Rate exceeded: " + c.label + " allows " + std::to_string(limits[k]) + " " + kWhat[k] +
             " across the instances; try again in " + std::to_string(CeilSeconds(left_ms)) + " s.";
    }
    slot.Refused(amount);
    lease_wanted_.store(true);
    return "Rate busy: " + c.label + " (" + std::to_string(limits[k]) + " " + kWhat[k] +
           ") is shared by several instances and this one's share is in use" +
           (slot.valid(now_ms) ? "" : " (its lease lapsed: the database is unreachable)") +
           "; try again in 1 s.";
  }
  return "";
}

std::vector<LeaseRequest> Quotas::BeginLeaseExchange(bool release) const {
  std::vector<LeaseRequest> out;
  if (!settings_.shared) return out;
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  const int64_t minute = now_ms / kMinuteMs;
  const int64_t day = now_ms / kDayMs;
  const int64_t steady_ms = LeaseNowMs();
  for (size_t i = 0; i < owned_.size(); ++i) {
    Counter& c = *owned_[i];
    std::string key;
    switch (c.scope) {
      case Scope::kProfile:
        key = "profile/" + std::string(c.profile);
        break;
      case Scope::kPrincipal:
        key = "principal/" + std::string(c.principal);
        break;
      case Scope::kPair:
        key = "pair/" + std::string(c.principal) + "/" + std::string(c.profile);
        break;
    }
    const QuotaLimits& l = c.limits;
    const int64_t limits[3] = {l.requests_per_minute, l.tokens_per_minute, l.tokens_per_day};
    static constexpr const char* kPrefix[3] = {"rpm/", "tpm/", "tpd/"};
    c.mu.Lock();
    c.Roll(minute, day);
    for (int k : {kRpm, kTpm, kTpd}) {
      if (limits[k] <= 0) continue;
      LeaseRequest q{.slot = i * 3 + static_cast<size_t>(k),
                     .key = std::string(kPrefix[k]) + key,
                     .period = k == kTpd ? day : minute,
                     .limit = limits[k]};
      c.leases[k].Begin(q, 0, release, steady_ms);
      out.push_back(std::move(q));
    }
    c.mu.Unlock();
  }
  return out;
}

void Quotas::EndLeaseExchange(const LeaseRequest& q, const Result<Lease>& lease,
                              int64_t exchanged_at_ms) const {
  const size_t i = q.slot / 3;
  const int k = static_cast<int>(q.slot % 3);
  if (i >= owned_.size()) return;
  Counter& c = *owned_[i];
  c.mu.Lock();
  if ((k == kTpd ? c.day : c.minute) == q.period) c.leases[k].End(q, lease, exchanged_at_ms);
  c.mu.Unlock();
}

void Quotas::Settle(Reservation& r, int64_t actual_tokens) const {
  if (r.empty() || r.settled) return;
  r.settled = true;
  const int64_t delta = std::max<int64_t>(0, actual_tokens) - r.tokens;
  if (delta == 0) return;
  for (Counter* c : r.counters) {
    if (c == nullptr) break;
    c->mu.Lock();
    if (c->minute == r.minute) {
      c->minute_tokens = std::max<int64_t>(0, c->minute_tokens + delta);
      if (settings_.shared) c->leases[kTpm].Use(delta);
    }
    if (c->day == r.day) {
      c->day_tokens = std::max<int64_t>(0, c->day_tokens + delta);
      if (settings_.shared) c->leases[kTpd].Use(delta);
    }
    c->mu.Unlock();
  }
}

Quotas::Usage Quotas::UsageOf(Counter* c) const {
  if (c == nullptr) return {};
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  c->mu.Lock();
  Usage u;
  if (c->minute == now_ms / kMinuteMs) {
    u.requests = c->requests;
    u.minute_tokens = c->minute_tokens;
  }
  if (c->day == now_ms / kDayMs) u.day_tokens = c->day_tokens;
  c->mu.Unlock();
  return u;
}

std::vector<Quotas::State> Quotas::States() const {
  std::vector<State> out;
  out.reserve(owned_.size());
  for (const std::unique_ptr<Counter>& c : owned_) {
    out.push_back({.scope = c->scope,
                   .principal = c->principal,
                   .profile = c->profile,
                   .limits = c->limits,
                   .usage = UsageOf(c.get())});
  }
  return out;
}

Quotas::Usage Quotas::ProfileUsage(std::string_view profile) const {
  return UsageOf(FindProfile(profile));
}
Quotas::Usage Quotas::PrincipalUsage(std::string_view principal) const {
  return UsageOf(FindPrincipal(principal));
}
Quotas::Usage Quotas::PairUsage(std::string_view principal, std::string_view profile) const {
  return UsageOf(FindPair(principal, profile));
}

}  // namespace bp::metering
