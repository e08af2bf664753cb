#pragma once
// What the non-streaming decoder and the stream translator share: reading
// usage, tool call arguments and ids, and choosing the stop reason. Private
// to bp_backends_openai. Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::backends::openai {

// Bounds on what one answer may hold (a server past them is malformed).
inline constexpr size_t kMaxToolCalls = 128;
inline constexpr size_t kMaxToolArgumentBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxAnswerBlocks = 1000;  // ResponseCollector keeps 1024
inline constexpr size_t kMaxStopTail = 1024;      // bytes of text kept to spot a stop sequence

// `code` with "The OpenAI-compatible server at <region> answered a malformed
// chat completion: <detail>".
Status Malformed(ErrorCode code, std::string_view region, std::string_view detail);

// "$.choices[0].delta.content: expected a string or null, got a number".
std::string Expected(std::string_view path, std::string_view what, const json::Value& got);

// Token counts a server reported; absent when it did not.
struct ServerUsage {
  std::optional<int64_t> prompt;      // all prompt tokens, cached ones included
  std::optional<int64_t> completion;  // reasoning tokens included
  std::optional<int64_t> cached;      // prompt tokens read from the server's cache
};

// Reads OpenAI's `usage` ({prompt_tokens, completion_tokens,
// prompt_tokens_details: {cached_tokens}}); when it is absent or null,
// llama-server's `timings` ({prompt_n (tokens evaluated, cache excluded),
// cache_n, predicted_n}). Fields already in `out` are replaced by those
// present. A member of the wrong kind is an error naming it.
Status ReadUsage(const json::Value& holder, std::string_view path, ServerUsage& out);

// The usage to report: the server's where it gave a figure, else the local
// estimates (Usage::estimated set). input_tokens = prompt - cached
// (Bedrock's inputTokens excludes cache reads); cache_read_input_tokens =
// cached.
Usage ResolveUsage(const ServerUsage& server, int64_t input_estimate, int64_t output_estimate);

// Tool call arguments as the compact JSON of an object, or nullopt when they
// are not one (empty or blank arguments count as {}).
std::optional<std::string> ToolInputJson(std::string_view arguments);

// A tool-use id in [A-Za-z0-9_-]{1,64} (what both wire formats accept back):
// the server's with other characters replaced by '_', or, when it sent
// none, "call_<completion id>_<n>" likewise reduced.
std::string ToolUseId(std::string_view server_id, std::string_view completion_id, size_t n);

// The end of the answer as far as choosing its stop reason goes.
struct StopFacts {
  std::optional<std::string> finish_reason;  // the choice's, when one came
  std::optional<std::string> matched_stop;   // vLLM's choice.stop_reason when a string
  std::string_view text_tail;                // the last bytes of the answer's text
  bool tool_calls = false;                   // tool-use blocks were produced
  bool malformed_tool_call = false;          // a tool call was dropped as malformed
  bool refusal = false;                      // the server sent a refusal
};

struct StopChoice {
  StopReason reason = StopReason::kEndTurn;
  std::string stop_sequence;  // kStopSequence only
};

// malformed tool call -> malformed_tool_use; "length" -> max_tokens;
// "content_filter" or a refusal -> content_filtered; tool calls (whatever
// the finish reason: some servers say "stop") -> tool_use; then a requested
// stop sequence that vLLM names in stop_reason or that the text ends with ->
// stop_sequence; anything else ("stop", unknown names, none) -> end_turn.
StopChoice ChooseStop(const StopFacts& facts, const std::vector<std::string>& stop_sequences);

// Keeps the last kMaxStopTail bytes of `tail` after appending `text`.
void AppendTail(std::string& tail, std::string_view text);

}  // namespace bp::backends::openai
