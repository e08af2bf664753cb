// The request half of anthropic_wire.h: Anthropic body -> ModelRequest.
// Schema checks answer in Bedrock's "Malformed input request" wording with
// JSON pointers; what the model would refuse uses Anthropic's sentences.

#include "api/runtime/anthropic_wire.h"

#include <algorithm>
#include <climits>

#include "api/runtime/cache_points.h"
#include "api/runtime/structured_output.h"
#include "api/runtime/thinking.h"
#include "api/runtime/wire_util.h"
#include "core/base64.h"
#include "json/json.h"

namespace bp::api::runtime {

namespace {

using backends::ContentBlock;
using backends::ModelRequest;
using json::Array;
using json::Object;
using json::Value;

// ---- errors ----------------------------------------------------------------------

Status Malformed(std::string_view where, std::string_view detail) {
  std::string m = "Malformed input request: ";
  m += where;
  m += ": ";
  m += detail;
  m += ", please reformat your input and try again.";
  return ValidationError(std::move(m));
}
Status Malformed(const WirePath& p, std::string_view detail) {
  return Malformed(p.Pointer(), detail);
}

// JSON Schema type names as Bedrock's validator prints them.
std::string_view SchemaType(const Value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "Null";
    case boost::json::kind::bool_:
      return "Boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return "Integer";
    case boost::json::kind::double_:
      return "Number";
    case boost::json::kind::string:
      return "String";
    case boost::json::kind::array:
      return "JSONArray";
    case boost::json::kind::object:
      return "JSONObject";
  }
  return "Unknown";
}

Status TypeMismatch(const WirePath& p, std::string_view expected, const Value& v) {
  return Malformed(
      p, "expected type: " + std::string(expected) + ", found: " + std::string(SchemaType(v)));
}
Status NotInEnum(const WirePath& p, std::string_view value) {
  return Malformed(p, std::string(value) + " is not a valid enum value");
}
Status NotSupported(const WirePath& p, std::string_view what) {
  return ValidationError(p.Plain() + ": " + std::string(what) +
                         " is not supported by this endpoint");
}

// ---- checked access ---------------------------------------------------------------

// Extraneous keys first, then the required ones in `required` order.
Status CheckKeys(const Object& obj, Names allowed, Names required, const WirePath& p) {
  for (const auto& m : obj) {
    if (!OneOfNames(m.key(), allowed)) {
      return Malformed(p, "extraneous key [" + std::string(m.key()) + "] is not permitted");
    }
  }
  for (std::string_view key : required) {
    if (MemberOf(obj, key) == nullptr) {
      return Malformed(p, "required key [" + std::string(key) + "] not found");
    }
  }
  return Status::Ok();
}

Result<const Object*> Obj(const Value& v, const WirePath& p) {
  if (!v.is_object()) return TypeMismatch(p, "JSONObject", v);
  return &v.get_object();
}
Result<const Array*> Arr(const Value& v, const WirePath& p) {
  if (!v.is_array()) return TypeMismatch(p, "JSONArray", v);
  return &v.get_array();
}
Result<std::string_view> Str(const Value& v, const WirePath& p) {
  if (!v.is_string()) return TypeMismatch(p, "String", v);
  return std::string_view(v.get_string());
}
// A required string member.
Result<std::string_view> StrAt(const Object& obj, std::string_view key, const WirePath& p) {
  const Value* v = MemberOf(obj, key);
  if (v == nullptr) return Malformed(p, "required key [" + std::string(key) + "] not found");
  return Str(*v, p.Key(key));
}
// temperature, top_p: a number in 0..1.
Result<double> UnitInterval(const Value& v, const WirePath& p) {
  if (!v.is_number()) return TypeMismatch(p, "Number", v);
  double d = v.to_number<double>();
  if (d < 0) return Malformed(p, FormatNumber(v) + " is not greater or equal to 0");
  if (d > 1) return Malformed(p, FormatNumber(v) + " is not less or equal to 1");
  return d;
}
Result<int32_t> IntAtLeast(const Value& v, const WirePath& p, int64_t lo) {
  std::optional<int64_t> n = IntegerValue(v);
  if (!n) return TypeMismatch(p, "Integer", v);
  if (*n < lo) {
    return Malformed(p, FormatNumber(v) + " is not greater or equal to " + std::to_string(lo));
  }
  if (*n > INT32_MAX) return Malformed(p, FormatNumber(v) + " is not less or equal to 2147483647");
  return static_cast<int32_t>(*n);
}

// ^[a-zA-Z0-9_-]{1,64}$, Anthropic's pattern for tool names and tool_use ids.
Status CheckPattern(std::string_view s, const WirePath& p) {
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return IsAsciiAlnum(c) || c == '_' || c == '-';
  });
  if (ok) return Status::Ok();
  return Malformed(p,
                   "string [" + std::string(s) + "] does not match pattern ^[a-zA-Z0-9_-]{1,64}$");
}

