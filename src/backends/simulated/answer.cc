#include "backends/simulated/answer.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "backends/simulated/conversation.h"
#include "backends/simulated/prose.h"
#include "backends/simulated/reasoning.h"
#include "backends/simulated/tool_call.h"
#include "backends/tokenizer.h"
#include "json/json.h"

namespace bp::backends::simulated {
namespace {

struct StopMatch {
  size_t pos = std::string_view::npos;
  const std::string* sequence = nullptr;
};

// The earliest occurrence in `window` of any non-empty stop sequence; at
// equal positions the shortest wins (it would be generated first).
StopMatch FindStop(std::string_view window, const std::vector<std::string>& stops) {
  StopMatch best;
  for (const std::string& stop : stops) {
    if (stop.empty()) continue;
    const size_t pos = window.find(stop);
    if (pos == std::string_view::npos) continue;
    if (best.sequence == nullptr || pos < best.pos ||
        (pos == best.pos && stop.size() < best.sequence->size())) {
      best = {pos, &stop};
    }
  }
  return best;
}

size_t LongestStop(const std::vector<std::string>& stops) {
  size_t longest = 0;
  for (const std::string& stop : stops) longest = std::max(longest, stop.size());
  return longest;
}

// Adds the text block: stop sequences cut first, then `budget` tokens.
void PlanText(std::string text, const std::vector<std::string>& stops, size_t budget,
              Answer& answer) {
  std::vector<uint32_t> ends;
  bool fits = SplitTokens(text, budget, ends);
  // Only a sequence starting before the first token past the budget can end
  // the answer, which bounds the search for very long "Say:" texts.
  size_t reach = text.size();
  if (!fits) {
    size_t next_token = ends.back();
    while (next_token < text.size() && IsWhitespace(text[next_token])) ++next_token;
    reach = std::min(text.size(), next_token + LongestStop(stops));
  }
  const StopMatch stop = FindStop(std::string_view(text).substr(0, reach), stops);
  if (stop.sequence != nullptr) {
    text.resize(stop.pos);
    answer.stop_reason = StopReason::kStopSequence;
    answer.stop_sequence = *stop.sequence;
    ends.clear();
    fits = SplitTokens(text, budget, ends);
  }
  if (!fits) {
    text.resize(ends.back());
    answer.stop_reason = StopReason::kMaxTokens;
    answer.stop_sequence.clear();
  }
  answer.output_tokens += static_cast<int64_t>(ends.size());
  if (ends.empty()) return;
  PlannedBlock& block = answer.blocks.emplace_back();
  block.body = std::move(text);
  block.ends = std::move(ends);
}

void PlanToolUse(const Tool& tool, const Conversation& conv, uint64_t hash, size_t budget,
                 Answer& answer) {
  std::string input = FillToolInput(tool.input_schema_json, conv.last_user_text);
  const int64_t tokens = CountTokens(input);
  if (answer.output_tokens + tokens > static_cast<int64_t>(budget)) {
    // A cut-off tool call would be unusable JSON; end without it.
    answer.stop_reason = StopReason::kMaxTokens;
    return;
  }
  PlannedBlock& block = answer.blocks.emplace_back();
  block.tool_use = true;
  block.tool_use_id = ToolUseId(hash);
  block.tool_name = tool.name;
  SplitFragments(input, hash, block.ends);
  block.body = std::move(input);
  answer.output_tokens += tokens;
  answer.stop_reason = StopReason::kToolUse;
}

// Adds the reasoning block (at most `thinking_budget` tokens), first.
void PlanReasoning(std::string text, size_t thinking_budget, Answer& answer) {
  std::vector<uint32_t> ends;
  if (!SplitTokens(text, thinking_budget, ends)) text.resize(ends.back());
  if (ends.empty()) return;
  answer.output_tokens += static_cast<int64_t>(ends.size());
  PlannedBlock& block = answer.blocks.emplace_back();
  block.reasoning = true;
  block.signature = ReasoningSignature(text);
  block.body = std::move(text);
  block.ends = std::move(ends);
}

}  // namespace

Answer ComposeAnswer(const ModelRequest& request, int32_t default_max_tokens) {
  Answer answer;
  answer.input_tokens = CountRequestTokens(request);
  const Conversation conv = ViewConversation(request);
  Result<ToolDecision> decision = DecideTool(request, conv);
  if (!decision.ok()) {
    answer.error = decision.status();
    return answer;
  }
  const uint64_t hash = HashRequest(request);
  const size_t budget =
      static_cast<size_t>(request.max_tokens > 0 ? request.max_tokens : default_max_tokens);
  const Tool* tool = decision->tool;
  std::string text;
  std::optional<StopReason> say_reason;
  bool say_request = false;
  if (tool == nullptr) {
    const std::optional<SayControl> say = ParseSay(conv.last_user_text);
    if (say && !say->error.ok()) {
      answer.error = say->error;
      return answer;
    }
    if (say) say_reason = say->stop_reason;
    say_request = say.has_value();
    if (request.output_format) {
      // Structured output: a "Say:" text that is JSON is answered as given
      // (the caller scripted it; it is not checked against the schema);
      // otherwise the value generated from the schema.
      const bool say_json = say && json::Parse(say->text).ok();
      text = say_json ? std::string(say->text)
                      : FillFromSchema(request.output_format->schema_json, conv.last_user_text);
    } else {
      text = say ? std::string(say->text) : ComposeProse(request, conv, hash);
    }
  } else if (decision->preamble && !request.output_format) {
    text = "I'll use " + tool->name + " for that.";
  }
  if (request.thinking_budget > 0) {
    if (static_cast<size_t>(request.thinking_budget) >= budget) {
      // Only reachable without an explicit max_tokens (the wire parsers check
      // the explicit one); Converse is the only format where it is optional.
      answer.error = ValidationError(
          "The model returned the following errors: `max_tokens` must be greater than "
          "`thinking.budget_tokens`. Please consult our documentation at "
          "https://docs.claude.com/en/docs/build-with-claude/"
          "extended-thinking#max-tokens-and-context-window-size");
      return answer;
    }
    const ReasoningPlan plan{.tool = tool, .say = say_request};
    PlanReasoning(ComposeReasoning(request, conv, plan, hash),
                  static_cast<size_t>(request.thinking_budget), answer);
  }
  PlanText(std::move(text), request.stop_sequences,
           budget - static_cast<size_t>(answer.output_tokens), answer);
  if (say_reason && answer.stop_reason == StopReason::kEndTurn) {
    answer.stop_reason = *say_reason;
    return answer;
  }
  if (tool != nullptr && answer.stop_reason == StopReason::kEndTurn) {
    PlanToolUse(*tool, conv, hash, budget, answer);
  }
  return answer;
}

}  // namespace bp::backends::simulated
