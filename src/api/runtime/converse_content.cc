#include "api/runtime/converse_content.h"

#include <algorithm>
#include <string_view>

#include "core/base64.h"

namespace bp::api::runtime {

namespace {

using backends::ContentBlock;
using json::Array;
using json::Object;
using json::Value;

constexpr std::string_view kSourceBytesOnly[] = {"bytes", "s3Location"};
constexpr std::string_view kDocumentSources[] = {"bytes", "s3Location", "text", "content"};

// The decoded size of a source union member (bytes, text or content). When
// `base64` is given, a `bytes` member's text is copied there (the document
// the member lives in is freed before the request is answered).
Result<size_t> ParseSource(const Value& v, Names allowed, const WirePath& p,
                           std::string* base64 = nullptr) {
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, allowed, p));
  const Value& member = obj->at(kind);
  WirePath mp = p.Key(kind);
  if (kind == "s3Location") return UnsupportedMember(mp);
  if (kind == "content") {
    BP_ASSIGN_OR_RETURN(const Array* parts, AsArray(member, mp));
    size_t size = 0;
    for (size_t i = 0; i < parts->size(); ++i) {
      WirePath ip = mp.Index(i);
      BP_ASSIGN_OR_RETURN(const Object* part, AsObject((*parts)[i], ip));
      static constexpr std::string_view kText[] = {"text"};
      BP_RETURN_IF_ERROR(CheckMembers(*part, kText, ip));
      BP_ASSIGN_OR_RETURN(std::string_view text, RequiredString(*part, "text", ip));
      size += text.size();
    }
    return size;
  }
  BP_ASSIGN_OR_RETURN(std::string_view text, AsString(member, mp));
  if (kind == "text") return text.size();
  if (text.empty()) return CoralError(mp, "", "Member must have length greater than or equal to 1");
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) {
    return CoralError(mp, "", "Member must be valid base64 (" + bytes.status().message() + ")");
  }
  if (base64 != nullptr) base64->assign(text);
  return bytes->size();
}

// citations {enabled}: of documents and search results.
Status ParseCitationsConfig(const Value& v, const WirePath& p) {
  static constexpr std::string_view kMembers[] = {"enabled"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  const Value* enabled = MemberOf(*obj, "enabled");
  if (enabled == nullptr) return CoralNull(p.Key("enabled"));
  if (!enabled->is_bool()) return CoralWrongType(p.Key("enabled"), "a boolean", *enabled);
  return Status::Ok();
}

// `keep_bytes`: set block.base64 (an image of a message, not one inside a
// tool result, which only counts).
Status ParseImage(const Value& v, const WirePath& p, bool keep_bytes, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"format", "source"};
  static constexpr std::string_view kFormats[] = {"png", "jpeg", "gif", "webp"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view format, RequiredString(*obj, "format", p));
  if (!OneOfNames(format, kFormats)) {
    return CoralEnum(p.Key("format"), kFormats, format);
  }
  const Value* source = MemberOf(*obj, "source");
  if (source == nullptr) return CoralNull(p.Key("source"));
  BP_ASSIGN_OR_RETURN(block.byte_size, ParseSource(*source, kSourceBytesOnly, p.Key("source"),
                                                   keep_bytes ? &block.base64 : nullptr));
  block.kind = ContentBlock::Kind::kImage;
  block.text = format;
  return Status::Ok();
}

// `keep_bytes`: set block.base64 from a bytes source (a document of a
// message, not one inside a tool result, which only counts).
Status ParseDocument(const Value& v, const WirePath& p, bool keep_bytes, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"format", "name", "source", "context",
                                                  "citations"};
  static constexpr std::string_view kFormats[] = {"pdf",  "csv",  "doc", "docx", "xls",
                                                  "xlsx", "html", "txt", "md"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  if (const Value* f = MemberOf(*obj, "format")) {
    BP_ASSIGN_OR_RETURN(std::string_view format, AsString(*f, p.Key("format")));
    if (!OneOfNames(format, kFormats)) {
      return CoralEnum(p.Key("format"), kFormats, format);
    }
    block.text = format;
  }
  BP_ASSIGN_OR_RETURN(std::string_view name, RequiredString(*obj, "name", p));
  if (name.empty()) {
    return CoralConstraint(p.Key("name"), name,
                           "Member must have length greater than or equal to 1");
  }
  const Value* source = MemberOf(*obj, "source");
  if (source == nullptr) return CoralNull(p.Key("source"));
  BP_ASSIGN_OR_RETURN(block.byte_size, ParseSource(*source, kDocumentSources, p.Key("source"),
                                                   keep_bytes ? &block.base64 : nullptr));
  block.tool_name = name;  // a document's name (backend.h)
  if (const Value* c = MemberOf(*obj, "citations")) {
    BP_RETURN_IF_ERROR(ParseCitationsConfig(*c, p.Key("citations")));
  }
  if (const Value* c = MemberOf(*obj, "context")) {
    BP_RETURN_IF_ERROR(AsString(*c, p.Key("context")).status());
  }
  block.kind = ContentBlock::Kind::kDocument;
  return Status::Ok();
}

