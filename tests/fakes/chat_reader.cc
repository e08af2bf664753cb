#include "fakes/chat_reader.h"

#include <set>
#include <utility>
#include <vector>

#include "core/base64.h"
#include "json/json.h"

namespace bp::fakes {
namespace {

using backends::ContentBlock;
using Kind = ContentBlock::Kind;

Status Bad(std::string_view path, std::string_view what) {
  return ValidationError(std::string(path) + ": " + std::string(what));
}

Status Expected(std::string_view path, std::string_view what, const json::Value& got) {
  return Bad(path, "expected " + std::string(what) + ", got " + std::string(json::KindName(got)));
}

std::string At(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}
std::string At(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

Status OnlyKeys(const json::Object& obj, std::initializer_list<std::string_view> allowed,
                std::string_view path) {
  for (const auto& member : obj) {
    bool known = false;
    for (std::string_view a : allowed) known = known || member.key() == a;
    if (!known) {
      return Bad(At(path, std::string_view(member.key())),
                 "unknown member (extra inputs are not permitted)");
    }
  }
  return Status::Ok();
}

Result<const json::Object*> ObjectAt(const json::Value& v, std::string_view path) {
  if (!v.is_object()) return Expected(path, "an object", v);
  return &v.as_object();
}

Result<std::string> StringAt(const json::Value& v, std::string_view path) {
  if (!v.is_string()) return Expected(path, "a string", v);
  return std::string(v.as_string());
}

// A required member.
Result<const json::Value*> Member(const json::Object& obj, std::string_view key,
                                  std::string_view path) {
  const json::Value* v = obj.if_contains(key);
  if (v == nullptr) return Bad(At(path, key), "field required");
  return v;
}

bool IsInteger(const json::Value& v) { return v.is_int64() || v.is_uint64(); }

Result<int64_t> IntegerAt(const json::Value& v, std::string_view path) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.as_uint64());
  }
  return Expected(path, "an integer", v);
}

