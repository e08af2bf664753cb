#include "metering/budget_leaser.h"

#include <utility>

namespace bp::metering {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BudgetLeaser::BudgetLeaser(Exchange exchange, LimitsSource current, Options options)
    : exchange_(std::move(exchange)),
      current_(std::move(current)),
      options_(options),
      thread_([this] { Run(); }) {}

BudgetLeaser::~BudgetLeaser() { Stop(); }

void BudgetLeaser::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

Status BudgetLeaser::StopAndRelease() {
  Stop();
  return RunExchange(/*release=*/true);
}

Status BudgetLeaser::RunExchange(bool release) {
  MutexLock one(exchange_mu_);
  const LimitsView view = current_();
  if (view.budgets == nullptr || !view.budgets->shared()) return Status::Ok();
  const std::vector<BudgetLeaseRequest> requests = view.budgets->BeginLeaseExchange(release);
  if (requests.empty()) return Status::Ok();
  const int64_t began = SteadyMs();
  Result<std::vector<BudgetLease>> leases = exchange_(requests);
  if (leases.ok() && leases->size() != requests.size()) {
    leases = Status(ErrorCode::kInternal, "the budget lease exchange answered " +
                                              std::to_string(leases->size()) + " of " +
                                              std::to_string(requests.size()) + " budgets");
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    if (leases.ok()) {
      view.budgets->EndLeaseExchange(requests[i], (*leases)[i], began);
    } else {
      view.budgets->EndLeaseExchange(requests[i], leases.status(), began);
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

void BudgetLeaser::Run() {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    {
      MutexLock lock(mu_);
      while (!stop_ && std::chrono::steady_clock::now() < next) {
        wake_.WaitFor(mu_, options_.poll);
        const LimitsView view = current_();
        if (view.budgets != nullptr && view.budgets->TakeLeaseWanted()) break;
      }
      if (stop_) return;
    }
    next = std::chrono::steady_clock::now() + options_.interval;
    (void)ExchangeNow();
  }
}

BudgetLeaser::Stats BudgetLeaser::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace bp::metering