// ---- content blocks ---------------------------------------------------------------

// A base64 `data` member: its decoded size. When `base64` is given, the
// member's text is copied there (the body's document is freed before the
// request is answered).
Result<size_t> Base64Size(const Object& source, const WirePath& p, std::string* base64 = nullptr) {
  BP_ASSIGN_OR_RETURN(std::string_view data, StrAt(source, "data", p));
  Result<std::string> bytes = Base64Decode(data);
  if (!bytes.ok()) {
    WirePath dp = p.Key("data");
    return Malformed(dp, "invalid base64 (" + bytes.status().message() + ")");
  }
  if (base64 != nullptr) base64->assign(data);
  return bytes->size();
}

// `keep_bytes`: set block.base64 (an image of a message, not one inside a
// tool_result, which only counts).
Status ParseImage(const Object& obj, const WirePath& p, bool keep_bytes, ContentBlock& block) {
  static constexpr std::string_view kKeys[] = {"type", "source", "cache_control"};
  static constexpr std::string_view kSourceKeys[] = {"type", "media_type", "data"};
  static constexpr std::string_view kSourceRequired[] = {"type", "media_type", "data"};
  static constexpr std::string_view kMediaTypes[] = {"image/jpeg", "image/png", "image/gif",
                                                     "image/webp"};
  BP_RETURN_IF_ERROR(CheckKeys(obj, kKeys, Names(kKeys).first(2), p));
  WirePath sp = p.Key("source");
  BP_ASSIGN_OR_RETURN(const Object* source, Obj(obj.at("source"), sp));
  if (const Value* t = MemberOf(*source, "type");
      t != nullptr && t->is_string() && t->get_string() != "base64") {
    return NotSupported(sp, "image source type '" + std::string(t->get_string()) + "'");
  }
  BP_RETURN_IF_ERROR(CheckKeys(*source, kSourceKeys, kSourceRequired, sp));
  BP_ASSIGN_OR_RETURN(std::string_view media_type, StrAt(*source, "media_type", sp));
  if (!OneOfNames(media_type, kMediaTypes)) return NotInEnum(sp.Key("media_type"), media_type);
  BP_ASSIGN_OR_RETURN(block.byte_size,
                      Base64Size(*source, sp, keep_bytes ? &block.base64 : nullptr));
  block.kind = ContentBlock::Kind::kImage;
  block.text = media_type.substr(media_type.find('/') + 1);
  return Status::Ok();
}