Result<double> NumberAt(const json::Value& v, std::string_view path, double lo, double hi) {
  if (!v.is_number()) return Expected(path, "a number", v);
  const double d = v.to_number<double>();
  if (d < lo || d > hi) {
    return Bad(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return d;
}

bool ValidToolName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "data:image/<format>;base64,<bytes>" -> an image block.
Result<ContentBlock> ImageFromUrl(std::string_view url, std::string_view path) {
  constexpr std::string_view kPrefix = "data:image/";
  if (!url.starts_with(kPrefix)) {
    return Bad(path, "only data:image/(png|jpeg|gif|webp);base64 URLs are accepted");
  }
  url.remove_prefix(kPrefix.size());
  const size_t semi = url.find(";base64,");
  if (semi == std::string_view::npos) return Bad(path, "expected ';base64,' after the media type");
  const std::string_view format = url.substr(0, semi);
  if (format != "png" && format != "jpeg" && format != "gif" && format != "webp") {
    return Bad(path, "unsupported image type image/" + std::string(format));
  }
  const std::string_view data = url.substr(semi + 8);
  Result<std::string> bytes = Base64Decode(data);
  if (!bytes.ok() || bytes->empty()) return Bad(path, "the image data is not valid base64");
  ContentBlock block;
  block.kind = Kind::kImage;
  block.text = std::string(format);
  block.base64 = std::string(data);
  block.byte_size = bytes->size();
  return block;
}

Result<std::vector<ContentBlock>> UserContent(const json::Value& content, std::string_view path) {
  std::vector<ContentBlock> blocks;
  if (content.is_string()) {
    blocks.push_back(ContentBlock{.kind = Kind::kText, .text = std::string(content.as_string())});
    return blocks;
  }
  if (!content.is_array()) return Expected(path, "a string or an array of content parts", content);
  const json::Array& parts = content.as_array();
  if (parts.empty()) return Bad(path, "must not be empty");
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string part_path = At(path, i);
    BP_ASSIGN_OR_RETURN(const json::Object* part, ObjectAt(parts[i], part_path));
    BP_ASSIGN_OR_RETURN(const json::Value* type_v, Member(*part, "type", part_path));
    BP_ASSIGN_OR_RETURN(std::string type, StringAt(*type_v, At(part_path, "type")));
    if (type == "text") {
      BP_RETURN_IF_ERROR(OnlyKeys(*part, {"type", "text"}, part_path));
      BP_ASSIGN_OR_RETURN(const json::Value* text_v, Member(*part, "text", part_path));
      BP_ASSIGN_OR_RETURN(std::string text, StringAt(*text_v, At(part_path, "text")));
      blocks.push_back(ContentBlock{.kind = Kind::kText, .text = std::move(text)});
    } else if (type == "image_url") {
      BP_RETURN_IF_ERROR(OnlyKeys(*part, {"type", "image_url"}, part_path));
      const std::string image_path = At(part_path, "image_url");
      BP_ASSIGN_OR_RETURN(const json::Value* image_v, Member(*part, "image_url", part_path));
      BP_ASSIGN_OR_RETURN(const json::Object* image, ObjectAt(*image_v, image_path));
      BP_RETURN_IF_ERROR(OnlyKeys(*image, {"url"}, image_path));
      BP_ASSIGN_OR_RETURN(const json::Value* url_v, Member(*image, "url", image_path));
      BP_ASSIGN_OR_RETURN(std::string url, StringAt(*url_v, At(image_path, "url")));
      BP_ASSIGN_OR_RETURN(ContentBlock block, ImageFromUrl(url, At(image_path, "url")));
      blocks.push_back(std::move(block));
    } else {
      return Bad(At(part_path, "type"), "unknown content part type '" + type + "'");
    }
  }
  return blocks;
}

// An assistant message -> its blocks: reasoning, text, tool uses (the order
// BuildChatRequest cannot keep, so the canonical one).
Result<std::vector<ContentBlock>> AssistantContent(const json::Object& msg, std::string_view path,
                                                   std::set<std::string>& declared) {
  BP_RETURN_IF_ERROR(
      OnlyKeys(msg, {"role", "content", "tool_calls", "reasoning_content", "reasoning"}, path));
  std::vector<ContentBlock> blocks;
  std::optional<std::string> reasoning;
  for (std::string_view key : {"reasoning_content", "reasoning"}) {
    const json::Value* v = msg.if_contains(key);
    if (v == nullptr) continue;
    BP_ASSIGN_OR_RETURN(std::string text, StringAt(*v, At(path, key)));
    if (reasoning && *reasoning != text) {
      return Bad(At(path, key), "differs from reasoning_content");
    }
    reasoning = std::move(text);
  }
  if (reasoning && !reasoning->empty()) {
    blocks.push_back(ContentBlock{.kind = Kind::kReasoning, .text = *reasoning});
  }
  const json::Value* calls_v = msg.if_contains("tool_calls");
  const json::Array* calls = nullptr;
  if (calls_v != nullptr) {
    if (!calls_v->is_array()) return Expected(At(path, "tool_calls"), "an array", *calls_v);
    calls = &calls_v->as_array();
    if (calls->empty()) return Bad(At(path, "tool_calls"), "must not be empty when given");
  }
  BP_ASSIGN_OR_RETURN(const json::Value* content, Member(msg, "content", path));
  if (content->is_null()) {
    if (calls == nullptr) {
      return Bad(At(path, "content"), "may be null only when tool_calls are given");
    }
  } else {
    BP_ASSIGN_OR_RETURN(std::string text, StringAt(*content, At(path, "content")));
    if (!text.empty()) blocks.push_back(ContentBlock{.kind = Kind::kText, .text = std::move(text)});
  }
  if (calls == nullptr) return blocks;
  for (size_t i = 0; i < calls->size(); ++i) {
    const std::string call_path = At(At(path, "tool_calls"), i);
    BP_ASSIGN_OR_RETURN(const json::Object* call, ObjectAt((*calls)[i], call_path));
    BP_RETURN_IF_ERROR(OnlyKeys(*call, {"id", "type", "function"}, call_path));
    BP_ASSIGN_OR_RETURN(const json::Value* id_v, Member(*call, "id", call_path));
    BP_ASSIGN_OR_RETURN(std::string id, StringAt(*id_v, At(call_path, "id")));
    if (id.empty()) return Bad(At(call_path, "id"), "must not be empty");
    BP_ASSIGN_OR_RETURN(const json::Value* type_v, Member(*call, "type", call_path));
    BP_ASSIGN_OR_RETURN(std::string type, StringAt(*type_v, At(call_path, "type")));
    if (type != "function") return Bad(At(call_path, "type"), "expected 'function'");
    const std::string fn_path = At(call_path, "function");
    BP_ASSIGN_OR_RETURN(const json::Value* fn_v, Member(*call, "function", call_path));
    BP_ASSIGN_OR_RETURN(const json::Object* fn, ObjectAt(*fn_v, fn_path));
    BP_RETURN_IF_ERROR(OnlyKeys(*fn, {"name", "arguments"}, fn_path));
    BP_ASSIGN_OR_RETURN(const json::Value* name_v, Member(*fn, "name", fn_path));
    BP_ASSIGN_OR_RETURN(std::string name, StringAt(*name_v, At(fn_path, "name")));
    if (!ValidToolName(name)) return Bad(At(fn_path, "name"), "expected ^[a-zA-Z0-9_-]{1,64}$");
    BP_ASSIGN_OR_RETURN(const json::Value* args_v, Member(*fn, "arguments", fn_path));
    BP_ASSIGN_OR_RETURN(std::string args, StringAt(*args_v, At(fn_path, "arguments")));
    Result<json::Value> parsed = json::Parse(args);
    if (!parsed.ok() || !parsed->is_object()) {
      return Bad(At(fn_path, "arguments"), "expected a string holding a JSON object");
    }
    declared.insert(id);
    blocks.push_back(ContentBlock{.kind = Kind::kToolUse,
                                  .tool_use_id = std::move(id),
                                  .tool_name = std::move(name),
                                  .input_json = json::Serialize(*parsed)});
  }
  return blocks;
}

// A tool message's content -> a tool result block ("Error: " marks an error
// result, JSON text becomes the JSON part).
ContentBlock ToolResult(std::string id, std::string content) {
  ContentBlock block{.kind = Kind::kToolResult, .tool_use_id = std::move(id)};
  constexpr std::string_view kError = "Error: ";
  if (std::string_view(content).starts_with(kError)) {
    block.is_error = true;
    content.erase(0, kError.size());
  }
  Result<json::Value> parsed = json::Parse(content);
  if (parsed.ok() && (parsed->is_object() || parsed->is_array())) {
    block.input_json = json::Serialize(*parsed);
  } else {
    block.text = std::move(content);
  }
  return block;
}

Status ReadMessages(const json::Value& value, backends::ModelRequest& out) {
  constexpr std::string_view kPath = "messages";
  if (!value.is_array()) return Expected(kPath, "an array", value);
  const json::Array& messages = value.as_array();
  if (messages.empty()) return Bad(kPath, "must not be empty");
  std::set<std::string> declared;
  std::vector<ContentBlock> tool_results;  // waiting for the next user message
  auto flush_results = [&] {
    if (tool_results.empty()) return;
    out.messages.push_back({backends::Role::kUser, std::move(tool_results)});
    tool_results.clear();
  };
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string path = At(kPath, i);
    BP_ASSIGN_OR_RETURN(const json::Object* msg, ObjectAt(messages[i], path));
    BP_ASSIGN_OR_RETURN(const json::Value* role_v, Member(*msg, "role", path));
    BP_ASSIGN_OR_RETURN(std::string role, StringAt(*role_v, At(path, "role")));
    if (role == "system") {
      if (i != 0) return Bad(At(path, "role"), "a system message must come first");
      BP_RETURN_IF_ERROR(OnlyKeys(*msg, {"role", "content"}, path));
      BP_ASSIGN_OR_RETURN(const json::Value* content, Member(*msg, "content", path));
      BP_ASSIGN_OR_RETURN(std::string text, StringAt(*content, At(path, "content")));
      out.system.push_back(std::move(text));
    } else if (role == "user") {
      BP_RETURN_IF_ERROR(OnlyKeys(*msg, {"role", "content"}, path));
      BP_ASSIGN_OR_RETURN(const json::Value* content, Member(*msg, "content", path));
      BP_ASSIGN_OR_RETURN(std::vector<ContentBlock> blocks,
                          UserContent(*content, At(path, "content")));
      std::vector<ContentBlock> all = std::move(tool_results);
      tool_results.clear();
      for (ContentBlock& b : blocks) all.push_back(std::move(b));
      out.messages.push_back({backends::Role::kUser, std::move(all)});
    } else if (role == "assistant") {
      flush_results();
      BP_ASSIGN_OR_RETURN(std::vector<ContentBlock> blocks, AssistantContent(*msg, path, declared));
      out.messages.push_back({backends::Role::kAssistant, std::move(blocks)});
    } else if (role == "tool") {
      BP_RETURN_IF_ERROR(OnlyKeys(*msg, {"role", "tool_call_id", "content"}, path));
      BP_ASSIGN_OR_RETURN(const json::Value* id_v, Member(*msg, "tool_call_id", path));
      BP_ASSIGN_OR_RETURN(std::string id, StringAt(*id_v, At(path, "tool_call_id")));
      if (declared.count(id) == 0) {
        return Bad(At(path, "tool_call_id"),
                   "no earlier assistant tool call has the id '" + id + "'");
      }
      BP_ASSIGN_OR_RETURN(const json::Value* content, Member(*msg, "content", path));
      BP_ASSIGN_OR_RETURN(std::string text, StringAt(*content, At(path, "content")));
      tool_results.push_back(ToolResult(std::move(id), std::move(text)));
    } else {
      return Bad(At(path, "role"),
                 "unknown role '" + role + "' (expected system, user, assistant or tool)");
    }
  }
  flush_results();
  return Status::Ok();
}

