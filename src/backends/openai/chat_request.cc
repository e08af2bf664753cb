#include "backends/openai/chat_request.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "json/json.h"
#include "json/writer.h"

namespace bp::backends::openai {
namespace {

using Kind = ContentBlock::Kind;

std::string Where(const ModelRequest& request) {
  return request.region.empty() ? std::string("this region") : "region " + request.region;
}

// The refusal of a field the format has no counterpart for.
Status Refuse(const ModelRequest& request, std::string_view field, std::string_view what) {
  return ValidationError(std::string(field) + ": " + std::string(what) +
                         " is not supported: " + Where(request) +
                         " answers from an OpenAI-compatible chat-completions server");
}

std::string BlockPath(size_t message, size_t block) {
  return "messages." + std::to_string(message) + ".content." + std::to_string(block);
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kDocument:
      return "a document";
    case Kind::kVideo:
      return "a video";
    case Kind::kAudio:
      return "an audio clip";
    case Kind::kSearchResult:
      return "a search result";
    case Kind::kImage:
      return "an image";
    case Kind::kToolUse:
      return "a tool use";
    case Kind::kToolResult:
      return "a tool result";
    case Kind::kReasoning:
      return "reasoning";
    case Kind::kText:
      return "text";
  }
  return "a block";
}

// Shortest round-trip form. REQUIRES: std::isfinite(value).
void AppendDouble(std::string& out, double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec == std::errc()) out.append(buf, end);
}

// A JSON document held as text (schemas, written by the wire parsers with
// json::Serialize); "{}"-like fallbacks keep the body valid if one is not.
void AppendJsonText(std::string& out, std::string_view text, std::string_view fallback) {
  out += json::Parse(text).ok() ? text : fallback;
}

// ^[A-Za-z0-9_-]{1,64}$, which OpenAI requires of a json_schema name.
std::string SchemaName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (out.size() == 64) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "output" : out;
}

void AppendKey(std::string& out, std::string_view key) {
  out += ',';
  json::AppendString(out, key);
  out += ':';
}

