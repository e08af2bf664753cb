#pragma once
// The Converse wire format (bedrock-api.md §3.3-3.6): pure translation
// between Converse / ConverseStream / CountTokens bodies and the canonical
// model of backends/backend.h. No I/O, no clocks; the runtime service calls
// these once per request (parse) and once per token (stream events).
// Public header of bp_api_runtime.
//
// Errors are kValidation with Bedrock's Coral wording, naming the member
// path the way Bedrock does ("messages.0.member.content.1.member.text"):
//   1 validation error detected: Value '0' at 'inferenceConfig.maxTokens'
//   failed to satisfy constraint: Member must have value greater than or
//   equal to 1
// plus Bedrock's own sentences for conversation-shape errors. Only the first
// error found is reported. Messages may echo client text; they are not
// guaranteed to be valid UTF-8 (api::ErrorResponse repairs that).
//
// Thread-safety: pure functions; safe from any thread. The Append* functions
// use a per-thread scratch buffer, so they allocate nothing once warm.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::api::runtime {

// ---- Converse / ConverseStream requests --------------------------------

// A Converse or ConverseStream body -> ModelRequest (model_id and region are
// left empty: the path and the router supply them). max_tokens is 0 when
// inferenceConfig.maxTokens is absent (the backend's default).
//
// serviceTier becomes service_tier, requestMetadata request_metadata
// (validated as call_options.h says) and guardrailConfig guardrail
// (guardrail_wire.h; guardContent blocks are marked guard_content, or listed
// in guarded_system). cachePoint blocks ({type: default, ttl: 5m|1h}) in
// toolConfig.tools, system and messages become cache_points, checked as
// cache_points.h says (at most 4, TTLs non-increasing). Accepted and ignored
// (not modelled): promptVariables, performanceConfig, outputConfig.effort,
// additionalModelResponseFieldPaths.
// additionalModelRequestFields.top_k becomes top_k when it is an integer, and
// additionalModelRequestFields.thinking thinking_budget (thinking.h: its
// schema, and the rules tying it to maxTokens, temperature, topP, top_k and
// toolChoice, with the model's messages after "The model returned the
// following errors: "). reasoningContent blocks keep their signature.
// Structured output (structured_output.h has the schema subset):
// outputConfig.textFormat {type: json_schema, structure {jsonSchema {schema
// (a string of JSON), name, description}}} becomes output_format, as does
// additionalModelRequestFields.output_config.format {type: json_schema,
// schema {...}} (Anthropic's field; not both); toolSpec.strict becomes
// Tool::strict and its schema must be in the subset. A schema outside it is
// kValidation "<member path>: <reason> (at <JSON pointer>)".
// JSON null for an optional member means "absent".
//
// Errors (kValidation), among others: a body that is not a JSON object; an
// unknown member anywhere ("The request body contains the unknown member
// 'inferenceConfig.foo'. Remove it and try again."); roles other than
// user/assistant; a conversation that does not start with a user message or
// does not alternate roles; empty content or blank text; a content block
// that is not exactly one known member; tool names outside
// ^[a-zA-Z0-9_-]+$ (1-64), toolUseIds outside ^[a-zA-Z0-9_.:-]+$ (1-64);
// temperature/topP outside 0..1; more than 2500 stopSequences or an empty
// one; toolChoice.tool naming no tool in toolConfig.tools; toolUse/toolResult
// blocks without toolConfig; bad base64 image/document/video/audio bytes;
// s3Location sources, toolAddition/toolRemoval and systemTool, which this
// endpoint does not serve. video, audio (bytes sources), searchResult and
// citationsContent blocks and documents' citations/context are accepted:
// video/audio become kVideo/kAudio, searchResult kSearchResult, and
// citationsContent the kText of its generated text.
Result<backends::ModelRequest> ParseConverseRequest(std::string_view body);

// ---- Converse response (§3.4) ------------------------------------------