// `keep_bytes`: set block.base64 (a text document's text encoded) and its
// title as block.tool_name (a document of a message, not one inside a
// tool_result, which only counts).
Status ParseDocument(const Object& obj, const WirePath& p, bool keep_bytes, ContentBlock& block) {
  static constexpr std::string_view kKeys[] = {"type",    "source",    "title",
                                               "context", "citations", "cache_control"};
  static constexpr std::string_view kRequired[] = {"type", "source"};
  static constexpr std::string_view kSourceKeys[] = {"type", "media_type", "data"};
  BP_RETURN_IF_ERROR(CheckKeys(obj, kKeys, kRequired, p));
  WirePath sp = p.Key("source");
  BP_ASSIGN_OR_RETURN(const Object* source, Obj(obj.at("source"), sp));
  if (const Value* t = MemberOf(*source, "type");
      t != nullptr && t->is_string() && t->get_string() != "base64" && t->get_string() != "text") {
    return NotSupported(sp, "document source type '" + std::string(t->get_string()) + "'");
  }
  BP_RETURN_IF_ERROR(CheckKeys(*source, kSourceKeys, kSourceKeys, sp));
  BP_ASSIGN_OR_RETURN(std::string_view type, StrAt(*source, "type", sp));
  BP_ASSIGN_OR_RETURN(std::string_view media_type, StrAt(*source, "media_type", sp));
  std::string_view expected = type == "base64" ? "application/pdf" : "text/plain";
  if (media_type != expected) return NotInEnum(sp.Key("media_type"), media_type);
  block.kind = ContentBlock::Kind::kDocument;
  if (type == "base64") {
    block.text = "pdf";
    BP_ASSIGN_OR_RETURN(block.byte_size,
                        Base64Size(*source, sp, keep_bytes ? &block.base64 : nullptr));
  } else {
    block.text = "txt";
    BP_ASSIGN_OR_RETURN(std::string_view data, StrAt(*source, "data", sp));
    block.byte_size = data.size();
    if (keep_bytes) block.base64 = Base64Encode(data);
  }
  if (const Value* title = MemberOf(obj, "title");
      keep_bytes && title != nullptr && title->is_string()) {
    block.tool_name = title->get_string();
  }
  return Status::Ok();
}

Status ParseToolUse(const Object& obj, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kKeys[] = {"type", "id", "name", "input", "cache_control"};
  static constexpr std::string_view kRequired[] = {"type", "id", "name", "input"};
  BP_RETURN_IF_ERROR(CheckKeys(obj, kKeys, kRequired, p));
  BP_ASSIGN_OR_RETURN(std::string_view id, StrAt(obj, "id", p));
  BP_RETURN_IF_ERROR(CheckPattern(id, p.Key("id")));
  BP_ASSIGN_OR_RETURN(std::string_view name, StrAt(obj, "name", p));
  BP_RETURN_IF_ERROR(CheckPattern(name, p.Key("name")));
  BP_RETURN_IF_ERROR(Obj(obj.at("input"), p.Key("input")).status());
  block.kind = ContentBlock::Kind::kToolUse;
  block.tool_use_id = id;
  block.tool_name = name;
  block.input_json = json::Serialize(obj.at("input"));
  return Status::Ok();
}

Status ParseToolResult(const Object& obj, const WirePath& p, ContentBlock& block);
Status ParseThinking(const Object& obj, const WirePath& p, ContentBlock& block);

// One block of a message's content (or of a tool_result's, when `nested`).
Status ParseBlock(const Value& v, const WirePath& p, bool nested, ContentBlock& block) {
  static constexpr std::string_view kTypes[] = {
      "text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"};
  static constexpr std::string_view kTextKeys[] = {"type", "text", "cache_control", "citations"};
  BP_ASSIGN_OR_RETURN(const Object* obj, Obj(v, p));
  const Value* type_value = MemberOf(*obj, "type");
  if (type_value == nullptr) return Malformed(p, "required key [type] not found");
  BP_ASSIGN_OR_RETURN(std::string_view type, Str(*type_value, p.Key("type")));
  bool allowed = OneOfNames(type, nested ? Names(kTypes).first(3) : Names(kTypes));
  if (!allowed) return NotInEnum(p.Key("type"), type);
  if (type == "image") return ParseImage(*obj, p, !nested, block);
  if (type == "document") return ParseDocument(*obj, p, !nested, block);
  if (type == "tool_use") return ParseToolUse(*obj, p, block);
  if (type == "tool_result") return ParseToolResult(*obj, p, block);
  if (type != "text") return ParseThinking(*obj, p, block);
  BP_RETURN_IF_ERROR(CheckKeys(*obj, kTextKeys, Names(kTextKeys).first(2), p));
  BP_ASSIGN_OR_RETURN(std::string_view text, StrAt(*obj, "text", p));
  if (text.empty()) return ValidationError("messages: text content blocks must be non-empty");
  block.text = text;
  return Status::Ok();
}

