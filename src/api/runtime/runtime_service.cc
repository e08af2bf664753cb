#include "api/runtime/runtime_service.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/access_log.h"
#include "api/errors.h"
#include "api/runtime/anthropic_wire.h"
#include "api/runtime/cache_points.h"
#include "api/runtime/call_options.h"
#include "api/runtime/converse_wire.h"
#include "api/runtime/guardrail_wire.h"
#include "api/runtime/stream_errors.h"
#include "api/runtime/thinking.h"

namespace bp::api::runtime {

namespace {

constexpr size_t kMaxBodyBytes = 25'000'000;
constexpr std::string_view kEventStreamType = "application/vnd.amazon.eventstream";
constexpr std::string_view kJsonType = "application/json";

bool IsStream(RuntimeApi api) {
  return api == RuntimeApi::kInvokeStream || api == RuntimeApi::kConverseStream;
}
bool IsAnthropic(RuntimeApi api) {
  return api == RuntimeApi::kInvoke || api == RuntimeApi::kInvokeStream;
}

// "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.x" -> "anthropic.x".
std::string_view ModelIdOf(std::string_view model_arn) {
  size_t slash = model_arn.find('/');
  return slash == std::string_view::npos ? model_arn : model_arn.substr(slash + 1);
}

// "arn:aws:bedrock:eu-west-1::..." -> "eu-west-1".
std::string_view RegionOf(std::string_view arn) {
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    start = arn.find(':', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = arn.find(':', start);
  return end == std::string_view::npos ? std::string_view() : arn.substr(start, end - start);
}

// Failures that say something about the region, worth another region.
bool IsRetryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kThrottling:
    case ErrorCode::kServiceUnavailable:
    case ErrorCode::kModelNotReady:
    case ErrorCode::kModelTimeout:
    case ErrorCode::kInternal:
    case ErrorCode::kModelStreamError:
      return true;
    default:
      return false;
  }
}

routing::Outcome OutcomeOf(ErrorCode code) {
  return IsRetryable(code) || code == ErrorCode::kModelError ? routing::Outcome::kFailure
                                                             : routing::Outcome::kClientError;
}

int64_t MillisBetween(std::chrono::steady_clock::time_point a,
                      std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// A thinking request on a profile whose model (any of its models) does not
// take extended thinking is refused before anything runs.
Status CheckProfileThinking(const catalog::Catalog& catalog, RuntimeApi api,
                            const backends::ModelRequest& request,
                            const storage::ProfileRecord& profile) {
  if (request.thinking_budget <= 0) return Status::Ok();
  const ThinkingWire wire = IsAnthropic(api) ? ThinkingWire::kAnthropic : ThinkingWire::kConverse;
  for (const std::string& arn : profile.model_arns) {
    const std::string_view model_id = ModelIdOf(arn);
    const catalog::FoundationModel* fm = catalog.FindModel(model_id);
    BP_RETURN_IF_ERROR(CheckThinkingModel(request, fm != nullptr && fm->reasoning,
                                          fm != nullptr ? fm->api_model_name : model_id, wire));
  }
  return Status::Ok();
}

// The ledger's error code for a caller that went away (not a wire error).
constexpr std::string_view kClientDisconnected = "ClientDisconnected";

metering::Operation OperationOf(RuntimeApi api) {
  switch (api) {
    case RuntimeApi::kInvoke:
      return metering::Operation::kInvokeModel;
    case RuntimeApi::kInvokeStream:
      return metering::Operation::kInvokeModelWithResponseStream;
    case RuntimeApi::kConverse:
      return metering::Operation::kConverse;
    case RuntimeApi::kConverseStream:
      return metering::Operation::kConverseStream;
  }
  return metering::Operation::kConverse;
}

int64_t EpochMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

// What a usage record knows of a call when it arrives: who, when, which
// operation and (when resolved) which profile.
metering::UsageRecord ArrivalRecord(metering::Operation op, const ApiCall& call,
                                    const storage::ProfileRecord* profile,
                                    std::string_view source_region, const Clock& clock) {
  metering::UsageRecord r;
  r.time_ms = EpochMillis(clock);
  r.request_id = call.request.request_id;
  r.principal = call.principal.arn;
  r.operation = op;
  r.source_region = source_region;
  if (profile != nullptr) {
    r.profile_name = profile->name;
    r.profile_arn = profile->arn;
    r.tags = profile->tags;
    if (!profile->model_arns.empty()) r.model_id = ModelIdOf(profile->model_arns.front());
  }
  return r;
}

// The access line's view of a record (api/access_usage.h): the same fields,
// moved out of the record once the sink has it.
AccessUsage AccessUsageOf(metering::UsageRecord&& r) {
  return {.profile_name = std::move(r.profile_name),
          .profile_arn = std::move(r.profile_arn),
          .model_id = std::move(r.model_id),
          .source_region = std::move(r.source_region),
          .serving_region = std::move(r.serving_region),
          .attempts = r.attempts,
          .error_code = std::move(r.error_code),
          .cut_short = r.cut_short,
          .input_tokens = r.tokens.input,
          .output_tokens = r.tokens.output,
          .cache_read_tokens = r.tokens.cache_read,
          .cache_write_tokens = r.tokens.cache_write(),
          .tokens_estimated = r.tokens_estimated,
          .ttft_ms = r.ttft_ms,
          .service_tier = std::move(r.service_tier),
          .cost_micro_usd = r.cost_micro_usd,
          .price_version = std::move(r.price_version),
          .request_metadata = std::move(r.request_metadata),
          .tags = std::move(r.tags)};
}

// The finished record goes to the sink, then (when the request's access
// line waits for it) its fields to the line: no copy of the record is made.
void Deliver(metering::UsageSink& sink, AccessNote* access, metering::UsageRecord&& record) {
  sink.Record(record);
  if (access != nullptr) access->Attach(AccessUsageOf(std::move(record)));
}

// A call refused before any model work: its record, complete.
void MeterRefusal(metering::UsageSink* sink, AccessNote* access, metering::UsageRecord record,
                  const Status& status, const Clock& clock) {
  if (sink == nullptr) return;
  const ErrorWire wire = WireFor(status.code());
  record.status = static_cast<int32_t>(wire.http_status);
  record.error_code = wire.type;
  record.latency_ms = std::max<int64_t>(0, EpochMillis(clock) - record.time_ms);
  Deliver(*sink, access, std::move(record));
}

// The record's cost, once: its tokens at the prices in force, by the source
// region (Bedrock prices cross-region calls where they were made) and the
// tier asked for. A model without a price is never costed at $0 silently:
// the record says "unpriced" and an error is logged (validate refuses such
// profiles in the config; one created at runtime can still reach here).
void PriceRecord(const metering::PriceTable* prices, metering::UsageRecord& r) {
  const metering::TokenCounts& t = r.tokens;
  if (prices == nullptr ||
      t.input + t.output + t.cache_read + t.cache_write_5m + t.cache_write_1h <= 0) {
    return;
  }
  Result<int64_t> cost = prices->CostMicroUsd(r.model_id, r.source_region, r.service_tier, t);
  if (!cost.ok()) {
    spdlog::error("{}: no cost for {} ({}): {}", r.request_id, r.model_id, r.profile_name,
                  cost.status().message());
    r.price_version = "unpriced";
    return;
  }
  r.cost_micro_usd = *cost;
  r.price_version = prices->version();
}

metering::TokenCounts TokensOf(const backends::Usage& usage) {
  return {.input = usage.input_tokens,
          .output = usage.output_tokens,
          .cache_read = usage.cache_read_input_tokens,
          .cache_write_5m = usage.cache_write_5m_tokens,
          .cache_write_1h = usage.cache_write_1h_tokens};
}

}  // namespace

// One runtime call in flight. Owned by itself (self_) from Run() until its
// answer is complete; the backend invocation holds only a reference (the
// sink), and is always destroyed from a posted task, never from inside one of
// its own callbacks. It holds the ApiCall's keep_alive, so the service, the
// router and the backends it started with outlive it (serve's config reload).
class RuntimeService::Call final : public backends::OutputSink,
                                   public std::enable_shared_from_this<Call> {
 public:
  Call(const RuntimeService& service, RuntimeApi api, ApiCall& call,
       std::shared_ptr<http::ResponseStream> stream, backends::ModelRequest request,
       const storage::ProfileRecord& profile)
      : keep_alive_(std::move(call.keep_alive)),
        service_(service),
        api_(api),
        request_id_(call.request.request_id),
        access_(call.access),
        stream_(std::move(stream)),
        request_(std::move(request)),
        start_(service.deps_.clock.SteadyNow()) {
    if (service.deps_.usage != nullptr) {
      record_ = ArrivalRecord(OperationOf(api), call, &profile, service.options_.source_region,
                              service.deps_.clock);
      if (request_.service_tier) record_.service_tier = ServiceTierName(*request_.service_tier);
      record_.request_metadata = request_.request_metadata;
    }
    for (const std::string& arn : profile.model_arns) {
      std::string_view region = RegionOf(arn);
      if (service.deps_.backends.find(region) == service.deps_.backends.end()) continue;
      if (!OffersTier(region)) {
        regions_without_tier_ += (regions_without_tier_.empty() ? "" : ", ") + std::string(region);
        continue;
      }
      candidates_.emplace_back(region);
      model_ids_.emplace_back(ModelIdOf(arn));
    }
    if (!request_.cache_points.empty()) request_.profile_arn = profile.arn;  // the cache's key
    request_.profile_name = profile.name;
    request_.stream = IsStream(api_);
    if (IsAnthropic(api_)) {
      message_id_ = NewAnthropicMessageId(service.deps_.random);
      std::string_view model_id = model_ids_.empty() ? std::string_view() : model_ids_.front();
      const catalog::FoundationModel* fm = service.deps_.catalog.FindModel(model_id);
      api_model_name_ = fm != nullptr ? fm->api_model_name : std::string(model_id);
    }
  }

  // What the call reserved against the quotas and budgets at admission;
  // Meter() settles them to what the call produced.
  void SetReservations(metering::Quotas::Reservation quota,
                       const metering::Budgets::Reservation& budget) {
    quota_ = quota;
    budget_ = budget;
  }

  // The guardrail the call asked for (admitted) and its input check.
  void SetGuardrail(const guardrails::Guardrail* guardrail, GuardrailCheck input) {
    guardrail_ = guardrail;
    input_check_ = std::move(input);
    buffered_ =
        IsStream(api_) && !(api_ == RuntimeApi::kConverseStream && request_.guardrail->async);
  }

  void Run() {
    self_ = shared_from_this();
    if (Status caching = CheckPromptCaching(); !caching.ok()) return Fail(std::move(caching));
    if (candidates_.empty() && !regions_without_tier_.empty()) {
      return Fail(ValidationError(
          "The service tier '" + std::string(backends::ServiceTierName(*request_.service_tier)) +
          "' is not available for this inference profile in its regions (" + regions_without_tier_ +
          "). Try again with another service tier."));
    }
    if (candidates_.empty()) {
      return Fail(Status(ErrorCode::kServiceUnavailable,
                         "None of the inference profile's regions is served by this endpoint"));
    }
    if (guardrail_ != nullptr && input_check_.assessment.intervened) return AnswerBlockedInput();
    NextAttempt(Status::Ok());
  }

  // backends::OutputSink
  void OnPromptCache(const backends::Usage& usage) override {
    if (Ignored()) return;
    prompt_cache_ = usage;
  }

  void OnStart(int64_t input_tokens) override {
    if (Ignored()) return;
    first_token_timer_.reset();
    first_token_seen_ = true;
    first_byte_ = service_.deps_.clock.SteadyNow();
    input_tokens_ = input_tokens;
    if (Collecting()) return collector_.OnStart(input_tokens);
    StartStreamOut(input_tokens);
  }

  void OnTextStart(int index) override {
    if (Ignored()) return;
    if (Collecting()) return collector_.OnTextStart(index);
    text_block_ = index;
    next_index_ = std::max(next_index_, index + 1);
    if (api_ == RuntimeApi::kInvokeStream) {
      std::string frame;
      AppendAnthropicTextStart(frame, index);
      Send(std::move(frame));
    }  // Converse sends no start event for text blocks (§3.5).
  }

  void OnToolUseStart(int index, std::string_view id, std::string_view name) override {
    if (Ignored()) return;
    if (Collecting()) return collector_.OnToolUseStart(index, id, name);
    next_index_ = std::max(next_index_, index + 1);
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseToolUseStart(frame, index, id, name);
    } else {
      AppendAnthropicToolUseStart(frame, index, id, name);
    }
    Send(std::move(frame));
  }

