// The output half of anthropic_wire.h: message ids, the InvokeModel response
// JSON and the InvokeModelWithResponseStream chunk frames. Written by hand
// into reserved strings (no json::value): the deltas run once per token.

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/wire_util.h"
#include "eventstream/eventstream.h"

namespace bp::api::runtime {

namespace {

using backends::ContentBlock;

// Wraps the Anthropic event in `event` as one chunk frame:
// {"bytes":"<base64 of the event>"}.
void AppendChunk(std::string& out, std::string_view event) {
  std::string& payload = ScratchB();
  payload += "{\"bytes\":\"";
  AppendBase64(payload, event);
  payload += "\"}";
  eventstream::AppendEvent(out, "chunk", payload);
}

// {"type":"<type>","index":<index>
void AppendEventHead(std::string& event, std::string_view type, int index) {
  event += "{\"type\":\"";
  event += type;
  event += "\",\"index\":";
  AppendJsonInt(event, index);
}

void AppendNamed(std::string& out, std::string_view name, int64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  AppendJsonInt(out, value);
}

// {"input_tokens":..,"cache_creation_input_tokens":..,"cache_read_input_tokens":..
// [,"cache_creation":{"ephemeral_5m_input_tokens":..,"ephemeral_1h_input_tokens":..}]
// without the closing brace (the caller adds output_tokens). The per-TTL
// split is sent when the call read or wrote the cache.
void AppendInputUsage(std::string& out, const backends::Usage& usage) {
  out += "{\"input_tokens\":";
  AppendJsonInt(out, usage.input_tokens);
  AppendNamed(out, "cache_creation_input_tokens", usage.cache_write_input_tokens);
  AppendNamed(out, "cache_read_input_tokens", usage.cache_read_input_tokens);
  if (usage.cache_write_input_tokens > 0 || usage.cache_read_input_tokens > 0) {
    out += ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":";
    AppendJsonInt(out, usage.cache_write_5m_tokens);
    AppendNamed(out, "ephemeral_1h_input_tokens", usage.cache_write_1h_tokens);
    out += '}';
  }
}

void AppendStopSequence(std::string& out, backends::StopReason reason, std::string_view sequence) {
  out += ",\"stop_sequence\":";
  if (reason == backends::StopReason::kStopSequence) {
    AppendJsonString(out, sequence);
  } else {
    out += "null";
  }
}

// One response content block; false when the kind has no Anthropic form.
bool AppendContentBlock(std::string& out, const ContentBlock& block) {
  switch (block.kind) {
    case ContentBlock::Kind::kText:
      out += "{\"type\":\"text\",\"text\":";
      AppendJsonString(out, block.text);
      out += '}';
      return true;
    case ContentBlock::Kind::kToolUse:
      out += "{\"type\":\"tool_use\",\"id\":";
      AppendJsonString(out, block.tool_use_id);
      out += ",\"name\":";
      AppendJsonString(out, block.tool_name);
      out += ",\"input\":";
      AppendJsonObjectText(out, block.input_json);
      out += '}';
      return true;
    case ContentBlock::Kind::kReasoning:
      out += "{\"type\":\"thinking\",\"thinking\":";
      AppendJsonString(out, block.text);
      out += ",\"signature\":";
      AppendJsonString(out, block.signature);
      out += '}';
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

}  // namespace

std::string_view AnthropicStopReasonName(backends::StopReason reason) {
  using backends::StopReason;
  switch (reason) {
    case StopReason::kEndTurn:
    case StopReason::kMaxTokens:
    case StopReason::kStopSequence:
    case StopReason::kToolUse:
    case StopReason::kModelContextWindowExceeded:
      return backends::StopReasonName(reason);
    case StopReason::kContentFiltered:
      return "refusal";
    case StopReason::kGuardrailIntervened:
    case StopReason::kMalformedModelOutput:
    case StopReason::kMalformedToolUse:
      return "end_turn";
  }
  return "end_turn";
}

std::string NewAnthropicMessageId(Random& random) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "msg_bdrk_";
  // 8 base-62 digits per 64-bit draw: 62^8 divides 2^64 with a bias of
  // about 1e-5, far below anything an id needs.
  for (int draw = 0; draw < 3; ++draw) {
    uint64_t n = random.Next();
    for (int i = 0; i < 8; ++i) {
      id += kAlphabet[n % 62];
      n /= 62;
    }
  }
  return id;
}

std::string AnthropicResponseJson(const backends::ModelResponse& response,
                                  std::string_view message_id, std::string_view api_model_name) {
  size_t text_bytes = 0;
  for (const ContentBlock& block : response.content) {
    text_bytes += block.text.size() + block.input_json.size() + 64;
  }
  std::string out;
  out.reserve(320 + text_bytes + text_bytes / 8);
  out += "{\"id\":";
  AppendJsonString(out, message_id);
  out += R"(,"type":"message","role":"assistant","model":)";
  AppendJsonString(out, api_model_name);
  out += ",\"content\":[";
  bool first = true;
  for (const ContentBlock& block : response.content) {
    size_t mark = out.size();
    if (!first) out += ',';
    if (AppendContentBlock(out, block)) {
      first = false;
    } else {
      out.resize(mark);  // a kind with no Anthropic form: no element, no comma
    }
  }
  out += "],\"stop_reason\":";
  AppendJsonString(out, AnthropicStopReasonName(response.stop_reason));
  AppendStopSequence(out, response.stop_reason, response.stop_sequence);
  out += ",\"usage\":";
  AppendInputUsage(out, response.usage);
  AppendNamed(out, "output_tokens", response.usage.output_tokens);
  out += "}}";
  return out;
}

void AppendAnthropicMessageStart(std::string& out, std::string_view message_id,
                                 std::string_view api_model_name, const backends::Usage& usage) {
  std::string& event = ScratchA();
  event += R"({"type":"message_start","message":{"id":)";
  AppendJsonString(event, message_id);
  event += R"(,"type":"message","role":"assistant","model":)";
  AppendJsonString(event, api_model_name);
  event += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":)";
  AppendInputUsage(event, usage);
  event += R"(,"output_tokens":0}}})";
  AppendChunk(out, event);
}

void AppendAnthropicTextStart(std::string& out, int index) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_start", index);
  event += R"(,"content_block":{"type":"text","text":""}})";
  AppendChunk(out, event);
}

void AppendAnthropicToolUseStart(std::string& out, int index, std::string_view id,
                                 std::string_view name) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_start", index);
  event += R"(,"content_block":{"type":"tool_use","id":)";
  AppendJsonString(event, id);
  event += ",\"name\":";
  AppendJsonString(event, name);
  event += ",\"input\":{}}}";
  AppendChunk(out, event);
}

