#pragma once
// The simulated model's reasoning (extended thinking): the short paragraph it
// "thinks" before answering, and the block's signature. Private to
// bp_backends_simulated. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "backends/simulated/conversation.h"

namespace bp::backends::simulated {

// What the answer that follows the reasoning will do.
struct ReasoningPlan {
  const Tool* tool = nullptr;  // the tool the answer calls, if any
  bool say = false;            // a "Say:" request: the answer repeats the user's words
};

// A paragraph of about 20-70 tokens, fixed by `hash`: "The user asks:
// \"<the first 12 words of the last user text>\"." (or what the last user
// message carries instead), the gist of the system prompt, the turn number
// when there is history, what the answer will do (call the tool, repeat the
// words, report the tool results, or answer directly), then 1-2 filler
// sentences from a built-in list.
std::string ComposeReasoning(const ModelRequest& request, const Conversation& conv,
                             const ReasoningPlan& plan, uint64_t hash);

// The signature of a reasoning block with text `reasoning`: 64 bytes derived
// from the text's FNV-1a hash, base64-encoded (88 characters). Deterministic:
// the same text always has the same signature.
std::string ReasoningSignature(std::string_view reasoning);

}  // namespace bp::backends::simulated
