#include "metering/quotas.h"

#include <algorithm>
#include <chrono>

namespace bp::metering {

namespace {

constexpr int64_t kMinuteMs = 60'000;
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

  // Opens the windows `now_ms` is in when they are not the current ones.
  void Roll(int64_t minute_now, int64_t day_now) {
    if (minute != minute_now) {
      minute = minute_now;
      requests = 0;
      minute_tokens = 0;
    }
    if (day != day_now) {
      day = day_now;
      day_tokens = 0;
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
    if (l.requests_per_minute > 0 && c.requests + 1 > l.requests_per_minute) {
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
  }
  unlock();
  return r;
}

void Quotas::Settle(Reservation& r, int64_t actual_tokens) const {
  if (r.empty() || r.settled) return;
  r.settled = true;
  const int64_t delta = std::max<int64_t>(0, actual_tokens) - r.tokens;
  if (delta == 0) return;
  for (Counter* c : r.counters) {
    if (c == nullptr) break;
    c->mu.Lock();
    if (c->minute == r.minute) c->minute_tokens = std::max<int64_t>(0, c->minute_tokens + delta);
    if (c->day == r.day) c->day_tokens = std::max<int64_t>(0, c->day_tokens + delta);
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