  void OnTextDelta(int index, std::string_view text) override {
    if (Ignored()) return;
    ++produced_;
    if (Collecting()) return collector_.OnTextDelta(index, text);
    if (guardrail_ != nullptr) {
      streamed_text_ += text;
      ++streamed_tokens_;
    }
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseTextDelta(frame, index, text);
    } else {
      AppendAnthropicTextDelta(frame, index, text);
    }
    Send(std::move(frame));
  }

  void OnToolInputDelta(int index, std::string_view fragment) override {
    if (Ignored()) return;
    ++produced_;
    if (Collecting()) return collector_.OnToolInputDelta(index, fragment);
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseToolInputDelta(frame, index, fragment);
    } else {
      AppendAnthropicToolInputDelta(frame, index, fragment);
    }
    Send(std::move(frame));
  }

  void OnReasoningStart(int index) override {
    if (Ignored()) return;
    if (Collecting()) return collector_.OnReasoningStart(index);
    if (api_ == RuntimeApi::kInvokeStream) {
      std::string frame;
      AppendAnthropicThinkingStart(frame, index);
      Send(std::move(frame));
    }  // Converse sends no start event for reasoning blocks.
  }

  void OnReasoningDelta(int index, std::string_view text) override {
    if (Ignored()) return;
    ++produced_;
    if (Collecting()) return collector_.OnReasoningDelta(index, text);
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseReasoningDelta(frame, index, text);
    } else {
      AppendAnthropicThinkingDelta(frame, index, text);
    }
    Send(std::move(frame));
  }

  void OnReasoningSignature(int index, std::string_view signature) override {
    if (Ignored()) return;
    if (Collecting()) return collector_.OnReasoningSignature(index, signature);
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseReasoningSignature(frame, index, signature);
    } else {
      AppendAnthropicSignatureDelta(frame, index, signature);
    }
    Send(std::move(frame));
  }

  void OnBlockStop(int index) override {
    if (Ignored()) return;
    if (Collecting()) return collector_.OnBlockStop(index);
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseBlockStop(frame, index);
    } else {
      AppendAnthropicBlockStop(frame, index);
    }
    Send(std::move(frame));
    // Async mode: a finished text block is checked with everything before it.
    if (guardrail_ != nullptr && index == text_block_ && CheckStreamedText()) {
      service_.deps_.router.End(region_, routing::Outcome::kSuccess);
      SendBlockedBlock();
      const backends::Usage usage{.input_tokens = input_tokens_,
                                  .output_tokens = streamed_tokens_,
                                  .estimated = start_estimated_};
      SendFinish(backends::StopReason::kGuardrailIntervened, "", usage);
      stream_->Finish();
      status_ = 200;
      final_usage_ = usage;
      Release();
    }
  }

  void OnFinish(backends::StopReason reason, std::string_view stop_sequence,
                const backends::Usage& usage) override {
    if (Ignored()) return;
    service_.deps_.router.End(region_, routing::Outcome::kSuccess);
    const int64_t latency = MillisBetween(start_, service_.deps_.clock.SteadyNow());
    status_ = 200;
    final_usage_ = usage;
    if (!Collecting()) {
      if (guardrail_ != nullptr && output_checks_.empty()) CheckStreamedText();
      SendFinish(reason, stop_sequence, usage);
      stream_->Finish();
      return Release();
    }
    collector_.OnFinish(reason, stop_sequence, usage);
    if (guardrail_ != nullptr) CheckCollectedOutput();
    if (IsStream(api_)) {
      SendCollected();
    } else {
      RespondCollected(latency);
    }
    Release();
  }

  size_t Backlog() const override { return Collecting() ? 0 : stream_->BufferedBytes(); }

  void OnError(const Status& status) override {
    if (Ignored()) return;
    service_.deps_.router.End(region_, OutcomeOf(status.code()));
    spdlog::info("{} attempt in {} failed: {} {}", request_id_, region_,
                 ErrorCodeName(status.code()), status.message());
    if (!started_ && IsRetryable(status.code())) {
      // Nothing reached the caller yet: try another region, from a fresh
      // task so this invocation is gone first.
      Status last = status;
      stream_->loop().Post([self = shared_from_this(), last = std::move(last)] {
        self->invocation_.reset();
        self->NextAttempt(last);
      });
      finished_attempt_ = true;
      return;
    }
    Fail(status);
  }

 private:
  // True when the callback belongs to an attempt already over, or the caller
  // went away (then the attempt is abandoned).
  bool Ignored() {
    if (finished_attempt_ || done_) return true;
    if (!stream_->Closed()) return false;
    service_.deps_.router.End(region_, routing::Outcome::kClientError);
    spdlog::info("{} caller went away; abandoning the call in {}", request_id_, region_);
    status_ = started_ ? 200 : 0;
    error_type_ = kClientDisconnected;
    cut_short_ = true;
    Release();
    return true;
  }

  void NextAttempt(Status last_error) {
    finished_attempt_ = false;
    std::optional<std::string> region = service_.deps_.router.Pick(candidates_, tried_);
    if (!region) {
      if (last_error.ok()) {
        last_error = Status(ErrorCode::kServiceUnavailable,
                            "No region of the inference profile can serve the request now");
      }
      return Fail(last_error);
    }
    region_ = std::move(*region);
    tried_.push_back(region_);
    size_t i = 0;
    while (i < candidates_.size() && candidates_[i] != region_) ++i;
    request_.region = region_;
    request_.model_id = model_ids_[i];
    collector_ = backends::ResponseCollector();
    service_.deps_.router.Begin(region_);
    backends::ModelBackend* backend = service_.deps_.backends.find(region_)->second;
    first_token_seen_ = false;
    start_estimated_ = backend->EstimatesInputTokens();
    const uint32_t attempt = ++attempt_;
    invocation_ = backend->Start(request_, stream_->loop(), *this);
    const std::chrono::milliseconds timeout = service_.options_.first_token_timeout;
    if (timeout.count() > 0) {
      // The handle is a member: destroying the call cancels the timer.
      first_token_timer_ = stream_->loop().After(timeout, [this, attempt, timeout] {
        if (attempt != attempt_ || first_token_seen_) return;
        OnError(Status(ErrorCode::kModelTimeout, "The model in " + region_ +
                                                     " produced no first token within " +
                                                     std::to_string(timeout.count()) + " ms"));
      });
    }
  }

  void Send(std::string&& frame) { stream_->Write(std::move(frame)); }

  // Non-streaming calls, and streams whose answer a guardrail checks whole
  // before any of it is sent (sync mode), collect the answer.
  bool Collecting() const { return !IsStream(api_) || buffered_; }

  // The response headers and the first event of a stream.
  void StartStreamOut(int64_t input_tokens) {
    http::Headers headers;
    headers.push_back({"content-type", std::string(kEventStreamType)});
    if (api_ == RuntimeApi::kInvokeStream) {
      headers.push_back({"x-amzn-bedrock-content-type", std::string(kJsonType)});
      AddServiceTierHeader(headers);
    }
    headers.push_back({std::string(kServedRegionHeader), region_});
    stream_->StartStream(200, std::move(headers));
    started_ = true;
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseMessageStart(frame);
    } else {
      backends::Usage usage = prompt_cache_;
      usage.input_tokens = input_tokens;
      AppendAnthropicMessageStart(frame, message_id_, api_model_name_, usage);
    }
    Send(std::move(frame));
  }

  // The last events of a stream.
  void SendFinish(backends::StopReason reason, std::string_view stop_sequence,
                  const backends::Usage& usage) {
    const int64_t latency = MillisBetween(start_, service_.deps_.clock.SteadyNow());
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseFinish(frame, reason, usage, latency, request_.service_tier, TraceJson());
    } else {
      AppendAnthropicFinish(frame, reason, stop_sequence,
                            {.input_tokens = usage.input_tokens,
                             .output_tokens = usage.output_tokens,
                             .invocation_latency_ms = latency,
                             .first_byte_latency_ms = MillisBetween(start_, first_byte_),
                             .cache_read_input_tokens = usage.cache_read_input_tokens,
                             .cache_write_input_tokens = usage.cache_write_input_tokens});
    }
    Send(std::move(frame));
  }

  // One whole text block at `index`.
  void SendTextBlock(int index, std::string_view text) {
    std::string frame;
    if (api_ == RuntimeApi::kConverseStream) {
      AppendConverseTextDelta(frame, index, text);
      AppendConverseBlockStop(frame, index);
    } else {
      AppendAnthropicTextStart(frame, index);
      AppendAnthropicTextDelta(frame, index, text);
      AppendAnthropicBlockStop(frame, index);
    }
    Send(std::move(frame));
  }

  // The collected answer as a stream, all at once.
  void SendCollected() {
    backends::ModelResponse& r = collector_.response();
    StartStreamOut(r.usage.input_tokens);
    for (size_t i = 0; i < r.content.size(); ++i) {
      const backends::ContentBlock& b = r.content[i];
      const int index = static_cast<int>(i);
      if (b.kind == backends::ContentBlock::Kind::kText) {
        SendTextBlock(index, b.text);
      } else if (b.kind == backends::ContentBlock::Kind::kToolUse) {
        std::string frame;
        if (api_ == RuntimeApi::kConverseStream) {
          AppendConverseToolUseStart(frame, index, b.tool_use_id, b.tool_name);
          AppendConverseToolInputDelta(frame, index, b.input_json);
          AppendConverseBlockStop(frame, index);
        } else {
          AppendAnthropicToolUseStart(frame, index, b.tool_use_id, b.tool_name);
          AppendAnthropicToolInputDelta(frame, index, b.input_json);
          AppendAnthropicBlockStop(frame, index);
        }
        Send(std::move(frame));
      } else if (b.kind == backends::ContentBlock::Kind::kReasoning) {
        std::string frame;
        if (api_ == RuntimeApi::kConverseStream) {
          AppendConverseReasoningDelta(frame, index, b.text);
          AppendConverseReasoningSignature(frame, index, b.signature);
          AppendConverseBlockStop(frame, index);
        } else {
          AppendAnthropicThinkingStart(frame, index);
          AppendAnthropicThinkingDelta(frame, index, b.text);
          AppendAnthropicSignatureDelta(frame, index, b.signature);
          AppendAnthropicBlockStop(frame, index);
        }
        Send(std::move(frame));
      }
    }
    SendFinish(r.stop_reason, r.stop_sequence, r.usage);
    stream_->Finish();
  }

  // The guardrail's trace (Converse's "trace", InvokeModel's
  // "amazon-bedrock-trace") when the call asked for one; else empty.
  std::string TraceJson() const {
    if (guardrail_ == nullptr || request_.guardrail->trace == backends::GuardrailTrace::kDisabled) {
      return {};
    }
    return ConverseGuardrailTraceJson(input_check_, output_checks_, blocked_model_output_);
  }

  GuardrailCheck OutputCheck(std::span<const std::string_view> texts) const {
    GuardrailCheck check = input_check_;
    check.assessment = guardrail_->Evaluate(guardrails::Source::kOutput, texts);
    return check;
  }

  // Non-streaming and sync mode: a blocked answer is replaced by the
  // guardrail's message.
  void CheckCollectedOutput() {
    backends::ModelResponse& r = collector_.response();
    std::vector<std::string_view> texts = OutputTexts(r);
    output_checks_.push_back(OutputCheck(texts));
    if (!output_checks_.back().assessment.intervened) return;
    for (std::string_view t : texts) blocked_model_output_ += t;
    backends::ContentBlock blocked;
    blocked.text = guardrail_->rules(guardrails::Source::kOutput).blocked_message;
    r.content.assign(1, std::move(blocked));
    r.stop_reason = backends::StopReason::kGuardrailIntervened;
    r.stop_sequence.clear();
  }

  // Async mode: checks the text streamed so far; true when it is blocked.
  bool CheckStreamedText() {
    std::string_view text = streamed_text_;
    output_checks_.push_back(OutputCheck({&text, 1}));
    if (!output_checks_.back().assessment.intervened) return false;
    blocked_model_output_ = streamed_text_;
    return true;
  }

  // Async mode: the guardrail's message as one more text block.
  void SendBlockedBlock() {
    SendTextBlock(next_index_++, guardrail_->rules(guardrails::Source::kOutput).blocked_message);
  }

  // The input was blocked: the model is not called. The answer is the
  // guardrail's message; the input tokens are counted as the first
  // region's backend counts them.
  void AnswerBlockedInput() {
    region_ = candidates_.front();
    request_.region = region_;
    request_.model_id = model_ids_.front();
    backends::ModelBackend* backend = service_.deps_.backends.find(region_)->second;
    collector_ = backends::ResponseCollector();
    backends::ModelResponse& r = collector_.response();
    backends::ContentBlock blocked;
    blocked.text = guardrail_->rules(guardrails::Source::kInput).blocked_message;
    r.content.push_back(std::move(blocked));
    r.stop_reason = backends::StopReason::kGuardrailIntervened;
    r.usage.input_tokens = backend->CountInputTokens(request_);
    r.usage.estimated = backend->EstimatesInputTokens();
    first_byte_ = service_.deps_.clock.SteadyNow();
    status_ = 200;
    final_usage_ = r.usage;
    if (IsStream(api_)) {
      SendCollected();
    } else {
      RespondCollected(MillisBetween(start_, service_.deps_.clock.SteadyNow()));
    }
    Release();
  }

  // Whether `region` offers the tier the call asked for (any, when none).
  // Prompt caching must be offered by the model (the same in every region
  // of a profile), before any region is tried.
  Status CheckPromptCaching() const {
    if (request_.cache_points.empty()) return Status::Ok();
    for (const std::string& model_id : model_ids_) {
      BP_RETURN_IF_ERROR(CheckModelCaching(request_.cache_points, model_id,
                                           service_.deps_.catalog.FindModel(model_id)));
    }
    return Status::Ok();
  }

  bool OffersTier(std::string_view region) const {
    if (!request_.service_tier) return true;
    const auto& offered = service_.options_.region_service_tiers;
    auto it = offered.find(region);
    if (it == offered.end()) return *request_.service_tier != backends::ServiceTier::kReserved;
    return std::find(it->second.begin(), it->second.end(), *request_.service_tier) !=
           it->second.end();
  }

  void AddServiceTierHeader(http::Headers& headers) const {
    if (!request_.service_tier) return;
    headers.push_back({"x-amzn-bedrock-service-tier",
                       std::string(backends::ServiceTierName(*request_.service_tier))});
  }

  // The terminal failure: a JSON error before the first byte, an in-stream
  // exception after it.
  void Fail(Status status) {
    if (status.code() == ErrorCode::kModelStreamError && !IsStream(api_)) {
      status = Status(ErrorCode::kModelError, status.message());
    }
    const ErrorWire wire = WireFor(status.code());
    error_type_ = wire.type;
    status_ = started_ ? 200 : static_cast<int32_t>(wire.http_status);
    cut_short_ = started_;
    if (started_) {
      std::string frame;
      AppendStreamException(
          frame, api_ == RuntimeApi::kConverseStream ? StreamApi::kConverse : StreamApi::kInvoke,
          status);
      Send(std::move(frame));
      stream_->Finish();
    } else {
      http::Response response = ErrorResponse(status, request_id_);
      if (!region_.empty()) {
        response.headers.push_back({std::string(kServedRegionHeader), region_});
      }
      stream_->Respond(std::move(response));
    }
    Release();
  }

  void RespondCollected(int64_t latency_ms) {
    backends::ModelResponse& r = collector_.response();
    http::Response response;
    response.headers.push_back({"content-type", std::string(kJsonType)});
    response.headers.push_back({std::string(kServedRegionHeader), region_});
    if (api_ == RuntimeApi::kConverse) {
      response.body = ConverseResponseJson(r, latency_ms, request_.service_tier, TraceJson());
    } else {
      response.body = AnthropicResponseJson(r, message_id_, api_model_name_);
      if (guardrail_ != nullptr) {
        bool intervened = r.stop_reason == backends::StopReason::kGuardrailIntervened;
        AppendMemberToObject(response.body, "amazon-bedrock-guardrailAction",
                             intervened ? "\"INTERVENED\"" : "\"NONE\"");
        if (std::string trace = TraceJson(); !trace.empty()) {
          AppendMemberToObject(response.body, "amazon-bedrock-trace", trace);
        }
      }
      response.headers.push_back(
          {"x-amzn-bedrock-input-token-count", std::to_string(r.usage.input_tokens)});
      response.headers.push_back(
          {"x-amzn-bedrock-output-token-count", std::to_string(r.usage.output_tokens)});
      response.headers.push_back({"x-amzn-bedrock-invocation-latency", std::to_string(latency_ms)});
      if (r.usage.cache_read_input_tokens > 0) {
        response.headers.push_back({"x-amzn-bedrock-cache-read-input-token-count",
                                    std::to_string(r.usage.cache_read_input_tokens)});
      }
      if (r.usage.cache_write_input_tokens > 0) {
        response.headers.push_back({"x-amzn-bedrock-cache-write-input-token-count",
                                    std::to_string(r.usage.cache_write_input_tokens)});
      }
      AddServiceTierHeader(response.headers);
    }
    stream_->Respond(std::move(response));
  }

  // The call's usage record, once, at its end: the answer's status (or 0
  // when the caller went away before any), what was produced, and timing.
  // What the call produced: the answer's usage, or for a call cut short the
  // input as reported at the start and the output deltas delivered (one
  // token each); nothing when no token came.
  metering::TokenCounts ProducedTokens() const {
    metering::TokenCounts tokens;
    if (final_usage_) {
      tokens = TokensOf(*final_usage_);
    } else if (first_token_seen_) {
      tokens = TokensOf(prompt_cache_);
      tokens.input = input_tokens_;
      tokens.output = produced_;
    }
    return tokens;
  }

  // Whether ProducedTokens() holds a local estimate: the answer's usage says
  // so itself; for a call cut short, the input OnStart reported is one when
  // the attempt's backend estimates it (an OpenAI-compatible upstream, whose
  // server reports usage only at the end), or the prompt-cache figures say
  // so. The one-per-delta output count of a call cut short is the runtime's
  // own count, marked by cut_short. No token, no estimate.
  bool TokensEstimated() const {
    if (final_usage_) return final_usage_->estimated;
    if (!first_token_seen_) return false;
    return (start_estimated_ && input_tokens_ > 0) || prompt_cache_.estimated;
  }

  void Meter() {
    if (service_.deps_.quotas != nullptr) {
      service_.deps_.quotas->Settle(quota_, metering::QuotaTokens(ProducedTokens()));
    }
    if (service_.deps_.budgets != nullptr && !budget_.empty()) SettleBudget();
    metering::UsageSink* sink = service_.deps_.usage;
    if (sink == nullptr || metered_) return;
    metered_ = true;
    metering::UsageRecord& r = record_;
    r.serving_region = region_;
    r.attempts = static_cast<int32_t>(tried_.size());
    if (!request_.model_id.empty()) r.model_id = request_.model_id;
    r.status = status_;
    r.error_code = std::string(error_type_);
    r.cut_short = cut_short_;
    r.tokens = ProducedTokens();
    r.tokens_estimated = TokensEstimated();
    const auto now = service_.deps_.clock.SteadyNow();
    r.latency_ms = MillisBetween(start_, now);
    r.ttft_ms = first_token_seen_ ? MillisBetween(start_, first_byte_) : -1;
    PriceRecord(service_.deps_.prices, r);
    Deliver(*sink, access_, std::move(r));
  }

  // The budget reservation becomes the call's cost (as its record's).
  void SettleBudget() {
    int64_t cost = 0;
    const metering::TokenCounts tokens = ProducedTokens();
    if (service_.deps_.prices != nullptr && metering::QuotaTokens(tokens) + tokens.cache_read > 0) {
      const std::string_view model_id =
          !request_.model_id.empty() ? std::string_view(request_.model_id)
                                     : (model_ids_.empty() ? std::string_view() : model_ids_[0]);
      Result<int64_t> priced = service_.deps_.prices->CostMicroUsd(
          model_id, service_.options_.source_region,
          request_.service_tier ? ServiceTierName(*request_.service_tier) : std::string_view(),
          tokens);
      if (priced.ok()) cost = *priced;
    }
    for (const std::string& warning : service_.deps_.budgets->Settle(budget_, cost)) {
      spdlog::warn("budget: {}", warning);
    }
  }

  // Ends the call: the invocation and the self-reference go in a posted task.
  void Release() {
    done_ = true;
    Meter();
    stream_->loop().Post([self = shared_from_this()] {
      self->invocation_.reset();
      self->first_token_timer_.reset();
      self->self_.reset();
    });
  }

  // First, so destroyed last: what service_ and the backends live in.
  const std::shared_ptr<const void> keep_alive_;
  const RuntimeService& service_;
  const RuntimeApi api_;
  const std::string request_id_;
  AccessNote* const access_;  // the stream's access line (lives as long as stream_), or null
  const std::shared_ptr<http::ResponseStream> stream_;
  backends::ModelRequest request_;
  std::vector<std::string> candidates_;  // regions with a backend, in profile order
  std::vector<std::string> model_ids_;   // foundation model id per candidate
  backends::Usage prompt_cache_;         // OnPromptCache's figures, for Anthropic's message_start
  std::vector<std::string> tried_;
  std::string regions_without_tier_;  // served here, but not in the asked-for tier
  std::string region_;                // of the current attempt
  std::string message_id_;
  std::string api_model_name_;
  std::unique_ptr<backends::Invocation> invocation_;
  std::unique_ptr<TimerHandle> first_token_timer_;
  uint32_t attempt_ = 0;                   // numbers the attempts, for the timer
  bool first_token_seen_ = false;          // in the current attempt
  bool start_estimated_ = false;           // the attempt's backend estimates OnStart's input
  backends::ResponseCollector collector_;  // non-streaming calls
  std::shared_ptr<Call> self_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point first_byte_;
  int64_t input_tokens_ = 0;
  // Guardrails: the admitted guardrail (null: none asked for), its input
  // check, the output checks made, and the blocked answer for the trace.
  const guardrails::Guardrail* guardrail_ = nullptr;
  GuardrailCheck input_check_;
  std::vector<GuardrailCheck> output_checks_;
  std::string blocked_model_output_;
  bool buffered_ = false;          // a stream answered whole after the check (sync mode)
  std::string streamed_text_;      // async mode: the text sent so far
  int64_t streamed_tokens_ = 0;    // ... in text deltas (whole tokens)
  int text_block_ = -1;            // the text block being streamed
  int next_index_ = 0;             // the next unused content block index
  bool started_ = false;           // the caller has seen bytes (streams only)
  bool finished_attempt_ = false;  // the current attempt ended; a retry is posted
  bool done_ = false;
  // Metering (deps_.usage set): the record, the outcome as answered, and
  // the output deltas delivered (for a call cut short).
  metering::UsageRecord record_;
  int32_t status_ = 0;
  std::string_view error_type_;
  bool cut_short_ = false;
  std::optional<backends::Usage> final_usage_;
  int64_t produced_ = 0;
  bool metered_ = false;
  metering::Quotas::Reservation quota_;    // settled (once) by Meter()
  metering::Budgets::Reservation budget_;  // settled (once) by Meter()
};