Status ParseToolResult(const Object& obj, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kKeys[] = {"type", "tool_use_id", "content", "is_error",
                                               "cache_control"};
  BP_RETURN_IF_ERROR(CheckKeys(obj, kKeys, Names(kKeys).first(2), p));
  BP_ASSIGN_OR_RETURN(std::string_view id, StrAt(obj, "tool_use_id", p));
  BP_RETURN_IF_ERROR(CheckPattern(id, p.Key("tool_use_id")));
  block.kind = ContentBlock::Kind::kToolResult;
  block.tool_use_id = id;
  if (const Value* e = MemberOf(obj, "is_error")) {
    if (!e->is_bool()) return TypeMismatch(p.Key("is_error"), "Boolean", *e);
    block.is_error = e->get_bool();
  }
  const Value* content = MemberOf(obj, "content");
  if (content == nullptr) return Status::Ok();
  WirePath cp = p.Key("content");
  if (content->is_string()) {
    block.text = content->get_string();
    return Status::Ok();
  }
  if (!content->is_array()) return TypeMismatch(cp, "String or JSONArray", *content);
  const Array& parts = content->get_array();
  for (size_t i = 0; i < parts.size(); ++i) {
    ContentBlock part;
    BP_RETURN_IF_ERROR(ParseBlock(parts[i], cp.Index(i), true, part));
    if (part.kind == ContentBlock::Kind::kText) {
      if (!block.text.empty()) block.text += '\n';
      block.text += part.text;
    }
    block.byte_size += part.byte_size;
  }
  return Status::Ok();
}

// thinking {thinking, signature} | redacted_thinking {data}: reasoning the
// model produced earlier, handed back.
Status ParseThinking(const Object& obj, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kThinking[] = {"type", "thinking", "signature"};
  static constexpr std::string_view kRedacted[] = {"type", "data"};
  block.kind = ContentBlock::Kind::kReasoning;
  if (obj.at("type").get_string() == "redacted_thinking") {
    BP_RETURN_IF_ERROR(CheckKeys(obj, kRedacted, kRedacted, p));
    BP_ASSIGN_OR_RETURN(std::string_view data, StrAt(obj, "data", p));
    block.base64 = data;  // opaque; forwarded as it came (backends/bedrock)
    return Status::Ok();
  }
  BP_RETURN_IF_ERROR(CheckKeys(obj, kThinking, kThinking, p));
  BP_ASSIGN_OR_RETURN(std::string_view thinking, StrAt(obj, "thinking", p));
  BP_ASSIGN_OR_RETURN(std::string_view signature, StrAt(obj, "signature", p));
  block.text = thinking;
  block.signature = signature;
  return Status::Ok();
}

// The cache_control {type: "ephemeral", ttl: "5m" | "1h"} member of `obj`, if any.
Result<std::optional<backends::CacheTtl>> CacheControl(const Object& obj, const WirePath& p) {
  static constexpr std::string_view kKeys[] = {"type", "ttl"};
  const Value* v = MemberOf(obj, "cache_control");
  if (v == nullptr) return std::optional<backends::CacheTtl>();
  WirePath cp = p.Key("cache_control");
  BP_ASSIGN_OR_RETURN(const Object* control, Obj(*v, cp));
  BP_RETURN_IF_ERROR(CheckKeys(*control, kKeys, Names(kKeys).first(1), cp));
  BP_ASSIGN_OR_RETURN(std::string_view type, StrAt(*control, "type", cp));
  if (type != "ephemeral") return NotInEnum(cp.Key("type"), type);
  const Value* ttl = MemberOf(*control, "ttl");
  if (ttl == nullptr) return std::optional<backends::CacheTtl>(backends::CacheTtl::k5m);
  BP_ASSIGN_OR_RETURN(std::string_view name, Str(*ttl, cp.Key("ttl")));
  std::optional<backends::CacheTtl> parsed = CacheTtlFromName(name);
  if (!parsed) return NotInEnum(cp.Key("ttl"), name);
  return parsed;
}

