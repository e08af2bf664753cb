#include "api/runtime/structured_output.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "api/runtime/wire_util.h"

namespace bp::api::runtime {

namespace {

using json::Array;
using json::Object;
using json::Value;

constexpr int kMaxDepth = 32;
constexpr int kMaxStrictTools = 20;
constexpr int kMaxOptional = 24;
constexpr int kMaxUnions = 16;

constexpr std::string_view kTypes[] = {"object", "array",   "string", "integer",
                                       "number", "boolean", "null"};
constexpr std::string_view kFormats[] = {"date-time", "time", "date", "duration", "email",
                                         "hostname",  "uri",  "ipv4", "ipv6",     "uuid"};
constexpr std::string_view kAnnotations[] = {"title",    "description", "default",  "examples",
                                             "$schema",  "$id",         "$comment", "deprecated",
                                             "readOnly", "writeOnly",   "$defs",    "definitions"};
constexpr std::string_view kCore[] = {"type",  "enum",       "const",    "anyOf",
                                      "$ref",  "properties", "required", "additionalProperties",
                                      "items", "minItems",   "format"};

// Constraints refused per kind, with the type name the message uses when the
// node declares none.
struct Refused {
  std::string_view kind;
  std::string_view keywords[9];
};
constexpr Refused kRefused[] = {
    {"number", {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}},
    {"string", {"minLength", "maxLength", "pattern", "contentEncoding", "contentMediaType"}},
    {"array",
     {"maxItems", "uniqueItems", "contains", "minContains", "maxContains", "prefixItems",
      "additionalItems", "unevaluatedItems"}},
    {"object",
     {"patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired",
      "dependentSchemas", "unevaluatedProperties", "dependencies"}},
};

// The kind whose constraint `key` is, if any.
std::optional<std::string_view> RefusedKind(std::string_view key) {
  for (const Refused& r : kRefused) {
    for (std::string_view k : r.keywords) {
      if (!k.empty() && k == key) return r.kind;
    }
  }
  return std::nullopt;
}

bool IsPrimitive(const Value& v) { return !v.is_object() && !v.is_array(); }

// True when `v` is an instance of the JSON Schema type `type`.
bool HasType(const Value& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_bool();
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return true;
    return v.is_double() && std::isfinite(v.get_double()) &&
           std::trunc(v.get_double()) == v.get_double();
  }
  if (type == "object") return v.is_object();
  return v.is_array();
}

// RFC 6901 escaping of one pointer token.
std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

struct Stats {
  int optional = 0;
  int unions = 0;
};

class Checker {
 public:
  explicit Checker(const Value& root) : root_(root) {}

  // The first reason found, with its pointer appended.
  std::optional<std::string> Run(bool tool_input) {
    if (tool_input) {
      const Object* obj = root_.if_object();
      if (obj != nullptr && obj->contains("anyOf")) {
        return Fail("#", "input_schema does not support oneOf, allOf, or anyOf at the top level");
      }
      const Value* type = obj != nullptr ? obj->if_contains("type") : nullptr;
      if (type == nullptr || !type->is_string() || type->get_string() != "object") {
        return Fail("#", "input_schema must have type 'object'");
      }
    }
    if (!CheckNode(root_, "#", 0)) return error_;
    return std::nullopt;
  }

  const Stats& stats() const { return stats_; }

 private:
  std::optional<std::string> Fail(const std::string& pointer, std::string_view reason) {
    error_ = std::string(reason) + " (at " + pointer + ")";
    return error_;
  }
  bool Refuse(const std::string& pointer, std::string_view reason) {
    Fail(pointer, reason);
    return false;
  }