RuntimeService::RuntimeService(Options options, Dependencies deps)
    : options_(options), deps_(deps) {}

void RuntimeService::Serve(RuntimeApi api, ApiCall&& call,
                           std::shared_ptr<http::ResponseStream> stream) const {
  const storage::ProfileRecord* resolved = nullptr;  // once admitted
  auto refuse = [&](const Status& status) {
    if (deps_.usage != nullptr) {
      MeterRefusal(
          deps_.usage, call.access,
          ArrivalRecord(OperationOf(api), call, resolved, options_.source_region, deps_.clock),
          status, deps_.clock);
    }
    stream->Respond(ErrorResponse(status, call.request.request_id));
  };
  Result<InvokeGate::Profile> profile = deps_.gate.Admit(
      call, call.params.at(0), IsStream(api) ? InvokeKind::kStream : InvokeKind::kInvoke);
  if (!profile.ok()) return refuse(profile.status());
  resolved = &**profile;
  Result<backends::ModelRequest> request = IsAnthropic(api)
                                               ? ParseAnthropicRequest(call.request.body)
                                               : ParseConverseRequest(call.request.body);
  if (!request.ok()) return refuse(request.status());
  if (IsAnthropic(api)) {
    if (Status headers = ParseInvokeHeaders(call.request.headers, *request); !headers.ok()) {
      return refuse(headers);
    }
    if (Status headers = ParseInvokeGuardrailHeaders(call.request.headers, *request);
        !headers.ok()) {
      return refuse(headers);
    }
  }
  if (Status thinking = CheckProfileThinking(deps_.catalog, api, *request, **profile);
      !thinking.ok()) {
    return refuse(thinking);
  }
  if (request->max_tokens > options_.max_output_tokens) {
    const std::string limit = std::to_string(options_.max_output_tokens);
    return refuse(ValidationError("The maximum tokens you requested exceeds the model limit of " +
                                  limit +
                                  ". Try again with a maximum tokens value that is lower "
                                  "than " +
                                  limit + "."));
  }
  const guardrails::Guardrail* guardrail = nullptr;
  GuardrailCheck input_check;
  if (request->guardrail) {
    Result<const guardrails::Guardrail*> admitted =
        deps_.gate.AdmitGuardrail(call, request->guardrail->identifier, request->guardrail->version,
                                  ErrorCode::kValidation, input_check.arn);
    if (!admitted.ok()) return refuse(admitted.status());
    guardrail = *admitted;
    input_check.guardrail = guardrail;
    input_check.version = request->guardrail->version;
    std::vector<std::string_view> texts = GuardedInputTexts(*request, !IsAnthropic(api));
    input_check.assessment = guardrail->Evaluate(guardrails::Source::kInput, texts);
  }
  // Quotas and budgets, before any model work: budgets first (a quota
  // refusal then gives the budget reservation back whole).
  metering::Budgets::Reservation budget;
  metering::Quotas::Reservation quota;
  const std::string& principal = call.principal.name;
  const storage::ProfileRecord& admitted_profile = **profile;
  const bool budgeted =
      deps_.budgets != nullptr &&
      deps_.budgets->Applies(principal, admitted_profile.name, admitted_profile.tags);
  const bool limited =
      deps_.quotas != nullptr && deps_.quotas->Applies(principal, admitted_profile.name);
  if (budgeted || limited) {
    const metering::TokenCounts reserved = ReservedTokens(*request, admitted_profile);
    if (budgeted) {
      Result<metering::Budgets::Reservation> admitted =
          deps_.budgets->Admit(principal, admitted_profile.name, admitted_profile.tags,
                               WorstCaseCost(*request, admitted_profile, reserved));
      if (!admitted.ok()) return refuse(admitted.status());
      budget = *admitted;
    }
    if (limited) {
      Result<metering::Quotas::Reservation> admitted =
          deps_.quotas->Admit(principal, admitted_profile.name, metering::QuotaTokens(reserved));
      if (!admitted.ok()) {
        if (budgeted) deps_.budgets->Settle(budget, 0);
        return refuse(admitted.status());
      }
      quota = *admitted;
    }
  }
  auto run =
      std::make_shared<Call>(*this, api, call, std::move(stream), std::move(*request), **profile);
  run->SetReservations(quota, budget);
  if (guardrail != nullptr) run->SetGuardrail(guardrail, std::move(input_check));
  run->Run();
}

