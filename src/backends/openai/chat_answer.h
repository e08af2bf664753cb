#pragma once
// A non-streaming chat.completion answer as OutputSink calls: decoded and
// checked whole first (so a malformed answer produces nothing, and the call
// may still fail over), then replayed. Public header of bp_backends_openai;
// pure code, no I/O.
//
// Decoding (choices[0] only; the request never asks for more):
// - blocks in this order: reasoning (message.reasoning_content, else
//   message.reasoning; no signature), text (message.content: a string, null,
//   or an array of {"type": "text"} parts; a refusal is text too), then one
//   tool use per message.tool_calls entry (arguments: a JSON string, or an
//   object as some servers send) with its input re-serialised compactly.
//   Empty texts make no block.
// - a tool call whose arguments are not a JSON object, or that has no name,
//   is dropped and the stop reason is malformed_tool_use (the wire formats
//   carry tool input as JSON objects; passing the text on would break every
//   client). Ids are reduced to [A-Za-z0-9_-]{1,64} (chat_common.h).
// - stop reason and usage: chat_common.h (ChooseStop, ResolveUsage); with no
//   usage from the server the input is AnswerContext::input_estimate and the
//   output the local tokenizer's count of the answer's text, reasoning and
//   tool inputs (backends/tokenizer.h), and Usage::estimated is set.
// - errors: a body that is an error object -> EmbeddedErrorStatus
//   (upstream_error.h); anything else unexpected (not JSON, no choices, a
//   member of the wrong kind, a body over kMaxAnswerBytes, more than
//   kMaxToolCalls tool calls) -> kModelError "The OpenAI-compatible server at
//   <region> answered a malformed chat completion: <what, with its JSON
//   path>". Never throws, never asserts on the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"

namespace bp::backends::openai {

inline constexpr size_t kMaxAnswerBytes = 64 * 1024 * 1024;

// What decoding needs from the request. Copied, so a decoder that outlives
// ModelBackend::Start keeps no reference to the request.
struct AnswerContext {
  std::string region;                       // names the server in messages
  std::vector<std::string> stop_sequences;  // to tell stop_sequence from end_turn
  int64_t input_estimate = 0;               // input tokens when the server reports none
};

// region, stop sequences and CountRequestTokens(request) (backends/tokenizer.h).
AnswerContext MakeAnswerContext(const ModelRequest& request);

struct ChatAnswer {
  std::vector<ContentBlock> blocks;  // kReasoning, kText, kToolUse, in index order
  StopReason stop_reason = StopReason::kEndTurn;
  std::string stop_sequence;  // kStopSequence only
  Usage usage;                // usage.estimated: some figure is the local estimate
};

// Decodes a 200 answer's body.
Result<ChatAnswer> DecodeChatCompletion(std::string_view body, const AnswerContext& context);

// Replays `answer` on `sink`: OnStart(usage.input_tokens), each block as its
// start, one delta (the whole text or input) and its stop, then OnFinish.
// When `cancelled` is given, it is read after every call and the replay stops
// as soon as it is true (an invocation destroyed from inside a callback sets
// it); `answer` is owned by the call so the sink may destroy whatever held it.
void EmitAnswer(ChatAnswer answer, OutputSink& sink, const bool* cancelled = nullptr);

}  // namespace bp::backends::openai