  bool CheckNode(const Value& v, const std::string& ptr, int depth) {
    if (depth > kMaxDepth) {
      return Refuse(ptr, "Schemas nested deeper than 32 levels are not supported");
    }
    const Object* node = v.if_object();
    if (node == nullptr) {
      return Refuse(ptr, "A schema must be a JSON object (boolean schemas are not supported)");
    }
    if (!CheckKeywords(*node, ptr)) return false;
    if (const Value* defs = node->if_contains("$defs"); defs && !defs->is_object()) {
      return Refuse(ptr + "/$defs", "$defs must be an object");
    }
    if (const Value* defs = node->if_contains("definitions"); defs && !defs->is_object()) {
      return Refuse(ptr + "/definitions", "definitions must be an object");
    }
    if (const Value* ref = node->if_contains("$ref")) return CheckRef(*node, *ref, ptr, depth);
    if (const Value* any = node->if_contains("anyOf")) return CheckAnyOf(*node, *any, ptr, depth);

    std::vector<std::string_view> types;
    if (const Value* type = node->if_contains("type")) {
      if (!ReadTypes(*type, ptr, types)) return false;
      if (types.size() > 1) ++stats_.unions;
    }
    const Value* enum_value = node->if_contains("enum");
    const Value* const_value = node->if_contains("const");
    if (enum_value != nullptr && const_value != nullptr) {
      return Refuse(ptr, "const and enum cannot be combined");
    }
    if (enum_value != nullptr) {
      const Array* list = enum_value->if_array();
      if (list == nullptr || list->empty()) return Refuse(ptr, "enum must be a non-empty array");
      for (size_t i = 0; i < list->size(); ++i) {
        if (!CheckLiteral((*list)[i], types, ptr + "/enum/" + std::to_string(i), "enum")) {
          return false;
        }
      }
    }
    if (const_value != nullptr && !CheckLiteral(*const_value, types, ptr + "/const", "const")) {
      return false;
    }
    if (types.empty() && enum_value == nullptr && const_value == nullptr) {
      return Refuse(ptr, "A schema must have a type unless it uses anyOf, enum, const or $ref");
    }
    auto has = [&](std::string_view t) {
      return std::find(types.begin(), types.end(), t) != types.end();
    };
    if (has("object") && !CheckObject(*node, ptr, depth)) return false;
    if (has("array") && !CheckArray(*node, ptr, depth)) return false;
    if (has("string") && !CheckFormat(*node, ptr)) return false;
    return true;
  }

  // Unknown keywords, unsupported composition and per-type constraints.
  bool CheckKeywords(const Object& node, const std::string& ptr) {
    std::vector<std::string_view> refused;
    std::string_view refused_kind;
    for (const auto& member : node) {
      const std::string_view key = member.key();
      if (OneOfNames(key, kAnnotations) || OneOfNames(key, kCore)) continue;
      if (key == "oneOf") return Refuse(ptr, "oneOf is not supported; use anyOf");
      if (key == "allOf" || key == "not" || key == "if" || key == "then" || key == "else") {
        return Refuse(ptr, std::string(key) + " is not supported");
      }
      if (std::optional<std::string_view> kind = RefusedKind(key)) {
        if (refused.empty()) refused_kind = *kind;
        refused.push_back(key);
        continue;
      }
      return Refuse(ptr, "Keyword '" + std::string(key) + "' is not supported");
    }
    if (refused.empty()) return true;
    std::sort(refused.begin(), refused.end());
    std::string type(refused_kind);
    if (const Value* t = node.if_contains("type")) {
      if (t->is_string()) {
        type = t->get_string();
      } else if (const Array* list = t->if_array()) {
        for (const Value& entry : *list) {
          if (entry.is_string() && entry.get_string() != "null") {
            type = entry.get_string();
            break;
          }
        }
      }
    }
    std::string reason = "For '" + type + "' type, ";
    if (refused.size() == 1) {
      reason += "property '" + std::string(refused[0]) + "' is not supported";
    } else {
      reason += "properties ";
      for (size_t i = 0; i < refused.size(); ++i) {
        if (i > 0) reason += ", ";
        reason += refused[i];
      }
      reason += " are not supported";
    }
    return Refuse(ptr, reason);
  }

  bool ReadTypes(const Value& type, const std::string& ptr, std::vector<std::string_view>& out) {
    auto add = [&](const Value& entry) {
      const boost::json::string* s = entry.if_string();
      if (s == nullptr || !OneOfNames(*s, kTypes)) {
        return Refuse(ptr + "/type",
                      "type must be one of object, array, string, integer, "
                      "number, boolean, null (or a list of them), not " +
                          json::Serialize(entry));
      }
      if (std::find(out.begin(), out.end(), std::string_view(*s)) == out.end()) out.push_back(*s);
      return true;
    };
    if (const Array* list = type.if_array()) {
      if (list->empty()) return Refuse(ptr + "/type", "type must not be an empty list");
      for (const Value& entry : *list) {
        if (!add(entry)) return false;
      }
      return true;
    }
    return add(type);
  }