// A message content block's cache point: its own cache_control, or (a
// tool_result) one on a block of its content, which marks the same place.
// The first such member decides the TTL; the others still count.
Status AddBlockCachePoints(const Object& block, const WirePath& p, uint32_t message, uint32_t count,
                           CachePointList& points) {
  const backends::CachePoint at{
      .section = backends::CachePoint::Section::kMessages, .message = message, .count = count};
  BP_ASSIGN_OR_RETURN(std::optional<backends::CacheTtl> own, CacheControl(block, p));
  if (own) {
    backends::CachePoint point = at;
    point.ttl = *own;
    points.Add(point, p.Plain());
  }
  const Value* content = MemberOf(block, "content");
  if (content == nullptr || !content->is_array()) return Status::Ok();
  WirePath cp = p.Key("content");
  const Array& parts = content->get_array();
  for (size_t i = 0; i < parts.size(); ++i) {
    WirePath ip = cp.Index(i);
    BP_ASSIGN_OR_RETURN(std::optional<backends::CacheTtl> nested,
                        CacheControl(parts[i].get_object(), ip));
    if (!nested) continue;
    backends::CachePoint point = at;
    point.ttl = *nested;
    points.Add(point, ip.Plain());
  }
  return Status::Ok();
}

Status ParseMessage(const Value& v, const WirePath& p, uint32_t index, bool last,
                    CachePointList& points, backends::Message& message) {
  static constexpr std::string_view kKeys[] = {"role", "content"};
  static constexpr std::string_view kRoles[] = {"user", "assistant"};
  BP_ASSIGN_OR_RETURN(const Object* obj, Obj(v, p));
  BP_RETURN_IF_ERROR(CheckKeys(*obj, kKeys, kKeys, p));
  BP_ASSIGN_OR_RETURN(std::string_view role, StrAt(*obj, "role", p));
  if (!OneOfNames(role, kRoles)) return NotInEnum(p.Key("role"), role);
  message.role = role == "user" ? backends::Role::kUser : backends::Role::kAssistant;
  const Value& content = obj->at("content");
  WirePath cp = p.Key("content");
  bool empty = false;
  if (content.is_string()) {
    empty = content.get_string().empty();
    if (!empty) message.content.push_back({.text = std::string(content.get_string())});
  } else if (content.is_array()) {
    const Array& blocks = content.get_array();
    empty = blocks.empty();
    message.content.resize(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      WirePath ip = cp.Index(i);
      BP_RETURN_IF_ERROR(ParseBlock(blocks[i], ip, false, message.content[i]));
      BP_RETURN_IF_ERROR(AddBlockCachePoints(blocks[i].get_object(), ip, index,
                                             static_cast<uint32_t>(i + 1), points));
    }
  } else {
    return TypeMismatch(cp, "String or JSONArray", content);
  }
  if (empty && !(last && message.role == backends::Role::kAssistant)) {
    return ValidationError(p.Plain() +
                           ": all messages must have non-empty content except for the optional "
                           "final assistant message");
  }
  return Status::Ok();
}

// ---- top-level members -------------------------------------------------------------

Status ParseSystem(const Value& v, const WirePath& p, CachePointList& points, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {"type", "text", "cache_control", "citations"};
  if (v.is_string()) {
    if (!v.get_string().empty()) req.system.emplace_back(v.get_string());
    return Status::Ok();
  }
  if (!v.is_array()) return TypeMismatch(p, "String or JSONArray", v);
  const Array& blocks = v.get_array();
  for (size_t i = 0; i < blocks.size(); ++i) {
    WirePath ip = p.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* block, Obj(blocks[i], ip));
    BP_RETURN_IF_ERROR(CheckKeys(*block, kKeys, Names(kKeys).first(2), ip));
    BP_ASSIGN_OR_RETURN(std::string_view type, StrAt(*block, "type", ip));
    if (type != "text") return NotInEnum(ip.Key("type"), type);
    BP_ASSIGN_OR_RETURN(std::string_view text, StrAt(*block, "text", ip));
    if (text.empty()) return ValidationError("system: text content blocks must be non-empty");
    req.system.emplace_back(text);
    BP_ASSIGN_OR_RETURN(std::optional<backends::CacheTtl> ttl, CacheControl(*block, ip));
    if (ttl) {
      points.Add({.section = backends::CachePoint::Section::kSystem,
                  .count = static_cast<uint32_t>(req.system.size()),
                  .ttl = *ttl},
                 ip.Plain());
    }
  }
  return Status::Ok();
}

