#pragma once
// A 200 Converse answer (bedrock-api.md §3.4) as OutputSink calls: decoded
// and checked whole first (so a malformed answer produces nothing and the
// call may still fail over), then replayed. Public header of
// bp_backends_bedrock; pure code, no I/O.
//
// Decoding:
// - output.message.content[]: text -> kText (empty texts make no block),
//   toolUse {toolUseId, name, input (a JSON object)} -> kToolUse with the
//   input re-serialised compactly, reasoningContent {reasoningText {text,
//   signature}} -> kReasoning; redactedContent reasoning is skipped (the
//   canonical answer has no place for it); other members (citationsContent,
//   kinds added later) are skipped too.
// - stopReason: StopReasonFromName; an unknown name is malformed.
// - stop_sequence (kStopSequence only): additionalModelResponseFields
//   {"stop_sequence": s} or {"delta": {"stop_sequence": s}} (Claude's field,
//   which BuildConverseRequest asks for), else the request's stop sequence
//   when it had exactly one, else empty.
// - usage: inputTokens, outputTokens, cacheReadInputTokens,
//   cacheWriteInputTokens, and cacheDetails [{ttl: "5m"|"1h", inputTokens}]
//   splitting the writes by TTL (the 1h entries are 1h, the rest of the
//   writes 5m; without details all writes are 5m). Counts must be
//   non-negative integers. Bedrock always sends usage; when it is missing
//   anyway (or inputTokens / outputTokens is) the figure is the estimate
//   (AnswerContext::input_estimate; the local tokenizer's count of the
//   answer for output) and Usage::estimated is set.
// - malformed (not JSON, a member of the wrong kind, a body over
//   kMaxAnswerBytes, more than kMaxToolUses tool uses or kMaxAnswerBlocks
//   blocks) -> kModelError "Amazon Bedrock in <region> answered a malformed
//   Converse response: <JSON path>: <what>". Never throws.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::backends::bedrock {

inline constexpr size_t kMaxAnswerBytes = 64 * 1024 * 1024;
inline constexpr size_t kMaxAnswerBlocks = 1000;  // ResponseCollector keeps 1024
inline constexpr size_t kMaxToolUses = 256;

// What decoding needs from the request. Copied, so a decoder that outlives
// ModelBackend::Start keeps no reference to the request.
struct AnswerContext {
  std::string region;                       // names the upstream in messages
  std::vector<std::string> stop_sequences;  // the one to report when Bedrock names none
  int64_t input_estimate = 0;               // OnStart of a stream; input when usage is missing
};

AnswerContext MakeAnswerContext(const ModelRequest& request, int64_t input_estimate);

// Decodes a 200 answer's body.
Result<ModelResponse> DecodeConverseResponse(std::string_view body, const AnswerContext& context);

// Replays `response` on `sink`: [OnPromptCache(usage) when it read or wrote
// cache tokens], OnStart(usage.input_tokens), each block as its start, one
// delta (the whole text or input; none when empty), the reasoning signature
// when there is one, and its stop, then OnFinish. When `cancelled` is given
// it is read after every call and the replay stops as soon as it is true (an
// invocation destroyed from inside a callback sets it); `response` is owned
// by the call so the sink may destroy whatever held it.
void EmitResponse(ModelResponse response, OutputSink& sink, const bool* cancelled = nullptr);

}  // namespace bp::backends::bedrock