// {"output":{"message":{"role":"assistant","content":[...]}},"stopReason":..,
//  "usage":{"inputTokens","outputTokens","totalTokens"[,"cacheReadInputTokens"]
//  [,"cacheWriteInputTokens","cacheDetails":[{"ttl":"1h"|"5m","inputTokens"}..]]},
//  "metrics":{"latencyMs":..}} (cache members only when non-zero; cacheDetails
//  per TTL written, 1h first, as Bedrock sorts them).
// Content: kText -> {"text"}, kToolUse -> {"toolUse":{toolUseId,name,input}},
// kReasoning -> {"reasoningContent":{"reasoningText":{"text"[,"signature"]}}}
// (the signature when not empty); other kinds
// are skipped. A tool input that is not a JSON object is sent as {}. With
// stopReason stop_sequence, additionalModelResponseFields carries
// {"delta":{"stop_sequence":"<matched>"}} (what Anthropic clients read).
// totalTokens = input + output + cache read + cache write tokens.
// With `service_tier` (the tier the call asked for), "serviceTier":{"type":..}
// follows "metrics"; a non-empty `trace_json` (a JSON object, e.g. the
// guardrail trace of guardrail_wire.h) is sent as "trace" after that.
std::string ConverseResponseJson(const backends::ModelResponse& response, int64_t latency_ms,
                                 std::optional<backends::ServiceTier> service_tier = {},
                                 std::string_view trace_json = {});

// ---- ConverseStream events (§3.5) ----------------------------------------
// Each appends ONE event-stream frame (:message-type event) to `out`. The
// order is the backend sink order: MessageStart; per block ToolUseStart (tool
// blocks only: Bedrock sends no start event for text), deltas, BlockStop;
// then Finish.

// messageStart {"role":"assistant"}
void AppendConverseMessageStart(std::string& out);
// contentBlockStart {"contentBlockIndex":i,"start":{"toolUse":{"toolUseId","name"}}}
void AppendConverseToolUseStart(std::string& out, int index, std::string_view id,
                                std::string_view name);
// contentBlockDelta {"contentBlockIndex":i,"delta":{"text":"..."}}
void AppendConverseTextDelta(std::string& out, int index, std::string_view text);
// contentBlockDelta {"contentBlockIndex":i,"delta":{"toolUse":{"input":"<fragment>"}}}
void AppendConverseToolInputDelta(std::string& out, int index, std::string_view fragment);
// contentBlockDelta {"contentBlockIndex":i,"delta":{"reasoningContent":{"text":"..."}}}
// (Bedrock sends no start event for reasoning blocks either)
void AppendConverseReasoningDelta(std::string& out, int index, std::string_view text);
// contentBlockDelta {"contentBlockIndex":i,"delta":{"reasoningContent":{"signature":"..."}}}
void AppendConverseReasoningSignature(std::string& out, int index, std::string_view signature);
// contentBlockStop {"contentBlockIndex":i}
void AppendConverseBlockStop(std::string& out, int index);
// TWO frames: messageStop {"stopReason":..} then metadata {"usage":{..},
// "metrics":{"latencyMs":..}[,"serviceTier":{"type":..}][,"trace":..]}, the
// last event of the stream (`trace_json` as for ConverseResponseJson).
void AppendConverseFinish(std::string& out, backends::StopReason reason,
                          const backends::Usage& usage, int64_t latency_ms,
                          std::optional<backends::ServiceTier> service_tier = {},
                          std::string_view trace_json = {});

// ---- CountTokens (§3.6) ----------------------------------------------------

// {"input":{"converse":{messages, system, toolConfig,
// additionalModelRequestFields}}} -> validated as ParseConverseRequest (no
// inferenceConfig there), or {"input":{"invokeModel":{"body":"<base64>"}}}
// -> the decoded body parsed with ParseAnthropicRequest (anthropic_wire.h).
// Errors (kValidation): anything else, with the member path named; errors of
// the inner Anthropic body keep its "Malformed input request: ..." wording.
Result<backends::ModelRequest> ParseCountTokensRequest(std::string_view body);

// {"inputTokens":n}
std::string CountTokensResponseJson(int64_t input_tokens);

}  // namespace bp::api::runtime