Status ReadTools(const json::Value& value, backends::ModelRequest& out) {
  constexpr std::string_view kPath = "tools";
  if (!value.is_array()) return Expected(kPath, "an array", value);
  const json::Array& tools = value.as_array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string path = At(kPath, i);
    BP_ASSIGN_OR_RETURN(const json::Object* tool, ObjectAt(tools[i], path));
    BP_RETURN_IF_ERROR(OnlyKeys(*tool, {"type", "function"}, path));
    BP_ASSIGN_OR_RETURN(const json::Value* type_v, Member(*tool, "type", path));
    BP_ASSIGN_OR_RETURN(std::string type, StringAt(*type_v, At(path, "type")));
    if (type != "function") return Bad(At(path, "type"), "expected 'function'");
    const std::string fn_path = At(path, "function");
    BP_ASSIGN_OR_RETURN(const json::Value* fn_v, Member(*tool, "function", path));
    BP_ASSIGN_OR_RETURN(const json::Object* fn, ObjectAt(*fn_v, fn_path));
    BP_RETURN_IF_ERROR(OnlyKeys(*fn, {"name", "description", "parameters", "strict"}, fn_path));
    backends::Tool t;
    BP_ASSIGN_OR_RETURN(const json::Value* name_v, Member(*fn, "name", fn_path));
    BP_ASSIGN_OR_RETURN(t.name, StringAt(*name_v, At(fn_path, "name")));
    if (!ValidToolName(t.name)) return Bad(At(fn_path, "name"), "expected ^[a-zA-Z0-9_-]{1,64}$");
    if (const json::Value* d = fn->if_contains("description")) {
      BP_ASSIGN_OR_RETURN(t.description, StringAt(*d, At(fn_path, "description")));
    }
    BP_ASSIGN_OR_RETURN(const json::Value* params, Member(*fn, "parameters", fn_path));
    if (!params->is_object()) return Expected(At(fn_path, "parameters"), "an object", *params);
    t.input_schema_json = json::Serialize(*params);
    if (const json::Value* s = fn->if_contains("strict")) {
      if (!s->is_bool()) return Expected(At(fn_path, "strict"), "a boolean", *s);
      t.strict = s->as_bool();
    }
    for (const backends::Tool& other : out.tools) {
      if (other.name == t.name) return Bad(At(fn_path, "name"), "duplicate tool name " + t.name);
    }
    out.tools.push_back(std::move(t));
  }
  return Status::Ok();
}