Status ParseTools(const Value& v, const WirePath& p, CachePointList& points, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {"name", "description",   "input_schema",
                                               "type", "cache_control", "strict"};
  static constexpr std::string_view kRequired[] = {"name", "input_schema"};
  BP_ASSIGN_OR_RETURN(const Array* tools, Arr(v, p));
  for (size_t i = 0; i < tools->size(); ++i) {
    WirePath ip = p.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* obj, Obj((*tools)[i], ip));
    if (const Value* t = MemberOf(*obj, "type");
        t != nullptr && !(t->is_string() && t->get_string() == "custom")) {
      return NotSupported(ip.Key("type"), "tool type " + json::Serialize(*t));
    }
    BP_RETURN_IF_ERROR(CheckKeys(*obj, kKeys, kRequired, ip));
    backends::Tool tool;
    BP_ASSIGN_OR_RETURN(std::string_view name, StrAt(*obj, "name", ip));
    BP_RETURN_IF_ERROR(CheckPattern(name, ip.Key("name")));
    tool.name = name;
    if (const Value* d = MemberOf(*obj, "description")) {
      BP_ASSIGN_OR_RETURN(std::string_view description, Str(*d, ip.Key("description")));
      tool.description = description;
    }
    WirePath sp = ip.Key("input_schema");
    BP_RETURN_IF_ERROR(Obj(obj->at("input_schema"), sp).status());
    if (const Value* s = MemberOf(*obj, "strict")) {
      if (!s->is_bool()) return TypeMismatch(ip.Key("strict"), "Boolean", *s);
      tool.strict = s->get_bool();
    }
    if (tool.strict) {
      if (std::optional<std::string> reason =
              CheckStructuredSchema(obj->at("input_schema"), true)) {
        return ValidationError(sp.Plain() + ": " + *reason);
      }
    }
    tool.input_schema_json = json::Serialize(obj->at("input_schema"));
    for (const backends::Tool& other : req.tools) {
      if (other.name == tool.name) return ValidationError("tools: Tool names must be unique.");
    }
    req.tools.push_back(std::move(tool));
    BP_ASSIGN_OR_RETURN(std::optional<backends::CacheTtl> ttl, CacheControl(*obj, ip));
    if (ttl) {
      points.Add({.section = backends::CachePoint::Section::kTools,
                  .count = static_cast<uint32_t>(req.tools.size()),
                  .ttl = *ttl},
                 ip.Plain());
    }
  }
  return Status::Ok();
}

Status ParseToolChoice(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {"type", "name", "disable_parallel_tool_use"};
  static constexpr std::string_view kTypes[] = {"auto", "any", "tool", "none"};
  BP_ASSIGN_OR_RETURN(const Object* obj, Obj(v, p));
  BP_RETURN_IF_ERROR(CheckKeys(*obj, kKeys, Names(kKeys).first(1), p));
  BP_ASSIGN_OR_RETURN(std::string_view type, StrAt(*obj, "type", p));
  if (!OneOfNames(type, kTypes)) return NotInEnum(p.Key("type"), type);
  if (const Value* d = MemberOf(*obj, "disable_parallel_tool_use"); d && !d->is_bool()) {
    return TypeMismatch(p.Key("disable_parallel_tool_use"), "Boolean", *d);
  }
  if (type == "none") req.tool_choice = backends::ToolChoice::kNone;
  if (type == "auto" || type == "none") return Status::Ok();
  if (req.tools.empty()) {
    return ValidationError("tool_choice: tool_choice may only be specified while providing tools");
  }
  req.tool_choice = backends::ToolChoice::kAny;
  if (type == "any") return Status::Ok();
  if (MemberOf(*obj, "name") == nullptr) return Malformed(p, "required key [name] not found");
  BP_ASSIGN_OR_RETURN(std::string_view name, StrAt(*obj, "name", p));
  bool known = std::any_of(req.tools.begin(), req.tools.end(),
                           [&](const backends::Tool& t) { return t.name == name; });
  if (!known) {
    return ValidationError("tool_choice.name: tool '" + std::string(name) +
                           "' is not one of the tools provided in tools");
  }
  req.tool_choice = backends::ToolChoice::kTool;
  req.tool_choice_name = name;
  return Status::Ok();
}

