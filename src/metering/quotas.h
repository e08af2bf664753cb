#pragma once
// Quotas (issue 15): requests per minute (RPM), tokens per minute (TPM) and
// tokens per day (TPD), per profile, per principal and per (principal,
// profile) pair, as Bedrock has them. Plain data with no config types: the
// composition root (server/) builds QuotaSettings from the config's `quotas`
// section (docs/config.md).
//
// Windows. Fixed windows on the injected Clock's wall time: a minute is
// [k*60 s, (k+1)*60 s) since the Unix epoch, a day is a UTC day. A window's
// counts start at 0 when it opens. (So a caller may spend up to twice a limit
// across a window boundary; the limit holds within every window.) The time a
// throttled caller is told to wait is until the window that refused it ends.
//
// Tokens. A call's tokens are input + cache writes + output; cache reads do
// not count (as on Bedrock for the Claude models that cache). Admit()
// RESERVES the caller's estimate (input estimate + maxTokens) against TPM and
// TPD together with the RPM check, atomically: a call is admitted only when
// every limit that applies to it has room, and then counted in all of them.
// Settle() replaces the reservation by the actual count in the windows it was
// reserved in (a window already closed is left alone), so an oversized
// reservation is returned and an overrun is charged. A call whose reservation
// alone exceeds a TPM or TPD limit is refused (it could never fit).
//
// Over a limit: kThrottling, naming the limit and when it frees ("Rate
// exceeded: profile rd-haiku-45 allows 60 requests per minute; try again in
// 12 s."). A refused call reserves nothing.
//
// Shared quotas (settings.shared; docs/metering.md "Limits across
// instances"): besides the counts above, each limited window is leased
// (metering/lease_slot.h): a call is admitted only when its request and its
// reserved tokens fit this instance's lease of every limited window, which a
// leaser thread exchanges with the database a few times a second (and just
// after each minute starts, when every minute window's lease begins at 0).
// So all instances together admit no more than each limit, up to what
// calls' actual tokens exceed their reservations. A call that does not fit
// is throttled: "Rate exceeded ... across the instances" when the window is
// used up as this instance last saw it, else "Rate busy" (this instance's
// share is in use; the SDKs retry, and the leaser is asked for more at once).
// A lease not renewed in time admits nothing (fail closed).
//
// Thread-safety: every method may be called from any thread at once. The
// set of limited keys is fixed at construction (a key with no configured
// limit is never counted), so lookups are in immutable maps, no allocation
// happens on Admit/Settle, and each key's counter has its own mutex: a call
// takes at most three (profile, principal, pair, always in that order).
// States() (the metrics' scrape) takes each key's mutex in turn, alone, for
// a copy of three numbers: it never holds two, so it delays an admission by
// at most one such copy and adds no lock to the request path.
// Public header of bp_metering.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "metering/lease_slot.h"
#include "metering/usage_record.h"

namespace bp::metering {

// 0: no limit of that kind.
struct QuotaLimits {
  int64_t requests_per_minute = 0;
  int64_t tokens_per_minute = 0;
  int64_t tokens_per_day = 0;
  bool any() const {
    return requests_per_minute > 0 || tokens_per_minute > 0 || tokens_per_day > 0;
  }
  bool operator==(const QuotaLimits&) const = default;
};

struct QuotaSettings {
  using LimitMap = std::map<std::string, QuotaLimits, std::less<>>;
  LimitMap profiles;    // profile name -> limits
  LimitMap principals;  // principal name (the config's key) -> limits
  // principal name -> profile name -> limits
  std::map<std::string, LimitMap, std::less<>> pairs;
  // The output a call is assumed to produce when it sets no maxTokens.
  int64_t default_max_tokens = 1024;
  // Several instances share the quotas through leases (see "Shared quotas"
  // below); set by the composition root, not the config.
  bool shared = false;
  bool operator==(const QuotaSettings&) const = default;
};

// The tokens a call counts against TPM / TPD (see above).
int64_t QuotaTokens(const TokenCounts& tokens);

class Quotas final {
 private:
  struct Counter;