Status ReadToolChoice(const json::Value& value, backends::ModelRequest& out) {
  constexpr std::string_view kPath = "tool_choice";
  if (out.tools.empty()) return Bad(kPath, "only allowed when tools are specified");
  if (value.is_string()) {
    const std::string_view s = value.as_string();
    if (s == "auto") {
      out.tool_choice = backends::ToolChoice::kAuto;
    } else if (s == "none") {
      out.tool_choice = backends::ToolChoice::kNone;
    } else if (s == "required") {
      out.tool_choice = backends::ToolChoice::kAny;
    } else {
      return Bad(kPath, "expected 'auto', 'none', 'required' or a named function");
    }
    return Status::Ok();
  }
  BP_ASSIGN_OR_RETURN(const json::Object* choice, ObjectAt(value, kPath));
  BP_RETURN_IF_ERROR(OnlyKeys(*choice, {"type", "function"}, kPath));
  BP_ASSIGN_OR_RETURN(const json::Value* type_v, Member(*choice, "type", kPath));
  BP_ASSIGN_OR_RETURN(std::string type, StringAt(*type_v, At(kPath, "type")));
  if (type != "function") return Bad(At(kPath, "type"), "expected 'function'");
  const std::string fn_path = At(kPath, "function");
  BP_ASSIGN_OR_RETURN(const json::Value* fn_v, Member(*choice, "function", kPath));
  BP_ASSIGN_OR_RETURN(const json::Object* fn, ObjectAt(*fn_v, fn_path));
  BP_RETURN_IF_ERROR(OnlyKeys(*fn, {"name"}, fn_path));
  BP_ASSIGN_OR_RETURN(const json::Value* name_v, Member(*fn, "name", fn_path));
  BP_ASSIGN_OR_RETURN(std::string name, StringAt(*name_v, At(fn_path, "name")));
  bool offered = false;
  for (const backends::Tool& t : out.tools) offered = offered || t.name == name;
  if (!offered) return Bad(At(fn_path, "name"), "the function '" + name + "' is not among tools");
  out.tool_choice = backends::ToolChoice::kTool;
  out.tool_choice_name = std::move(name);
  return Status::Ok();
}