// A format {type: "json_schema", schema {...}} at `p` (output_config.format or
// the deprecated output_format).
Status ParseOutputFormat(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {"type", "schema"};
  BP_ASSIGN_OR_RETURN(const Object* obj, Obj(v, p));
  BP_RETURN_IF_ERROR(CheckKeys(*obj, kKeys, kKeys, p));
  BP_ASSIGN_OR_RETURN(std::string_view type, StrAt(*obj, "type", p));
  if (type != "json_schema") return NotInEnum(p.Key("type"), type);
  WirePath sp = p.Key("schema");
  BP_RETURN_IF_ERROR(Obj(obj->at("schema"), sp).status());
  if (std::optional<std::string> reason = CheckStructuredSchema(obj->at("schema"), false)) {
    return ValidationError(sp.Plain() + ": " + *reason);
  }
  if (req.output_format) {
    return ValidationError(
        "output_format: output_format and output_config.format cannot both be set; use "
        "output_config.format");
  }
  req.output_format = backends::OutputFormat{.schema_json = json::Serialize(obj->at("schema"))};
  return Status::Ok();
}

// output_config {format, effort}; effort is validated, not modelled.
Status ParseOutputConfig(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {"format", "effort"};
  static constexpr std::string_view kEfforts[] = {"low", "medium", "high", "xhigh", "max"};
  BP_ASSIGN_OR_RETURN(const Object* obj, Obj(v, p));
  BP_RETURN_IF_ERROR(CheckKeys(*obj, kKeys, {}, p));
  if (const Value* e = MemberOf(*obj, "effort")) {
    BP_ASSIGN_OR_RETURN(std::string_view effort, Str(*e, p.Key("effort")));
    if (!OneOfNames(effort, kEfforts)) return NotInEnum(p.Key("effort"), effort);
  }
  if (const Value* f = MemberOf(*obj, "format")) {
    BP_RETURN_IF_ERROR(ParseOutputFormat(*f, p.Key("format"), req));
  }
  return Status::Ok();
}

Status ParseStopSequences(const Value& v, const WirePath& p, ModelRequest& req) {
  BP_ASSIGN_OR_RETURN(const Array* list, Arr(v, p));
  for (size_t i = 0; i < list->size(); ++i) {
    BP_ASSIGN_OR_RETURN(std::string_view s, Str((*list)[i], p.Index(i)));
    if (s.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return ValidationError("stop_sequences: each stop sequence must contain non-whitespace");
    }
    req.stop_sequences.emplace_back(s);
  }
  return Status::Ok();
}

// Sampling members, and those accepted without being modelled.
Status ParseOptions(const Object& body, const WirePath& root, ModelRequest& req) {
  if (const Value* v = MemberOf(body, "temperature")) {
    BP_ASSIGN_OR_RETURN(req.temperature, UnitInterval(*v, root.Key("temperature")));
  }
  if (const Value* v = MemberOf(body, "top_p")) {
    BP_ASSIGN_OR_RETURN(req.top_p, UnitInterval(*v, root.Key("top_p")));
  }
  if (const Value* v = MemberOf(body, "top_k")) {
    BP_ASSIGN_OR_RETURN(req.top_k, IntAtLeast(*v, root.Key("top_k"), 0));
  }
  if (const Value* v = MemberOf(body, "stop_sequences")) {
    BP_RETURN_IF_ERROR(ParseStopSequences(*v, root.Key("stop_sequences"), req));
  }
  if (const Value* v = MemberOf(body, "metadata")) {
    BP_RETURN_IF_ERROR(Obj(*v, root.Key("metadata")).status());
  }
  if (const Value* v = MemberOf(body, "thinking")) {
    BP_RETURN_IF_ERROR(Obj(*v, root.Key("thinking")).status());
    BP_RETURN_IF_ERROR(ParseThinkingConfig(*v, ThinkingWire::kAnthropic, req));
  }
  if (const Value* v = MemberOf(body, "anthropic_beta")) {
    WirePath bp = root.Key("anthropic_beta");
    BP_ASSIGN_OR_RETURN(const Array* betas, Arr(*v, bp));
    for (size_t i = 0; i < betas->size(); ++i) {
      BP_RETURN_IF_ERROR(Str((*betas)[i], bp.Index(i)).status());
    }
  }
  return Status::Ok();
}