// video {format, source} and audio {format, source[, error]}: bytes only
// (s3Location is not served here), counted like images.
Status ParseMedia(const Value& v, const WirePath& p, bool video, bool keep_bytes,
                  ContentBlock& block) {
  static constexpr std::string_view kVideoMembers[] = {"format", "source"};
  static constexpr std::string_view kAudioMembers[] = {"format", "source", "error"};
  static constexpr std::string_view kVideoFormats[] = {"flv", "mkv",      "mov",  "mp4", "mpeg",
                                                       "mpg", "three_gp", "webm", "wmv"};
  static constexpr std::string_view kAudioFormats[] = {"aac",  "flac", "m4a",  "mka",  "mkv",
                                                       "mp3",  "mp4",  "mpeg", "mpga", "ogg",
                                                       "opus", "pcm",  "wav",  "webm", "x-aac"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, video ? Names(kVideoMembers) : Names(kAudioMembers), p));
  const Names formats = video ? Names(kVideoFormats) : Names(kAudioFormats);
  BP_ASSIGN_OR_RETURN(std::string_view format, RequiredString(*obj, "format", p));
  if (!OneOfNames(format, formats)) return CoralEnum(p.Key("format"), formats, format);
  const Value* source = MemberOf(*obj, "source");
  if (source == nullptr) return CoralNull(p.Key("source"));
  BP_ASSIGN_OR_RETURN(block.byte_size, ParseSource(*source, kSourceBytesOnly, p.Key("source"),
                                                   keep_bytes ? &block.base64 : nullptr));
  if (const Value* error = MemberOf(*obj, "error")) {
    static constexpr std::string_view kErrorMembers[] = {"message"};
    BP_ASSIGN_OR_RETURN(const Object* e, AsObject(*error, p.Key("error")));
    BP_RETURN_IF_ERROR(CheckMembers(*e, kErrorMembers, p.Key("error")));
  }
  block.kind = video ? ContentBlock::Kind::kVideo : ContentBlock::Kind::kAudio;
  block.text = format;
  return Status::Ok();
}

// searchResult {source, title, content [{text}], citations}: its texts are
// what the model reads.
Status ParseSearchResult(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"source", "title", "content", "citations"};
  static constexpr std::string_view kTextMembers[] = {"text"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view source, RequiredString(*obj, "source", p));
  BP_ASSIGN_OR_RETURN(std::string_view title, RequiredString(*obj, "title", p));
  const Value* content = MemberOf(*obj, "content");
  if (content == nullptr) return CoralNull(p.Key("content"));
  WirePath cp = p.Key("content");
  BP_ASSIGN_OR_RETURN(const Array* parts, AsArray(*content, cp));
  block.kind = ContentBlock::Kind::kSearchResult;
  block.tool_name = source;
  block.text = title;
  for (size_t i = 0; i < parts->size(); ++i) {
    WirePath ip = cp.Index(i);
    BP_ASSIGN_OR_RETURN(const Object* part, AsObject((*parts)[i], ip));
    BP_RETURN_IF_ERROR(CheckMembers(*part, kTextMembers, ip));
    BP_ASSIGN_OR_RETURN(std::string_view text, RequiredString(*part, "text", ip));
    block.text += '\n';
    block.text += text;
  }
  if (const Value* c = MemberOf(*obj, "citations")) {
    BP_RETURN_IF_ERROR(ParseCitationsConfig(*c, p.Key("citations")));
  }
  return Status::Ok();
}

// citationsContent {content [{text}], citations [...]}: an earlier answer
// with citations, sent back in the history; its generated text is kept.
Status ParseCitationsContent(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"content", "citations"};
  static constexpr std::string_view kTextMembers[] = {"text"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  block.kind = ContentBlock::Kind::kText;
  if (const Value* content = MemberOf(*obj, "content")) {
    WirePath cp = p.Key("content");
    BP_ASSIGN_OR_RETURN(const Array* parts, AsArray(*content, cp));
    for (size_t i = 0; i < parts->size(); ++i) {
      WirePath ip = cp.Index(i);
      BP_ASSIGN_OR_RETURN(const Object* part, AsObject((*parts)[i], ip));
      BP_RETURN_IF_ERROR(CheckMembers(*part, kTextMembers, ip));
      BP_ASSIGN_OR_RETURN(std::string_view text, RequiredString(*part, "text", ip));
      block.text += text;
    }
  }
  if (const Value* c = MemberOf(*obj, "citations")) {
    BP_RETURN_IF_ERROR(AsArray(*c, p.Key("citations")).status());
  }
  return Status::Ok();
}

