#include "backends/simulated/tool_call.h"

#include <algorithm>
#include <utility>

#include <boost/json/value.hpp>

#include "backends/simulated/prose.h"
#include "backends/tokenizer.h"
#include "core/utf8.h"
#include "json/json.h"

namespace bp::backends::simulated {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSeparator(char c) { return c == ' ' || c == '_' || c == '-'; }

bool MatchesAt(std::string_view text, size_t pos, std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    const char t = text[pos + i];
    const char n = name[i];
    if (IsSeparator(n) ? !IsSeparator(t) : AsciiLower(t) != AsciiLower(n)) return false;
  }
  return true;
}

const Tool* FindTool(const ModelRequest& request, std::string_view name) {
  for (const Tool& tool : request.tools) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

const Tool* FirstMentioned(const ModelRequest& request, std::string_view text) {
  for (const Tool& tool : request.tools) {
    if (MentionsTool(text, tool.name)) return &tool;
  }
  return nullptr;
}

std::string_view TrimPunct(std::string_view word) {
  while (!word.empty() && !IsAsciiAlnum(word.front())) word.remove_prefix(1);
  while (!word.empty() && !IsAsciiAlnum(word.back())) word.remove_suffix(1);
  return word;
}

// The first word starting with A-Z that is not the text's first word.
std::string_view FirstCapitalizedWord(std::string_view text) {
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    while (pos < text.size() && IsWhitespace(text[pos])) ++pos;
    size_t end = pos;
    while (end < text.size() && !IsWhitespace(text[end])) ++end;
    if (end == pos) break;
    const std::string_view word = TrimPunct(text.substr(pos, end - pos));
    if (!first && !word.empty() && word.front() >= 'A' && word.front() <= 'Z') return word;
    first = false;
    pos = end;
  }
  return {};
}

// The text between the last pair of double quotes.
std::string_view LastQuoted(std::string_view text) {
  const size_t close = text.rfind('"');
  if (close == std::string_view::npos || close == 0) return {};
  const size_t open = text.rfind('"', close - 1);
  if (open == std::string_view::npos) return {};
  return text.substr(open + 1, close - open - 1);
}

bool IsPlaceName(std::string_view name) {
  std::string lower;
  for (char c : name) lower += AsciiLower(c);
  for (std::string_view key : {"city", "location", "place", "country"}) {
    if (lower.find(key) != std::string::npos) return true;
  }
  return false;
}

std::string StringFor(std::string_view name, std::string_view user_text) {
  if (IsPlaceName(name)) {
    const std::string_view word = FirstCapitalizedWord(user_text);
    if (!word.empty()) return ToValidUtf8(word);
  }
  const std::string_view quoted = LastQuoted(user_text);
  return quoted.empty() ? std::string("example") : ToValidUtf8(quoted);
}

// The schema's type name; the first non-"null" entry of a type list ("null"
// when that is all it lists).
std::string_view TypeOf(const boost::json::object& schema) {
  const boost::json::value* type = schema.if_contains("type");
  if (type == nullptr) return {};
  if (const boost::json::string* s = type->if_string()) return *s;
  std::string_view null_only;
  if (const boost::json::array* list = type->if_array()) {
    for (const boost::json::value& entry : *list) {
      const boost::json::string* s = entry.if_string();
      if (s != nullptr && *s != "null") return *s;
      if (s != nullptr) null_only = *s;
    }
  }
  return null_only;
}

// A fixed, valid value for each supported string format.
std::string_view FormatExample(std::string_view format) {
  static constexpr std::pair<std::string_view, std::string_view> kExamples[] = {
      {"date-time", "2025-01-01T12:00:00Z"},
      {"time", "12:00:00Z"},
      {"date", "2025-01-01"},
      {"duration", "P1D"},
      {"email", "user@example.com"},
      {"hostname", "example.com"},
      {"uri", "https://example.com/"},
      {"ipv4", "192.0.2.1"},
      {"ipv6", "2001:db8::1"},
      {"uuid", "00000000-0000-4000-8000-000000000000"},
  };
  for (const auto& [name, example] : kExamples) {
    if (name == format) return example;
  }
  return {};
}

constexpr int kMaxDepth = 32;  // deeper (a recursive schema): null