Status ParseBodyMembers(const Object& body, ModelRequest& req) {
  static constexpr std::string_view kKeys[] = {
      "anthropic_version", "max_tokens", "messages", "anthropic_beta", "system",
      "temperature",       "top_p",      "top_k",    "stop_sequences", "tools",
      "tool_choice",       "metadata",   "thinking", "output_config",  "output_format"};
  WirePath root;
  BP_RETURN_IF_ERROR(CheckKeys(body, kKeys, Names(kKeys).first(3), root));
  BP_ASSIGN_OR_RETURN(std::string_view version, StrAt(body, "anthropic_version", root));
  if (version.empty()) {
    return Malformed(root.Key("anthropic_version"), "expected minLength: 1, actual: 0");
  }
  BP_ASSIGN_OR_RETURN(req.max_tokens, IntAtLeast(body.at("max_tokens"), root.Key("max_tokens"), 1));
  WirePath mp = root.Key("messages");
  BP_ASSIGN_OR_RETURN(const Array* messages, Arr(body.at("messages"), mp));
  if (messages->empty()) return Malformed(mp, "expected minimum item count: 1, found: 0");
  req.messages.resize(messages->size());
  CachePointList cache_points;
  for (size_t i = 0; i < messages->size(); ++i) {
    bool last = i + 1 == messages->size();
    BP_RETURN_IF_ERROR(ParseMessage((*messages)[i], mp.Index(i), static_cast<uint32_t>(i), last,
                                    cache_points, req.messages[i]));
  }
  if (const Value* v = MemberOf(body, "system")) {
    BP_RETURN_IF_ERROR(ParseSystem(*v, root.Key("system"), cache_points, req));
  }
  if (const Value* v = MemberOf(body, "tools")) {
    BP_RETURN_IF_ERROR(ParseTools(*v, root.Key("tools"), cache_points, req));
  }
  BP_RETURN_IF_ERROR(cache_points.MoveInto(req));
  if (const Value* v = MemberOf(body, "tool_choice")) {
    BP_RETURN_IF_ERROR(ParseToolChoice(*v, root.Key("tool_choice"), req));
  }
  if (const Value* v = MemberOf(body, "output_config")) {
    BP_RETURN_IF_ERROR(ParseOutputConfig(*v, root.Key("output_config"), req));
  }
  if (const Value* v = MemberOf(body, "output_format")) {
    BP_RETURN_IF_ERROR(ParseOutputFormat(*v, root.Key("output_format"), req));
  }
  if (std::optional<std::string> reason = CheckStructuredLimits(req)) {
    return ValidationError(*reason);
  }
  BP_RETURN_IF_ERROR(ParseOptions(body, root, req));
  return CheckThinking(req, ThinkingWire::kAnthropic);
}

}  // namespace

Result<ModelRequest> ParseAnthropicRequest(std::string_view body) {
  Result<Value> doc = json::ParseInArena(body);
  if (!doc.ok()) {
    return ValidationError("Malformed input request: " + doc.status().message() +
                           ", please reformat your input and try again.");
  }
  if (!doc->is_object()) return TypeMismatch(WirePath(), "JSONObject", *doc);
  ModelRequest req;
  BP_RETURN_IF_ERROR(ParseBodyMembers(doc->get_object(), req));
  return req;
}

}  // namespace bp::api::runtime
