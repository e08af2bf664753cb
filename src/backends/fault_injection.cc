#include "backends/fault_injection.h"

#include <string>
#include <utility>

namespace bp::backends {
namespace {

constexpr std::string_view kThrottleMessage = "Too many requests, please wait before trying again.";
constexpr std::string_view kMidStreamMessage =
    "The model stream failed mid-answer (simulated fault)";

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from the top 53 bits, so a rate of 1.0 always fires.
double ToUnit(uint64_t x) { return static_cast<double>(x >> 11) / 9007199254740992.0; }

// False for NaN and for rates <= 0.
bool Fires(double rate, double draw) { return draw < rate; }

// One independent draw per kind of fault, all fixed by (seed, call).
struct Draws {
  double throttle;
  double error;
  double mid_stream;
};

Draws DrawFor(uint64_t seed, uint64_t call) {
  const uint64_t base = SplitMix64(seed ^ SplitMix64(call));
  return {ToUnit(SplitMix64(base + 1)), ToUnit(SplitMix64(base + 2)), ToUnit(SplitMix64(base + 3))};
}

std::string RegionName(const ModelRequest& request) {
  return request.region.empty() ? std::string("the region") : request.region;
}

// Fails before any output. The error is posted; destroying the handle first
// suppresses it.
class FailedInvocation final : public Invocation {
 public:
  FailedInvocation(EventLoop& loop, OutputSink& sink, Status status)
      : cancelled_(std::make_shared<bool>(false)) {
    loop.Post([cancelled = cancelled_, &sink, status = std::move(status)] {
      if (!*cancelled) sink.OnError(status);
    });
  }
  ~FailedInvocation() override { *cancelled_ = true; }
  FailedInvocation(const FailedInvocation&) = delete;
  FailedInvocation& operator=(const FailedInvocation&) = delete;

 private:
  const std::shared_ptr<bool> cancelled_;
};

// Sits between the inner invocation and the caller's sink. At the first delta
// it forwards that delta, swallows everything the inner invocation says
// afterwards, and posts the stream error. The inner invocation is destroyed
// by the posted task, never from inside one of its own callbacks. No member is
// touched after a call on the caller's sink, which may destroy this object.
class MidStreamFault final : public Invocation, public OutputSink {
 public:
  MidStreamFault(EventLoop& loop, OutputSink& sink)
      : loop_(loop), sink_(sink), cancelled_(std::make_shared<bool>(false)) {}
  ~MidStreamFault() override { *cancelled_ = true; }
  MidStreamFault(const MidStreamFault&) = delete;
  MidStreamFault& operator=(const MidStreamFault&) = delete;

  void Attach(std::unique_ptr<Invocation> inner) { inner_ = std::move(inner); }

  void OnPromptCache(const Usage& usage) override {
    if (!failing_) sink_.OnPromptCache(usage);
  }
  void OnStart(int64_t input_tokens) override {
    if (!failing_) sink_.OnStart(input_tokens);
  }
  void OnTextStart(int index) override {
    if (!failing_) sink_.OnTextStart(index);
  }
  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    if (!failing_) sink_.OnToolUseStart(index, id, name);
  }
  void OnTextDelta(int index, std::string_view text) override {
    if (failing_) return;
    Fail();
    sink_.OnTextDelta(index, text);
  }
  void OnToolInputDelta(int index, std::string_view fragment) override {
    if (failing_) return;
    Fail();
    sink_.OnToolInputDelta(index, fragment);
  }
  void OnReasoningStart(int index) override {
    if (!failing_) sink_.OnReasoningStart(index);
  }
  void OnReasoningDelta(int index, std::string_view text) override {
    if (failing_) return;
    Fail();
    sink_.OnReasoningDelta(index, text);
  }
  void OnReasoningSignature(int index, std::string_view signature) override {
    if (!failing_) sink_.OnReasoningSignature(index, signature);
  }
  void OnBlockStop(int index) override {
    if (!failing_) sink_.OnBlockStop(index);
  }
  void OnFinish(StopReason, std::string_view, const Usage&) override {
    if (!failing_) Fail();  // no delta came: fail in place of the finish
  }
  void OnError(const Status& status) override {
    if (!failing_) sink_.OnError(status);
  }

 private:
  void Fail() {
    failing_ = true;
    loop_.Post([this, cancelled = cancelled_] {
      if (*cancelled) return;
      inner_.reset();
      sink_.OnError(Status(ErrorCode::kModelStreamError, std::string(kMidStreamMessage)));
    });
  }

  EventLoop& loop_;
  OutputSink& sink_;
  const std::shared_ptr<bool> cancelled_;
  std::unique_ptr<Invocation> inner_;
  bool failing_ = false;
};

}  // namespace

FaultInjectingBackend::FaultInjectingBackend(std::unique_ptr<ModelBackend> inner,
                                             FaultOptions options)
    : inner_(std::move(inner)), options_(options) {
  BP_ASSERT(inner_ != nullptr);
}

std::unique_ptr<Invocation> FaultInjectingBackend::Start(const ModelRequest& request,
                                                         EventLoop& loop, OutputSink& sink) {
  const uint64_t call = calls_.fetch_add(1, std::memory_order_relaxed);
  if (options_.outage) {
    return std::make_unique<FailedInvocation>(
        loop, sink,
        Status(ErrorCode::kServiceUnavailable,
               RegionName(request) + " is unavailable (simulated outage)"));
  }
  const Draws draws = DrawFor(options_.seed, call);
  if (Fires(options_.throttle_rate, draws.throttle)) {
    return std::make_unique<FailedInvocation>(
        loop, sink, Status(ErrorCode::kThrottling, std::string(kThrottleMessage)));
  }
  if (Fires(options_.error_rate, draws.error)) {
    return std::make_unique<FailedInvocation>(
        loop, sink,
        Status(ErrorCode::kServiceUnavailable,
               "The model in " + RegionName(request) + " failed to answer (simulated fault)"));
  }
  if (!Fires(options_.mid_stream_error_rate, draws.mid_stream)) {
    return inner_->Start(request, loop, sink);
  }
  auto fault = std::make_unique<MidStreamFault>(loop, sink);
  fault->Attach(inner_->Start(request, loop, *fault));
  return fault;
}

int64_t FaultInjectingBackend::CountInputTokens(const ModelRequest& request) const {
  return inner_->CountInputTokens(request);
}

}  // namespace bp::backends