Status ReadResponseFormat(const json::Value& value, backends::ModelRequest& out) {
  constexpr std::string_view kPath = "response_format";
  BP_ASSIGN_OR_RETURN(const json::Object* format, ObjectAt(value, kPath));
  BP_RETURN_IF_ERROR(OnlyKeys(*format, {"type", "json_schema"}, kPath));
  BP_ASSIGN_OR_RETURN(const json::Value* type_v, Member(*format, "type", kPath));
  BP_ASSIGN_OR_RETURN(std::string type, StringAt(*type_v, At(kPath, "type")));
  if (type != "json_schema") return Bad(At(kPath, "type"), "expected 'json_schema'");
  const std::string js_path = At(kPath, "json_schema");
  BP_ASSIGN_OR_RETURN(const json::Value* js_v, Member(*format, "json_schema", kPath));
  BP_ASSIGN_OR_RETURN(const json::Object* js, ObjectAt(*js_v, js_path));
  BP_RETURN_IF_ERROR(OnlyKeys(*js, {"name", "schema", "strict", "description"}, js_path));
  backends::OutputFormat output;
  BP_ASSIGN_OR_RETURN(const json::Value* name_v, Member(*js, "name", js_path));
  BP_ASSIGN_OR_RETURN(output.name, StringAt(*name_v, At(js_path, "name")));
  if (!ValidToolName(output.name)) {
    return Bad(At(js_path, "name"), "expected ^[a-zA-Z0-9_-]{1,64}$");
  }
  BP_ASSIGN_OR_RETURN(const json::Value* schema, Member(*js, "schema", js_path));
  if (!schema->is_object()) return Expected(At(js_path, "schema"), "an object", *schema);
  output.schema_json = json::Serialize(*schema);
  if (const json::Value* d = js->if_contains("description")) {
    BP_ASSIGN_OR_RETURN(output.description, StringAt(*d, At(js_path, "description")));
  }
  if (const json::Value* s = js->if_contains("strict"); s != nullptr && !s->is_bool()) {
    return Expected(At(js_path, "strict"), "a boolean", *s);
  }
  out.output_format = std::move(output);
  return Status::Ok();
}

Status ReadStop(const json::Value& value, backends::ModelRequest& out) {
  constexpr std::string_view kPath = "stop";
  if (value.is_string()) {
    out.stop_sequences.emplace_back(value.as_string());
    return Status::Ok();
  }
  if (!value.is_array()) return Expected(kPath, "a string or an array of strings", value);
  const json::Array& stops = value.as_array();
  for (size_t i = 0; i < stops.size(); ++i) {
    BP_ASSIGN_OR_RETURN(std::string s, StringAt(stops[i], At(kPath, i)));
    if (s.empty()) return Bad(At(kPath, i), "must not be empty");
    out.stop_sequences.push_back(std::move(s));
  }
  return Status::Ok();
}

}  // namespace

