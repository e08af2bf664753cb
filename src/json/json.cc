#include "json/json.h"

#include <algorithm>

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
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
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