// Values from one schema document: `root` resolves "#/$defs/<name>" and
// "#/definitions/<name>" references.
class Generator {
 public:
  Generator(const boost::json::value& root, std::string_view user_text)
      : root_(root), user_text_(user_text) {}

  boost::json::value ValueFor(std::string_view name, const boost::json::value* schema_value,
                              int depth) const {
    const boost::json::object* schema =
        schema_value != nullptr ? schema_value->if_object() : nullptr;
    if (schema == nullptr) return boost::json::value(StringFor(name, user_text_));
    if (depth > kMaxDepth) return boost::json::value(nullptr);
    if (const boost::json::value* ref = schema->if_contains("$ref")) {
      return ValueFor(name, Resolve(*ref), depth + 1);
    }
    if (const boost::json::value* constant = schema->if_contains("const")) return *constant;
    if (const boost::json::value* values = schema->if_contains("enum")) {
      const boost::json::array* list = values->if_array();
      if (list != nullptr && !list->empty()) return list->front();
    }
    if (const boost::json::value* any = schema->if_contains("anyOf")) {
      if (const boost::json::value* branch = FirstBranch(*any)) {
        return ValueFor(name, branch, depth + 1);
      }
    }
    const std::string_view type = TypeOf(*schema);
    if (type == "integer" || type == "number") return boost::json::value(1);
    if (type == "boolean") return boost::json::value(true);
    if (type == "null") return boost::json::value(nullptr);
    if (type == "array" || (type.empty() && schema->contains("items"))) {
      return FillArray(name, *schema, depth);
    }
    if (type == "object" || (type.empty() && schema->contains("properties"))) {
      return FillObject(*schema, depth);
    }
    if (const boost::json::value* format = schema->if_contains("format")) {
      const boost::json::string* f = format->if_string();
      const std::string_view example = f != nullptr ? FormatExample(*f) : std::string_view();
      if (!example.empty()) return boost::json::value(example);
    }
    return boost::json::value(StringFor(name, user_text_));
  }

  boost::json::object FillObject(const boost::json::object& schema, int depth) const {
    boost::json::object out;
    const boost::json::value* props_value = schema.if_contains("properties");
    const boost::json::object* props = props_value ? props_value->if_object() : nullptr;
    const boost::json::value* required_value = schema.if_contains("required");
    const boost::json::array* required = required_value ? required_value->if_array() : nullptr;
    bool any_required = false;
    if (required != nullptr) {
      for (const boost::json::value& entry : *required) {
        const boost::json::string* name = entry.if_string();
        if (name == nullptr || out.contains(*name)) continue;
        any_required = true;
        out[*name] = ValueFor(*name, props ? props->if_contains(*name) : nullptr, depth + 1);
      }
    }
    if (any_required || props == nullptr) return out;
    for (const auto& [key, property] : *props) out[key] = ValueFor(key, &property, depth + 1);
    return out;
  }

 private:
  // minItems items (at most 100), else one item when `items` is given.
  boost::json::array FillArray(std::string_view name, const boost::json::object& schema,
                               int depth) const {
    const boost::json::value* items = schema.if_contains("items");
    int64_t count = items != nullptr ? 1 : 0;
    if (const boost::json::value* min = schema.if_contains("minItems")) {
      if (min->is_int64()) count = std::clamp<int64_t>(min->get_int64(), 0, 100);
      if (min->is_uint64()) count = 100;
    }
    if (const boost::json::value* max = schema.if_contains("maxItems")) {
      if (max->is_int64() && max->get_int64() >= 0) count = std::min(count, max->get_int64());
    }
    boost::json::array out;
    for (int64_t i = 0; i < count; ++i) out.push_back(ValueFor(name, items, depth + 1));
    return out;
  }

  // The first branch that is not {"type": "null"}, else the first.
  static const boost::json::value* FirstBranch(const boost::json::value& any) {
    const boost::json::array* branches = any.if_array();
    if (branches == nullptr || branches->empty()) return nullptr;
    for (const boost::json::value& branch : *branches) {
      const boost::json::object* b = branch.if_object();
      if (b == nullptr || TypeOf(*b) != "null") return &branch;
    }
    return &branches->front();
  }