// Text that needs no JSON escaping: base64 and format names.
bool IsPlain(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// {"type":"text","text":...} or an image part.
void AppendPart(std::string& out, const ContentBlock& block) {
  if (block.kind == Kind::kImage) {
    out += R"({"type":"image_url","image_url":{"url":)";
    if (IsPlain(block.text) && IsPlain(block.base64)) {
      // The usual case: the bytes go straight into the body, no copy between.
      out += "\"data:image/";
      out += block.text;
      out += ";base64,";
      out += block.base64;
      out += '"';
    } else {
      json::AppendString(out, "data:image/" + block.text + ";base64," + block.base64);
    }
    out += "}}";
    return;
  }
  out += R"({"type":"text","text":)";
  json::AppendString(out, block.text);
  out += '}';
}

Status CheckUserBlock(const ModelRequest& request, const ContentBlock& block, size_t m, size_t b) {
  switch (block.kind) {
    case Kind::kText:
    case Kind::kReasoning:  // ignored in a user turn
      return Status::Ok();
    case Kind::kImage:
      if (block.base64.empty()) {
        return Refuse(request, BlockPath(m, b), "an image without its bytes");
      }
      return Status::Ok();
    case Kind::kToolResult:
      if (block.byte_size > 0) {
        return Refuse(request, BlockPath(m, b),
                      "an image or document inside a tool result (tool messages carry text)");
      }
      return Status::Ok();
    default:
      return Refuse(request, BlockPath(m, b), std::string(KindName(block.kind)) + " block");
  }
}

// The tool messages of a user turn, then the rest of it as one user message.
Status AppendUserMessage(std::string& out, const ModelRequest& request, size_t m, bool& first) {
  const Message& message = request.messages[m];
  size_t parts = 0;
  size_t texts = 0;
  for (size_t b = 0; b < message.content.size(); ++b) {
    const ContentBlock& block = message.content[b];
    BP_RETURN_IF_ERROR(CheckUserBlock(request, block, m, b));
    if (block.kind == Kind::kText || block.kind == Kind::kImage) ++parts;
    if (block.kind == Kind::kText) ++texts;
    if (block.kind != Kind::kToolResult) continue;
    if (!first) out += ',';
    first = false;
    out += R"({"role":"tool","tool_call_id":)";
    json::AppendString(out, block.tool_use_id);
    out += R"(,"content":)";
    std::string content = block.is_error ? "Error: " : "";
    content += block.text;
    if (!block.text.empty() && !block.input_json.empty()) content += '\n';
    content += block.input_json;
    json::AppendString(out, content);
    out += '}';
  }
  if (parts == 0) return Status::Ok();
  if (!first) out += ',';
  first = false;
  out += R"({"role":"user","content":)";
  if (parts == 1 && texts == 1) {
    for (const ContentBlock& block : message.content) {
      if (block.kind == Kind::kText) json::AppendString(out, block.text);
    }
  } else {
    out += '[';
    bool first_part = true;
    for (const ContentBlock& block : message.content) {
      if (block.kind != Kind::kText && block.kind != Kind::kImage) continue;
      if (!first_part) out += ',';
      first_part = false;
      AppendPart(out, block);
    }
    out += ']';
  }
  out += '}';
  return Status::Ok();
}

Status AppendAssistantMessage(std::string& out, const ModelRequest& request, size_t m,
                              bool& first) {
  const Message& message = request.messages[m];
  std::string text;
  std::string reasoning;
  bool has_text = false;
  size_t tool_uses = 0;
  for (size_t b = 0; b < message.content.size(); ++b) {
    const ContentBlock& block = message.content[b];
    switch (block.kind) {
      case Kind::kText:
        if (has_text) text += '\n';
        text += block.text;
        has_text = true;
        break;
      case Kind::kReasoning:
        if (!reasoning.empty() && !block.text.empty()) reasoning += '\n';
        reasoning += block.text;
        break;
      case Kind::kToolUse:
        ++tool_uses;
        break;
      case Kind::kImage:
        return Refuse(request, BlockPath(m, b), "an image in an assistant message");
      default:
        return Refuse(request, BlockPath(m, b),
                      std::string(KindName(block.kind)) + " block in an assistant message");
    }
  }
  if (!has_text && tool_uses == 0 && reasoning.empty()) return Status::Ok();
  if (!first) out += ',';
  first = false;
  out += R"({"role":"assistant","content":)";
  if (has_text || tool_uses == 0) {
    json::AppendString(out, text);
  } else {
    out += "null";
  }
  if (!reasoning.empty()) {
    AppendKey(out, "reasoning_content");
    json::AppendString(out, reasoning);
    AppendKey(out, "reasoning");
    json::AppendString(out, reasoning);
  }
  if (tool_uses > 0) {
    AppendKey(out, "tool_calls");
    out += '[';
    bool first_call = true;
    for (const ContentBlock& block : message.content) {
      if (block.kind != Kind::kToolUse) continue;
      if (!first_call) out += ',';
      first_call = false;
      out += R"({"id":)";
      json::AppendString(out, block.tool_use_id);
      out += R"(,"type":"function","function":{"name":)";
      json::AppendString(out, block.tool_name);
      out += R"(,"arguments":)";
      json::AppendString(out, block.input_json.empty() ? std::string_view("{}") : block.input_json);
      out += "}}";
    }
    out += ']';
  }
  out += '}';
  return Status::Ok();
}

Status AppendMessages(std::string& out, const ModelRequest& request) {
  out += R"("messages":[)";
  bool first = true;
  if (!request.system.empty()) {
    std::string system;
    for (size_t i = 0; i < request.system.size(); ++i) {
      if (i > 0) system += '\n';
      system += request.system[i];
    }
    out += R"({"role":"system","content":)";
    json::AppendString(out, system);
    out += '}';
    first = false;
  }
  for (size_t m = 0; m < request.messages.size(); ++m) {
    BP_RETURN_IF_ERROR(request.messages[m].role == Role::kUser
                           ? AppendUserMessage(out, request, m, first)
                           : AppendAssistantMessage(out, request, m, first));
  }
  out += ']';
  return Status::Ok();
}

Status AppendTools(std::string& out, const ModelRequest& request) {
  if (request.tools.empty()) return Status::Ok();
  AppendKey(out, "tools");
  out += '[';
  bool named_tool_offered = false;
  for (size_t i = 0; i < request.tools.size(); ++i) {
    const Tool& tool = request.tools[i];
    named_tool_offered = named_tool_offered || tool.name == request.tool_choice_name;
    if (i > 0) out += ',';
    out += R"({"type":"function","function":{"name":)";
    json::AppendString(out, tool.name);
    if (!tool.description.empty()) {
      AppendKey(out, "description");
      json::AppendString(out, tool.description);
    }
    AppendKey(out, "parameters");
    AppendJsonText(out, tool.input_schema_json, R"({"type":"object"})");
    if (tool.strict) out += R"(,"strict":true)";
    out += "}}";
  }
  out += ']';
  AppendKey(out, "tool_choice");
  switch (request.tool_choice) {
    case ToolChoice::kAuto:
      out += R"("auto")";
      break;
    case ToolChoice::kAny:
      out += R"("required")";
      break;
    case ToolChoice::kNone:
      out += R"("none")";
      break;
    case ToolChoice::kTool:
      if (!named_tool_offered) {
        return ValidationError("toolChoice: the tool " + request.tool_choice_name +
                               " is not among the tools offered");
      }
      out += R"({"type":"function","function":{"name":)";
      json::AppendString(out, request.tool_choice_name);
      out += "}}";
      break;
  }
  return Status::Ok();
}

void AppendResponseFormat(std::string& out, const OutputFormat& format) {
  AppendKey(out, "response_format");
  out += R"({"type":"json_schema","json_schema":{"name":)";
  json::AppendString(out, SchemaName(format.name));
  if (!format.description.empty()) {
    AppendKey(out, "description");
    json::AppendString(out, format.description);
  }
  AppendKey(out, "schema");
  AppendJsonText(out, format.schema_json, "{}");
  out += R"(,"strict":true}})";
}

Status CheckRequest(const ModelRequest& request) {
  if (request.thinking_budget > 0) {
    return Refuse(request, "thinking",
                  "extended thinking with a token budget (a reasoning model's reasoning is "
                  "returned without it)");
  }
  if (request.service_tier && *request.service_tier != ServiceTier::kDefault) {
    return Refuse(request, "serviceTier",
                  "the service tier '" + std::string(ServiceTierName(*request.service_tier)) + "'");
  }
  for (const auto* v : {&request.temperature, &request.top_p}) {
    if (*v && !std::isfinite(**v)) return ValidationError("temperature/topP: not a finite number");
  }
  return Status::Ok();
}

// A rough size of the body, so the string grows once (images dominate).
size_t SizeHint(const ModelRequest& request) {
  size_t size = 256;
  for (const std::string& part : request.system) size += part.size() + 8;
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      size += block.text.size() + block.input_json.size() + block.base64.size() + 64;
    }
  }
  for (const Tool& tool : request.tools) {
    size += tool.name.size() + tool.description.size() + tool.input_schema_json.size() + 64;
  }
  return size;
}

}  // namespace

