#pragma once
// A streaming chat-completions answer (text/event-stream of
// chat.completion.chunk objects) as OutputSink calls, made as the bytes
// arrive. Public header of bp_backends_openai; pure code, no I/O: the HTTP
// client feeds the body with Feed() and calls Finish() when it ends.
//
// Understood (OpenAI, vLLM, llama-server, Ollama, LM Studio shapes):
// - events: "data: {chunk}", "data: [DONE]", comments and keep-alives,
//   llama-server's "error: {...}" lines and "data: {"error": {...}}"
//   (sse_decoder.h has the framing).
// - a chunk's choices[0].delta: reasoning_content (else reasoning) ->
//   reasoning block deltas; content -> text block deltas, passed on as they
//   come; refusal -> text (and stop reason content_filtered); tool_calls
//   [{index, id, function: {name, arguments}}]: id and name first, then
//   argument fragments. A delta for a known index with a different id starts
//   a new call (servers that send each call whole at index 0).
// - finish_reason and vLLM's stop_reason wherever they come; usage in any
//   chunk (the last one wins: OpenAI/vLLM's include_usage chunk with empty
//   choices, vLLM's continuous usage, llama-server's last chunk) or
//   llama-server's `timings`; the stream may carry no usage at all.
//
// Output order (backend.h): OnStart comes with the first produced content
// (or at the end for an empty answer), so an error event before any content
// is an error before OnStart and may fail over. OnStart's input_tokens is the
// context's input_estimate (servers report usage only at the end); OnFinish
// carries the server's figures, or the estimate with usage_estimated() set.
// A block is closed when content of another kind begins. Tool calls are
// buffered until complete (the next content of another kind, the finish or
// the end), then sent as one block each: start, one delta with the compact
// input JSON, stop; a call whose arguments are not a JSON object (or that has
// no name) is dropped and the stop reason becomes malformed_tool_use, so a
// client never receives tool input it cannot parse. Stop reasons and usage:
// chat_common.h. OnFinish comes at "[DONE]" or at Finish() once a
// finish_reason was seen; events after [DONE] are ignored.
//
// Errors (exactly one OnError, then nothing; Feed / Finish do nothing more):
// - an error object in the stream: EmbeddedErrorStatus (upstream_error.h);
//   after OnStart, codes other than kThrottling / kServiceUnavailable become
//   kModelStreamError.
// - malformed data (not JSON, a member of the wrong kind, an event over
//   kMaxSseEventBytes, too many tool calls or blocks, tool arguments over 4
//   MiB) and a body that ends with neither [DONE] nor a finish_reason:
//   kModelError before OnStart, kModelStreamError after, "The
//   OpenAI-compatible server at <region> answered a malformed chat
//   completion: <what>".
//
// Lifetime: the translator may be destroyed from inside any sink callback;
// Feed / Finish then return at once without touching it. The string_views
// handed to the sink are valid for the call only. Not thread-safe: one per
// stream, used on one loop.

#include <memory>
#include <string_view>

#include "backends/backend.h"
#include "backends/openai/chat_answer.h"

namespace bp::backends::openai {

class ChatStreamTranslator final {
 public:
  // `sink` must outlive the translator or its terminal call.
  ChatStreamTranslator(AnswerContext context, OutputSink& sink);
  ~ChatStreamTranslator();
  ChatStreamTranslator(const ChatStreamTranslator&) = delete;
  ChatStreamTranslator& operator=(const ChatStreamTranslator&) = delete;

  // Bytes of the response body, split anywhere.
  void Feed(std::string_view bytes);
  // The body ended.
  void Finish();

  // OnFinish or OnError was called.
  bool done() const;
  // OnStart was called.
  bool started() const;
  // Some figure of OnFinish's usage is the local estimate (also in
  // Usage::estimated). Set before OnFinish is called.
  bool usage_estimated() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bp::backends::openai