 public:
  // What an admitted call holds until Settle(). Plain value; empty (nothing
  // to settle) when no limit applies.
  struct Reservation {
    Counter* counters[3] = {nullptr, nullptr, nullptr};
    int64_t tokens = 0;
    int64_t minute = 0;
    int64_t day = 0;
    bool settled = false;
    bool empty() const { return counters[0] == nullptr; }
  };

  // `carry_from` (may be null): the quotas being replaced on a config
  // reload; the current windows' counts of every key present in both carry
  // over (a key whose limits changed keeps its counts under the new limits).
  Quotas(QuotaSettings settings, const Clock& clock, const Quotas* carry_from = nullptr);
  ~Quotas();
  Quotas(const Quotas&) = delete;
  Quotas& operator=(const Quotas&) = delete;

  // Whether any limit applies to calls of `principal` on `profile` (callers
  // may skip estimating tokens when none does).
  bool Applies(std::string_view principal, std::string_view profile) const;

  // Checks every limit of (principal, profile) and reserves one request and
  // `tokens` in them, or refuses with kThrottling.
  Result<Reservation> Admit(std::string_view principal, std::string_view profile,
                            int64_t tokens) const;

  // Replaces the reservation by `actual_tokens`. Idempotent: a second call
  // does nothing.
  void Settle(Reservation& reservation, int64_t actual_tokens) const;

  // What the counters of a key hold now (tests, metrics): the current
  // windows' requests, minute tokens and day tokens; zeros when not limited.
  struct Usage {
    int64_t requests = 0;
    int64_t minute_tokens = 0;
    int64_t day_tokens = 0;
  };
  Usage ProfileUsage(std::string_view profile) const;
  Usage PrincipalUsage(std::string_view principal) const;
  Usage PairUsage(std::string_view principal, std::string_view profile) const;

  // Every limited key with its limits and its current windows' counts, in
  // construction order (profiles, principals, pairs; each by name). The
  // views point into settings() and live as long as this object.
  enum class Scope : uint8_t { kProfile, kPrincipal, kPair };
  struct State {
    Scope scope = Scope::kProfile;
    std::string_view principal;  // "" for a profile's limits
    std::string_view profile;    // "" for a principal's limits
    QuotaLimits limits;
    Usage usage;
  };
  std::vector<State> States() const;

  const QuotaSettings& settings() const { return settings_; }

  // Shared quotas: the leaser's side (as Budgets'; metering/lease_slot.h).
  bool shared() const { return settings_.shared; }
  std::vector<LeaseRequest> BeginLeaseExchange(bool release = false) const;
  void EndLeaseExchange(const LeaseRequest& request, const Result<Lease>& lease,
                        int64_t exchanged_at_ms) const;
  bool TakeLeaseWanted() const { return lease_wanted_.exchange(false); }
  int64_t default_max_tokens() const { return settings_.default_max_tokens; }

 private:
  using CounterMap = std::map<std::string, Counter*, std::less<>>;

  Counter* FindProfile(std::string_view profile) const;
  Counter* FindPrincipal(std::string_view principal) const;
  Counter* FindPair(std::string_view principal, std::string_view profile) const;
  Usage UsageOf(Counter* counter) const;
  // REQUIRES: c.mu held. "" when the shared windows admit the call.
  std::string SharedRefusal(Counter& c, int64_t tokens, int64_t minute_left_ms,
                            int64_t day_left_ms) const;
  static void LockAll(Counter* const* counters, size_t n);
  static void UnlockAll(Counter* const* counters, size_t n);

  const QuotaSettings settings_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Counter>> owned_;
  CounterMap profiles_;
  CounterMap principals_;
  std::map<std::string, CounterMap, std::less<>> pairs_;
  mutable std::atomic<bool> lease_wanted_{false};
};

}  // namespace bp::metering
