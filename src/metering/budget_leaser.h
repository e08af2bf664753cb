#pragma once
// BudgetLeaser: the thread that exchanges the shared budgets' leases with
// the database (metering/budgets.h, "Shared budgets"). Knows no database:
// the composition root hands it the exchange (storage/postgres's) and the
// budgets current at each moment (a config reload replaces them).
//
// Every `interval` (and at once when a call was refused for want of lease)
// it takes every budget's request (Budgets::BeginLeaseExchange), makes ONE
// exchange for all of them, and hands each budget its answer
// (EndLeaseExchange). Public header of bp_metering.
//
// Thread-safety: Start/Stop from one thread; the work runs on its own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "metering/budgets.h"
#include "metering/metrics_limits.h"

namespace bp::metering {

class BudgetLeaser final {
 public:
  // One answer per request, in their order; an error for all when the
  // exchange failed (nothing of it happened).
  using Exchange =
      std::function<Result<std::vector<BudgetLease>>(const std::vector<BudgetLeaseRequest>&)>;

  struct Options {
    std::chrono::milliseconds interval{250};
    // How often a refusal's wish for more lease is looked for.
    std::chrono::milliseconds poll{20};
  };

  BudgetLeaser(Exchange exchange, LimitsSource current, Options options);
  ~BudgetLeaser();  // Stop()
  BudgetLeaser(const BudgetLeaser&) = delete;
  BudgetLeaser& operator=(const BudgetLeaser&) = delete;

  // Runs one exchange now, on the caller's thread (serve's first, before it
  // listens, so the instance starts with its leases). Its error, if any.
  Status ExchangeNow() { return RunExchange(/*release=*/false); }
  // Stops the thread, then reports the last spend and gives every lease
  // back but for calls still in flight (a clean shutdown, after the drain).
  Status StopAndRelease();
  void Stop();

  struct Stats {
    uint64_t exchanges = 0;
    uint64_t failures = 0;
    std::string last_error;
  };
  Stats stats() const;

 private:
  void Run();
  Status RunExchange(bool release);

  const Exchange exchange_;
  const LimitsSource current_;
  const Options options_;
  Mutex exchange_mu_;  // one exchange at a time (ExchangeNow beside the thread)
  mutable Mutex mu_;
  CondVar wake_;
  bool stop_ BP_GUARDED_BY(mu_) = false;
  Stats stats_ BP_GUARDED_BY(mu_);
  std::thread thread_;  // last
};

}  // namespace bp::metering
