#include "metering/lease_slot.h"

#include <algorithm>
#include <chrono>

namespace bp::metering {

int64_t GrantLease(int64_t limit, int64_t used, int64_t others, int64_t keep, int64_t want) {
  const int64_t free = limit - used - others - keep;
  return keep + std::clamp<int64_t>(want - keep, 0, std::max<int64_t>(0, free));
}

int64_t LeaseNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void LeaseSlot::Refused(int64_t amount) {
  shortfall = std::max(shortfall, amount);
  largest = std::max(largest, amount);
}

void LeaseSlot::Admitted(int64_t amount) {
  admitted += amount;
  largest = std::max(largest, amount);
}

// The wish: the calls in flight plus room for what came since the last
// exchange (twice over), for the largest refused call, and for one call as
// large as the largest seen, so an idle instance admits its next call
// without waiting for an exchange. Idle for a while with the limit running
// low, it keeps no room: a limit's last calls are not stranded on it.
void LeaseSlot::Begin(LeaseRequest& q, int64_t in_flight, bool release, int64_t now_ms) {
  q.report = unreported;
  unreported = 0;
  granted = std::max<int64_t>(0, granted - q.report);
  if (admitted > 0 || shortfall > 0 || in_flight > 0) last_active = now_ms;
  const bool idle =
      now_ms - last_active > kLeaseIdleMs && q.limit - shared_used < kLowLimitCalls * largest;
  const int64_t headroom = std::max({2 * admitted, shortfall, idle ? 0 : largest});
  const int64_t want = in_flight + (release ? 0 : headroom);
  granted = std::min(granted, std::max(want, in_flight));
  q.keep = granted;
  q.want = std::max(want, q.keep);
  admitted = 0;
  shortfall = 0;
}

void LeaseSlot::End(const LeaseRequest& q, const Result<Lease>& lease, int64_t exchanged_at_ms) {
  if (lease.ok()) {
    granted += std::max<int64_t>(0, lease->granted - q.keep);
    shared_used = lease->shared_used;
    valid_until = exchanged_at_ms + kLeaseValidityMs;
  } else {  // not reported: kept for the next exchange
    unreported += q.report;
    granted += q.report;
  }
}

}  // namespace bp::metering
