#include "backends/openai/chat_common.h"

#include <algorithm>

namespace bp::backends::openai {
namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string Reduced(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += IdChar(c) ? c : '_';
  return out;
}

// A count: a non-negative integer, or null / absent.
Status ReadCount(const json::Object& obj, std::string_view key, std::string_view path,
                 std::optional<int64_t>& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return Status::Ok();
  std::optional<int64_t> n = json::AsInt64(&it->value());
  if (!n && it->value().is_double()) {
    // Some servers write counts as 12.0.
    const double d = it->value().get_double();
    if (d >= 0 && d < 9e15 && d == static_cast<double>(static_cast<int64_t>(d))) {
      n = static_cast<int64_t>(d);
    }
  }
  if (!n || *n < 0) {
    return ValidationError(Expected(std::string(path) + "." + std::string(key),
                                    "a non-negative integer", it->value()));
  }
  out = n;
  return Status::Ok();
}

const json::Object* MemberObject(const json::Object& obj, std::string_view key) {
  const auto it = obj.find(key);
  return it != obj.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

Status CheckObjectOrNull(const json::Object& obj, std::string_view key, std::string_view path) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null() || it->value().is_object()) return Status::Ok();
  return ValidationError(
      Expected(std::string(path) + "." + std::string(key), "an object or null", it->value()));
}

}  // namespace

Status Malformed(ErrorCode code, std::string_view region, std::string_view detail) {
  return Status(code, "The OpenAI-compatible server at " + std::string(region) +
                          " answered a malformed chat completion: " + std::string(detail));
}

std::string Expected(std::string_view path, std::string_view what, const json::Value& got) {
  return std::string(path) + ": expected " + std::string(what) + ", got " +
         std::string(json::KindName(got));
}

Status ReadUsage(const json::Value& holder, std::string_view path, ServerUsage& out) {
  if (!holder.is_object()) return Status::Ok();
  const json::Object& obj = holder.get_object();
  BP_RETURN_IF_ERROR(CheckObjectOrNull(obj, "usage", path));
  BP_RETURN_IF_ERROR(CheckObjectOrNull(obj, "timings", path));
  if (const json::Object* usage = MemberObject(obj, "usage")) {
    const std::string p = std::string(path) + ".usage";
    BP_RETURN_IF_ERROR(ReadCount(*usage, "prompt_tokens", p, out.prompt));
    BP_RETURN_IF_ERROR(ReadCount(*usage, "completion_tokens", p, out.completion));
    BP_RETURN_IF_ERROR(CheckObjectOrNull(*usage, "prompt_tokens_details", p));
    if (const json::Object* details = MemberObject(*usage, "prompt_tokens_details")) {
      BP_RETURN_IF_ERROR(
          ReadCount(*details, "cached_tokens", p + ".prompt_tokens_details", out.cached));
    }
    return Status::Ok();
  }
  if (const json::Object* timings = MemberObject(obj, "timings")) {
    const std::string p = std::string(path) + ".timings";
    std::optional<int64_t> evaluated;
    std::optional<int64_t> cached;
    BP_RETURN_IF_ERROR(ReadCount(*timings, "prompt_n", p, evaluated));
    BP_RETURN_IF_ERROR(ReadCount(*timings, "cache_n", p, cached));
    BP_RETURN_IF_ERROR(ReadCount(*timings, "predicted_n", p, out.completion));
    if (evaluated) {
      out.prompt = *evaluated + cached.value_or(0);
      out.cached = cached;
    }
  }
  return Status::Ok();
}

Usage ResolveUsage(const ServerUsage& server, int64_t input_estimate, int64_t output_estimate) {
  Usage usage;
  usage.estimated = !server.prompt || !server.completion;
  if (server.prompt) {
    const int64_t cached = std::clamp<int64_t>(server.cached.value_or(0), 0, *server.prompt);
    usage.cache_read_input_tokens = cached;
    usage.input_tokens = *server.prompt - cached;
  } else {
    usage.input_tokens = input_estimate;
  }
  usage.output_tokens = server.completion ? *server.completion : output_estimate;
  return usage;
}

std::optional<std::string> ToolInputJson(std::string_view arguments) {
  if (std::all_of(arguments.begin(), arguments.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; })) {
    return std::string("{}");
  }
  Result<json::Value> parsed = json::Parse(arguments);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  return json::Serialize(*parsed);
}

std::string ToolUseId(std::string_view server_id, std::string_view completion_id, size_t n) {
  if (!server_id.empty()) return Reduced(server_id);
  std::string id = "call_";
  if (!completion_id.empty()) {
    id += completion_id.substr(0, 40);
    id += '_';
  }
  id += std::to_string(n);
  return Reduced(id);
}

StopChoice ChooseStop(const StopFacts& facts, const std::vector<std::string>& stop_sequences) {
  const std::string_view finish =
      facts.finish_reason ? std::string_view(*facts.finish_reason) : std::string_view();
  if (facts.malformed_tool_call) return {StopReason::kMalformedToolUse, ""};
  if (finish == "length") return {StopReason::kMaxTokens, ""};
  if (finish == "content_filter" || facts.refusal) return {StopReason::kContentFiltered, ""};
  if (facts.tool_calls) return {StopReason::kToolUse, ""};
  if (facts.matched_stop) {
    for (const std::string& s : stop_sequences) {
      if (s == *facts.matched_stop) return {StopReason::kStopSequence, s};
    }
  }
  if (finish == "stop" || finish.empty()) {
    // Servers strip the sequence they stopped on; one that keeps it shows
    // which. The longest match wins (one sequence may end another).
    const std::string* best = nullptr;
    for (const std::string& s : stop_sequences) {
      if (s.empty() || s.size() > facts.text_tail.size()) continue;
      if (facts.text_tail.substr(facts.text_tail.size() - s.size()) != s) continue;
      if (best == nullptr || s.size() > best->size()) best = &s;
    }
    if (best != nullptr) return {StopReason::kStopSequence, *best};
  }
  return {StopReason::kEndTurn, ""};
}

void AppendTail(std::string& tail, std::string_view text) {
  if (text.size() >= kMaxStopTail) {
    tail.assign(text.substr(text.size() - kMaxStopTail));
    return;
  }
  tail.append(text);
  if (tail.size() > 2 * kMaxStopTail) tail.erase(0, tail.size() - kMaxStopTail);
}

}  // namespace bp::backends::openai