  bool CheckLiteral(const Value& v, const std::vector<std::string_view>& types,
                    const std::string& ptr, std::string_view what) {
    if (!IsPrimitive(v)) {
      return Refuse(ptr, std::string(what) +
                             " values must be strings, numbers, booleans or null (complex types "
                             "are not supported)");
    }
    if (types.empty()) return true;
    for (std::string_view t : types) {
      if (HasType(v, t)) return true;
    }
    return Refuse(ptr, std::string(what) + " value " + json::Serialize(v) +
                           " does not match the schema's type");
  }

  bool CheckRef(const Object& node, const Value& ref, const std::string& ptr, int depth) {
    for (const auto& member : node) {
      const std::string_view key = member.key();
      if (key != "$ref" && !OneOfNames(key, kAnnotations)) {
        return Refuse(ptr, "$ref cannot be combined with '" + std::string(key) + "'");
      }
    }
    const boost::json::string* s = ref.if_string();
    if (s == nullptr) return Refuse(ptr + "/$ref", "$ref must be a string");
    const std::string_view target = *s;
    std::string_view section;
    std::string_view name;
    for (std::string_view prefix :
         {std::string_view("#/$defs/"), std::string_view("#/definitions/")}) {
      if (target.substr(0, prefix.size()) == prefix) {
        section = prefix.substr(2, prefix.size() - 3);
        name = target.substr(prefix.size());
      }
    }
    if (section.empty() || name.empty() || name.find('/') != std::string_view::npos ||
        name.find('~') != std::string_view::npos) {
      return Refuse(ptr + "/$ref", "$ref '" + std::string(target) +
                                       "' is not supported: only local references to "
                                       "#/$defs/<name> or #/definitions/<name> are");
    }
    const Object* root = root_.if_object();
    const Value* defs = root != nullptr ? root->if_contains(section) : nullptr;
    const Value* def =
        defs != nullptr && defs->is_object() ? defs->get_object().if_contains(name) : nullptr;
    if (def == nullptr) {
      return Refuse(ptr + "/$ref", "$ref '" + std::string(target) + "' does not resolve");
    }
    const std::string key(target);
    if (std::find(active_.begin(), active_.end(), key) != active_.end()) {
      return Refuse(ptr + "/$ref", "Recursive schemas are not supported ($ref '" + key +
                                       "' refers back to itself)");
    }
    if (std::find(checked_.begin(), checked_.end(), key) != checked_.end()) return true;
    active_.push_back(key);
    const bool ok =
        CheckNode(*def, "#/" + std::string(section) + "/" + PointerToken(name), depth + 1);
    active_.pop_back();
    if (ok) checked_.push_back(key);
    return ok;
  }

  bool CheckAnyOf(const Object& node, const Value& any, const std::string& ptr, int depth) {
    for (const auto& member : node) {
      const std::string_view key = member.key();
      if (key != "anyOf" && !OneOfNames(key, kAnnotations)) {
        return Refuse(ptr, "anyOf cannot be combined with '" + std::string(key) + "'");
      }
    }
    const Array* branches = any.if_array();
    if (branches == nullptr || branches->empty()) {
      return Refuse(ptr + "/anyOf", "anyOf must be a non-empty array");
    }
    ++stats_.unions;
    for (size_t i = 0; i < branches->size(); ++i) {
      if (!CheckNode((*branches)[i], ptr + "/anyOf/" + std::to_string(i), depth + 1)) return false;
    }
    return true;
  }

