#include "json/json.h"

#include <algorithm>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace bp::json {

namespace {
std::string Member(std::string_view path, std::string_view key) {
  std::string out(path);
  out += '.';
  out += key;
  return out;
}
}  // namespace

Result<Value> Parse(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 64;
  try {
    Value v = boost::json::parse(text, ec, {}, options);
    if (ec) return ValidationError("malformed JSON: " + ec.message());
    return v;
  } catch (const std::exception& e) {  // allocation failures and the like
    return ValidationError(std::string("malformed JSON: ") + e.what());
  }
}

std::string Serialize(const Value& value) { return boost::json::serialize(value); }

std::string_view KindName(const Value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

Result<const Object*> RequireObject(const Value& value, std::string_view path) {
  if (!value.is_object()) {
    return ValidationError(std::string(path) + ": expected an object, got " +
                           std::string(KindName(value)));
  }
  return &value.get_object();
}

Result<std::string> RequiredString(const Object& obj, std::string_view key, std::string_view path) {
  BP_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(obj, key, path));
  if (!v) return ValidationError(Member(path, key) + " is required");
  return std::move(*v);
}

Result<std::optional<std::string>> OptionalString(const Object& obj, std::string_view key,
                                                  std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) {
    return ValidationError(Member(path, key) + ": expected a string, got " +
                           std::string(KindName(*v)));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> OptionalInt(const Object& obj, std::string_view key,
                                           std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (std::optional<int64_t> n = AsInt64(v)) return n;
  return ValidationError(Member(path, key) + ": expected an integer, got " +
                         std::string(KindName(*v)));
}

Result<const Array*> OptionalArray(const Object& obj, std::string_view key, std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return static_cast<const Array*>(nullptr);
  if (!v->is_array()) {
    return ValidationError(Member(path, key) + ": expected an array, got " +
                           std::string(KindName(*v)));
  }
  return &v->get_array();
}

Result<std::optional<std::vector<std::string>>> OptionalStringArray(const Object& obj,
                                                                    std::string_view key,
                                                                    std::string_view path) {
  BP_ASSIGN_OR_RETURN(const Array* array, OptionalArray(obj, key, path));
  if (array == nullptr) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  out.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const Value& v = (*array)[i];
    if (!v.is_string()) {
      return ValidationError(Member(path, key) + "[" + std::to_string(i) +
                             "]: expected a string, got " + std::string(KindName(v)));
    }
    out.emplace_back(v.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<std::string>> RequiredStringArray(const Object& obj, std::string_view key,
                                                     std::string_view path) {
  BP_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> v,
                      OptionalStringArray(obj, key, path));
  if (!v) return ValidationError(Member(path, key) + " is required");
  return std::move(*v);
}

const Value* Find(const Value* value, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const Object* o = value != nullptr ? value->if_object() : nullptr;
    value = o != nullptr ? o->if_contains(key) : nullptr;
  }
  return value;
}

std::string_view StringOrEmpty(const Value* value) {
  const boost::json::string* s = value != nullptr ? value->if_string() : nullptr;
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

std::optional<int64_t> AsInt64(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return std::nullopt;
}

Status RejectUnknownKeys(const Object& obj, std::initializer_list<std::string_view> allowed,
                         std::string_view path) {
  for (const auto& member : obj) {
    std::string_view key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return ValidationError(Member(path, key) + " is not a recognised field");
    }
  }
  return Status::Ok();
}

}  // namespace bp::json
