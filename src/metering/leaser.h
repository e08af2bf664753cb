#pragma once
// Leaser: the thread that exchanges the shared limits' leases with the
// database (metering/lease_slot.h): the budgets' (metering/budgets.h
// "Shared budgets") and the quotas' (metering/quotas.h "Shared quotas").
// Knows no database: the composition root hands it the exchange
// (storage/postgres's) and the limits current at each moment (a config
// reload replaces them).
//
// Every `interval`, just after each minute starts (when the quotas' minute
// windows open with empty leases) and at once when a call was refused for
// want of lease, it takes every limit's request (BeginLeaseExchange), makes
// ONE exchange for all of them, and hands each limit its answer
// (EndLeaseExchange). Public header of bp_metering.
//
// Thread-safety: the methods may be called from any thread; the work runs
// on its own thread; exchanges never overlap.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "metering/lease_slot.h"
#include "metering/metrics_limits.h"

namespace bp::metering {

class Leaser final {
 public:
  // One answer per request, in their order; an error for all when the
  // exchange failed (nothing of it happened).
  using Exchange = std::function<Result<std::vector<Lease>>(const std::vector<LeaseRequest>&)>;

  struct Options {
    std::chrono::milliseconds interval{250};
    // How often a refusal's wish for more lease is looked for.
    std::chrono::milliseconds poll{20};
  };

  // `clock`: the wall clock the quotas' windows follow (outlives this).
  Leaser(Exchange exchange, LimitsSource current, const Clock& clock, Options options);
  ~Leaser();  // Stop()
  Leaser(const Leaser&) = delete;
  Leaser& operator=(const Leaser&) = delete;

  // One exchange now, on the caller's thread (serve's first, before it
  // listens, so the instance starts with its leases). Its error, if any.
  Status ExchangeNow() { return RunExchange(/*release=*/false); }
  // Stops the thread, then reports the last use and gives every lease back
  // but for calls still in flight (a clean shutdown, after the drain).
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
  const Clock& clock_;
  const Options options_;
  Mutex exchange_mu_;  // one exchange at a time (ExchangeNow beside the thread)
  mutable Mutex mu_;
  CondVar wake_;
  bool stop_ BP_GUARDED_BY(mu_) = false;
  Stats stats_ BP_GUARDED_BY(mu_);
  std::thread thread_;  // last
};

}  // namespace bp::metering
