// The output half of converse_wire.h: the Converse response JSON, the
// ConverseStream event frames and the CountTokens response. Written by hand
// into reserved strings (no json::value): this runs once per token.

#include "api/runtime/converse_wire.h"
#include "api/runtime/wire_util.h"
#include "eventstream/eventstream.h"

namespace bp::api::runtime {

namespace {

using backends::ContentBlock;

// One output content block; false when the kind has no Converse form.
bool AppendContentBlock(std::string& out, const ContentBlock& block) {
  switch (block.kind) {
    case ContentBlock::Kind::kText:
      out += "{\"text\":";
      AppendJsonString(out, block.text);
      out += '}';
      return true;
    case ContentBlock::Kind::kToolUse:
      out += "{\"toolUse\":{\"toolUseId\":";
      AppendJsonString(out, block.tool_use_id);
      out += ",\"name\":";
      AppendJsonString(out, block.tool_name);
      out += ",\"input\":";
      AppendJsonObjectText(out, block.input_json);
      out += "}}";
      return true;
    case ContentBlock::Kind::kReasoning:
      out += "{\"reasoningContent\":{\"reasoningText\":{\"text\":";
      AppendJsonString(out, block.text);
      if (!block.signature.empty()) {
        out += ",\"signature\":";
        AppendJsonString(out, block.signature);
      }
      out += "}}}";
      return true;
    case ContentBlock::Kind::kImage:
    case ContentBlock::Kind::kDocument:
    case ContentBlock::Kind::kVideo:
    case ContentBlock::Kind::kAudio:
    case ContentBlock::Kind::kSearchResult:
    case ContentBlock::Kind::kToolResult:
      return false;
  }
  return false;
}

void AppendMember(std::string& out, std::string_view name, int64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  AppendJsonInt(out, value);
}

void AppendUsage(std::string& out, const backends::Usage& usage) {
  out += "{\"inputTokens\":";
  AppendJsonInt(out, usage.input_tokens);
  AppendMember(out, "outputTokens", usage.output_tokens);
  AppendMember(out, "totalTokens",
               usage.input_tokens + usage.output_tokens + usage.cache_read_input_tokens +
                   usage.cache_write_input_tokens);
  if (usage.cache_read_input_tokens > 0) {
    AppendMember(out, "cacheReadInputTokens", usage.cache_read_input_tokens);
  }
  if (usage.cache_write_input_tokens > 0) {
    AppendMember(out, "cacheWriteInputTokens", usage.cache_write_input_tokens);
    // Per TTL, longest first; only the TTLs that were written.
    out += ",\"cacheDetails\":[";
    bool first = true;
    for (auto [ttl, tokens] :
         {std::pair<std::string_view, int64_t>{"1h", usage.cache_write_1h_tokens},
          {"5m", usage.cache_write_5m_tokens}}) {
      if (tokens <= 0) continue;
      if (!first) out += ',';
      first = false;
      out += "{\"ttl\":\"";
      out += ttl;
      out += "\"";
      AppendMember(out, "inputTokens", tokens);
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

void AppendServiceTier(std::string& out, std::optional<backends::ServiceTier> tier) {
  if (!tier) return;
  out += ",\"serviceTier\":{\"type\":";
  AppendJsonString(out, backends::ServiceTierName(*tier));
  out += '}';
}

void AppendTrace(std::string& out, std::string_view trace_json) {
  if (trace_json.empty()) return;
  out += ",\"trace\":";
  out += trace_json;
}

void AppendIndexPrefix(std::string& payload, int index) {
  payload += "{\"contentBlockIndex\":";
  AppendJsonInt(payload, index);
}

}  // namespace

std::string ConverseResponseJson(const backends::ModelResponse& response, int64_t latency_ms,
                                 std::optional<backends::ServiceTier> service_tier,
                                 std::string_view trace_json) {
  size_t text_bytes = 0;
  for (const ContentBlock& block : response.content) {
    text_bytes += block.text.size() + block.input_json.size() + 64;
  }
  std::string out;
  out.reserve(256 + text_bytes + text_bytes / 8);
  out += R"({"output":{"message":{"role":"assistant","content":[)";
  bool first = true;
  for (const ContentBlock& block : response.content) {
    size_t mark = out.size();
    if (!first) out += ',';
    if (AppendContentBlock(out, block)) {
      first = false;
    } else {
      out.resize(mark);  // a kind with no Converse form: no element, no comma
    }
  }
  out += "]}},\"stopReason\":";
  AppendJsonString(out, backends::StopReasonName(response.stop_reason));
  if (response.stop_reason == backends::StopReason::kStopSequence &&
      !response.stop_sequence.empty()) {
    out += R"(,"additionalModelResponseFields":{"delta":{"stop_sequence":)";
    AppendJsonString(out, response.stop_sequence);
    out += "}}";
  }
  out += ",\"usage\":";
  AppendUsage(out, response.usage);
  out += ",\"metrics\":{\"latencyMs\":";
  AppendJsonInt(out, latency_ms);
  out += '}';
  AppendServiceTier(out, service_tier);
  AppendTrace(out, trace_json);
  out += '}';
  return out;
}

void AppendConverseMessageStart(std::string& out) {
  eventstream::AppendEvent(out, "messageStart", R"({"role":"assistant"})");
}

void AppendConverseToolUseStart(std::string& out, int index, std::string_view id,
                                std::string_view name) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += R"(,"start":{"toolUse":{"toolUseId":)";
  AppendJsonString(payload, id);
  payload += ",\"name\":";
  AppendJsonString(payload, name);
  payload += "}}}";
  eventstream::AppendEvent(out, "contentBlockStart", payload);
}

void AppendConverseTextDelta(std::string& out, int index, std::string_view text) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += R"(,"delta":{"text":)";
  AppendJsonString(payload, text);
  payload += "}}";
  eventstream::AppendEvent(out, "contentBlockDelta", payload);
}

void AppendConverseToolInputDelta(std::string& out, int index, std::string_view fragment) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += R"(,"delta":{"toolUse":{"input":)";
  AppendJsonString(payload, fragment);
  payload += "}}}";
  eventstream::AppendEvent(out, "contentBlockDelta", payload);
}

void AppendConverseReasoningDelta(std::string& out, int index, std::string_view text) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += R"(,"delta":{"reasoningContent":{"text":)";
  AppendJsonString(payload, text);
  payload += "}}}";
  eventstream::AppendEvent(out, "contentBlockDelta", payload);
}