metering::TokenCounts RuntimeService::ReservedTokens(backends::ModelRequest& request,
                                                     const storage::ProfileRecord& profile) const {
  metering::TokenCounts reserved;
  for (const std::string& arn : profile.model_arns) {
    auto it = deps_.backends.find(RegionOf(arn));
    if (it == deps_.backends.end()) continue;
    // Counted as the first served region's model counts it; the request's
    // routing fields are the call's to set, so they are put back.
    std::string model_id = std::exchange(request.model_id, std::string(ModelIdOf(arn)));
    std::string region = std::exchange(request.region, it->first);
    reserved.input = it->second->CountInputTokens(request);
    request.model_id = std::move(model_id);
    request.region = std::move(region);
    break;
  }
  reserved.output = request.max_tokens > 0 ? request.max_tokens : options_.default_max_tokens;
  return reserved;
}

int64_t RuntimeService::WorstCaseCost(const backends::ModelRequest& request,
                                      const storage::ProfileRecord& profile,
                                      const metering::TokenCounts& reserved) const {
  if (deps_.prices == nullptr) return 0;
  const std::string_view tier =
      request.service_tier ? ServiceTierName(*request.service_tier) : std::string_view();
  // The input at the dearer of its own price and a 1-hour cache write's
  // (the call may write the cache), on the dearest of the profile's models.
  const metering::TokenCounts as_cache_write{.output = reserved.output,
                                             .cache_write_1h = reserved.input};
  int64_t worst = 0;
  for (const std::string& arn : profile.model_arns) {
    const std::string_view model_id = ModelIdOf(arn);
    for (const metering::TokenCounts& t : {reserved, as_cache_write}) {
      Result<int64_t> cost = deps_.prices->CostMicroUsd(model_id, options_.source_region, tier, t);
      if (cost.ok()) worst = std::max(worst, *cost);
    }
  }
  return worst;
}

