#include "api/runtime/converse_wire.h"

#include <algorithm>
#include <climits>

#include "api/runtime/anthropic_wire.h"
#include "api/runtime/call_options.h"
#include "api/runtime/converse_content.h"
#include "api/runtime/guardrail_wire.h"
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

// ---- messages ------------------------------------------------------------------

// Message `index` of the conversation, at `p`.
Status ParseMessage(const Value& v, const WirePath& p, size_t index, ConversationFacts& conv,
                    backends::Message& message) {
  static constexpr std::string_view kMembers[] = {"role", "content"};
  static constexpr std::string_view kRoles[] = {"user", "assistant"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view role, RequiredString(*obj, "role", p));
  if (role != "user" && role != "assistant") return CoralEnum(p.Key("role"), kRoles, role);
  message.role = role == "user" ? backends::Role::kUser : backends::Role::kAssistant;
  const Value* content = MemberOf(*obj, "content");
  if (content == nullptr) return CoralNull(p.Key("content"));
  WirePath cp = p.Key("content");
  BP_ASSIGN_OR_RETURN(const Array* blocks, AsArray(*content, cp));
  if (blocks->empty()) {
    return ValidationError("The content field in the Message object at " + p.Plain() +
                           " is empty. Add a ContentBlock object to the content field and try "
                           "again.");
  }
  message.content.reserve(blocks->size());
  conv.message_index = static_cast<uint32_t>(index);
  for (size_t i = 0; i < blocks->size(); ++i) {
    BP_RETURN_IF_ERROR(ParseContentBlock((*blocks)[i], cp.Index(i), conv, message.content));
  }
  return Status::Ok();
}

constexpr char kAlternate[] =
    "A conversation must alternate between user and assistant roles. Make sure the "
    "conversation alternates between user and assistant roles and try again.";
constexpr char kStartWithUser[] =
    "A conversation must start with a user message. Try again with a conversation that "
    "starts with a user message.";

// The messages of a conversation as they are parsed, one at a time, with
// the checks that span messages (roles alternate, the first is the user's).
// Only the first error counts; after a first message that is not the
// user's, the rest is not looked at (Bedrock reports that before anything
// wrong inside later messages).
class MessageList final {
 public:
  explicit MessageList(ModelRequest& req) : req_(req) {}

  // Message `i` (0, 1, ... in order) at p.Index(i).
  void Add(const Value& v, const WirePath& p, size_t i) {
    if (i == 0) Reset();  // a repeated "messages" member starts over
    seen_ = true;
    if (stopped_ || !error_.ok()) return;
    backends::Message& message = req_.messages.emplace_back();
    Status status = ParseMessage(v, p.Index(i), i, conv_, message);
    if (!status.ok()) {
      error_ = std::move(status);
    } else if (i == 0 && message.role != backends::Role::kUser) {
      stopped_ = true;
    } else if (i > 0 && message.role == req_.messages[i - 1].role) {
      error_ = ValidationError(kAlternate);
    }
  }

  // After the last message: the first error, if any.
  Status Finish() const {
    if (!error_.ok()) return error_;
    if (req_.messages.empty() || req_.messages[0].role != backends::Role::kUser) {
      return ValidationError(kStartWithUser);
    }
    return Status::Ok();
  }

  bool seen() const { return seen_; }
  const ConversationFacts& conv() const { return conv_; }

 private:
  void Reset() {
    req_.messages.clear();
    conv_ = ConversationFacts();
    error_ = Status::Ok();
    stopped_ = false;
  }

  ModelRequest& req_;
  ConversationFacts conv_;
  Status error_;
  bool seen_ = false;
  bool stopped_ = false;
};

// The messages member from a document (CountTokens' input.converse).
Status ParseMessages(const Value& v, const WirePath& p, MessageList& list) {
  BP_ASSIGN_OR_RETURN(const Array* messages, AsArray(v, p));
  for (size_t i = 0; i < messages->size(); ++i) list.Add((*messages)[i], p, i);
  return list.Finish();
}

// ---- system, inferenceConfig, toolConfig, additional fields --------------------

