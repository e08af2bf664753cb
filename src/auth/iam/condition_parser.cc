// The Condition block of a statement: operator names with their qualifiers,
// condition keys, and values read as the operator's type at load.

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "auth/iam/json_path.h"
#include "auth/iam/parse_util.h"

namespace bp::auth::iam {

namespace {

using Op = ConditionOperator;

enum class Family : uint8_t { kString, kArn, kNumeric, kDate, kBool, kBinary, kIp, kNull };

Family FamilyOf(Op op) {
  switch (op) {
    case Op::kArnEquals:
    case Op::kArnLike:
    case Op::kArnNotEquals:
    case Op::kArnNotLike:
      return Family::kArn;
    case Op::kNumericEquals:
    case Op::kNumericNotEquals:
    case Op::kNumericLessThan:
    case Op::kNumericLessThanEquals:
    case Op::kNumericGreaterThan:
    case Op::kNumericGreaterThanEquals:
      return Family::kNumeric;
    case Op::kDateEquals:
    case Op::kDateNotEquals:
    case Op::kDateLessThan:
    case Op::kDateLessThanEquals:
    case Op::kDateGreaterThan:
    case Op::kDateGreaterThanEquals:
      return Family::kDate;
    case Op::kBool:
      return Family::kBool;
    case Op::kBinaryEquals:
      return Family::kBinary;
    case Op::kIpAddress:
    case Op::kNotIpAddress:
      return Family::kIp;
    case Op::kNull:
      return Family::kNull;
    default:
      return Family::kString;
  }
}

struct OperatorSpec {
  Op op = Op::kStringEquals;
  SetQualifier set = SetQualifier::kNone;
  bool if_exists = false;
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Levenshtein distance over ASCII-lower-cased text; both are short.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string UnknownOperatorMessage(std::string_view written, std::string_view name) {
  std::string message = "unknown condition operator " + Quoted(written);
  std::string_view best;
  size_t best_distance = 3;
  for (int i = 0; name.size() <= 40 && i <= static_cast<int>(Op::kNull); ++i) {
    std::string_view known = ConditionOperatorName(static_cast<Op>(i));
    size_t d = EditDistance(name, known);
    if (d < best_distance) {
      best = known;
      best_distance = d;
    }
  }
  if (!best.empty()) message += " (did you mean " + Quoted(best) + "?)";
  return message + "; AWS's policy grammar has no such operator, so the policy is refused";
}

Result<OperatorSpec> ParseOperatorName(std::string_view written, const std::string& path) {
  OperatorSpec spec;
  std::string_view name = written;
  if (size_t colon = name.find(':'); colon != std::string_view::npos) {
    std::string_view qualifier = name.substr(0, colon + 1);
    if (qualifier == "ForAnyValue:") {
      spec.set = SetQualifier::kForAnyValue;
    } else if (qualifier == "ForAllValues:") {
      spec.set = SetQualifier::kForAllValues;
    } else {
      return PathError(path, "unknown set qualifier " + Quoted(qualifier) +
                                 " (expected ForAnyValue: or ForAllValues:)");
    }
    name.remove_prefix(colon + 1);
  }
  constexpr std::string_view kIfExists = "IfExists";
  if (name.size() > kIfExists.size() && name.ends_with(kIfExists)) {
    spec.if_exists = true;
    name.remove_suffix(kIfExists.size());
  }
  std::optional<Op> op = ConditionOperatorFromName(name);
  if (!op) return PathError(path, UnknownOperatorMessage(written, name));
  spec.op = *op;
  if (spec.op == Op::kNull && (spec.if_exists || spec.set != SetQualifier::kNone)) {
    return PathError(path,
                     "Null tests whether the key is present; it cannot be combined with IfExists, "
                     "ForAnyValue: or ForAllValues:");
  }
  return spec;
}

Status CheckConditionKey(std::string_view key, const std::string& path) {
  size_t colon = key.find(':');
  std::string_view service = key.substr(0, colon);
  bool service_ok = !service.empty() && std::all_of(service.begin(), service.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (colon != std::string_view::npos && colon + 1 < key.size() && service_ok) return Status::Ok();
  return PathError(
      path, "expected a condition key with a service prefix, such as \"aws:SourceIp\", got " +
                Quoted(key));
}

// Text of a scalar condition value: strings as they are, true/false, numbers
// in their shortest decimal form. False for null, objects and arrays.
bool ScalarText(const json::Value& v, std::string& out) {
  if (v.is_string()) {
    out = std::string(v.get_string());
  } else if (v.is_bool()) {
    out = v.get_bool() ? "true" : "false";
  } else if (v.is_int64()) {
    out = std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    out = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    if (ec != std::errc()) return false;
    out.assign(buf, end);
  } else {
    return false;
  }
  return true;
}

Result<PathedString> ReadScalar(const json::Value& v, std::string path,
                                const ParseOptions& options) {
  PathedString item{std::string(), std::move(path)};
  if (!ScalarText(v, item.text)) {
    return PathError(item.path, "expected a string, a boolean or a number, got " +
                                    std::string(json::KindName(v)));
  }
  if (item.text.size() > options.max_string_bytes) {
    return PathError(item.path,
                     "longer than " + std::to_string(options.max_string_bytes) + " bytes");
  }
  return item;
}

Result<std::vector<PathedString>> ReadConditionValues(const json::Value& v, const std::string& path,
                                                      const ParseOptions& options) {
  std::vector<PathedString> out;
  if (!v.is_array()) {
    BP_ASSIGN_OR_RETURN(PathedString item, ReadScalar(v, path, options));
    out.push_back(std::move(item));
    return out;
  }
  const json::Array& list = v.get_array();
  if (list.empty()) return PathError(path, "expected at least one value, got an empty list");
  if (list.size() > options.max_entries) {
    return PathError(path, "more than " + std::to_string(options.max_entries) + " values");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    BP_ASSIGN_OR_RETURN(PathedString item, ReadScalar(list[i], JsonIndex(path, i), options));
    out.push_back(std::move(item));
  }
  return out;
}

Status TypeError(const PathedString& item, std::string_view expected, const ParseScope& scope) {
  std::string message = "expected " + std::string(expected) + ", got " + Quoted(item.text);
  if (scope.variables() && item.text.find("${") != std::string::npos) {
    message += " (policy variables are resolved only in Resource and in String and Arn conditions)";
  }
  return PathError(item.path, message);
}

template <class T, class Parse>
Result<ConditionValues> Typed(const std::vector<PathedString>& raw, Parse parse,
                              std::string_view expected, const ParseScope& scope) {
  std::vector<T> out;
  for (const PathedString& item : raw) {
    std::optional<T> v = parse(item.text);
    if (!v) return TypeError(item, expected, scope);
    out.push_back(std::move(*v));
  }
  return ConditionValues(std::move(out));
}

Result<ConditionValues> Bools(const std::vector<PathedString>& raw, const ParseScope& scope) {
  BoolSet set;
  for (const PathedString& item : raw) {
    std::optional<bool> b = ParseBool(item.text);
    if (!b) return TypeError(item, "\"true\" or \"false\"", scope);
    (*b ? set.has_true : set.has_false) = true;
  }
  return ConditionValues(set);
}

Result<ConditionValues> Strings(const std::vector<PathedString>& raw, bool arn,
                                const ParseScope& scope) {
  std::vector<PolicyString> strings;
  std::vector<ArnPattern> arns;
  for (const PathedString& item : raw) {
    Result<PolicyString> s = ParsePolicyString(item.text, scope.variables());
    if (!s.ok()) return PathError(item.path, s.status().message());
    if (arn) {
      arns.push_back(MakeArnPattern(std::move(s).value()));
    } else {
      strings.push_back(std::move(s).value());
    }
  }
  return arn ? ConditionValues(std::move(arns)) : ConditionValues(std::move(strings));
}

Result<ConditionValues> TypeValues(Op op, const std::vector<PathedString>& raw,
                                   const ParseScope& scope) {
  switch (FamilyOf(op)) {
    case Family::kString:
      return Strings(raw, false, scope);
    case Family::kArn:
      return Strings(raw, true, scope);
    case Family::kNumeric:
      return Typed<double>(raw, ParseNumber, "a number such as \"10\" or \"2.5\"", scope);
    case Family::kDate:
      return Typed<int64_t>(raw, ParseTimestampMicros,
                            "a date (ISO 8601 such as \"2026-01-01T00:00:00Z\", or epoch seconds)",
                            scope);
    case Family::kIp:
      return Typed<Cidr>(raw, ParseCidr, "an IPv4 or IPv6 address or CIDR block", scope);
    case Family::kBinary:
      return Typed<std::string>(raw, DecodeBase64, "base64 text", scope);
    case Family::kBool:
    case Family::kNull:
      return Bools(raw, scope);
  }
  return InternalError("unhandled condition operator family");
}

Result<Condition> ParseCondition(const OperatorSpec& spec, std::string_view operator_text,
                                 std::string_view key, const json::Value& values,
                                 const std::string& path, const ParseScope& scope) {
  BP_RETURN_IF_ERROR(CheckConditionKey(key, path));
  BP_ASSIGN_OR_RETURN(std::vector<PathedString> raw,
                      ReadConditionValues(values, path, scope.options));
  Condition c;
  c.op = spec.op;
  c.set = spec.set;
  c.if_exists = spec.if_exists;
  c.operator_text = std::string(operator_text);
  c.key = ToLowerAscii(key);
  BP_ASSIGN_OR_RETURN(c.values, TypeValues(spec.op, raw, scope));
  return c;
}

}  // namespace

Result<std::vector<Condition>> ParseConditionBlock(const json::Value& value,
                                                   const std::string& path,
                                                   const ParseScope& scope) {
  BP_ASSIGN_OR_RETURN(const json::Object* block, json::RequireObject(value, path));
  std::vector<Condition> out;
  for (const auto& op_member : *block) {
    std::string_view operator_text = op_member.key();
    std::string op_path = JsonMember(path, operator_text);
    BP_ASSIGN_OR_RETURN(OperatorSpec spec, ParseOperatorName(operator_text, op_path));
    BP_ASSIGN_OR_RETURN(const json::Object* keys, json::RequireObject(op_member.value(), op_path));
    if (keys->empty()) return PathError(op_path, "names no condition key");
    for (const auto& key_member : *keys) {
      if (out.size() >= scope.options.max_entries) {
        return PathError(path,
                         "more than " + std::to_string(scope.options.max_entries) + " conditions");
      }
      std::string_view key = key_member.key();
      BP_ASSIGN_OR_RETURN(Condition c, ParseCondition(spec, operator_text, key, key_member.value(),
                                                      JsonMember(op_path, key), scope));
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace bp::auth::iam
