#pragma once
// Region routing for runtime calls: which of a profile's destination regions
// serves the next attempt, with passive health tracking. Pure logic over an
// injected Clock; no I/O. Public header of bp_routing.
//
// Policies:
//   kHomeFirst         the home region when it is healthy and has fewer than
//                      `overflow_outstanding` calls in flight; otherwise the
//                      next healthy region in the profile's order with the
//                      fewest calls in flight (overflow).
//   kLeastOutstanding  the healthy region with the fewest calls in flight;
//                      ties go to the earlier region in the profile's order.
// Health (per region, shared by all profiles): `failure_threshold`
// consecutive failures open the region's circuit for `open_for`, doubling on
// each re-open up to `max_open_for`. When it elapses the circuit is half-open:
// one probe call is let through; success closes it (and resets the backoff),
// failure re-opens it. Regions with an open circuit are skipped; when every
// untried candidate is open, Pick returns the one whose open period ends
// first (a probe rather than a refusal without trying).
//
// Thread-safety: every method may be called from any loop thread at once
// (per-region state is guarded; Pick + Begin is not atomic, which only makes
// load balancing approximate).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace bp::routing {

enum class Policy : uint8_t { kHomeFirst, kLeastOutstanding };

// "home-first", "least-outstanding".
std::string_view PolicyName(Policy policy);
std::optional<Policy> ParsePolicy(std::string_view name);

struct Options {
  Policy policy = Policy::kHomeFirst;
  std::string home_region;  // kHomeFirst; empty: the profile's first region
  uint32_t overflow_outstanding = 64;
  uint32_t failure_threshold = 3;
  std::chrono::milliseconds open_for{30'000};
  std::chrono::milliseconds max_open_for{300'000};
  uint32_t max_attempts = 3;  // per call, regions tried (first attempt included)
};

enum class Outcome : uint8_t {
  kSuccess,      // the region answered
  kFailure,      // a server-side failure (throttling, unavailable, 5xx, timeout)
  kClientError,  // the caller's fault; says nothing about the region's health
};

struct RegionHealth {
  std::string region;
  bool open = false;  // circuit open (or half-open with a probe out)
  uint32_t consecutive_failures = 0;
  uint32_t outstanding = 0;
  uint64_t successes = 0;
  uint64_t failures = 0;
};

class Router final {
 public:
  // `regions`: every region a call may be routed to (the configured ones).
  // `clock` must outlive the router. `carry_health_from` (may be null; serve's
  // config reload passes the router it replaces): each region both route to
  // shares that router's state (circuit, counters, calls in flight) instead
  // of starting closed and idle, so a reload forgets no open circuit and
  // counts the calls still running on the old router. The shared state is
  // kept alive by whichever router outlives the other.
  Router(Options options, std::vector<std::string> regions, const Clock& clock,
         const Router* carry_health_from = nullptr);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const Options& options() const { return options_; }

  // The region for the next attempt among `candidates` (the profile's
  // regions, in the profile's order) that are not in `tried`; std::nullopt
  // when none is left or `tried` already holds max_attempts regions. Regions
  // unknown to the router are skipped.
  std::optional<std::string> Pick(std::span<const std::string> candidates,
                                  std::span<const std::string> tried) const;

  // Bracket every attempt: Begin when it starts (counts it as outstanding),
  // End with its outcome (updates health). Unknown regions are ignored.
  void Begin(std::string_view region);
  void End(std::string_view region, Outcome outcome);

  // A snapshot for logs, /metrics and tests, in configured order.
  std::vector<RegionHealth> Health() const;

 private:
  struct RegionState;
  RegionState* Find(std::string_view region) const;

  const Options options_;
  const Clock& clock_;
  std::vector<std::shared_ptr<RegionState>> regions_;
};

}  // namespace bp::routing
