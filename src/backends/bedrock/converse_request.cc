#include "backends/bedrock/converse_request.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/uri.h"
#include "json/json.h"

namespace bp::backends::bedrock {
namespace {

using json::Array;
using json::Object;
using json::Value;
using Kind = ContentBlock::Kind;

Status Refused(std::string_view path, std::string_view what) {
  return ValidationError(std::string(path) + ": " + std::string(what) +
                         " cannot be forwarded to Amazon Bedrock by this endpoint.");
}

// {"type": "default"[, "ttl": "1h"]} (5m, the default, is not written).
Value CachePointValue(CacheTtl ttl) {
  Object point;
  point["type"] = "default";
  if (ttl == CacheTtl::k1h) point["ttl"] = "1h";
  Object wrapper;
  wrapper["cachePoint"] = std::move(point);
  return Value(std::move(wrapper));
}

// Appends the cache points of `section` (and `message`, for kMessages) that
// fall after `count` elements.
void AppendCachePoints(const ModelRequest& request, CachePoint::Section section, uint32_t message,
                       uint32_t count, Array& out) {
  for (const CachePoint& point : request.cache_points) {
    if (point.section != section || point.count != count) continue;
    if (section == CachePoint::Section::kMessages && point.message != message) continue;
    out.push_back(CachePointValue(point.ttl));
  }
}

Result<Value> ParsedJson(std::string_view text, std::string_view path, std::string_view what) {
  Result<Value> parsed = json::Parse(text);
  if (!parsed.ok()) return Refused(path, std::string(what) + " that is not JSON");
  return std::move(*parsed);
}

// {"format", "source": {"bytes": <base64>}} for images, videos and audio.
Result<Value> MediaValue(const ContentBlock& block, std::string_view path, std::string_view what) {
  if (block.base64.empty()) return Refused(path, std::string(what) + " whose bytes were not kept");
  Object source;
  source["bytes"] = block.base64;
  Object media;
  media["format"] = block.text;
  media["source"] = std::move(source);
  return Value(std::move(media));
}

// Bedrock's document names take letters, digits, single spaces, hyphens,
// parentheses and square brackets; other characters (an Anthropic title may
// hold any) become hyphens. Empty: "document-<n>".
std::string DocumentName(std::string_view name, size_t n) {
  std::string out;
  for (char c : name.substr(0, 200)) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '(' || c == ')' || c == '[' ||
                         c == ']';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += allowed ? c : '-';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty()) out = "document-" + std::to_string(n);
  return out;
}

Result<Value> DocumentValue(const ContentBlock& block, std::string_view path, size_t n) {
  if (block.base64.empty()) {
    return Refused(path, "a document given as text or content parts (only bytes are kept)");
  }
  Object source;
  source["bytes"] = block.base64;
  Object document;
  if (!block.text.empty()) document["format"] = block.text;
  document["name"] = DocumentName(block.tool_name, n);
  document["source"] = std::move(source);
  return Value(std::move(document));
}

Result<Value> ToolResultValue(const ContentBlock& block, std::string_view path) {
  if (block.byte_size > 0) {
    return Refused(path, "a tool result holding images, documents or videos");
  }
  Array content;
  if (!block.text.empty()) {
    Object part;
    part["text"] = block.text;
    content.push_back(std::move(part));
  }
  // JSON parts were joined with '\n', which compact JSON never holds raw.
  std::string_view rest = block.input_json;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view piece = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    BP_ASSIGN_OR_RETURN(Value value, ParsedJson(piece, path, "tool result JSON"));
    Object part;
    part["json"] = std::move(value);
    content.push_back(std::move(part));
  }
  Object result;
  result["toolUseId"] = block.tool_use_id;
  result["content"] = std::move(content);
  if (block.is_error) result["status"] = "error";
  return Value(std::move(result));
}

Result<Value> ReasoningValue(const ContentBlock& block) {
  Object reasoning;
  if (block.text.empty() && !block.base64.empty()) {
    reasoning["redactedContent"] = block.base64;
    return Value(std::move(reasoning));
  }
  Object text;
  text["text"] = block.text;
  if (!block.signature.empty()) text["signature"] = block.signature;
  reasoning["reasoningText"] = std::move(text);
  return Value(std::move(reasoning));
}

