#pragma once
// Leases of limits shared by several instances (issue 17; docs/metering.md
// "Limits across instances"): a budget's month, a quota's minute or day.
// Each instance admits calls against its LEASE of a limit, and a leaser
// thread (metering/leaser.h) exchanges every lease with the database a few
// times a second. LeaseSlot is one limit's lease on this instance, the
// arithmetic both metering::Budgets and metering::Quotas use; GrantLease is
// the database's side of it. Public header of bp_metering.
//
// The protocol, per limit and period:
//   here   Begin: the use since the last exchange is taken as the REPORT and
//          leaves the lease; the lease shrinks now to what is needed (never
//          below what calls in flight hold): KEEP; the wish is WANT >= keep.
//   there  (one transaction, the limit's row locked) used += report; the
//          lease becomes GrantLease(limit, used, live leases of the others,
//          keep, want): it grows only from what no one holds.
//   here   End: the lease grows by what was granted beyond keep.
// So the reported use plus every live lease never exceeds the limit, and
// this instance never admits beyond its lease: the limit is passed only by
// what calls' actual use exceeds what they reserved (as on one instance).
// A lease is valid for kValidityMs after its exchange began; the database
// lets the others take it over only kLeaseTtlMs after (its own clock), so an
// instance that cannot exchange (the database unreachable) stops admitting
// before anyone else may use its lease: shared limits fail closed.
//
// Not thread-safe: its owner's mutex guards it.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace bp::metering {

// One limit's exchange (what Begin fills in, the leaser sends, End takes).
struct LeaseRequest {
  size_t slot = 0;     // which limit of its owner
  std::string key;     // the same on every instance: "budget/profile/rd-haiku-45", ...
  int64_t period = 0;  // the limit's window (a month, a minute, a day: its index)
  int64_t limit = 0;
  int64_t report = 0;  // used here since the last exchange (< 0: given back)
  int64_t keep = 0;    // the lease kept at least (already shrunk to it here)
  int64_t want = 0;    // >= keep
};

struct Lease {
  int64_t granted = 0;      // >= keep
  int64_t shared_used = 0;  // every instance's reported use in the period
};

inline constexpr int64_t kLeaseValidityMs = 25'000;
inline constexpr int64_t kLeaseTtlMs = 30'000;
// An instance with no call for this long gives its lease back once less
// than kLowLimitCalls of its largest call are left of the limit.
inline constexpr int64_t kLeaseIdleMs = 2'000;
inline constexpr int64_t kLowLimitCalls = 16;

// The database's side: `used` with this report added, `others` the live
// leases of the other instances.
int64_t GrantLease(int64_t limit, int64_t used, int64_t others, int64_t keep, int64_t want);

// Milliseconds of the steady clock (what validity is measured in).
int64_t LeaseNowMs();

struct LeaseSlot {
  int64_t granted = 0;      // what this instance may still use (unreported use included)
  int64_t unreported = 0;   // used here since the last exchange
  int64_t shared_used = 0;  // every instance's reported use, as last exchanged
  int64_t valid_until = 0;  // steady ms; the lease admits nothing after it
  int64_t shortfall = 0;    // largest amount refused for want of lease since the exchange
  int64_t admitted = 0;     // admitted since the exchange
  int64_t largest = 0;      // largest amount admitted or refused this period
  int64_t last_active = 0;  // steady ms of the last exchange with calls to lease for

  // Whether `amount` more fits, beside `in_flight` held outside the slot's
  // own count (a budget's reservations; 0 for quotas, which count them).
  bool Fits(int64_t amount, int64_t in_flight, int64_t now_ms) const {
    return now_ms < valid_until && unreported + in_flight + amount <= granted;
  }
  bool valid(int64_t now_ms) const { return now_ms < valid_until; }
  void Refused(int64_t amount);
  void Admitted(int64_t amount);
  void Use(int64_t amount) { unreported += amount; }
  // `release`: keep and want no more than `in_flight` (a clean shutdown).
  void Begin(LeaseRequest& q, int64_t in_flight, bool release, int64_t now_ms);
  void End(const LeaseRequest& q, const Result<Lease>& lease, int64_t exchanged_at_ms);
};

}  // namespace bp::metering
