#pragma once
// The simulated model's text answers. Private to bp_backends_simulated. Pure
// functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "backends/simulated/conversation.h"

namespace bp::backends::simulated {

// A "Say:" control: `user_text` starts (ASCII case-insensitive, after
// leading whitespace) with "Say:" or "Say[<stop reason>]:"; `text` is the
// rest with surrounding whitespace trimmed. The bracketed form ends the
// answer with that stop reason (when neither a stop sequence nor max_tokens
// ends it first): one of content_filtered, malformed_model_output,
// malformed_tool_use, model_context_window_exceeded, end_turn. Any other
// name in the brackets is `error` (kValidation, listing the names).
struct SayControl {
  std::string_view text;
  std::optional<StopReason> stop_reason;
  Status error;
};
std::optional<SayControl> ParseSay(std::string_view user_text);

// ParseSay's text, for either form; else nullopt.
std::optional<std::string_view> SayText(std::string_view user_text);

// The first `max_words` whitespace-separated words of `text` joined by single
// spaces, cut to at most `max_bytes` bytes on a UTF-8 character boundary,
// with '"' replaced by '\'' and "…" appended when anything was left out.
std::string QuoteStart(std::string_view text, size_t max_words, size_t max_bytes);

// A readable paragraph of about 25-80 tokens, fixed by `hash`: names
// "simulated <model_id>", quotes the start of the last user text, gives the
// gist of the system prompt ("Following your instructions (…)"), says which
// turn this is when there is history, reports the tool results carried by
// the last user message, then 1-3 filler sentences from a built-in list.
std::string ComposeProse(const ModelRequest& request, const Conversation& conv, uint64_t hash);

}  // namespace bp::backends::simulated
