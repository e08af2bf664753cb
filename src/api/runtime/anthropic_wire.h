#pragma once
// The Anthropic Messages format as Bedrock carries it in InvokeModel /
// InvokeModelWithResponseStream bodies (bedrock-api.md §5): pure translation
// to and from the canonical model of backends/backend.h. No I/O.
// Public header of bp_api_runtime.
//
// Schema errors use Bedrock's wording for this body, naming the JSON pointer:
//   Malformed input request: #: extraneous key [stream] is not permitted,
//   please reformat your input and try again.
//   Malformed input request: #: required key [max_tokens] not found, please
//   reformat your input and try again.
//   Malformed input request: #/messages/0/role: expected type: String,
//   found: Integer, please reformat your input and try again.
// Checks beyond the schema (what the model itself refuses) use Anthropic's
// dotted-path sentences ("messages.0: all messages must have non-empty
// content except for the optional final assistant message"). Only the first
// error found is reported.
//
// Thread-safety: pure functions; safe from any thread. The Append* functions
// use a per-thread scratch buffer, so they allocate nothing once warm.

#include <cstdint>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/clock.h"
#include "core/status.h"

namespace bp::api::runtime {

// An Anthropic body -> ModelRequest (model_id and region left empty).
// Required: anthropic_version (any non-empty string: SDKs send
// "bedrock-2023-05-31" or their own API version), max_tokens (integer >= 1),
// messages (>= 1). Optional: system (string or text blocks), temperature and
// top_p (0..1), top_k (>= 0), stop_sequences, tools [{name, description,
// input_schema, strict}], tool_choice {type: auto|any|tool|none, name},
// thinking (-> thinking_budget; thinking.h has its schema and the rules
// tying it to max_tokens, temperature, top_p, top_k and tool_choice),
// output_config {format {type: json_schema, schema {...}}, effort} or the
// deprecated output_format {type, schema} (not both) -> output_format;
// strict tools' and the format's schemas must be in the subset of
// structured_output.h ("output_config.format.schema: <reason> (at <JSON
// pointer>)"); accepted and not modelled: metadata, anthropic_beta,
// citations, output_config.effort.
// cache_control {type: ephemeral, ttl: 5m|1h} on tools, system blocks and
// message content blocks (also on a tool_result's own content blocks, which
// mark the tool_result) becomes ModelRequest::cache_points, checked as
// cache_points.h says.
// Content is a string or blocks: text, image {source {type: base64,
// media_type, data}}, document (base64 or text source), tool_use, tool_result
// (content string or blocks), thinking (its signature kept) /
// redacted_thinking. Unknown keys at
// any level are refused; image/document sources by url or file are refused
// as not supported by this endpoint. Errors: kValidation as described above.
Result<backends::ModelRequest> ParseAnthropicRequest(std::string_view body);

// The Anthropic Messages name of a stop reason: Converse's names for
// end_turn, max_tokens, stop_sequence, tool_use and
// model_context_window_exceeded; content_filtered is "refusal"; the rest
// (guardrail_intervened, malformed_model_output, malformed_tool_use have no
// Anthropic form) are "end_turn".
std::string_view AnthropicStopReasonName(backends::StopReason reason);

// "msg_bdrk_" + 24 characters [A-Za-z0-9] drawn from `random`.
std::string NewAnthropicMessageId(Random& random);

// §5.2 response: {"id","type":"message","role":"assistant","model":
// api_model_name,"content":[{"type":"text","text"} | {"type":"tool_use","id",
// "name","input"} | {"type":"thinking","thinking","signature"}],
// "stop_reason","stop_sequence" (null unless stop_sequence),"usage":
// {"input_tokens","cache_creation_input_tokens","cache_read_input_tokens",
// ["cache_creation":{"ephemeral_5m_input_tokens","ephemeral_1h_input_tokens"}
// when the cache was read or written,] "output_tokens"}}. Tool input that is
// not a JSON object is sent as {}.
std::string AnthropicResponseJson(const backends::ModelResponse& response,
                                  std::string_view message_id, std::string_view api_model_name);

// ---- InvokeModelWithResponseStream (§5.3) ---------------------------------
// Each appends ONE event-stream `chunk` frame whose payload is
// {"bytes":"<base64 of the Anthropic event JSON>"}, in the backend sink order.

// message_start with an empty message (content [], stop_reason null, usage
// as AnthropicResponseJson's from `usage`'s input and cache fields,
// output_tokens 0).
void AppendAnthropicMessageStart(std::string& out, std::string_view message_id,
                                 std::string_view api_model_name, const backends::Usage& usage);
// content_block_start {"type":"text","text":""}
void AppendAnthropicTextStart(std::string& out, int index);
// content_block_start {"type":"tool_use","id","name","input":{}}
void AppendAnthropicToolUseStart(std::string& out, int index, std::string_view id,
                                 std::string_view name);
// content_block_delta {"type":"text_delta","text"}
void AppendAnthropicTextDelta(std::string& out, int index, std::string_view text);
// content_block_delta {"type":"input_json_delta","partial_json"}
void AppendAnthropicToolInputDelta(std::string& out, int index, std::string_view fragment);
// content_block_start {"type":"thinking","thinking":"","signature":""}
void AppendAnthropicThinkingStart(std::string& out, int index);
// content_block_delta {"type":"thinking_delta","thinking"}
void AppendAnthropicThinkingDelta(std::string& out, int index, std::string_view thinking);
// content_block_delta {"type":"signature_delta","signature"}
void AppendAnthropicSignatureDelta(std::string& out, int index, std::string_view signature);
// content_block_stop
void AppendAnthropicBlockStop(std::string& out, int index);

// Bedrock's per-call figures, carried in message_stop (milliseconds for the
// latencies). Cache counts are sent only when non-zero.
struct InvocationMetrics {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t invocation_latency_ms = 0;
  int64_t first_byte_latency_ms = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t cache_write_input_tokens = 0;
};

// TWO chunk frames: message_delta {"delta":{"stop_reason","stop_sequence"
// (null unless kStopSequence)},"usage":{"output_tokens"}} then message_stop
// carrying "amazon-bedrock-invocationMetrics" {inputTokenCount,
// outputTokenCount, invocationLatency, firstByteLatency[,
// cacheReadInputTokenCount, cacheWriteInputTokenCount]}.
void AppendAnthropicFinish(std::string& out, backends::StopReason reason,
                           std::string_view stop_sequence, const InvocationMetrics& metrics);

}  // namespace bp::api::runtime
