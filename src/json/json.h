#pragma once
// Thin wrapper over Boost.JSON (STYLE.md D.16): parsing returns Result and
// never throws; typed accessors report the JSON path of a bad field
// ("$.tags[2].key: expected a string").
//
// Public header of module bp_json. Callers may use boost::json::value and
// its object/array types directly for building documents; only parsing and
// checked access must go through here.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/status.h"

namespace bp::json {

using Value = boost::json::value;
using Object = boost::json::object;
using Array = boost::json::array;

// Parses one JSON document (no comments, no trailing commas). Errors are
// kValidation with the parser's message and byte offset.
Result<Value> Parse(std::string_view text);

// As Parse, but every node of the document is allocated from one arena (a
// Boost.JSON monotonic_resource owned by the returned value): no per-node
// malloc, no per-node free, and the whole document goes back to the system
// in a few large blocks when the value is destroyed. For large request
// bodies that are read once. The value must not be modified much (freed
// nodes are not reused) and copies of it allocate normally.
Result<Value> ParseInArena(std::string_view text);

// Parses like Parse, except that when the root is an object with a member
// `key` whose value is an array, that array's elements are not kept: each
// is handed to `on_element(element, index)` as soon as it is complete and
// freed right after, and the returned document holds an empty array under
// `key`. `index` counts from 0 per array (a repeated key starts again at 0).
// Peak memory is the rest of the document plus one element, whatever the
// array's length. Elements live in a small arena reused from one to the
// next: keep nothing that points into them. Syntax errors anywhere (also
// after elements were handed out) fail the parse, as in Parse.
using ElementSink = std::function<void(const Value& element, size_t index)>;
Result<Value> ParseStreamingMember(std::string_view text, std::string_view key,
                                   const ElementSink& on_element);

// Compact serialisation.
std::string Serialize(const Value& value);

// Human name of a JSON kind for messages: "a string", "an object", ...
std::string_view KindName(const Value& value);

// Checked access to object members. `path` names the object in messages
// ("$", "$.modelSource"). Absent members give std::nullopt for the Optional*
// forms and a kValidation "... is required" for the Required* forms; a member
// of the wrong kind is always an error.
Result<const Object*> RequireObject(const Value& value, std::string_view path);
Result<std::string> RequiredString(const Object& obj, std::string_view key, std::string_view path);
Result<std::optional<std::string>> OptionalString(const Object& obj, std::string_view key,
                                                  std::string_view path);
Result<std::optional<int64_t>> OptionalInt(const Object& obj, std::string_view key,
                                           std::string_view path);
Result<const Array*> OptionalArray(const Object& obj, std::string_view key, std::string_view path);
// An array of strings, in order. An item that is not a string is kValidation
// naming it ("$.models.model_arns[2]: expected a string, got a number").
Result<std::optional<std::vector<std::string>>> OptionalStringArray(const Object& obj,
                                                                    std::string_view key,
                                                                    std::string_view path);
Result<std::vector<std::string>> RequiredStringArray(const Object& obj, std::string_view key,
                                                     std::string_view path);

// Lenient reading, for answers that are shown rather than validated (the
// CLI printing what an endpoint said). None of these fails or throws.
//   Find:  the value at `keys` through nested objects; nullptr as soon as a
//          step is missing or not an object (`value` may be nullptr).
//   StringOrEmpty: the string `value` holds, or "" for anything else.
//   AsInt64: the integer `value` holds when it fits int64_t (as OptionalInt
//          accepts), else std::nullopt.
const Value* Find(const Value* value, std::initializer_list<std::string_view> keys);
std::string_view StringOrEmpty(const Value* value);
std::optional<int64_t> AsInt64(const Value* value);

// Rejects members not in `allowed` (kValidation naming the first unknown key).
Status RejectUnknownKeys(const Object& obj, std::initializer_list<std::string_view> allowed,
                         std::string_view path);

}  // namespace bp::json