Result<std::string> BuildChatRequest(const ModelRequest& request, const OpenAiOptions& options) {
  if (options.model.empty()) return InternalError("openai backend: no upstream model name");
  BP_RETURN_IF_ERROR(CheckRequest(request));
  std::string out;
  out.reserve(SizeHint(request));
  out += R"({"model":)";
  json::AppendString(out, options.model);
  out += ',';
  BP_RETURN_IF_ERROR(AppendMessages(out, request));
  const int32_t max_tokens =
      request.max_tokens > 0 ? request.max_tokens : options.default_max_tokens;
  if (max_tokens > 0) {
    AppendKey(out, "max_tokens");
    json::AppendInt(out, max_tokens);
  }
  if (request.temperature) {
    AppendKey(out, "temperature");
    AppendDouble(out, *request.temperature);
  }
  if (request.top_p) {
    AppendKey(out, "top_p");
    AppendDouble(out, *request.top_p);
  }
  if (request.top_k) {
    AppendKey(out, "top_k");
    json::AppendInt(out, *request.top_k);
  }
  if (!request.stop_sequences.empty()) {
    AppendKey(out, "stop");
    out += '[';
    for (size_t i = 0; i < request.stop_sequences.size(); ++i) {
      if (i > 0) out += ',';
      json::AppendString(out, request.stop_sequences[i]);
    }
    out += ']';
  }
  BP_RETURN_IF_ERROR(AppendTools(out, request));
  if (request.output_format) AppendResponseFormat(out, *request.output_format);
  if (options.stream) {
    out += R"(,"stream":true)";
    if (options.include_usage) out += R"(,"stream_options":{"include_usage":true})";
  } else {
    out += R"(,"stream":false)";
  }
  out += '}';
  return out;
}

}  // namespace bp::backends::openai
