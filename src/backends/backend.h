#pragma once
// The model-backend seam: one canonical request/response model that both
// wire formats (Converse, Anthropic Messages) are translated to and from, and
// the ModelBackend interface every answerer implements (the built-in
// simulated model, later real Bedrock and OpenAI-compatible servers).
// Public header of bp_backends.
//
// Output is a sequence of calls on an OutputSink, in this order:
//   [OnPromptCache(usage)]  (only for a request with cache points)
//   OnStart(input_tokens)
//   for each content block i = 0, 1, ...:
//     OnTextStart(i) | OnToolUseStart(i, id, name) | OnReasoningStart(i)
//     OnTextDelta(i, text)* | OnToolInputDelta(i, json_fragment)* |
//       OnReasoningDelta(i, text)* [OnReasoningSignature(i, signature)]
//     OnBlockStop(i)
//   OnFinish(stop_reason, stop_sequence, usage)
// and at any point one OnError(status) instead of the rest. Exactly one of
// OnFinish / OnError ends every invocation (unless its handle is destroyed
// first). An error before OnStart means nothing was produced: the caller may
// retry elsewhere. Text deltas are whole tokens as they are produced.
// Reasoning blocks (extended thinking, ModelRequest::thinking_budget) come
// before the answer's blocks; their deltas are tokens of the model's
// reasoning, and the signature (at most one, after the last delta) is the
// token a client hands back with the reasoning in a later turn.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event_loop.h"
#include "core/status.h"

