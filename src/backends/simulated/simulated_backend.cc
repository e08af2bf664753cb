#include "backends/simulated/simulated_backend.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "backends/simulated/answer.h"
#include "backends/simulated/conversation.h"
#include "backends/simulated/prompt_cache.h"

namespace bp::backends::simulated {
namespace {

using std::chrono::milliseconds;

SimulatedOptions Normalize(SimulatedOptions options) {
  if (options.time_to_first_token.count() < 0) options.time_to_first_token = milliseconds(0);
  if (options.default_max_tokens <= 0) options.default_max_tokens = 4096;
  return options;
}

// Streams a precomputed Answer on a timer. Every sink call may destroy this
// object (the caller owns it), so each one is followed by a check of a flag
// on the stack that the destructor sets, and nothing after the terminal call
// touches a member.
class SimulatedInvocation final : public Invocation {
 public:
  SimulatedInvocation(Answer answer, std::optional<CacheAccounting> cache, EventLoop& loop,
                      OutputSink& sink, const SimulatedOptions& options)
      : answer_(std::move(answer)),
        cache_(cache),
        loop_(loop),
        sink_(sink),
        all_at_once_(!(options.tokens_per_second > 0) || options.tokens_per_second >= 1000),
        interval_ms_(all_at_once_ ? 0 : 1000.0 / options.tokens_per_second) {}
  ~SimulatedInvocation() override {
    if (destroyed_ != nullptr) *destroyed_ = true;
  }
  SimulatedInvocation(const SimulatedInvocation&) = delete;
  SimulatedInvocation& operator=(const SimulatedInvocation&) = delete;

  void ScheduleFirst(milliseconds delay) {
    timer_ = loop_.After(delay, [this] { Tick(); });
  }

 private:
  enum class Step { kMore, kDone, kGone };

  void Tick() {
    bool gone = false;
    destroyed_ = &gone;
    const Step step = Run(gone);
    if (gone) return;
    destroyed_ = nullptr;
    if (step == Step::kMore) ScheduleNext();
  }

  Step Run(const bool& gone) {
    if (!answer_.error.ok()) {
      const Status error = answer_.error;  // outlives this object if the sink destroys it
      sink_.OnError(error);
      return Step::kDone;
    }
    if (!started_) {
      started_ = true;
      if (cache_) {
        sink_.OnPromptCache(CacheUsage());
        if (gone) return Step::kGone;
      }
      sink_.OnStart(cache_ ? cache_->input_tokens : answer_.input_tokens);
      if (gone) return Step::kGone;
    }
    for (;;) {
      const Step step = EmitDelta(gone);
      if (step != Step::kMore || !all_at_once_) return step;
    }
  }

  // One delta, with the block start before it and the block stop (and the
  // finish) after it when due.
  Step EmitDelta(const bool& gone) {
    if (block_ == answer_.blocks.size()) return Finish();
    const PlannedBlock& block = answer_.blocks[block_];
    const int index = static_cast<int>(block_);
    if (piece_ == 0) {
      if (block.tool_use) {
        sink_.OnToolUseStart(index, block.tool_use_id, block.tool_name);
      } else if (block.reasoning) {
        sink_.OnReasoningStart(index);
      } else {
        sink_.OnTextStart(index);
      }
      if (gone) return Step::kGone;
    }
    const uint32_t begin = piece_ == 0 ? 0 : block.ends[piece_ - 1];
    const std::string_view piece(block.body.data() + begin, block.ends[piece_] - begin);
    const bool last_piece = ++piece_ == block.ends.size();
    if (block.tool_use) {
      sink_.OnToolInputDelta(index, piece);
    } else if (block.reasoning) {
      sink_.OnReasoningDelta(index, piece);
    } else {
      sink_.OnTextDelta(index, piece);
    }
    if (gone) return Step::kGone;
    if (!last_piece) return Step::kMore;
    if (block.reasoning) {
      sink_.OnReasoningSignature(index, block.signature);
      if (gone) return Step::kGone;
    }
    sink_.OnBlockStop(index);
    if (gone) return Step::kGone;
    ++block_;
    piece_ = 0;
    return block_ == answer_.blocks.size() ? Finish() : Step::kMore;
  }

  Step Finish() {
    // Locals, so the arguments stay valid if the sink destroys this object.
    const std::string stop_sequence = std::move(answer_.stop_sequence);
    Usage usage = CacheUsage();
    usage.output_tokens = answer_.output_tokens;
    sink_.OnFinish(answer_.stop_reason, stop_sequence, usage);
    return Step::kDone;
  }

  // The usage without output tokens.
  Usage CacheUsage() const {
    Usage usage;
    usage.input_tokens = answer_.input_tokens;
    if (!cache_) return usage;
    usage.input_tokens = cache_->input_tokens;
    usage.cache_read_input_tokens = cache_->read;
    usage.cache_write_5m_tokens = cache_->write_5m;
    usage.cache_write_1h_tokens = cache_->write_1h;
    usage.cache_write_input_tokens = cache_->write_5m + cache_->write_1h;
    return usage;
  }

  // Delta k (k >= 1 after the first) is due round(k * interval) after the
  // first, so millisecond rounding does not drift.
  void ScheduleNext() {
    ++ticks_;
    const auto due = [this](int64_t k) {
      return static_cast<int64_t>(std::llround(static_cast<double>(k) * interval_ms_));
    };
    timer_ = loop_.After(milliseconds(due(ticks_) - due(ticks_ - 1)), [this] { Tick(); });
  }

  Answer answer_;
  const std::optional<CacheAccounting> cache_;  // set when the request has cache points
  EventLoop& loop_;
  OutputSink& sink_;
  const bool all_at_once_;
  const double interval_ms_;
  std::unique_ptr<TimerHandle> timer_;
  bool* destroyed_ = nullptr;  // set while a Tick runs
  bool started_ = false;
  size_t block_ = 0;  // next block to emit
  size_t piece_ = 0;  // next delta within it
  int64_t ticks_ = 0;
};

}  // namespace

SimulatedBackend::SimulatedBackend(SimulatedOptions options, PromptCache* prompt_cache)
    : options_(Normalize(options)), prompt_cache_(prompt_cache) {}

std::unique_ptr<Invocation> SimulatedBackend::Start(const ModelRequest& request, EventLoop& loop,
                                                    OutputSink& sink) {
  Answer answer = ComposeAnswer(request, options_.default_max_tokens);
  const milliseconds delay = answer.error.ok() ? options_.time_to_first_token : milliseconds(0);
  std::optional<CacheAccounting> cache;
  if (answer.error.ok() && !request.cache_points.empty()) {
    cache = prompt_cache_ != nullptr ? prompt_cache_->Account(request, answer.input_tokens)
                                     : CacheAccounting{.input_tokens = answer.input_tokens};
  }
  auto invocation =
      std::make_unique<SimulatedInvocation>(std::move(answer), cache, loop, sink, options_);
  invocation->ScheduleFirst(delay);
  return invocation;
}

int64_t SimulatedBackend::CountInputTokens(const ModelRequest& request) const {
  return CountRequestTokens(request);
}

}  // namespace bp::backends::simulated