Status ParseToolUse(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"toolUseId", "name", "input", "type"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view id, RequiredString(*obj, "toolUseId", p));
  BP_RETURN_IF_ERROR(CheckName(id, p.Key("toolUseId"), true));
  BP_ASSIGN_OR_RETURN(std::string_view name, RequiredString(*obj, "name", p));
  BP_RETURN_IF_ERROR(CheckName(name, p.Key("name"), false));
  const Value* input = MemberOf(*obj, "input");
  if (input == nullptr) return CoralNull(p.Key("input"));
  block.kind = ContentBlock::Kind::kToolUse;
  block.tool_use_id = id;
  block.tool_name = name;
  block.input_json = json::Serialize(*input);
  return Status::Ok();
}

// One element of toolResult.content: text and json parts are kept (joined by
// newlines), images and documents are validated and counted.
Status ParseToolResultPart(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kKinds[] = {"json",     "text",  "image",
                                                "document", "video", "searchResult"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, p));
  const Value& member = obj->at(kind);
  WirePath mp = p.Key(kind);
  if (kind == "text") {
    BP_ASSIGN_OR_RETURN(std::string_view text, AsString(member, mp));
    if (!block.text.empty()) block.text += '\n';
    block.text += text;
  } else if (kind == "json") {
    if (!block.input_json.empty()) block.input_json += '\n';
    block.input_json += json::Serialize(member);
  } else if (kind == "image" || kind == "document" || kind == "video") {
    ContentBlock inner;
    BP_RETURN_IF_ERROR(kind == "image"      ? ParseImage(member, mp, false, inner)
                       : kind == "document" ? ParseDocument(member, mp, false, inner)
                                            : ParseMedia(member, mp, true, false, inner));
    block.byte_size += inner.byte_size;
  } else {
    ContentBlock inner;
    BP_RETURN_IF_ERROR(ParseSearchResult(member, mp, inner));
    if (!block.text.empty()) block.text += '\n';
    block.text += inner.text;
  }
  return Status::Ok();
}

Status ParseToolResult(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kMembers[] = {"toolUseId", "content", "status", "type"};
  static constexpr std::string_view kStatuses[] = {"success", "error"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view id, RequiredString(*obj, "toolUseId", p));
  BP_RETURN_IF_ERROR(CheckName(id, p.Key("toolUseId"), true));
  block.kind = ContentBlock::Kind::kToolResult;
  block.tool_use_id = id;
  const Value* content = MemberOf(*obj, "content");
  if (content == nullptr) return CoralNull(p.Key("content"));
  WirePath cp = p.Key("content");
  BP_ASSIGN_OR_RETURN(const Array* parts, AsArray(*content, cp));
  for (size_t i = 0; i < parts->size(); ++i) {
    BP_RETURN_IF_ERROR(ParseToolResultPart((*parts)[i], cp.Index(i), block));
  }
  if (const Value* s = MemberOf(*obj, "status")) {
    BP_ASSIGN_OR_RETURN(std::string_view status, AsString(*s, p.Key("status")));
    if (status != "success" && status != "error") {
      return CoralEnum(p.Key("status"), kStatuses, status);
    }
    block.is_error = status == "error";
  }
  return Status::Ok();
}

Status ParseReasoning(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kKinds[] = {"reasoningText", "redactedContent"};
  static constexpr std::string_view kTextMembers[] = {"text", "signature"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, p));
  WirePath mp = p.Key(kind);
  block.kind = ContentBlock::Kind::kReasoning;
  if (kind == "redactedContent") {
    BP_ASSIGN_OR_RETURN(std::string_view data, AsString(obj->at(kind), mp));
    block.base64 = data;  // opaque to us; forwarded as it came (backends/bedrock)
    return Status::Ok();
  }
  BP_ASSIGN_OR_RETURN(const Object* text_obj, AsObject(obj->at(kind), mp));
  BP_RETURN_IF_ERROR(CheckMembers(*text_obj, kTextMembers, mp));
  BP_ASSIGN_OR_RETURN(std::string_view text, RequiredString(*text_obj, "text", mp));
  block.text = text;
  if (const Value* sig = MemberOf(*text_obj, "signature")) {
    BP_ASSIGN_OR_RETURN(std::string_view signature, AsString(*sig, mp.Key("signature")));
    block.signature = signature;
  }
  return Status::Ok();
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