// One content block as its Converse union member.
Result<Value> BlockValue(const ContentBlock& block, const std::string& path, size_t& documents) {
  Object out;
  switch (block.kind) {
    case Kind::kText:
      if (block.guard_content) {
        Object text;
        text["text"] = block.text;
        Object guard;
        guard["text"] = std::move(text);
        out["guardContent"] = std::move(guard);
      } else {
        out["text"] = block.text;
      }
      return Value(std::move(out));
    case Kind::kImage: {
      BP_ASSIGN_OR_RETURN(Value image, MediaValue(block, path, "an image"));
      if (block.guard_content) {
        Object guard;
        guard["image"] = std::move(image);
        out["guardContent"] = std::move(guard);
      } else {
        out["image"] = std::move(image);
      }
      return Value(std::move(out));
    }
    case Kind::kVideo: {
      BP_ASSIGN_OR_RETURN(out["video"], MediaValue(block, path, "a video"));
      return Value(std::move(out));
    }
    case Kind::kAudio: {
      BP_ASSIGN_OR_RETURN(out["audio"], MediaValue(block, path, "an audio clip"));
      return Value(std::move(out));
    }
    case Kind::kDocument: {
      BP_ASSIGN_OR_RETURN(out["document"], DocumentValue(block, path, ++documents));
      return Value(std::move(out));
    }
    case Kind::kToolUse: {
      Object use;
      use["toolUseId"] = block.tool_use_id;
      use["name"] = block.tool_name;
      BP_ASSIGN_OR_RETURN(use["input"], ParsedJson(block.input_json, path, "tool input"));
      out["toolUse"] = std::move(use);
      return Value(std::move(out));
    }
    case Kind::kToolResult: {
      BP_ASSIGN_OR_RETURN(out["toolResult"], ToolResultValue(block, path));
      return Value(std::move(out));
    }
    case Kind::kReasoning: {
      BP_ASSIGN_OR_RETURN(out["reasoningContent"], ReasoningValue(block));
      return Value(std::move(out));
    }
    case Kind::kSearchResult:
      return Refused(path, "a search result (its title and texts are not kept apart)");
  }
  return Refused(path, "a content block of an unknown kind");
}

Result<Array> MessagesValue(const ModelRequest& request, bool& has_tool_blocks) {
  Array messages;
  messages.reserve(request.messages.size());
  size_t documents = 0;
  for (size_t m = 0; m < request.messages.size(); ++m) {
    const Message& message = request.messages[m];
    const uint32_t mi = static_cast<uint32_t>(m);
    Array content;
    content.reserve(message.content.size());
    for (size_t i = 0; i < message.content.size(); ++i) {
      AppendCachePoints(request, CachePoint::Section::kMessages, mi, static_cast<uint32_t>(i),
                        content);
      const ContentBlock& block = message.content[i];
      if (block.kind == Kind::kToolUse || block.kind == Kind::kToolResult) has_tool_blocks = true;
      const std::string path = "messages." + std::to_string(m) + ".content." + std::to_string(i);
      BP_ASSIGN_OR_RETURN(Value value, BlockValue(block, path, documents));
      content.push_back(std::move(value));
    }
    AppendCachePoints(request, CachePoint::Section::kMessages, mi,
                      static_cast<uint32_t>(message.content.size()), content);
    Object out;
    out["role"] = message.role == Role::kUser ? "user" : "assistant";
    out["content"] = std::move(content);
    messages.push_back(std::move(out));
  }
  return messages;
}

Array SystemValue(const ModelRequest& request) {
  Array system;
  for (size_t i = 0; i < request.system.size(); ++i) {
    AppendCachePoints(request, CachePoint::Section::kSystem, 0, static_cast<uint32_t>(i), system);
    const bool guarded = std::find(request.guarded_system.begin(), request.guarded_system.end(),
                                   static_cast<uint32_t>(i)) != request.guarded_system.end();
    Object part;
    if (guarded) {
      Object text;
      text["text"] = request.system[i];
      Object guard;
      guard["text"] = std::move(text);
      part["guardContent"] = std::move(guard);
    } else {
      part["text"] = request.system[i];
    }
    system.push_back(std::move(part));
  }
  AppendCachePoints(request, CachePoint::Section::kSystem, 0,
                    static_cast<uint32_t>(request.system.size()), system);
  return system;
}

Result<Object> ToolConfigValue(const ModelRequest& request, bool send_choice) {
  Array tools;
  for (size_t i = 0; i < request.tools.size(); ++i) {
    AppendCachePoints(request, CachePoint::Section::kTools, 0, static_cast<uint32_t>(i), tools);
    const Tool& tool = request.tools[i];
    const std::string path = "toolConfig.tools." + std::to_string(i);
    Object spec;
    spec["name"] = tool.name;
    if (!tool.description.empty()) spec["description"] = tool.description;
    Object schema;
    BP_ASSIGN_OR_RETURN(schema["json"],
                        ParsedJson(tool.input_schema_json, path, "an input schema"));
    spec["inputSchema"] = std::move(schema);
    if (tool.strict) spec["strict"] = true;
    Object entry;
    entry["toolSpec"] = std::move(spec);
    tools.push_back(std::move(entry));
  }
  AppendCachePoints(request, CachePoint::Section::kTools, 0,
                    static_cast<uint32_t>(request.tools.size()), tools);
  Object config;
  config["tools"] = std::move(tools);
  if (!send_choice) return config;
  if (request.tool_choice == ToolChoice::kAny) {
    Object choice;
    choice["any"] = Object();
    config["toolChoice"] = std::move(choice);
  } else if (request.tool_choice == ToolChoice::kTool) {
    const bool offered =
        std::any_of(request.tools.begin(), request.tools.end(),
                    [&](const Tool& t) { return t.name == request.tool_choice_name; });
    if (!offered) {
      return ValidationError("The tool choice names the tool '" + request.tool_choice_name +
                             "', which is not in toolConfig.tools.");
    }
    Object named;
    named["name"] = request.tool_choice_name;
    Object choice;
    choice["tool"] = std::move(named);
    config["toolChoice"] = std::move(choice);
  }
  return config;
}

}  // namespace

