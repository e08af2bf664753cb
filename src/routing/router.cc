#include "routing/router.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/mutex.h"

namespace bp::routing {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

constexpr std::string_view kHomeFirstName = "home-first";
constexpr std::string_view kLeastOutstandingName = "least-outstanding";

// Circuit parameters derived from Options, clamped so that nonsense values
// (validated away by config/, but Options is a plain struct) cannot wedge a
// region: a threshold of 0 behaves as 1, negative periods as 0, and the cap is
// never below the first period.
struct CircuitParams {
  uint32_t threshold;
  milliseconds first_period;
  milliseconds max_period;
};

CircuitParams ParamsOf(const Options& options) {
  const milliseconds first = std::max(options.open_for, milliseconds(0));
  return CircuitParams{
      .threshold = std::max<uint32_t>(options.failure_threshold, 1),
      .first_period = first,
      .max_period = std::max(options.max_open_for, first),
  };
}

// `period` doubled, but never above `cap` (and without overflowing).
milliseconds Doubled(milliseconds period, milliseconds cap) {
  if (period >= cap / 2) return cap;
  return period * 2;
}

bool Contains(std::span<const std::string> names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [name](const std::string& n) { return n == name; });
}

// What Pick needs to know about one region at one instant.
struct Snapshot {
  bool available = false;  // closed, or half-open with no probe out
  uint32_t outstanding = 0;
  SteadyTime open_until{};  // meaningful when !available
};

}  // namespace

// One region's counters and circuit. Every field but `name` is guarded by
// `mu`, which is held only for a few comparisons and assignments.
//
// Circuit states:
//   closed     circuit_open == false. Failures count towards the threshold.
//   open       circuit_open, now < open_until, no probe out: skipped.
//   half-open  circuit_open, now >= open_until, no probe out: Pick may choose
//              it; the next Begin takes the probe slot.
//   probing    circuit_open, probe_out: skipped until an End settles it.
// Begin and End carry no per-call token, so the router cannot tell the probe's
// End from that of a call begun before the circuit opened. It settles this
// conservatively: any success closes the circuit (the region answered); a
// failure re-opens it with a doubled period only while a probe is out;
// failures of stragglers while merely open are counted but extend nothing.
struct Router::RegionState {
  RegionState(std::string region, milliseconds first_period)
      : name(std::move(region)), open_period(first_period) {}

  Snapshot Look(SteadyTime now) BP_EXCLUDES(mu) {
    MutexLock lock(mu);
    return Snapshot{
        .available = !circuit_open || (!probe_out && now >= open_until),
        .outstanding = outstanding,
        .open_until = open_until,
    };
  }

  void Begin() BP_EXCLUDES(mu) {
    MutexLock lock(mu);
    if (outstanding < std::numeric_limits<uint32_t>::max()) ++outstanding;
    // While the circuit is open, the first call let through is its probe:
    // a half-open admission, or the all-open fallback of Pick.
    if (circuit_open && !probe_out) probe_out = true;
  }

  void End(Outcome outcome, SteadyTime now, const CircuitParams& params) BP_EXCLUDES(mu) {
    MutexLock lock(mu);
    if (outstanding > 0) --outstanding;  // End without Begin: ignore, never wrap
    switch (outcome) {
      case Outcome::kSuccess:
        OnSuccess(params);
        return;
      case Outcome::kFailure:
        OnFailure(now, params);
        return;
      case Outcome::kClientError:
        // Says nothing about health, but a probe that ended this way is no
        // longer out: free the slot so another call can probe.
        probe_out = false;
        return;
    }
  }

  RegionHealth Health(SteadyTime now) BP_EXCLUDES(mu) {
    MutexLock lock(mu);
    return RegionHealth{
        .region = name,
        .open = circuit_open && (probe_out || now < open_until),
        .consecutive_failures = consecutive_failures,
        .outstanding = outstanding,
        .successes = successes,
        .failures = failures,
    };
  }

  const std::string name;
  Mutex mu;

 private:
  void OnSuccess(const CircuitParams& params) BP_REQUIRES(mu) {
    ++successes;
    consecutive_failures = 0;
    circuit_open = false;
    probe_out = false;
    open_period = params.first_period;
  }

  void OnFailure(SteadyTime now, const CircuitParams& params) BP_REQUIRES(mu) {
    ++failures;
    if (consecutive_failures < std::numeric_limits<uint32_t>::max()) ++consecutive_failures;
    if (!circuit_open) {
      if (consecutive_failures < params.threshold) return;
      circuit_open = true;  // open_period is first_period here: closing resets it
    } else if (probe_out) {
      open_period = Doubled(open_period, params.max_period);
    } else {
      return;  // a call begun before the circuit opened; its verdict is in
    }
    probe_out = false;
    open_until = now + open_period;
  }