Result<http::Response> RuntimeService::CountTokens(const ApiCall& call) const {
  if (deps_.usage == nullptr) return CountTokensAnswer(call, nullptr);
  metering::UsageRecord record = ArrivalRecord(metering::Operation::kCountTokens, call, nullptr,
                                               options_.source_region, deps_.clock);
  InvokeGate::Profile resolved;
  Result<http::Response> answer = CountTokensAnswer(call, &resolved);
  if (resolved != nullptr) {
    metering::UsageRecord known =
        ArrivalRecord(metering::Operation::kCountTokens, call, resolved.get(),
                      options_.source_region, deps_.clock);
    known.time_ms = record.time_ms;
    record = std::move(known);
  }
  if (!answer.ok()) {
    MeterRefusal(deps_.usage, call.access, std::move(record), answer.status(), deps_.clock);
  } else {
    // Counting is not inference: a CountTokens record carries no tokens and no cost.
    record.status = 200;
    record.latency_ms = std::max<int64_t>(0, EpochMillis(deps_.clock) - record.time_ms);
    Deliver(*deps_.usage, call.access, std::move(record));
  }
  return answer;
}

Result<http::Response> RuntimeService::CountTokensAnswer(const ApiCall& call,
                                                         InvokeGate::Profile* resolved) const {
  BP_ASSIGN_OR_RETURN(InvokeGate::Profile profile,
                      deps_.gate.Admit(call, call.params.at(0), InvokeKind::kCountTokens));
  if (resolved != nullptr) *resolved = profile;
  BP_ASSIGN_OR_RETURN(backends::ModelRequest request, ParseCountTokensRequest(call.request.body));
  for (const std::string& arn : profile->model_arns) {
    auto it = deps_.backends.find(RegionOf(arn));
    if (it == deps_.backends.end()) continue;
    request.model_id = std::string(ModelIdOf(arn));
    request.region = it->first;
    http::Response response;
    response.headers.push_back({"content-type", std::string(kJsonType)});
    response.body = CountTokensResponseJson(it->second->CountInputTokens(request));
    return response;
  }
  return Status(ErrorCode::kServiceUnavailable,
                "None of the inference profile's regions is served by this endpoint");
}