Status ParseSystem(const Value& v, const WirePath& p, CachePointList& points, ModelRequest& req) {
  static constexpr std::string_view kKinds[] = {"text", "guardContent", "cachePoint"};
  BP_ASSIGN_OR_RETURN(const Array* blocks, AsArray(v, p));
  for (size_t i = 0; i < blocks->size(); ++i) {
    WirePath ip = p.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* obj, AsObject((*blocks)[i], ip));
    BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, ip));
    WirePath mp = ip.Key(kind);
    if (kind == "cachePoint") {
      BP_ASSIGN_OR_RETURN(backends::CacheTtl ttl, ParseCachePoint(obj->at(kind), mp));
      points.Add({.section = backends::CachePoint::Section::kSystem,
                  .count = static_cast<uint32_t>(req.system.size()),
                  .ttl = ttl},
                 ip.Plain());
      continue;
    }
    ContentBlock block;
    if (kind == "guardContent") {
      BP_RETURN_IF_ERROR(ParseGuardContent(obj->at(kind), mp, block));
      if (block.kind != ContentBlock::Kind::kText) return UnsupportedMember(mp.Key("image"));
      req.guarded_system.push_back(static_cast<uint32_t>(req.system.size()));
    } else {
      BP_ASSIGN_OR_RETURN(std::string_view text, AsString(obj->at(kind), mp));
      block.text = text;
    }
    if (block.text.empty()) {
      return CoralConstraint(mp, "", "Member must have length greater than or equal to 1");
    }
    req.system.push_back(std::move(block.text));
  }
  return Status::Ok();
}

// temperature / topP: a number in 0..1.
Result<double> UnitInterval(const Value& v, const WirePath& p) {
  if (!v.is_number()) return CoralWrongType(p, "a number", v);
  double d = v.to_number<double>();
  if (d < 0) {
    return CoralConstraint(p, FormatNumber(v), "Member must have value greater than or equal to 0");
  }
  if (d > 1) {
    return CoralConstraint(p, FormatNumber(v), "Member must have value less than or equal to 1");
  }
  return d;
}

Status ParseStopSequences(const Value& v, const WirePath& p, ModelRequest& req) {
  BP_ASSIGN_OR_RETURN(const Array* list, AsArray(v, p));
  if (list->size() > 2500) {
    return CoralError(p, "", "Member must have length less than or equal to 2500");
  }
  req.stop_sequences.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    WirePath ip = p.Index(i);
    BP_ASSIGN_OR_RETURN(std::string_view s, AsString((*list)[i], ip));
    if (s.empty()) {
      return CoralConstraint(ip, s, "Member must have length greater than or equal to 1");
    }
    req.stop_sequences.emplace_back(s);
  }
  return Status::Ok();
}

Status ParseInferenceConfig(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"maxTokens", "temperature", "topP",
                                                  "stopSequences"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  if (const Value* m = MemberOf(*obj, "maxTokens")) {
    WirePath mp = p.Key("maxTokens");
    std::optional<int64_t> n = IntegerValue(*m);
    if (!n) return CoralWrongType(mp, "an integer", *m);
    if (*n < 1) {
      return CoralConstraint(mp, FormatNumber(*m),
                             "Member must have value greater than or equal to 1");
    }
    if (*n > INT32_MAX) {
      return CoralConstraint(mp, FormatNumber(*m),
                             "Member must have value less than or equal to 2147483647");
    }
    req.max_tokens = static_cast<int32_t>(*n);
  }
  if (const Value* t = MemberOf(*obj, "temperature")) {
    BP_ASSIGN_OR_RETURN(req.temperature, UnitInterval(*t, p.Key("temperature")));
  }
  if (const Value* t = MemberOf(*obj, "topP")) {
    BP_ASSIGN_OR_RETURN(req.top_p, UnitInterval(*t, p.Key("topP")));
  }
  if (const Value* s = MemberOf(*obj, "stopSequences")) {
    BP_RETURN_IF_ERROR(ParseStopSequences(*s, p.Key("stopSequences"), req));
  }
  return Status::Ok();
}

