#pragma once
// SimulatedBackend: the built-in model, the offline default. It answers every
// request instantly-but-paced with a deterministic, readable answer, so the
// whole stack (wire formats, streaming, metering, routing) can be exercised
// without a network. Public header of bp_backends_simulated; only the
// composition root and tests name it.
//
// Behaviour (users and tests rely on it):
// - Deterministic: the same model_id, system, messages, tools, tool_choice,
//   stop_sequences, max_tokens, output_format and thinking_budget give the
//   same answer, whatever the region, time or build (a stable FNV-1a hash of
//   those fields but the last picks every choice).
// - Tokens: a token is a run of ASCII letters/digits or UTF-8 bytes (a run of
//   n bytes counts ceil(n / 6)) or one punctuation character; whitespace is
//   free. Input tokens: every system part, every message's text / tool-use
//   name and input / tool-result text and JSON / reasoning text, plus 4 per
//   message, plus each tool's name, description and schema text, plus the
//   output format's schema text, plus max(1, byte_size / 750) per image or
//   document. CountInputTokens returns
//   exactly the value later passed to OnStart. Output tokens: one per text
//   or reasoning delta (each delta is one token with the whitespace before
//   it, so the deltas concatenate to the text) plus the tokens of a tool
//   call's input JSON.
// - Text: when the last user message's text starts with "Say:" (ASCII
//   case-insensitive, after leading whitespace) the answer is exactly the
//   rest, trimmed. Otherwise a 25-80 token paragraph that names "Simulated
//   <model_id>", quotes the first 12 words of the last user text, gives the
//   system prompt's gist ("Following your instructions (\"…\")"), says which
//   turn this is when there is history, reports tool results carried by the
//   last user message ("The get_weather tool returned: \"…\"."), and adds 1-3
//   filler sentences. An answer without any token produces no content block.
// - Tools: offered tools are used when tool_choice is not kNone, the last
//   user message carries no tool result, and either tool_choice is
//   kAny / kTool or (kAuto) the last user text mentions a tool by name (ASCII
//   case-insensitive, '_'/'-' also matching a space, as a whole word; a
//   "Say:" request never triggers kAuto). kTool uses the named tool, kAny the
//   first mentioned tool or else the first tool, kAuto the first mentioned
//   tool. kAuto answers with the text block "I'll use <name> for that." at
//   index 0 and the tool_use block at index 1; kAny / kTool with the tool_use
//   block at index 0. The toolUseId is "tooluse_" + 22 [A-Za-z0-9]
//   characters. The input fills each required property (all properties when
//   none are required) from the tool's JSON schema, recursively: "$ref" to
//   "#/$defs/..." or "#/definitions/..." is followed; "const" or the first
//   "enum" value; "anyOf": the first branch that is not {"type":"null"}; a
//   type list: its first non-null type; integer / number 1; boolean true;
//   null; array: minItems items (one when "items" is given without
//   minItems; at most 100, at most maxItems); object: its properties as
//   above; string: a fixed valid value for a "format" (date-time
//   2025-01-01T12:00:00Z, date 2025-01-01, email user@example.com, uuid,
//   uri, ...), else for names containing city / location / place / country
//   the first Capitalized word of the last user text other than its first
//   word, else the last "double-quoted" string of that text, else "example".
//   Nesting deeper than 32 levels (a recursive schema) gives null. For a
//   schema in the structured-output subset the input validates against it.
//   A missing or malformed schema gives {}. The input JSON (compact) streams
//   as 2-4 OnToolInputDelta fragments. Stop reason kToolUse.
// - Structured output (request.output_format): the text answer is compact
//   JSON generated from the schema by the same rules, valid against it; a
//   "Say:" text that parses as JSON is answered as given instead (not
//   checked against the schema), any other "Say:" text is ignored (its
//   [stop reason] still applies). kAuto's preamble is left out (tool_use at
//   index 0). The schema text counts as input tokens and is part of the
//   hash.
//   A kTool choice naming a tool that is not offered ends the call with
//   OnError(kValidation) before any output.
// - Reasoning: with thinking_budget > 0 a reasoning block comes first (index
//   0; the answer's blocks follow at 1, 2, ...): a 20-70 token paragraph that
//   quotes the first 12 words of the last user text ("The user asks: …"),
//   gives the system prompt's gist and the turn number, says what the answer
//   will do ("I should call the get_weather tool …", "… answer directly …"),
//   and adds 1-2 filler thoughts; cut to thinking_budget tokens. Its deltas
//   are one token each, then OnReasoningSignature with 88 base64 characters
//   derived from the reasoning text alone (the same text always has the same
//   signature), then OnBlockStop. The answer after it is the one without
//   thinking, in the max_tokens left over. Reasoning tokens count as output
//   tokens and against max_tokens; stop sequences do not apply to them. A
//   thinking_budget not below the effective max_tokens (only possible when
//   the request says 0, so default_max_tokens applies) ends the call with
//   OnError(kValidation, "The model returned the following errors:
//   `max_tokens` must be greater than `thinking.budget_tokens`. …"). Reasoning
//   blocks sent back in the messages count as input (their text) and are
//   otherwise ignored; signatures are not checked.
// - Limits: stop sequences apply first: the text is cut just before the
//   earliest occurrence of any of them (the emitted text never contains it;
//   at one position the shortest wins), stop reason kStopSequence naming that
//   sequence, and no tool call follows. Then max_tokens (default_max_tokens
//   when the request says 0): the answer stops after that many output tokens,
//   stop reason kMaxTokens; a tool call that would not fit is left out.
// - Timing, on the caller's EventLoop: nothing happens inside Start. After
//   time_to_first_token comes OnStart, the first block start and the first
//   delta; then one delta every 1000 / tokens_per_second ms (the schedule is
//   kept on average despite millisecond rounding). A block stops right after
//   its last delta, the next block starts with its first delta, and OnFinish
//   follows the last delta in the same callback. With tokens_per_second <= 0
//   or >= 1000 everything comes in the first callback.
// - Prompt caching (prompt_cache.h has the rules): a request with cache
//   points is accounted against the shared PromptCache at Start (so an
//   attempt that fails over later has already written its prefixes).
//   OnPromptCache comes just before OnStart; OnStart and OnFinish's usage
//   carry input_tokens = CountInputTokens - cache read - cache write, and the
//   read / write (per TTL) counts. Without a cache, or for a model whose
//   catalog entry has no prompt caching, the counts are 0. The answer (text,
//   tool calls, stop reason) never depends on the cache state.
// - Cancellation: destroying the Invocation cancels its timer; the sink is
//   never touched after that. The handle may also be destroyed from inside a
//   sink callback (the invocation then stops at once).
//
// Thread-safe: no mutable state of its own (the PromptCache locks its
// shards); one backend serves every loop. The answer is
// computed once at Start; deltas are slices of it (no per-delta allocation
// beyond the loop's timer).

#include <chrono>
#include <cstdint>
#include <memory>

#include "backends/backend.h"

namespace bp::backends::simulated {

struct SimulatedOptions {
  std::chrono::milliseconds time_to_first_token{200};  // negative counts as 0
  double tokens_per_second = 150;                      // <= 0 or >= 1000: all output at once
  int32_t default_max_tokens = 4096;  // when the request says 0; <= 0 counts as 4096
};

class PromptCache;

class SimulatedBackend final : public ModelBackend {
 public:
  // `prompt_cache` (may be null: nothing is ever cached) is shared by the
  // backends of a process and must outlive this backend.
  explicit SimulatedBackend(SimulatedOptions options = {}, PromptCache* prompt_cache = nullptr);
  SimulatedBackend(const SimulatedBackend&) = delete;
  SimulatedBackend& operator=(const SimulatedBackend&) = delete;

  std::unique_ptr<Invocation> Start(const ModelRequest& request, EventLoop& loop,
                                    OutputSink& sink) override;
  int64_t CountInputTokens(const ModelRequest& request) const override;

 private:
  const SimulatedOptions options_;
  PromptCache* const prompt_cache_;
};

}  // namespace bp::backends::simulated
