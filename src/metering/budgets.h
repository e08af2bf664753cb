#pragma once
// Budgets (issue 15): a monthly spend limit in US dollars per profile, per
// principal and per value of a profile tag (tag billing-mode = rd), each
// with a warning threshold. Plain data with no config types: the composition
// root (server/) builds BudgetSettings from the config's `budgets` section.
//
// Period: the UTC calendar month of the injected Clock's wall time; a budget's
// spend starts at 0 when a month opens.
//
// Admission (Admit) RESERVES the call's worst-case cost against every budget
// that applies to it (its profile, its principal, each tag value of the
// profile's own tags as they are when the call is admitted), atomically with
// the check: all the budgets' locks are held (in one global order) while
// spent + reserved + this reservation is compared with each limit and then
// added. So N concurrent calls can overshoot a budget by at most what one
// call's actual cost exceeds its reservation, and never by calls passing the
// check together. Settle() moves the reservation to `spent` at the call's
// actual cost (the difference is returned). Exhausted: kServiceQuotaExceeded
// naming the budget ("Budget exhausted: profile rd-haiku-45 allows $100.00
// per month; $99.99 spent or reserved, this call may cost up to $0.05.").
//
// Shared budgets (settings.shared; docs/metering.md "Budgets across
// instances"). Admission is local, against this instance's LEASE of each
// budget: a call is admitted when its reservation fits in what the lease
// still holds (lease - unreported spend - reservations). A leaser thread
// (metering/leaser.h) exchanges every budget's lease with the database a few
// times a second: it reports the spend settled since (which leaves the
// lease), shrinks an unneeded lease here first (never below the calls in
// flight), and grows it there only from what no instance holds, so the
// leases plus the reported spend never exceed a budget. A call that does
// not fit is refused with kServiceQuotaExceeded when the budget itself is
// used up as this instance last saw it, else with kThrottling ("this
// instance's share is in use; try again in 1 s"): the SDKs retry that, and
// the refusal asks the leaser for a bigger lease at once. A lease not
// renewed for lease_validity (the database unreachable) admits nothing more:
// budgets fail closed. Overshoot: at most what calls' actual costs exceed
// their reservations, as on one instance; an instance that dies takes the
// spend it had not reported (at most one exchange interval) with it.
//
// Restart: Restore() adds a ledger record's cost (this month's records,
// read at start) to the budgets it matches, so a restart keeps the spend up
// to the ledger's durability bound (docs/metering.md).
//
// Thread-safety: every method may be called from any thread at once. The
// set of budgets is fixed at construction; lookups are in immutable maps and
// no allocation happens on Admit/Settle except the refusal's message. Each
// budget has its own mutex. States() (the metrics' scrape) takes each
// budget's mutex in turn, alone, for a copy of a few numbers: it never holds
// two, so it adds no lock to the request path. Public header of bp_metering.

#include <array>
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
#include "core/tags.h"
#include "metering/lease_slot.h"
#include "metering/usage_record.h"

namespace bp::metering {

struct BudgetLimit {
  int64_t monthly_micro_usd = 0;  // > 0
  // Settle() reports a budget once per month when its spend reaches this
  // fraction of the limit, in parts per million (800'000 = 80 %; 0: never).
  int64_t warn_ppm = 800'000;
  bool operator==(const BudgetLimit&) const = default;
};

struct BudgetSettings {
  using LimitMap = std::map<std::string, BudgetLimit, std::less<>>;
  LimitMap profiles;    // profile name ->
  LimitMap principals;  // principal name ->
  // principal name -> principal ARN (Restore() matches ledger records, which
  // carry the ARN).
  std::map<std::string, std::string, std::less<>> principal_arns;
  std::map<std::string, LimitMap, std::less<>> tags;  // tag key -> tag value ->
  // Several instances share the budgets through leases (see "Shared
  // budgets" below); set by the composition root, not the config.
  bool shared = false;
  bool operator==(const BudgetSettings&) const = default;
};

// "$12.35" (cents, rounded up).
std::string FormatDollars(int64_t micro_usd);

class Budgets final {
 private:
  struct Counter;

 public:
  static constexpr size_t kMaxBudgetsPerCall = 32;