Status ParseToolSpec(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"name", "description", "inputSchema", "strict"};
  static constexpr std::string_view kSchemaKinds[] = {"json"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  backends::Tool tool;
  BP_ASSIGN_OR_RETURN(std::string_view name, RequiredString(*obj, "name", p));
  BP_RETURN_IF_ERROR(CheckName(name, p.Key("name"), false));
  tool.name = name;
  if (const Value* d = MemberOf(*obj, "description")) {
    BP_ASSIGN_OR_RETURN(std::string_view description, AsString(*d, p.Key("description")));
    if (description.empty()) {
      return CoralConstraint(p.Key("description"), "",
                             "Member must have length greater than or equal to 1");
    }
    tool.description = description;
  }
  if (const Value* s = MemberOf(*obj, "strict")) {
    if (!s->is_bool()) return CoralWrongType(p.Key("strict"), "a boolean", *s);
    tool.strict = s->get_bool();
  }
  const Value* schema = MemberOf(*obj, "inputSchema");
  if (schema == nullptr) return CoralNull(p.Key("inputSchema"));
  WirePath sp = p.Key("inputSchema");
  BP_ASSIGN_OR_RETURN(const Object* schema_obj, AsObject(*schema, sp));
  BP_RETURN_IF_ERROR(UnionMember(*schema_obj, kSchemaKinds, sp).status());
  WirePath jp = sp.Key("json");
  BP_RETURN_IF_ERROR(AsObject(schema_obj->at("json"), jp).status());
  if (tool.strict) {
    if (std::optional<std::string> reason = CheckStructuredSchema(schema_obj->at("json"), true)) {
      return ValidationError(jp.Plain() + ": " + *reason);
    }
  }
  tool.input_schema_json = json::Serialize(schema_obj->at("json"));
  for (const backends::Tool& other : req.tools) {
    if (other.name == tool.name) {
      return ValidationError("The toolConfig field contains the tool name '" + tool.name +
                             "' more than once. Tool names must be unique.");
    }
  }
  req.tools.push_back(std::move(tool));
  return Status::Ok();
}

Status ParseToolChoice(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kKinds[] = {"auto", "any", "tool"};
  static constexpr std::string_view kToolMembers[] = {"name"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, p));
  WirePath mp = p.Key(kind);
  BP_ASSIGN_OR_RETURN(const Object* choice, AsObject(obj->at(kind), mp));
  BP_RETURN_IF_ERROR(CheckMembers(*choice, kind == "tool" ? Names(kToolMembers) : Names(), mp));
  if (kind == "auto") req.tool_choice = backends::ToolChoice::kAuto;
  if (kind == "any") req.tool_choice = backends::ToolChoice::kAny;
  if (kind != "tool") return Status::Ok();
  BP_ASSIGN_OR_RETURN(std::string_view name, RequiredString(*choice, "name", mp));
  BP_RETURN_IF_ERROR(CheckName(name, mp.Key("name"), false));
  bool known = std::any_of(req.tools.begin(), req.tools.end(),
                           [&](const backends::Tool& t) { return t.name == name; });
  if (!known) {
    return ValidationError("The tool '" + std::string(name) + "' named at '" +
                           mp.Key("name").Coral() +
                           "' is not in toolConfig.tools. Add it there or choose another tool, "
                           "and try again.");
  }
  req.tool_choice = backends::ToolChoice::kTool;
  req.tool_choice_name = name;
  return Status::Ok();
}

Status ParseToolConfig(const Value& v, const WirePath& p, CachePointList& points,
                       ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"tools", "toolChoice"};
  static constexpr std::string_view kToolKinds[] = {"toolSpec", "systemTool", "cachePoint"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  const Value* tools = MemberOf(*obj, "tools");
  if (tools == nullptr) return CoralNull(p.Key("tools"));
  WirePath tp = p.Key("tools");
  BP_ASSIGN_OR_RETURN(const Array* list, AsArray(*tools, tp));
  if (list->empty()) {
    return CoralError(tp, "", "Member must have length greater than or equal to 1");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    WirePath ip = tp.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* tool, AsObject((*list)[i], ip));
    BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*tool, kToolKinds, ip));
    WirePath mp = ip.Key(kind);
    if (kind == "systemTool") return UnsupportedMember(mp);
    if (kind == "toolSpec") {
      BP_RETURN_IF_ERROR(ParseToolSpec(tool->at(kind), mp, req));
      continue;
    }
    BP_ASSIGN_OR_RETURN(backends::CacheTtl ttl, ParseCachePoint(tool->at(kind), mp));
    points.Add({.section = backends::CachePoint::Section::kTools,
                .count = static_cast<uint32_t>(req.tools.size()),
                .ttl = ttl},
               ip.Plain());
  }
  if (const Value* choice = MemberOf(*obj, "toolChoice")) {
    BP_RETURN_IF_ERROR(ParseToolChoice(*choice, p.Key("toolChoice"), req));
  }
  return Status::Ok();
}

