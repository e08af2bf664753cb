#include "api/runtime/wire_util.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "json/writer.h"

namespace bp::api::runtime {

std::string WirePath::Render(Style style) const {
  if (parent_ == nullptr) return style == Style::kPointer ? "#" : "";
  std::string head = parent_->Render(style);
  if (style == Style::kPointer) {
    head += '/';
  } else if (!head.empty()) {
    head += '.';
  }
  if (index_ == kNoIndex) {
    head += key_;
  } else {
    head += std::to_string(index_);
    if (style == Style::kCoral) head += ".member";
  }
  return head;
}

// ---- JSON access ---------------------------------------------------------------

Result<json::Value> ParseBody(std::string_view body) {
  // The document lives only while the body is translated: one arena, freed
  // in a few blocks, instead of a malloc per node (bodies reach 25 MB).
  Result<json::Value> doc = json::ParseInArena(body);
  if (!doc.ok()) {
    return ValidationError("The request body is not valid JSON (" + doc.status().message() + ").");
  }
  return doc;
}

const json::Value* MemberOf(const json::Object& obj, std::string_view key) {
  const json::Value* v = obj.if_contains(key);
  return v != nullptr && !v->is_null() ? v : nullptr;
}

std::optional<int64_t> IntegerValue(const json::Value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    return static_cast<int64_t>(
        std::min<uint64_t>(v.get_uint64(), std::numeric_limits<int64_t>::max()));
  }
  return std::nullopt;
}

std::string FormatNumber(const json::Value& v) {
  char buf[32];
  std::to_chars_result r{buf, {}};
  if (v.is_int64()) {
    r = std::to_chars(buf, buf + sizeof buf, v.get_int64());
  } else if (v.is_uint64()) {
    r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
  } else if (v.is_double()) {
    r = std::to_chars(buf, buf + sizeof buf, v.get_double());
  }
  return std::string(buf, r.ptr);
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool OneOfNames(std::string_view name, Names names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ---- Coral-style errors ----------------------------------------------------------

Status CoralError(const WirePath& p, std::string_view value_part, std::string_view constraint) {
  std::string m = "1 validation error detected: Value ";
  m += value_part;
  m += "at '";
  m += p.Coral();
  m += "' failed to satisfy constraint: ";
  m += constraint;
  return ValidationError(std::move(m));
}

Status CoralConstraint(const WirePath& p, std::string_view value, std::string_view constraint) {
  std::string quoted = "'";
  quoted += value;
  quoted += "' ";
  return CoralError(p, quoted, constraint);
}

Status CoralNull(const WirePath& p) { return CoralError(p, "null ", "Member must not be null"); }

Status CoralWrongType(const WirePath& p, std::string_view expected, const json::Value& v) {
  return CoralError(
      p, "", "Member must be " + std::string(expected) + ", not " + std::string(json::KindName(v)));
}

Status CoralEnum(const WirePath& p, Names allowed, std::string_view value) {
  std::string set = "Member must satisfy enum value set: [";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) set += ", ";
    set += allowed[i];
  }
  set += ']';
  return CoralConstraint(p, value, set);
}

Status UnknownMember(const WirePath& p) {
  return ValidationError("The request body contains the unknown member '" + p.Coral() +
                         "'. Remove it and try again.");
}

Status UnsupportedMember(const WirePath& p) {
  return ValidationError("The member '" + p.Coral() +
                         "' is not supported by this endpoint. Remove it and try again.");
}

Status CheckMembers(const json::Object& obj, Names known, const WirePath& p) {
  for (const auto& m : obj) {
    if (!OneOfNames(m.key(), known)) return UnknownMember(p.Key(m.key()));
  }
  return Status::Ok();
}

Result<const json::Object*> AsObject(const json::Value& v, const WirePath& p) {
  if (!v.is_object()) return CoralWrongType(p, "an object", v);
  return &v.get_object();
}

Result<const json::Array*> AsArray(const json::Value& v, const WirePath& p) {
  if (!v.is_array()) return CoralWrongType(p, "a list", v);
  return &v.get_array();
}

Result<std::string_view> AsString(const json::Value& v, const WirePath& p) {
  if (!v.is_string()) return CoralWrongType(p, "a string", v);
  return std::string_view(v.get_string());
}

Result<std::string_view> RequiredString(const json::Object& obj, std::string_view key,
                                        const WirePath& p) {
  const json::Value* v = MemberOf(obj, key);
  if (v == nullptr) return CoralNull(p.Key(key));
  return AsString(*v, p.Key(key));
}

Result<std::string_view> UnionMember(const json::Object& obj, Names known, const WirePath& p) {
  std::string_view only;
  std::string found;
  size_t set = 0;
  for (const auto& m : obj) {
    if (m.value().is_null()) continue;
    only = m.key();
    found += (set++ > 0 ? ", " : "") + std::string(m.key());
  }
  if (set == 1 && OneOfNames(only, known)) return only;
  std::string c = "Member must have exactly one of its members set: ";
  for (size_t i = 0; i < known.size(); ++i) {
    if (i > 0) c += ", ";
    c += known[i];
  }
  c += " (found: " + (set == 0 ? std::string("none") : found) + ")";
  return CoralError(p, "", c);
}

Status CheckName(std::string_view s, const WirePath& p, bool id) {
  if (s.empty()) return CoralConstraint(p, s, "Member must have length greater than or equal to 1");
  if (s.size() > 64) {
    return CoralConstraint(p, s, "Member must have length less than or equal to 64");
  }
  for (char c : s) {
    if (IsAsciiAlnum(c) || c == '_' || c == '-' || (id && (c == '.' || c == ':'))) continue;
    return CoralConstraint(p, s,
                           id ? "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.:-]+$"
                              : "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]+$");
  }
  return Status::Ok();
}

// ---- writers ---------------------------------------------------------------------

void AppendJsonString(std::string& out, std::string_view text) { json::AppendString(out, text); }

void AppendJsonInt(std::string& out, int64_t value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

void AppendJsonObjectText(std::string& out, std::string_view json_text) {
  Result<json::Value> v = json::Parse(json_text);
  out += v.ok() && v->is_object() ? json_text : std::string_view("{}");
}

void AppendBase64(std::string& out, std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto at = [&](size_t k) { return uint32_t{static_cast<uint8_t>(data[k])}; };
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    const char quad[4] = {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
                          kAlphabet[n & 63]};
    out.append(quad, 4);
  }
  size_t rest = data.size() - i;
  if (rest == 0) return;
  uint32_t n = (at(i) << 16) | (rest == 2 ? at(i + 1) << 8 : 0);
  const char quad[4] = {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63],
                        rest == 2 ? kAlphabet[(n >> 6) & 63] : '=', '='};
  out.append(quad, 4);
}

namespace {
// Keeps a warm buffer for the next event, but gives back what one unusually
// large payload grew it to.
void ResetScratch(std::string& buffer) {
  buffer.clear();
  if (buffer.capacity() > size_t{64} * 1024) buffer.shrink_to_fit();
}
}  // namespace

std::string& ScratchA() {
  thread_local std::string buffer;
  ResetScratch(buffer);
  return buffer;
}

std::string& ScratchB() {
  thread_local std::string buffer;
  ResetScratch(buffer);
  return buffer;
}

}  // namespace bp::api::runtime