Result<backends::CacheTtl> ParseCachePoint(const Value& v, const WirePath& p) {
  static constexpr std::string_view kMembers[] = {"type", "ttl"};
  static constexpr std::string_view kTypes[] = {"default"};
  static constexpr std::string_view kTtls[] = {"5m", "1h"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_RETURN_IF_ERROR(CheckMembers(*obj, kMembers, p));
  BP_ASSIGN_OR_RETURN(std::string_view type, RequiredString(*obj, "type", p));
  if (type != "default") return CoralEnum(p.Key("type"), kTypes, type);
  const Value* ttl = MemberOf(*obj, "ttl");
  if (ttl == nullptr) return backends::CacheTtl::k5m;
  BP_ASSIGN_OR_RETURN(std::string_view name, AsString(*ttl, p.Key("ttl")));
  std::optional<backends::CacheTtl> parsed = CacheTtlFromName(name);
  if (!parsed) return CoralEnum(p.Key("ttl"), kTtls, name);
  return *parsed;
}

// guardContent {text {text, qualifiers}} | {image}: the guarded text or image.
Status ParseGuardContent(const Value& v, const WirePath& p, ContentBlock& block) {
  static constexpr std::string_view kKinds[] = {"text", "image"};
  static constexpr std::string_view kTextMembers[] = {"text", "qualifiers"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, p));
  WirePath mp = p.Key(kind);
  if (kind == "image") return ParseImage(obj->at(kind), mp, true, block);
  BP_ASSIGN_OR_RETURN(const Object* text_obj, AsObject(obj->at(kind), mp));
  BP_RETURN_IF_ERROR(CheckMembers(*text_obj, kTextMembers, mp));
  BP_ASSIGN_OR_RETURN(std::string_view text, RequiredString(*text_obj, "text", mp));
  block.kind = ContentBlock::Kind::kText;
  block.text = text;
  return Status::Ok();
}

// One ContentBlock union; appends to `out` (a cachePoint to conv.cache_points).
Status ParseContentBlock(const Value& v, const WirePath& p, ConversationFacts& conv,
                         std::vector<ContentBlock>& out) {
  static constexpr std::string_view kKinds[] = {
      "text",         "image",      "document", "toolUse", "toolResult",       "reasoningContent",
      "guardContent", "cachePoint", "video",    "audio",   "citationsContent", "searchResult",
      "toolAddition", "toolRemoval"};
  BP_ASSIGN_OR_RETURN(const Object* obj, AsObject(v, p));
  BP_ASSIGN_OR_RETURN(std::string_view kind, UnionMember(*obj, kKinds, p));
  const Value& member = obj->at(kind);
  WirePath mp = p.Key(kind);
  ContentBlock block;
  if (kind == "text") {
    BP_ASSIGN_OR_RETURN(std::string_view text, AsString(member, mp));
    if (IsBlank(text)) {
      return ValidationError("The text field in the ContentBlock object at " + p.Plain() +
                             " is blank. Add text to the text field, and try again.");
    }
    block.text = text;
  } else if (kind == "image") {
    BP_RETURN_IF_ERROR(ParseImage(member, mp, true, block));
  } else if (kind == "document") {
    BP_RETURN_IF_ERROR(ParseDocument(member, mp, true, block));
  } else if (kind == "toolUse") {
    BP_RETURN_IF_ERROR(ParseToolUse(member, mp, block));
    conv.has_tool_blocks = true;
  } else if (kind == "toolResult") {
    BP_RETURN_IF_ERROR(ParseToolResult(member, mp, block));
    conv.has_tool_blocks = true;
  } else if (kind == "reasoningContent") {
    BP_RETURN_IF_ERROR(ParseReasoning(member, mp, block));
  } else if (kind == "guardContent") {
    BP_RETURN_IF_ERROR(ParseGuardContent(member, mp, block));
    block.guard_content = true;
  } else if (kind == "cachePoint") {
    BP_ASSIGN_OR_RETURN(backends::CacheTtl ttl, ParseCachePoint(member, mp));
    conv.cache_points.Add({.section = backends::CachePoint::Section::kMessages,
                           .message = conv.message_index,
                           .count = static_cast<uint32_t>(out.size()),
                           .ttl = ttl},
                          p.Plain());
    return Status::Ok();
  } else if (kind == "video" || kind == "audio") {
    BP_RETURN_IF_ERROR(ParseMedia(member, mp, kind == "video", true, block));
  } else if (kind == "searchResult") {
    BP_RETURN_IF_ERROR(ParseSearchResult(member, mp, block));
  } else if (kind == "citationsContent") {
    BP_RETURN_IF_ERROR(ParseCitationsContent(member, mp, block));
  } else {
    return UnsupportedMember(mp);
  }
  out.push_back(std::move(block));
  return Status::Ok();
}

}  // namespace bp::api::runtime