// outputConfig {textFormat {type: "json_schema", structure {jsonSchema {schema (a
// string holding the schema's JSON), name, description}}}, effort}.
Status ParseOutputConfig(const Value& v, const WirePath& p, ModelRequest& req) {
  static constexpr std::string_view kMembers[] = {"textFormat", "effort"};
  static constexpr std::string_view kFormatMembers[] = {"type", "structure"};
  static constexpr std::string_view kFormatTypes[] = {"json_schema"};
  static constexpr std::string_view kStructures[] = {"jsonSchema"};
  static constexpr std::string_view kSchemaMembers[] = {"schema", "name", "description"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  if (const Value* e = MemberOf(*obj, "effort")) {
    BP_RETURN_IF_ERROR(AsString(*e, p.Key("effort")).status());  // not modelled
  }
  const Value* text_format = MemberOf(*obj, "textFormat");
  if (text_format == nullptr) return Status::Ok();
  WirePath fp = p.Key("textFormat");
  BP_ASSIGN_OR_RETURN(const Object* format, AsObject(*text_format, fp));
  BP_RETURN_IF_ERROR(CheckMembers(*format, kFormatMembers, fp));
  BP_ASSIGN_OR_RETURN(std::string_view type, RequiredString(*format, "type", fp));
  if (type != "json_schema") return CoralEnum(fp.Key("type"), kFormatTypes, type);
  const Value* structure = MemberOf(*format, "structure");
  if (structure == nullptr) return CoralNull(fp.Key("structure"));
  WirePath sp = fp.Key("structure");
  BP_ASSIGN_OR_RETURN(const Object* structure_obj, AsObject(*structure, sp));
  BP_RETURN_IF_ERROR(UnionMember(*structure_obj, kStructures, sp).status());
  WirePath jp = sp.Key("jsonSchema");
  BP_ASSIGN_OR_RETURN(const Object* definition, AsObject(structure_obj->at("jsonSchema"), jp));
  BP_RETURN_IF_ERROR(CheckMembers(*definition, kSchemaMembers, jp));
  backends::OutputFormat out;
  if (const Value* m = MemberOf(*definition, "name")) {
    BP_ASSIGN_OR_RETURN(std::string_view name, AsString(*m, jp.Key("name")));
    out.name = name;
  }
  if (const Value* m = MemberOf(*definition, "description")) {
    BP_ASSIGN_OR_RETURN(std::string_view description, AsString(*m, jp.Key("description")));
    out.description = description;
  }
  BP_ASSIGN_OR_RETURN(std::string_view schema_text, RequiredString(*definition, "schema", jp));
  WirePath schema_path = jp.Key("schema");
  Result<Value> schema = json::Parse(schema_text);
  if (!schema.ok()) {
    return CoralError(
        schema_path, "",
        "Member must be a JSON schema in JSON text (" + schema.status().message() + ")");
  }
  if (std::optional<std::string> reason = CheckStructuredSchema(*schema, false)) {
    return ValidationError(schema_path.Plain() + ": " + *reason);
  }
  out.schema_json = json::Serialize(*schema);
  req.output_format = std::move(out);
  return Status::Ok();
}

// additionalModelRequestFields.output_config.format {type: "json_schema",
// schema {...}}: Anthropic's own structured output field, which Bedrock
// hands to Claude (the Vercel AI SDK sends it). Its errors name the
// Anthropic field, as the model's own would.
Status ParseAnthropicOutputFormat(const Object& fields, ModelRequest& req) {
  const Value* config = MemberOf(fields, "output_config");
  if (config == nullptr || !config->is_object()) return Status::Ok();  // the model's to judge
  const Value* format = MemberOf(config->get_object(), "format");
  if (format == nullptr) return Status::Ok();
  const Object* obj = format->if_object();
  const Value* type = obj != nullptr ? MemberOf(*obj, "type") : nullptr;
  const Value* schema = obj != nullptr ? MemberOf(*obj, "schema") : nullptr;
  if (type == nullptr || !type->is_string() || type->get_string() != "json_schema" ||
      schema == nullptr || !schema->is_object() || obj->size() != 2) {
    return ValidationError(
        "output_config.format: must be {\"type\": \"json_schema\", \"schema\": {...}}");
  }
  if (std::optional<std::string> reason = CheckStructuredSchema(*schema, false)) {
    return ValidationError("output_config.format.schema: " + *reason);
  }
  if (req.output_format) {
    return ValidationError(
        "outputConfig.textFormat and additionalModelRequestFields.output_config.format cannot "
        "both be set. Use one of them and try again.");
  }
  req.output_format = backends::OutputFormat{.schema_json = json::Serialize(*schema)};
  return Status::Ok();
}

// A document passed to the model; top_k, thinking and output_config.format are modelled.
Status ParseAdditionalFields(const Value& v, const WirePath& p, ModelRequest& req) {
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(ParseAnthropicOutputFormat(*obj, req));
  if (const Value* thinking = MemberOf(*obj, "thinking")) {
    BP_RETURN_IF_ERROR(ParseThinkingConfig(*thinking, ThinkingWire::kConverse, req));
  }
  const Value* top_k = MemberOf(*obj, "top_k");
  if (top_k == nullptr) return Status::Ok();
  std::optional<int64_t> k = IntegerValue(*top_k);
  if (!k) return Status::Ok();  // not ours to judge: the model would
  if (*k < 0 || *k > INT32_MAX) {
    return CoralConstraint(p.Key("top_k"), FormatNumber(*top_k),
                           "Member must have value between 0 and 2147483647");
  }
  req.top_k = static_cast<int32_t>(*k);
  return Status::Ok();
}

// Members accepted for compatibility and not modelled: only their JSON kind
// is checked.
Status CheckIgnored(const Object& body, const WirePath& root) {
  static constexpr std::string_view kObjects[] = {"promptVariables", "performanceConfig"};
  for (std::string_view key : kObjects) {
    if (const Value* v = MemberOf(body, key)) {
      BP_RETURN_IF_ERROR(AsObject(*v, root.Key(key)).status());
    }
  }
  if (const Value* v = MemberOf(body, "additionalModelResponseFieldPaths")) {
    WirePath p = root.Key("additionalModelResponseFieldPaths");
    BP_ASSIGN_OR_RETURN(const Array* paths, AsArray(*v, p));
    if (paths->size() > 10) {
      return CoralError(p, "", "Member must have length less than or equal to 10");
    }
    for (size_t i = 0; i < paths->size(); ++i) {
      BP_RETURN_IF_ERROR(AsString((*paths)[i], p.Index(i)).status());
    }
  }
  return Status::Ok();
}

// The members of a Converse body (or of CountTokens' input.converse, which
// has no inferenceConfig and none of the ignored members) at `root`.
// `streamed`, when set, holds the messages already parsed while the body
// was read (ParseConverseRequest); the document then has an empty array
// there.
Status ParseConverseMembers(const json::Object& body, const WirePath& root, bool count_tokens,
                            const MessageList* streamed, ModelRequest& req) {
  static constexpr std::string_view kConverse[] = {
      "messages",          "system",          "inferenceConfig",
      "toolConfig",        "guardrailConfig", "additionalModelRequestFields",
      "promptVariables",   "requestMetadata", "additionalModelResponseFieldPaths",
      "performanceConfig", "serviceTier",     "outputConfig"};
  static constexpr std::string_view kCountTokens[] = {"messages", "system", "toolConfig",
                                                      "additionalModelRequestFields"};
  BP_RETURN_IF_ERROR(
      CheckMembers(body, count_tokens ? Names(kCountTokens) : Names(kConverse), root));
  const Value* messages = MemberOf(body, "messages");
  if (messages == nullptr) return CoralNull(root.Key("messages"));
  MessageList from_document(req);
  const bool use_streamed = streamed != nullptr && streamed->seen() && messages->is_array() &&
                            messages->get_array().empty();
  if (use_streamed) {
    BP_RETURN_IF_ERROR(streamed->Finish());
  } else {
    BP_RETURN_IF_ERROR(ParseMessages(*messages, root.Key("messages"), from_document));
  }
  const ConversationFacts& conv = use_streamed ? streamed->conv() : from_document.conv();
  CachePointList cache_points = conv.cache_points;
  if (const Value* v = MemberOf(body, "system")) {
    BP_RETURN_IF_ERROR(ParseSystem(*v, root.Key("system"), cache_points, req));
  }
  if (const Value* v = MemberOf(body, "inferenceConfig")) {
    BP_RETURN_IF_ERROR(ParseInferenceConfig(*v, root.Key("inferenceConfig"), req));
  }
  const Value* tool_config = MemberOf(body, "toolConfig");
  if (tool_config != nullptr) {
    BP_RETURN_IF_ERROR(ParseToolConfig(*tool_config, root.Key("toolConfig"), cache_points, req));
  } else if (conv.has_tool_blocks) {
    return ValidationError(
        "The toolConfig field must be defined when using toolUse and toolResult content blocks.");
  }
  BP_RETURN_IF_ERROR(cache_points.MoveInto(req));
  if (const Value* v = MemberOf(body, "outputConfig")) {
    BP_RETURN_IF_ERROR(ParseOutputConfig(*v, root.Key("outputConfig"), req));
  }
  if (const Value* v = MemberOf(body, "additionalModelRequestFields")) {
    BP_RETURN_IF_ERROR(ParseAdditionalFields(*v, root.Key("additionalModelRequestFields"), req));
    BP_RETURN_IF_ERROR(CheckThinking(req, ThinkingWire::kConverse));
  }
  if (std::optional<std::string> reason = CheckStructuredLimits(req)) {
    return ValidationError(*reason);
  }
  if (const Value* v = MemberOf(body, "serviceTier")) {
    BP_RETURN_IF_ERROR(ParseServiceTier(*v, root.Key("serviceTier"), req));
  }
  if (const Value* v = MemberOf(body, "requestMetadata")) {
    BP_RETURN_IF_ERROR(ParseRequestMetadata(*v, root.Key("requestMetadata"), req.request_metadata));
  }
  if (const Value* v = MemberOf(body, "guardrailConfig")) {
    BP_RETURN_IF_ERROR(ParseGuardrailConfig(*v, root.Key("guardrailConfig"), req));
  }
  return CheckIgnored(body, root);
}

Result<ModelRequest> ParseInvokeModelTokens(const Value& v, const WirePath& p) {
  static constexpr std::string_view kMembers[] = {"body"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view encoded, RequiredString(*obj, "body", p));
  Result<std::string> body = Base64Decode(encoded);
  if (!body.ok()) {
    WirePath bp = p.Key("body");
    return CoralError(bp, "", "Member must be valid base64 (" + body.status().message() + ")");
  }
  return ParseAnthropicRequest(*body);
}

Result<const Object*> BodyObject(const Value& doc) {
  if (!doc.is_object()) {
    return ValidationError("The request body must be a JSON object, not " +
                           std::string(json::KindName(doc)) + ".");
  }
  return &doc.get_object();
}

}  // namespace

