#include "backends/simulated/prose.h"

#include <array>
#include <vector>

#include "backends/tokenizer.h"

namespace bp::backends::simulated {
namespace {

constexpr std::array<std::string_view, 8> kFillers = {
    "In a real deployment a foundation model would answer here.",
    "This answer was produced offline, so it costs nothing and repeats exactly for the same "
    "request.",
    "Token counts follow one simple tokenizer, so metering can be checked by hand.",
    "Start a message with \"Say:\" and I will repeat the rest of it word for word.",
    "When streamed, this text arrives one token at a time.",
    "No data left this machine to produce this reply.",
    "Routing and failover behave here as they would in front of a real model.",
    "Each region can be given its own pace and injected faults in the config.",
};
constexpr int64_t kMinTokens = 25;
constexpr int64_t kMaxTokens = 80;  // fillers past the minimum must fit under this

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Largest length <= `max` that does not end inside a UTF-8 sequence.
size_t CharBoundary(std::string_view s, size_t max) {
  if (max >= s.size()) return s.size();
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return max;
}

std::string Plural(int n, std::string_view noun) {
  std::string out = std::to_string(n) + " " + std::string(noun);
  if (n != 1) out += 's';
  return out;
}

// " You attached 2 images, 1 video and 1 audio clip." and " You gave me 3
// search results." (nothing when there are none).
void AppendAttachments(const Conversation& conv, std::string& out) {
  std::vector<std::string> parts;
  if (conv.images > 0) parts.push_back(Plural(conv.images, "image"));
  if (conv.documents > 0) parts.push_back(Plural(conv.documents, "document"));
  if (conv.videos > 0) parts.push_back(Plural(conv.videos, "video"));
  if (conv.audio_clips > 0) parts.push_back(Plural(conv.audio_clips, "audio clip"));
  if (!parts.empty()) {
    out += " You attached ";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
      out += parts[i];
    }
    out += '.';
  }
  if (conv.search_results > 0) {
    out += " You gave me " + Plural(conv.search_results, "search result") + '.';
  }
}

void AppendToolResults(const ModelRequest& request, const Conversation& conv, std::string& out) {
  for (size_t i = 0; i < conv.tool_results.size() && i < 2; ++i) {
    const ContentBlock& result = *conv.tool_results[i];
    const std::string_view name = ToolNameForUse(request, result.tool_use_id);
    out += name.empty() ? std::string(" The tool") : " The " + std::string(name) + " tool";
    const std::string_view content = result.text.empty() ? result.input_json : result.text;
    if (Trim(content).empty()) {
      out += result.is_error ? " reported an error." : " returned nothing.";
      continue;
    }
    out += result.is_error ? " reported an error: \"" : " returned: \"";
    out += QuoteStart(content, 12, 100);
    out += "\".";
  }
}

void AppendFillers(uint64_t hash, std::string& out) {
  const size_t wanted = 1 + Mix(hash, 1) % 3;
  const size_t start = Mix(hash, 2) % kFillers.size();
  const size_t stride = 2 * (Mix(hash, 3) % (kFillers.size() / 2)) + 1;  // odd: visits all
  int64_t tokens = CountTokens(out);
  for (size_t k = 0; k < kFillers.size(); ++k) {
    const std::string_view filler = kFillers[(start + k * stride) % kFillers.size()];
    const int64_t filler_tokens = CountTokens(filler);
    const bool wanted_and_fits = k < wanted && tokens + filler_tokens <= kMaxTokens;
    if (k > 0 && tokens >= kMinTokens && !wanted_and_fits) break;
    out += ' ';
    out += filler;
    tokens += filler_tokens;
  }
}

}  // namespace

std::optional<SayControl> ParseSay(std::string_view user_text) {
  std::string_view s = Trim(user_text);
  constexpr std::string_view kSay = "say";
  if (s.size() < kSay.size() + 1) return std::nullopt;
  for (size_t i = 0; i < kSay.size(); ++i) {
    if (AsciiLower(s[i]) != kSay[i]) return std::nullopt;
  }
  s.remove_prefix(kSay.size());
  SayControl control;
  if (s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return std::nullopt;
    }
    const std::string_view name = s.substr(1, close - 1);
    static constexpr StopReason kAllowed[] = {
        StopReason::kContentFiltered, StopReason::kMalformedModelOutput,
        StopReason::kMalformedToolUse, StopReason::kModelContextWindowExceeded,
        StopReason::kEndTurn};
    for (StopReason reason : kAllowed) {
      if (StopReasonName(reason) == name) control.stop_reason = reason;
    }
    if (!control.stop_reason) {
      std::string names;
      for (StopReason reason : kAllowed) {
        names += (names.empty() ? "" : ", ") + std::string(StopReasonName(reason));
      }
      control.error = ValidationError(
          "The simulated model's Say[...] control names no stop "
          "reason it can produce: '" +
          std::string(name) + "'. Use one of: " + names + ".");
    }
    s.remove_prefix(close + 1);
  } else if (s.front() != ':') {
    return std::nullopt;
  }
  control.text = Trim(s.substr(1));
  return control;
}

std::optional<std::string_view> SayText(std::string_view user_text) {
  std::optional<SayControl> control = ParseSay(user_text);
  if (!control) return std::nullopt;
  return control->text;
}

std::string QuoteStart(std::string_view text, size_t max_words, size_t max_bytes) {
  std::string out;
  bool cut = false;
  size_t words = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && IsWhitespace(text[pos])) ++pos;
    if (pos == text.size()) break;
    size_t end = pos;
    while (end < text.size() && !IsWhitespace(text[end])) ++end;
    if (words == max_words) {
      cut = true;
      break;
    }
    if (words++ > 0) out += ' ';
    out.append(text.substr(pos, end - pos));
    pos = end;
  }
  if (out.size() > max_bytes) {
    out.resize(CharBoundary(out, max_bytes));
    cut = true;
  }
  for (char& c : out) {
    if (c == '"') c = '\'';
  }
  if (cut) out += "\xE2\x80\xA6";  // "…"
  return out;
}

std::string ComposeProse(const ModelRequest& request, const Conversation& conv, uint64_t hash) {
  std::string out = "Simulated ";
  out += request.model_id.empty() ? std::string_view("model") : request.model_id;
  out += " here.";
  if (!Trim(conv.last_user_text).empty()) {
    out += " You wrote: \"" + QuoteStart(conv.last_user_text, 12, 100) + "\".";
  } else if (conv.tool_results.empty()) {
    out += " Your message had no text.";
  }
  AppendAttachments(conv, out);
  std::string system;
  for (const std::string& part : request.system) system += part + " ";
  if (!Trim(system).empty()) {
    out += " Following your instructions (\"" + QuoteStart(system, 8, 60) +
           "\"), I keep this answer short.";
  }
  if (conv.has_history) {
    out += " This is turn " + std::to_string(conv.user_turns) + " of our conversation.";
  }
  AppendToolResults(request, conv, out);
  AppendFillers(hash, out);
  return out;
}

}  // namespace bp::backends::simulated