Result<ChatRequest> ReadChatRequest(std::string_view body, std::string_view served_model) {
  Result<json::Value> parsed = json::Parse(body);
  if (!parsed.ok())
    return ValidationError("the body is not valid JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Expected("body", "a JSON object", *parsed);
  const json::Object& root = parsed->as_object();
  BP_RETURN_IF_ERROR(
      OnlyKeys(root,
               {"model", "messages", "max_tokens", "temperature", "top_p", "top_k", "stop", "tools",
                "tool_choice", "response_format", "stream", "stream_options"},
               "body"));
  ChatRequest out;
  BP_ASSIGN_OR_RETURN(const json::Value* model_v, Member(root, "model", "body"));
  BP_ASSIGN_OR_RETURN(std::string model, StringAt(*model_v, "model"));
  if (model != served_model) {
    return Status(ErrorCode::kResourceNotFound, "The model `" + model + "` does not exist.");
  }
  out.model.model_id = model;
  BP_ASSIGN_OR_RETURN(const json::Value* messages, Member(root, "messages", "body"));
  BP_RETURN_IF_ERROR(ReadMessages(*messages, out.model));
  if (const json::Value* v = root.if_contains("max_tokens")) {
    BP_ASSIGN_OR_RETURN(int64_t n, IntegerAt(*v, "max_tokens"));
    if (n < 1 || n > INT32_MAX) return Bad("max_tokens", "must be at least 1");
    out.model.max_tokens = static_cast<int32_t>(n);
  }
  if (const json::Value* v = root.if_contains("temperature")) {
    BP_ASSIGN_OR_RETURN(out.model.temperature, NumberAt(*v, "temperature", 0, 2));
  }
  if (const json::Value* v = root.if_contains("top_p")) {
    BP_ASSIGN_OR_RETURN(out.model.top_p, NumberAt(*v, "top_p", 0, 1));
  }
  if (const json::Value* v = root.if_contains("top_k")) {
    if (!IsInteger(*v)) return Expected("top_k", "an integer", *v);
    BP_ASSIGN_OR_RETURN(int64_t k, IntegerAt(*v, "top_k"));
    // -1 (vLLM) and 0 (llama.cpp) both mean "no limit".
    if (k < -1 || k > INT32_MAX) return Bad("top_k", "must be -1, 0 or a positive integer");
    out.model.top_k = static_cast<int32_t>(k);
  }
  if (const json::Value* v = root.if_contains("stop")) BP_RETURN_IF_ERROR(ReadStop(*v, out.model));
  if (const json::Value* v = root.if_contains("tools")) {
    BP_RETURN_IF_ERROR(ReadTools(*v, out.model));
  }
  if (const json::Value* v = root.if_contains("tool_choice")) {
    BP_RETURN_IF_ERROR(ReadToolChoice(*v, out.model));
  }
  if (const json::Value* v = root.if_contains("response_format")) {
    BP_RETURN_IF_ERROR(ReadResponseFormat(*v, out.model));
  }
  if (const json::Value* v = root.if_contains("stream")) {
    if (!v->is_bool()) return Expected("stream", "a boolean", *v);
    out.stream = v->as_bool();
  }
  if (const json::Value* v = root.if_contains("stream_options")) {
    if (!out.stream) return Bad("stream_options", "only allowed when stream is true");
    BP_ASSIGN_OR_RETURN(const json::Object* options, ObjectAt(*v, "stream_options"));
    BP_RETURN_IF_ERROR(OnlyKeys(*options, {"include_usage"}, "stream_options"));
    if (const json::Value* u = options->if_contains("include_usage")) {
      if (!u->is_bool()) return Expected("stream_options.include_usage", "a boolean", *u);
      out.include_usage = u->as_bool();
    }
  }
  // Not checked, as local servers' chat templates do not either: that every
  // tool call is answered before the next assistant turn.
  return out;
}

}  // namespace bp::fakes