void AppendConverseReasoningSignature(std::string& out, int index, std::string_view signature) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += R"(,"delta":{"reasoningContent":{"signature":)";
  AppendJsonString(payload, signature);
  payload += "}}}";
  eventstream::AppendEvent(out, "contentBlockDelta", payload);
}

void AppendConverseBlockStop(std::string& out, int index) {
  std::string& payload = ScratchA();
  AppendIndexPrefix(payload, index);
  payload += '}';
  eventstream::AppendEvent(out, "contentBlockStop", payload);
}

void AppendConverseFinish(std::string& out, backends::StopReason reason,
                          const backends::Usage& usage, int64_t latency_ms,
                          std::optional<backends::ServiceTier> service_tier,
                          std::string_view trace_json) {
  std::string& payload = ScratchA();
  payload += "{\"stopReason\":";
  AppendJsonString(payload, backends::StopReasonName(reason));
  payload += '}';
  eventstream::AppendEvent(out, "messageStop", payload);

  payload.clear();
  payload += "{\"usage\":";
  AppendUsage(payload, usage);
  payload += ",\"metrics\":{\"latencyMs\":";
  AppendJsonInt(payload, latency_ms);
  payload += '}';
  AppendServiceTier(payload, service_tier);
  AppendTrace(payload, trace_json);
  payload += '}';
  eventstream::AppendEvent(out, "metadata", payload);
}

std::string CountTokensResponseJson(int64_t input_tokens) {
  std::string out = "{\"inputTokens\":";
  AppendJsonInt(out, input_tokens);
  out += '}';
  return out;
}

}  // namespace bp::api::runtime