  uint32_t outstanding BP_GUARDED_BY(mu) = 0;
  uint32_t consecutive_failures BP_GUARDED_BY(mu) = 0;
  uint64_t successes BP_GUARDED_BY(mu) = 0;
  uint64_t failures BP_GUARDED_BY(mu) = 0;
  bool circuit_open BP_GUARDED_BY(mu) = false;
  bool probe_out BP_GUARDED_BY(mu) = false;
  SteadyTime open_until BP_GUARDED_BY(mu){};
  // The length of the current opening, or of the next one when closed.
  milliseconds open_period BP_GUARDED_BY(mu);
};

std::string_view PolicyName(Policy policy) {
  switch (policy) {
    case Policy::kHomeFirst:
      return kHomeFirstName;
    case Policy::kLeastOutstanding:
      return kLeastOutstandingName;
  }
  return "unknown";
}

std::optional<Policy> ParsePolicy(std::string_view name) {
  if (name == kHomeFirstName) return Policy::kHomeFirst;
  if (name == kLeastOutstandingName) return Policy::kLeastOutstanding;
  return std::nullopt;
}

Router::Router(Options options, std::vector<std::string> regions, const Clock& clock,
               const Router* carry_health_from)
    : options_(std::move(options)), clock_(clock) {
  const milliseconds first_period = ParamsOf(options_).first_period;
  regions_.reserve(regions.size());
  for (std::string& region : regions) {
    if (region.empty() || Find(region) != nullptr) continue;  // keep the first of duplicates
    std::shared_ptr<RegionState> state;
    if (carry_health_from != nullptr) {
      for (const std::shared_ptr<RegionState>& old : carry_health_from->regions_) {
        if (old->name == region) state = old;
      }
    }
    // A carried state keeps its current open period; the next success
    // resets it to this router's first period.
    if (state == nullptr) state = std::make_shared<RegionState>(std::move(region), first_period);
    regions_.push_back(std::move(state));
  }
}

Router::~Router() = default;

Router::RegionState* Router::Find(std::string_view region) const {
  for (const std::shared_ptr<RegionState>& state : regions_) {
    if (state->name == region) return state.get();
  }
  return nullptr;
}

std::optional<std::string> Router::Pick(std::span<const std::string> candidates,
                                        std::span<const std::string> tried) const {
  // max_attempts 0 would refuse every call; it behaves as 1.
  if (tried.size() >= std::max<uint32_t>(options_.max_attempts, 1)) return std::nullopt;
  const SteadyTime now = clock_.SteadyNow();
  const bool home_first = options_.policy == Policy::kHomeFirst;
  std::string_view home;
  if (home_first) {
    home = options_.home_region;
    if (home.empty() && !candidates.empty()) home = candidates.front();
  }

  // One pass, no allocation. Strict comparisons keep the earlier candidate
  // on ties, so ties go to the profile's order.
  const RegionState* home_state = nullptr;  // home, when untried and available
  uint32_t home_outstanding = 0;
  const RegionState* least = nullptr;  // available, fewest in flight (home excluded)
  uint32_t least_outstanding = 0;
  const RegionState* soonest = nullptr;  // open, the earliest to reopen
  SteadyTime soonest_until{};
  for (const std::string& candidate : candidates) {
    if (Contains(tried, candidate)) continue;
    RegionState* state = Find(candidate);
    if (state == nullptr) continue;
    const Snapshot snap = state->Look(now);
    if (!snap.available) {
      if (soonest == nullptr || snap.open_until < soonest_until) {
        soonest = state;
        soonest_until = snap.open_until;
      }
    } else if (home_first && candidate == home) {
      if (home_state == nullptr) {
        home_state = state;
        home_outstanding = snap.outstanding;
      }
    } else if (least == nullptr || snap.outstanding < least_outstanding) {
      least = state;
      least_outstanding = snap.outstanding;
    }
  }

  if (home_state != nullptr && home_outstanding < options_.overflow_outstanding) {
    return home_state->name;
  }
  if (least != nullptr) return least->name;
  if (home_state != nullptr) return home_state->name;  // overloaded, but the only healthy one
  if (soonest != nullptr) return soonest->name;
  return std::nullopt;
}

void Router::Begin(std::string_view region) {
  if (RegionState* state = Find(region)) state->Begin();
}

void Router::End(std::string_view region, Outcome outcome) {
  if (RegionState* state = Find(region))
    state->End(outcome, clock_.SteadyNow(), ParamsOf(options_));
}

std::vector<RegionHealth> Router::Health() const {
  const SteadyTime now = clock_.SteadyNow();
  std::vector<RegionHealth> out;
  out.reserve(regions_.size());
  for (const std::shared_ptr<RegionState>& state : regions_) out.push_back(state->Health(now));
  return out;
}

}  // namespace bp::routing