void AppendAnthropicTextDelta(std::string& out, int index, std::string_view text) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_delta", index);
  event += R"(,"delta":{"type":"text_delta","text":)";
  AppendJsonString(event, text);
  event += "}}";
  AppendChunk(out, event);
}

void AppendAnthropicToolInputDelta(std::string& out, int index, std::string_view fragment) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_delta", index);
  event += R"(,"delta":{"type":"input_json_delta","partial_json":)";
  AppendJsonString(event, fragment);
  event += "}}";
  AppendChunk(out, event);
}

void AppendAnthropicThinkingStart(std::string& out, int index) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_start", index);
  event += R"(,"content_block":{"type":"thinking","thinking":"","signature":""}})";
  AppendChunk(out, event);
}

void AppendAnthropicThinkingDelta(std::string& out, int index, std::string_view thinking) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_delta", index);
  event += R"(,"delta":{"type":"thinking_delta","thinking":)";
  AppendJsonString(event, thinking);
  event += "}}";
  AppendChunk(out, event);
}

void AppendAnthropicSignatureDelta(std::string& out, int index, std::string_view signature) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_delta", index);
  event += R"(,"delta":{"type":"signature_delta","signature":)";
  AppendJsonString(event, signature);
  event += "}}";
  AppendChunk(out, event);
}

void AppendAnthropicBlockStop(std::string& out, int index) {
  std::string& event = ScratchA();
  AppendEventHead(event, "content_block_stop", index);
  event += '}';
  AppendChunk(out, event);
}

void AppendAnthropicFinish(std::string& out, backends::StopReason reason,
                           std::string_view stop_sequence, const InvocationMetrics& metrics) {
  std::string& event = ScratchA();
  event += R"({"type":"message_delta","delta":{"stop_reason":)";
  AppendJsonString(event, AnthropicStopReasonName(reason));
  AppendStopSequence(event, reason, stop_sequence);
  event += "},\"usage\":{\"output_tokens\":";
  AppendJsonInt(event, metrics.output_tokens);
  event += "}}";
  AppendChunk(out, event);

  event.clear();
  event += R"({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":)";
  AppendJsonInt(event, metrics.input_tokens);
  AppendNamed(event, "outputTokenCount", metrics.output_tokens);
  AppendNamed(event, "invocationLatency", metrics.invocation_latency_ms);
  AppendNamed(event, "firstByteLatency", metrics.first_byte_latency_ms);
  if (metrics.cache_read_input_tokens > 0) {
    AppendNamed(event, "cacheReadInputTokenCount", metrics.cache_read_input_tokens);
  }
  if (metrics.cache_write_input_tokens > 0) {
    AppendNamed(event, "cacheWriteInputTokenCount", metrics.cache_write_input_tokens);
  }
  event += "}}";
  AppendChunk(out, event);
}

}  // namespace bp::api::runtime
