#pragma once
// FaultInjectingBackend: a decorator that makes any ModelBackend fail the way
// a real region does (STYLE.md F.27), so routing, failover, retries and the
// in-stream error paths can be exercised offline. Configured per region.
// Public header of bp_backends.
//
// Each Start() draws from a deterministic sequence (an atomic call counter
// mixed with `seed` through splitmix64), checked in this order:
//   outage                -> OnError(kServiceUnavailable,
//                            "<region> is unavailable (simulated outage)")
//   throttle_rate         -> OnError(kThrottling,
//                            "Too many requests, please wait before trying again.")
//   error_rate            -> OnError(kServiceUnavailable,
//                            "The model in <region> failed to answer (simulated fault)")
//   mid_stream_error_rate -> the inner answer runs until its first delta (text,
//                            tool input or reasoning) has been delivered, then ends with
//                            OnError(kModelStreamError,
//                            "The model stream failed mid-answer (simulated fault)")
//                            instead of finishing; an answer with no delta at
//                            all ends with that error in place of OnFinish.
// The first three fail before any output (the inner backend is not called, so
// the caller may retry elsewhere); `<region>` is ModelRequest::region. Errors
// are always posted to the loop, never delivered from inside Start(). Rates
// are shares in [0, 1]: 1 always fires, 0 (or less, or NaN) never.
//
// Thread-safe: one decorator serves every loop; the draw is lock-free.
// Destroying a returned Invocation stops every further sink call, including a
// posted error.

#include <atomic>
#include <cstdint>
#include <memory>

#include "backends/backend.h"

namespace bp::backends {

struct FaultOptions {
  double error_rate = 0;             // share of calls failing before output (kServiceUnavailable)
  double throttle_rate = 0;          // share of calls throttled before output (kThrottling)
  bool outage = false;               // every call fails before output
  double mid_stream_error_rate = 0;  // share of calls failing after their first delta
  uint64_t seed = 1;                 // fixes the sequence of draws
};

class FaultInjectingBackend final : public ModelBackend {
 public:
  // REQUIRES: inner != nullptr.
  FaultInjectingBackend(std::unique_ptr<ModelBackend> inner, FaultOptions options);
  FaultInjectingBackend(const FaultInjectingBackend&) = delete;
  FaultInjectingBackend& operator=(const FaultInjectingBackend&) = delete;

  std::unique_ptr<Invocation> Start(const ModelRequest& request, EventLoop& loop,
                                    OutputSink& sink) override;
  // Forwards to the inner backend (faults do not apply to counting).
  int64_t CountInputTokens(const ModelRequest& request) const override;
  bool EstimatesInputTokens() const override { return inner_->EstimatesInputTokens(); }

 private:
  const std::unique_ptr<ModelBackend> inner_;
  const FaultOptions options_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace bp::backends
