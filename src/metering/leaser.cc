#include "metering/leaser.h"

#include <utility>

#include "metering/budgets.h"
#include "metering/quotas.h"

namespace bp::metering {
namespace {

constexpr int64_t kMinuteMs = 60'000;
// How long after a minute starts its leases are asked for: the quotas'
// windows have opened on every instance's clock by then (give or take
// their skew).
constexpr int64_t kAfterMinuteMs = 5;

}  // namespace

Leaser::Leaser(Exchange exchange, LimitsSource current, const Clock& clock, Options options)
    : exchange_(std::move(exchange)),
      current_(std::move(current)),
      clock_(clock),
      options_(options),
      thread_([this] { Run(); }) {}

Leaser::~Leaser() { Stop(); }

void Leaser::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

Status Leaser::StopAndRelease() {
  Stop();
  return RunExchange(/*release=*/true);
}

Status Leaser::RunExchange(bool release) {
  MutexLock one(exchange_mu_);
  const LimitsView view = current_();
  const bool budgets = view.budgets != nullptr && view.budgets->shared();
  const bool quotas = view.quotas != nullptr && view.quotas->shared();
  std::vector<LeaseRequest> requests;
  size_t budget_count = 0;
  if (budgets) {
    requests = view.budgets->BeginLeaseExchange(release);
    budget_count = requests.size();
  }
  if (quotas) {
    std::vector<LeaseRequest> more = view.quotas->BeginLeaseExchange(release);
    requests.insert(requests.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  if (requests.empty()) return Status::Ok();
  const int64_t began = LeaseNowMs();
  Result<std::vector<Lease>> leases = exchange_(requests);
  if (leases.ok() && leases->size() != requests.size()) {
    leases = Status(ErrorCode::kInternal, "the lease exchange answered " +
                                              std::to_string(leases->size()) + " of " +
                                              std::to_string(requests.size()) + " limits");
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    const Result<Lease> one_lease =
        leases.ok() ? Result<Lease>((*leases)[i]) : Result<Lease>(leases.status());
    if (i < budget_count) {
      view.budgets->EndLeaseExchange(requests[i], one_lease, began);
    } else {
      view.quotas->EndLeaseExchange(requests[i], one_lease, began);
    }
  }
  MutexLock lock(mu_);
  ++stats_.exchanges;
  if (!leases.ok()) {
    ++stats_.failures;
    stats_.last_error = leases.status().message();
    return leases.status();
  }
  stats_.last_error.clear();
  return Status::Ok();
}

void Leaser::Run() {
  using SteadyClock = std::chrono::steady_clock;
  SteadyClock::time_point next = SteadyClock::now();
  int64_t minute_seen = ToUnixMillis(clock_.Now()) / kMinuteMs;
  for (;;) {
    bool wanted = false;
    {
      MutexLock lock(mu_);
      while (!stop_ && !wanted && SteadyClock::now() < next) {
        wake_.WaitFor(mu_, options_.poll);
        const LimitsView view = current_();
        wanted = (view.budgets != nullptr && view.budgets->TakeLeaseWanted()) ||
                 (view.quotas != nullptr && view.quotas->TakeLeaseWanted());
        const int64_t now_ms = ToUnixMillis(clock_.Now());
        if (now_ms / kMinuteMs != minute_seen && now_ms % kMinuteMs >= kAfterMinuteMs) {
          minute_seen = now_ms / kMinuteMs;
          wanted = true;
        }
      }
      if (stop_) return;
    }
    next = SteadyClock::now() + options_.interval;
    (void)RunExchange(/*release=*/false);
  }
}

Leaser::Stats Leaser::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace bp::metering