  bool CheckObject(const Object& node, const std::string& ptr, int depth) {
    if (const Value* extra = node.if_contains("additionalProperties");
        extra != nullptr && !(extra->is_bool() && !extra->get_bool())) {
      return Refuse(ptr + "/additionalProperties",
                    "For 'object' type, additionalProperties must be false or absent");
    }
    const Object* props = nullptr;
    if (const Value* p = node.if_contains("properties")) {
      props = p->if_object();
      if (props == nullptr) return Refuse(ptr + "/properties", "properties must be an object");
    }
    size_t required_count = 0;
    if (const Value* r = node.if_contains("required")) {
      const Array* list = r->if_array();
      if (list == nullptr) return Refuse(ptr + "/required", "required must be an array");
      std::vector<std::string_view> seen;
      for (size_t i = 0; i < list->size(); ++i) {
        const boost::json::string* name = (*list)[i].if_string();
        const std::string ip = ptr + "/required/" + std::to_string(i);
        if (name == nullptr) return Refuse(ip, "required entries must be strings");
        if (props == nullptr || !props->contains(*name)) {
          return Refuse(
              ip, "required property '" + std::string(*name) + "' is not defined in properties");
        }
        if (std::find(seen.begin(), seen.end(), std::string_view(*name)) == seen.end()) {
          seen.push_back(*name);
        }
      }
      required_count = seen.size();
    }
    if (props == nullptr) return true;
    stats_.optional += static_cast<int>(props->size() - required_count);
    for (const auto& [key, sub] : *props) {
      if (!CheckNode(sub, ptr + "/properties/" + PointerToken(key), depth + 1)) return false;
    }
    return true;
  }

  bool CheckArray(const Object& node, const std::string& ptr, int depth) {
    if (const Value* m = node.if_contains("minItems")) {
      std::optional<int64_t> n = IntegerValue(*m);
      if (!n || (*n != 0 && *n != 1)) {
        return Refuse(ptr + "/minItems",
                      "For 'array' type, minItems values other than 0 or 1 are not supported");
      }
    }
    if (const Value* items = node.if_contains("items")) {
      return CheckNode(*items, ptr + "/items", depth + 1);
    }
    return true;
  }

  bool CheckFormat(const Object& node, const std::string& ptr) {
    const Value* f = node.if_contains("format");
    if (f == nullptr) return true;
    const boost::json::string* s = f->if_string();
    if (s == nullptr || !OneOfNames(*s, kFormats)) {
      return Refuse(ptr + "/format",
                    "For 'string' type, format " + json::Serialize(*f) +
                        " is not supported (supported: date-time, time, date, duration, email, "
                        "hostname, uri, ipv4, ipv6, uuid)");
    }
    return true;
  }

  const Value& root_;
  std::vector<std::string> active_;   // $ref targets being checked (cycle detection)
  std::vector<std::string> checked_;  // $ref targets already checked
  Stats stats_;
  std::optional<std::string> error_;
};

// The stats of a schema text that passed CheckStructuredSchema.
Stats StatsOf(std::string_view schema_json, bool tool_input) {
  Result<Value> schema = json::Parse(schema_json);
  if (!schema.ok()) return {};
  Checker checker(*schema);
  checker.Run(tool_input);
  return checker.stats();
}

}  // namespace

std::optional<std::string> CheckStructuredSchema(const json::Value& schema, bool tool_input) {
  return Checker(schema).Run(tool_input);
}

std::optional<std::string> CheckStructuredLimits(const backends::ModelRequest& request) {
  Stats total;
  int strict_tools = 0;
  auto add = [&](const Stats& s) {
    total.optional += s.optional;
    total.unions += s.unions;
  };
  for (const backends::Tool& tool : request.tools) {
    if (!tool.strict) continue;
    ++strict_tools;
    add(StatsOf(tool.input_schema_json, true));
  }
  if (request.output_format) add(StatsOf(request.output_format->schema_json, false));
  if (strict_tools > kMaxStrictTools) {
    return "Too many strict tools (" + std::to_string(strict_tools) + "); at most " +
           std::to_string(kMaxStrictTools) + " are supported";
  }
  if (total.optional > kMaxOptional) {
    return "Schemas contains too many optional parameters (" + std::to_string(total.optional) +
           "), which would make grammar compilation inefficient";
  }
  if (total.unions > kMaxUnions) {
    return "Schemas contains too many parameters with union types (" +
           std::to_string(total.unions) + "), which would make grammar compilation inefficient";
  }
  return std::nullopt;
}

}  // namespace bp::api::runtime