Result<http::Response> RuntimeService::ApplyGuardrail(const ApiCall& call) const {
  const WirePath root;
  const std::string& identifier = call.params.at(0);
  const std::string& version = call.params.at(1);
  BP_RETURN_IF_ERROR(CheckGuardrailIdentifier(identifier, root.Key("guardrailIdentifier")));
  BP_RETURN_IF_ERROR(CheckGuardrailVersion(version, root.Key("guardrailVersion")));
  GuardrailCheck check;
  BP_ASSIGN_OR_RETURN(check.guardrail,
                      deps_.gate.AdmitGuardrail(call, identifier, version,
                                                ErrorCode::kResourceNotFound, check.arn));
  check.version = version;
  BP_ASSIGN_OR_RETURN(ApplyGuardrailInput input, ParseApplyGuardrailRequest(call.request.body));
  std::vector<std::string_view> texts(input.texts.begin(), input.texts.end());
  check.assessment = check.guardrail->Evaluate(input.source, texts);
  http::Response response;
  response.headers.push_back({"content-type", std::string(kJsonType)});
  response.body = ApplyGuardrailResponseJson(check, input.source);
  return response;
}

Status RuntimeService::RegisterRoutes(ApiHandler& handler) const {
  struct RouteSpec {
    const char* pattern;
    const char* operation;
    RuntimeApi api;
  };
  static constexpr RouteSpec kRoutes[] = {
      {"/model/{modelId}/invoke", "InvokeModel", RuntimeApi::kInvoke},
      {"/model/{modelId}/invoke-with-response-stream", "InvokeModelWithResponseStream",
       RuntimeApi::kInvokeStream},
      {"/model/{modelId}/converse", "Converse", RuntimeApi::kConverse},
      {"/model/{modelId}/converse-stream", "ConverseStream", RuntimeApi::kConverseStream},
  };
  const RouteOptions options{.max_body_bytes = kMaxBodyBytes};
  // Metered calls hand their usage record to their access line too.
  const RouteOptions metered{.max_body_bytes = kMaxBodyBytes,
                             .reports_usage = deps_.usage != nullptr};
  for (const RouteSpec& r : kRoutes) {
    BP_RETURN_IF_ERROR(handler.RegisterAsync(
        "POST", r.pattern, r.operation,
        [this, api = r.api](ApiCall&& call, std::shared_ptr<http::ResponseStream> stream) {
          Serve(api, std::move(call), std::move(stream));
        },
        metered));
  }
  BP_RETURN_IF_ERROR(handler.Register(
      "POST", "/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply", "ApplyGuardrail",
      [this](const ApiCall& call) { return ApplyGuardrail(call); }, options));
  return handler.Register(
      "POST", "/model/{modelId}/count-tokens", "CountTokens",
      [this](const ApiCall& call) { return CountTokens(call); }, metered);
}

}  // namespace bp::api::runtime
