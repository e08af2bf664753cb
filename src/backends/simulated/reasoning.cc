#include "backends/simulated/reasoning.h"

#include <array>

#include "backends/simulated/prose.h"
#include "backends/tokenizer.h"
#include "core/base64.h"

namespace bp::backends::simulated {
namespace {

constexpr std::array<std::string_view, 6> kThoughts = {
    "Nothing here needs outside facts, so I can answer from the request alone.",
    "A short, plain answer serves this best.",
    "I will keep the wording close to what was asked.",
    "There is no ambiguity worth a clarifying question.",
    "I should not add anything the user did not ask for.",
    "Checking once more: the request is clear, so I can write the answer now.",
};

bool Blank(std::string_view s) {
  for (char c : s) {
    if (!IsWhitespace(c)) return false;
  }
  return true;
}

}  // namespace

std::string ComposeReasoning(const ModelRequest& request, const Conversation& conv,
                             const ReasoningPlan& plan, uint64_t hash) {
  std::string out;
  if (!Blank(conv.last_user_text)) {
    out += "The user asks: \"" + QuoteStart(conv.last_user_text, 12, 100) + "\".";
  } else if (!conv.tool_results.empty()) {
    out += "The user sent back tool results.";
  } else {
    out += "The user's message has no text.";
  }
  std::string system;
  for (const std::string& part : request.system) system += part + " ";
  if (!Blank(system)) {
    out += " My instructions say \"" + QuoteStart(system, 8, 60) + "\", so I should comply.";
  }
  if (conv.has_history) {
    out += " This is turn " + std::to_string(conv.user_turns) +
           " of the conversation, so the earlier turns matter.";
  }
  if (plan.tool != nullptr) {
    out += " I should call the " + plan.tool->name + " tool to answer this.";
  } else if (plan.say) {
    out += " They want their words repeated exactly, so I will say just that.";
  } else if (!conv.tool_results.empty()) {
    const std::string_view name = ToolNameForUse(request, conv.tool_results[0]->tool_use_id);
    out += " I should report what the " +
           (name.empty() ? std::string("tool") : std::string(name) + " tool") + " returned.";
  } else {
    out += " I should answer directly and briefly.";
  }
  const size_t wanted = 1 + Mix(hash, 11) % 2;
  const size_t start = Mix(hash, 12) % kThoughts.size();
  for (size_t k = 0; k < wanted; ++k) {
    out += ' ';
    out += kThoughts[(start + k) % kThoughts.size()];
  }
  return out;
}

std::string ReasoningSignature(std::string_view reasoning) {
  Fnv1a h;
  h.Add("reasoning-signature");
  h.Add(reasoning);
  std::string bytes;
  bytes.reserve(64);
  for (uint64_t i = 0; i < 8; ++i) {
    const uint64_t word = Mix(h.value(), 100 + i);
    for (int b = 0; b < 8; ++b) bytes += static_cast<char>(word >> (8 * b));
  }
  return Base64Encode(bytes);
}

}  // namespace bp::backends::simulated