Result<std::string> BuildConverseRequest(const ModelRequest& request) {
  if (request.tools.size() > kMaxTools) {
    return ValidationError("toolConfig.tools: more than " + std::to_string(kMaxTools) +
                           " tools cannot be forwarded to Amazon Bedrock by this endpoint.");
  }
  Object body;
  bool has_tool_blocks = false;
  BP_ASSIGN_OR_RETURN(body["messages"], MessagesValue(request, has_tool_blocks));
  if (!request.system.empty()) body["system"] = SystemValue(request);

  Object inference;
  if (request.max_tokens > 0) inference["maxTokens"] = request.max_tokens;
  if (request.temperature) inference["temperature"] = *request.temperature;
  if (request.top_p) inference["topP"] = *request.top_p;
  if (!request.stop_sequences.empty()) {
    Array stops;
    for (const std::string& s : request.stop_sequences) stops.emplace_back(s);
    inference["stopSequences"] = std::move(stops);
  }
  if (!inference.empty()) body["inferenceConfig"] = std::move(inference);

  if (request.tools.empty() && has_tool_blocks) {
    return ValidationError(
        "The conversation holds toolUse or toolResult blocks but the request offers no tools; "
        "Amazon Bedrock requires toolConfig with them.");
  }
  // ToolChoice::kNone: no tools is the one way to say it, when the
  // conversation allows leaving toolConfig out.
  const bool none = request.tool_choice == ToolChoice::kNone;
  if (!request.tools.empty() && (!none || has_tool_blocks)) {
    BP_ASSIGN_OR_RETURN(body["toolConfig"], ToolConfigValue(request, !none));
  }

  Object additional;
  if (request.top_k) additional["top_k"] = *request.top_k;
  if (request.thinking_budget > 0) {
    Object thinking;
    thinking["type"] = "enabled";
    thinking["budget_tokens"] = request.thinking_budget;
    additional["thinking"] = std::move(thinking);
  }
  if (!additional.empty()) body["additionalModelRequestFields"] = std::move(additional);
  // Claude names the stop sequence it matched only when asked; Bedrock
  // passes it on in additionalModelResponseFields (converse_answer.h).
  if (!request.stop_sequences.empty() && request.model_id.find("anthropic.") != std::string::npos) {
    Array paths;
    paths.emplace_back("/stop_sequence");
    paths.emplace_back("/delta/stop_sequence");
    body["additionalModelResponseFieldPaths"] = std::move(paths);
  }

  if (request.output_format) {
    const OutputFormat& format = *request.output_format;
    // Checked to be JSON by the wire parsers; checked again so a bad one is
    // the caller's error here rather than Bedrock's.
    BP_RETURN_IF_ERROR(
        ParsedJson(format.schema_json, "outputConfig.textFormat", "a schema").status());
    Object schema;
    schema["schema"] = format.schema_json;
    if (!format.name.empty()) schema["name"] = format.name;
    if (!format.description.empty()) schema["description"] = format.description;
    Object structure;
    structure["jsonSchema"] = std::move(schema);
    Object text_format;
    text_format["type"] = "json_schema";
    text_format["structure"] = std::move(structure);
    Object output;
    output["textFormat"] = std::move(text_format);
    body["outputConfig"] = std::move(output);
  }
  if (request.service_tier) {
    Object tier;
    tier["type"] = ServiceTierName(*request.service_tier);
    body["serviceTier"] = std::move(tier);
  }
  if (!request.request_metadata.empty()) {
    Object metadata;
    for (const auto& [key, value] : request.request_metadata) metadata[key] = value;
    body["requestMetadata"] = std::move(metadata);
  }
  // request.guardrail is deliberately not sent (see the header).
  return json::Serialize(Value(std::move(body)));
}

std::string ConversePath(std::string_view upstream_model_id, bool stream) {
  std::string path = "/model/";
  AppendUriEncoded(path, upstream_model_id, true);
  path += stream ? "/converse-stream" : "/converse";
  return path;
}

}  // namespace bp::backends::bedrock