  const boost::json::value* Resolve(const boost::json::value& ref) const {
    const boost::json::string* s = ref.if_string();
    const boost::json::object* root = root_.if_object();
    if (s == nullptr || root == nullptr) return nullptr;
    const std::string_view target = *s;
    for (std::string_view section : {std::string_view("$defs"), std::string_view("definitions")}) {
      const std::string prefix = "#/" + std::string(section) + "/";
      if (target.substr(0, prefix.size()) != prefix) continue;
      const boost::json::value* defs = root->if_contains(section);
      const boost::json::object* map = defs != nullptr ? defs->if_object() : nullptr;
      return map != nullptr ? map->if_contains(target.substr(prefix.size())) : nullptr;
    }
    return nullptr;
  }

  const boost::json::value& root_;
  std::string_view user_text_;
};

}  // namespace

Result<ToolDecision> DecideTool(const ModelRequest& request, const Conversation& conv) {
  const Tool* named = nullptr;
  if (request.tool_choice == ToolChoice::kTool) {
    named = FindTool(request, request.tool_choice_name);
    if (named == nullptr) {
      return ValidationError("toolChoice names the tool \"" + request.tool_choice_name +
                             "\", which is not among the tools offered");
    }
  }
  if (request.tools.empty() || request.tool_choice == ToolChoice::kNone ||
      !conv.tool_results.empty()) {
    return ToolDecision{};
  }
  switch (request.tool_choice) {
    case ToolChoice::kTool:
      return ToolDecision{named, false};
    case ToolChoice::kAny: {
      const Tool* mentioned = FirstMentioned(request, conv.last_user_text);
      return ToolDecision{mentioned ? mentioned : &request.tools.front(), false};
    }
    case ToolChoice::kAuto: {
      if (SayText(conv.last_user_text)) return ToolDecision{};
      const Tool* mentioned = FirstMentioned(request, conv.last_user_text);
      return ToolDecision{mentioned, mentioned != nullptr};
    }
    case ToolChoice::kNone:
      break;
  }
  return ToolDecision{};
}

bool MentionsTool(std::string_view text, std::string_view name) {
  if (name.empty() || name.size() > text.size()) return false;
  for (size_t pos = 0; pos + name.size() <= text.size(); ++pos) {
    if (!MatchesAt(text, pos, name)) continue;
    const bool starts_word = pos == 0 || !IsAsciiAlnum(text[pos - 1]);
    const size_t end = pos + name.size();
    const bool ends_word = end == text.size() || !IsAsciiAlnum(text[end]);
    if (starts_word && ends_word) return true;
  }
  return false;
}

std::string FillToolInput(std::string_view schema_json, std::string_view user_text) {
  Result<json::Value> schema = json::Parse(schema_json);
  if (!schema.ok() || !schema->is_object()) return "{}";
  try {
    const Generator generator(*schema, user_text);
    const boost::json::value input = generator.ValueFor({}, &*schema, 0);
    if (input.is_object()) return json::Serialize(input);
    return json::Serialize(boost::json::value(generator.FillObject(schema->get_object(), 0)));
  } catch (const std::exception&) {  // allocation failure while building
    return "{}";
  }
}

std::string FillFromSchema(std::string_view schema_json, std::string_view user_text) {
  Result<json::Value> schema = json::Parse(schema_json);
  if (!schema.ok()) return "{}";
  try {
    return json::Serialize(Generator(*schema, user_text).ValueFor({}, &*schema, 0));
  } catch (const std::exception&) {  // allocation failure while building
    return "{}";
  }
}

std::string ToolUseId(uint64_t hash) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "tooluse_";
  for (uint64_t i = 0; i < 22; ++i) id += kAlphabet[Mix(hash, 100 + i) % kAlphabet.size()];
  return id;
}

void SplitFragments(std::string_view json, uint64_t hash, std::vector<uint32_t>& ends) {
  const size_t size = json.size();
  size_t count = 2 + Mix(hash, 4) % 3;
  if (count > size) count = size;
  size_t last = 0;
  for (size_t i = 1; i < count; ++i) {
    size_t cut = size * i / count;
    while (cut < size && (static_cast<unsigned char>(json[cut]) & 0xC0) == 0x80) ++cut;
    if (cut <= last || cut >= size) continue;
    ends.push_back(static_cast<uint32_t>(cut));
    last = cut;
  }
  if (size > 0) ends.push_back(static_cast<uint32_t>(size));
}

}  // namespace bp::backends::simulated