namespace bp::backends {

enum class Role : uint8_t { kUser, kAssistant };

struct ContentBlock {
  enum class Kind : uint8_t {
    kText,        // text
    kImage,       // format in `text` ("png"), size in `byte_size`, bytes in `base64`
    kDocument,    // format in `text` ("pdf"), size in `byte_size`, bytes in `base64`,
                  // its name in `tool_name` (Converse document.name, Anthropic title; may be empty)
    kToolUse,     // tool_use_id, tool_name, input_json
    kToolResult,  // tool_use_id; its text parts joined in `text`, JSON parts in input_json
    kReasoning,   // reasoning text in `text`, its signature in `signature`
    kVideo,       // format in `text` ("mp4"), size in `byte_size`, bytes in `base64`
    kAudio,       // format in `text` ("mp3"), size in `byte_size`, bytes in `base64`
    kSearchResult,  // title and content texts joined in `text`; source in `tool_name`
  };
  Kind kind = Kind::kText;
  std::string text;
  std::string tool_use_id;
  std::string tool_name;
  std::string input_json;  // compact JSON text
  bool is_error = false;   // kToolResult with status "error"
  size_t byte_size = 0;    // kImage, kDocument, kVideo, kAudio: decoded bytes
  // kImage, kDocument, kVideo, kAudio: the bytes as the caller's base64 text,
  // unchanged (Converse source.bytes, Anthropic source.data; an Anthropic
  // text document's text encoded), for backends that forward them
  // (backends/openai: images; backends/bedrock: all). Empty for those inside
  // a tool result, which only count, and for Converse documents given as
  // text or content parts. kReasoning: the opaque data of redacted reasoning
  // (Converse redactedContent, Anthropic redacted_thinking.data; `text` is
  // then empty).
  std::string base64;
  std::string signature;  // kReasoning: empty when none was given (or redacted)
  // Converse guardContent: the text a guardrail evaluates (a kText block to
  // the model like any other).
  bool guard_content = false;
};

struct Message {
  Role role = Role::kUser;
  std::vector<ContentBlock> content;
};

struct Tool {
  std::string name;  // ^[a-zA-Z0-9_-]{1,64}$
  std::string description;
  std::string input_schema_json;  // the JSON schema, compact
  // Strict tool use (Converse toolSpec.strict, Anthropic tools[].strict):
  // the input must validate against the schema in full. The wire parsers
  // have checked that the schema is within the structured-output subset
  // (api/runtime/structured_output.h).
  bool strict = false;
};

// Structured output (Converse outputConfig.textFormat, Anthropic
// output_config.format / output_format): the answer's text is JSON that
// validates against `schema_json`, which the wire parsers have checked is
// within the structured-output subset (api/runtime/structured_output.h).
struct OutputFormat {
  std::string schema_json;  // the JSON schema, compact
  std::string name;         // Converse jsonSchema.name; may be empty
  std::string description;  // Converse jsonSchema.description; may be empty
};

// ---- prompt caching (cache points) ---------------------------------------------
// A cache point marks the end of a prompt prefix the model may cache. Prompt
// order is tools, then system parts, then messages; a point's prefix is
// everything before it in that order.
enum class CacheTtl : uint8_t { k5m, k1h };  // "5m" (the default) and "1h"

struct CachePoint {
  enum class Section : uint8_t { kTools, kSystem, kMessages };
  Section section = Section::kSystem;
  uint32_t message = 0;  // kMessages: index of the message holding the point
  // Elements of the section (of the message, for kMessages) before the
  // point: tools, system parts or content blocks.
  uint32_t count = 0;
  CacheTtl ttl = CacheTtl::k5m;
};

enum class ToolChoice : uint8_t {
  kAuto,  // the model decides (default)
  kAny,   // must use some tool
  kTool,  // must use `tool_choice_name`
  kNone,  // must not use tools
};

// Bedrock's service tiers (serviceTier / X-Amzn-Bedrock-Service-Tier).
enum class ServiceTier : uint8_t { kDefault, kPriority, kFlex, kReserved };

// "default", "priority", "flex", "reserved".
std::string_view ServiceTierName(ServiceTier tier);
// The tier whose ServiceTierName is `name`, if any.
std::optional<ServiceTier> ServiceTierFromName(std::string_view name);

// The caller's requestMetadata pairs, validated (at most 16), in the order
// given. Kept for the usage ledger; never shown to the model.
using RequestMetadata = std::vector<std::pair<std::string, std::string>>;

// The guardrail a call asked for (Converse guardrailConfig, InvokeModel's
// X-Amzn-Bedrock-Guardrail* headers). The runtime service applies it around
// the backend; no backend reads it.
enum class GuardrailTrace : uint8_t { kDisabled, kEnabled, kEnabledFull };
struct GuardrailRequest {
  std::string identifier;  // guardrail id or ARN, as given
  std::string version;     // "DRAFT" or "1".."99999999"
  GuardrailTrace trace = GuardrailTrace::kDisabled;
  bool async = false;  // ConverseStream streamProcessingMode "async" (default sync)
};

struct ModelRequest {
  std::string model_id;  // foundation model id: "anthropic.claude-haiku-4-5-20251001-v1:0"
  std::string region;    // the region serving this attempt: "eu-west-1"
  std::vector<std::string> system;       // system prompt parts, in order
  std::vector<uint32_t> guarded_system;  // indices in `system` that were guardContent blocks
  std::vector<Message> messages;         // the conversation, oldest first
  int32_t max_tokens = 0;                // 0: the backend's default
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int32_t> top_k;
  std::vector<std::string> stop_sequences;
  std::vector<Tool> tools;
  ToolChoice tool_choice = ToolChoice::kAuto;
  std::string tool_choice_name;  // kTool
  // As the caller asked; absent means the default tier, and nothing is echoed.
  std::optional<ServiceTier> service_tier;
  RequestMetadata request_metadata;
  // Absent: free text.
  std::optional<OutputFormat> output_format;
  std::optional<GuardrailRequest> guardrail;
  // Prompt caching: the cache points in prompt order (at most 4, TTLs
  // non-increasing; the wire parsers check that, api/runtime/cache_points.h),
  // and the inference profile the call was admitted on (the cache is per
  // profile; set by the runtime service only when there are cache points).
  std::string profile_arn;
  std::vector<CachePoint> cache_points;
  // Extended thinking (Anthropic `thinking {type: enabled, budget_tokens}`):
  // the most output tokens the model may spend reasoning before it answers;
  // 0: no reasoning. The wire parsers keep it >= 1024 and below max_tokens
  // when max_tokens is given.
  int32_t thinking_budget = 0;
  // The inference profile the call was admitted on (its name), for backends
  // that send a per-profile model id upstream (backends/upstream). Set by the
  // runtime service.
  std::string profile_name;
  // The caller reads the answer as a stream (ConverseStream,
  // InvokeModelWithResponseStream): a proxying backend streams from its
  // upstream too; otherwise it may ask for the whole answer at once.
  bool stream = false;
};

// Converse's stop reasons (bedrock-api.md §3.4). The Anthropic Messages
// format has its own names for some (anthropic_wire.h).
enum class StopReason : uint8_t {
  kEndTurn,
  kMaxTokens,
  kStopSequence,
  kToolUse,
  kGuardrailIntervened,
  kContentFiltered,
  kMalformedModelOutput,
  kMalformedToolUse,
  kModelContextWindowExceeded,
};

// Converse's name: "end_turn", "max_tokens", "stop_sequence", "tool_use",
// "guardrail_intervened", "content_filtered", "malformed_model_output",
// "malformed_tool_use", "model_context_window_exceeded".
std::string_view StopReasonName(StopReason reason);

// The reason whose StopReasonName is `name`, if any.
std::optional<StopReason> StopReasonFromName(std::string_view name);

// input_tokens excludes the cached ones: the whole input is input_tokens +
// cache_read_input_tokens + cache_write_input_tokens.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t cache_write_input_tokens = 0;  // = cache_write_5m_tokens + cache_write_1h_tokens
  int64_t cache_write_5m_tokens = 0;
  int64_t cache_write_1h_tokens = 0;
  // Some figure is the backend's local estimate, not the model's report (an
  // OpenAI-compatible server that sends no usage; backends/openai): for the
  // usage ledger to say so.
  bool estimated = false;
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void OnStart(int64_t input_tokens) = 0;
  // Prompt caching: when the request has cache points, called once just
  // before OnStart with the cache fields of the usage (input_tokens as
  // OnStart's; output_tokens 0), for outputs that report them at the start
  // (Anthropic's message_start). Default: ignored.
  virtual void OnPromptCache(const Usage& usage) { (void)usage; }
  virtual void OnTextStart(int index) = 0;
  virtual void OnToolUseStart(int index, std::string_view tool_use_id,
                              std::string_view tool_name) = 0;
  virtual void OnTextDelta(int index, std::string_view text) = 0;
  virtual void OnToolInputDelta(int index, std::string_view json_fragment) = 0;
  // A reasoning block: its start, its text deltas, then its signature.
  virtual void OnReasoningStart(int index) = 0;
  virtual void OnReasoningDelta(int index, std::string_view text) = 0;
  virtual void OnReasoningSignature(int index, std::string_view signature) = 0;
  virtual void OnBlockStop(int index) = 0;
  // `stop_sequence` is the matched sequence for kStopSequence, else empty.
  virtual void OnFinish(StopReason reason, std::string_view stop_sequence, const Usage& usage) = 0;
  // Terminal. Codes: kThrottling, kServiceUnavailable, kModelNotReady,
  // kModelTimeout, kInternal (retryable before OnStart); kModelError,
  // kModelStreamError, kValidation (not retryable).
  virtual void OnError(const Status& status) = 0;
  // Output the caller has accepted but not yet sent on to its own client
  // (bytes queued on a slow connection). Backends that read from an upstream
  // hold it back while this is large (backends/upstream). Default: 0.
  virtual size_t Backlog() const { return 0; }
};