  struct Reservation {
    std::array<Counter*, kMaxBudgetsPerCall> counters{};
    size_t count = 0;
    int64_t micro_usd = 0;
    int64_t month = 0;
    bool settled = false;
    bool empty() const { return count == 0; }
  };

  // `carry_from` (may be null): the budgets being replaced on a config
  // reload; this month's spend (and reservations) of every budget present in
  // both carry over.
  Budgets(BudgetSettings settings, const Clock& clock, const Budgets* carry_from = nullptr);
  ~Budgets();
  Budgets(const Budgets&) = delete;
  Budgets& operator=(const Budgets&) = delete;

  bool Applies(std::string_view principal, std::string_view profile, const Tags& tags) const;

  // Checks every budget of the call and reserves `micro_usd` in them, or
  // refuses with kServiceQuotaExceeded.
  Result<Reservation> Admit(std::string_view principal, std::string_view profile, const Tags& tags,
                            int64_t micro_usd) const;

  // Moves the reservation to the spend at `actual_micro_usd`. Idempotent.
  // Returns the labels of the budgets whose spend reached their warning
  // threshold with this call (once per budget and month; usually empty).
  std::vector<std::string> Settle(Reservation& reservation, int64_t actual_micro_usd) const;

  // Adds a past record's cost to the budgets it matches (its principal ARN,
  // profile name, tags), when it is from the current month.
  void Restore(const UsageRecord& record) const;

  // This month's spent and reserved micro-USD of a budget (0 when none).
  struct Usage {
    int64_t spent = 0;
    int64_t reserved = 0;
  };
  Usage ProfileUsage(std::string_view profile) const;
  Usage PrincipalUsage(std::string_view principal) const;
  Usage TagUsage(std::string_view key, std::string_view value) const;

  // Every budget with its limit and this month's figures, in construction
  // order (profiles, principals, tags; each by name). The views point into
  // the settings and live as long as this object.
  enum class Scope : uint8_t { kProfile, kPrincipal, kTag };
  struct State {
    Scope scope = Scope::kProfile;
    std::string_view name;   // the profile's or principal's name; the tag's key
    std::string_view value;  // the tag's value ("" for the other scopes)
    BudgetLimit limit;
    Usage usage;
    bool warned = false;  // this month's warning was given
  };
  std::vector<State> States() const;

  // Shared budgets: the leaser's side (see above). `now_ms`: a steady
  // clock's milliseconds, the same the validity is measured in.
  bool shared() const { return settings_.shared; }
  // `release`: keep and ask for no more than the calls in flight (a clean
  // shutdown gives its leases back).
  std::vector<LeaseRequest> BeginLeaseExchange(bool release = false) const;
  // `lease`: what the database granted, or its error (the report is kept
  // for the next exchange and the lease is not renewed). `exchanged_at_ms`:
  // steady ms when the exchange began (the lease is valid for
  // kLeaseValidityMs from then).
  void EndLeaseExchange(const LeaseRequest& request, const Result<Lease>& lease,
                        int64_t exchanged_at_ms) const;
  // True (once) when a call was refused for want of lease since the last
  // call: the leaser exchanges at once.
  bool TakeLeaseWanted() const { return lease_wanted_.exchange(false); }

 private:
  using CounterMap = std::map<std::string, Counter*, std::less<>>;

  // The call's budgets, in lock order (construction order): its profile's,
  // its principal's, one per configured tag key at most (beyond
  // kMaxBudgetsPerCall, the rest are not checked; the config allows fewer).
  void Collect(std::string_view principal, std::string_view profile, const Tags& tags,
               Reservation& r) const;
  Counter* Find(const CounterMap& map, std::string_view key) const;
  Usage UsageOf(Counter* c) const;
  int64_t MonthNow() const;
  static void LockAll(const Reservation& r);
  static void UnlockAll(const Reservation& r);

  const BudgetSettings settings_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Counter>> owned_;
  CounterMap profiles_;
  CounterMap principals_;
  CounterMap principals_by_arn_;
  std::map<std::string, CounterMap, std::less<>> tags_;
  mutable std::atomic<bool> lease_wanted_{false};
};

}  // namespace bp::metering