// The messages are translated one by one while the body is parsed, so a
// body of half a million messages never exists as a JSON document (about
// 7 bytes of document per byte of body): peak memory is the body, the
// ModelRequest and one message.
Result<ModelRequest> ParseConverseRequest(std::string_view body) {
  ModelRequest req;
  MessageList streamed(req);
  const WirePath root;
  const WirePath messages_path = root.Key("messages");
  Result<Value> doc = json::ParseStreamingMember(
      body, "messages",
      [&](const Value& message, size_t i) { streamed.Add(message, messages_path, i); });
  if (!doc.ok()) {
    return ValidationError("The request body is not valid JSON (" + doc.status().message() + ").");
  }
  BP_ASSIGN_OR_RETURN(const Object* obj, BodyObject(*doc));
  BP_RETURN_IF_ERROR(ParseConverseMembers(*obj, root, false, &streamed, req));
  return req;
}

Result<ModelRequest> ParseCountTokensRequest(std::string_view body) {
  static constexpr std::string_view kMembers[] = {"input"};
  static constexpr std::string_view kKinds[] = {"converse", "invokeModel"};
  BP_ASSIGN_OR_RETURN(Value doc, ParseBody(body));
  BP_ASSIGN_OR_RETURN(const Object* obj, BodyObject(doc));
  WirePath root;
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, root));
  const Value* input = MemberOf(*obj, "input");
  if (input == nullptr) return CoralNull(root.Key("input"));
  WirePath ip = root.Key("input");
  BP_ASSIGN_OR_RETURN(const Object* input_obj, AsObject(*input, ip));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*input_obj, kKinds, ip));
  WirePath kp = ip.Key(kind);
  if (kind == "invokeModel") return ParseInvokeModelTokens(input_obj->at(kind), kp);
  BP_ASSIGN_OR_RETURN(const Object* converse, AsObject(input_obj->at(kind), kp));
  ModelRequest req;
  BP_RETURN_IF_ERROR(ParseConverseMembers(*converse, kp, true, nullptr, req));
  return req;
}

}  // namespace bp::api::runtime