// A running invocation. Destroying it stops every further sink call (timers
// cancelled, upstream requests aborted). Must be destroyed on the loop the
// invocation was started on. It may be destroyed from inside one of its own
// sink callbacks; the backend then makes no further call.
class Invocation {
 public:
  virtual ~Invocation() = default;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;

  // Starts answering `request` on `loop` (the caller's loop thread, which is
  // also where Start is called). Sink methods run on `loop`, never from
  // inside Start itself (the first one is posted), so the caller may finish
  // its own set-up after Start returns. `sink` must outlive the returned
  // handle or the terminal call, whichever comes first. The backend keeps no
  // reference to `request` after Start returns. Thread-safe: one backend
  // serves every loop.
  virtual std::unique_ptr<Invocation> Start(const ModelRequest& request, EventLoop& loop,
                                            OutputSink& sink) = 0;

  // The input tokens `request` would count as (CountTokens, and OnStart's
  // argument for the same request when nothing is read from or written to a
  // prompt cache; else OnStart gets this minus the cached tokens). Pure;
  // thread-safe.
  virtual int64_t CountInputTokens(const ModelRequest& request) const = 0;

  // OnStart's input_tokens and CountInputTokens() are the backend's local
  // estimate, not the model's report (an OpenAI-compatible server reports
  // usage only at the end). Lets the usage ledger mark a stream cut short
  // before its usage came (OnFinish's usage says so itself, Usage::estimated).
  virtual bool EstimatesInputTokens() const { return false; }
};

// The whole answer of a non-streaming call, as collected from the sink.
struct ModelResponse {
  std::vector<ContentBlock> content;  // kReasoning, kText and kToolUse blocks, in index order
  StopReason stop_reason = StopReason::kEndTurn;
  std::string stop_sequence;  // kStopSequence only
  Usage usage;
};

// An OutputSink that accumulates a ModelResponse. Deltas are appended to the
// block of their index; tool input fragments are concatenated into
// input_json, reasoning deltas into text and signatures into signature. `done()` after OnFinish or
// OnError; `status()` holds the error.
class ResponseCollector final : public OutputSink {
 public:
  void OnStart(int64_t input_tokens) override;
  void OnTextStart(int index) override;
  void OnToolUseStart(int index, std::string_view tool_use_id, std::string_view tool_name) override;
  void OnTextDelta(int index, std::string_view text) override;
  void OnToolInputDelta(int index, std::string_view json_fragment) override;
  void OnReasoningStart(int index) override;
  void OnReasoningDelta(int index, std::string_view text) override;
  void OnReasoningSignature(int index, std::string_view signature) override;
  void OnBlockStop(int index) override;
  void OnFinish(StopReason reason, std::string_view stop_sequence, const Usage& usage) override;
  void OnError(const Status& status) override;

  bool started() const { return started_; }
  bool done() const { return done_; }
  const Status& status() const { return status_; }
  ModelResponse& response() { return response_; }

 private:
  ContentBlock* Block(int index);

  ModelResponse response_;
  Status status_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace bp::backends
