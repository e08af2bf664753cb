#pragma once
// Private helpers of the runtime wire translators (converse_*.cc,
// anthropic_*.cc, stream_errors.cc): member paths rendered only on error,
// Coral-style validation errors, checked JSON access, and the hand-written
// JSON / base64 writers of the streaming hot path. Not included from outside
// src/api/runtime/.
//
// Thread-safety: pure functions, plus one per-thread scratch buffer pair.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "json/json.h"

namespace bp::api::runtime {

// A JSON member path built on the stack while descending a document, and
// rendered only when an error is reported. Each WirePath points at its
// parent: keep the parent alive (a named variable) while a child is in use.
class WirePath final {
 public:
  WirePath() = default;  // the document root
  WirePath Key(std::string_view key) const { return WirePath(this, key, kNoIndex); }
  WirePath Index(size_t index) const { return WirePath(this, {}, index); }

  // Bedrock's Coral form: "messages.0.member.content.1.member.text".
  std::string Coral() const { return Render(Style::kCoral); }
  // Plain dotted form: "messages.0.content.1" (Bedrock's prose messages).
  std::string Plain() const { return Render(Style::kPlain); }
  // JSON pointer as Bedrock's schema errors show it: "#/messages/0/role"; "#" at the root.
  std::string Pointer() const { return Render(Style::kPointer); }

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  enum class Style : uint8_t { kCoral, kPlain, kPointer };
  WirePath(const WirePath* parent, std::string_view key, size_t index)
      : parent_(parent), key_(key), index_(index) {}
  std::string Render(Style style) const;

  const WirePath* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = kNoIndex;
};

using Names = std::span<const std::string_view>;

// ---- JSON access ---------------------------------------------------------------

// Parses a request body. Errors: kValidation "The request body is not valid
// JSON (<detail>)."
Result<json::Value> ParseBody(std::string_view body);
// The member `key` of `obj`, or nullptr when absent or JSON null (clients
// that send null for an unset optional member mean "absent").
const json::Value* MemberOf(const json::Object& obj, std::string_view key);
// The value as an integer when it is one (a double with an integral value is
// not), else nullopt. uint64 values above INT64_MAX give INT64_MAX.
std::optional<int64_t> IntegerValue(const json::Value& v);
// A number as the error messages show it: "0", "-3", "1.5".
std::string FormatNumber(const json::Value& v);
bool IsAsciiAlnum(char c);
// True when `name` is one of `names`.
bool OneOfNames(std::string_view name, Names names);

// ---- Coral-style errors (Converse, CountTokens) ---------------------------------
// "1 validation error detected: Value '<v>' at '<path>' failed to satisfy
// constraint: <constraint>". All kValidation.

Status CoralError(const WirePath& p, std::string_view value_part, std::string_view constraint);
Status CoralConstraint(const WirePath& p, std::string_view value, std::string_view constraint);
Status CoralNull(const WirePath& p);  // "Value null at ... Member must not be null"
Status CoralWrongType(const WirePath& p, std::string_view expected, const json::Value& v);
Status CoralEnum(const WirePath& p, Names allowed, std::string_view value);
// "The request body contains the unknown member '<p>'. Remove it and try again."
Status UnknownMember(const WirePath& p);
// "The member '<p>' is not supported by this endpoint. ..."
Status UnsupportedMember(const WirePath& p);

// Checked access with Coral errors.
Status CheckMembers(const json::Object& obj, Names known, const WirePath& p);
Result<const json::Object*> AsObject(const json::Value& v, const WirePath& p);
Result<const json::Array*> AsArray(const json::Value& v, const WirePath& p);
Result<std::string_view> AsString(const json::Value& v, const WirePath& p);
Result<std::string_view> RequiredString(const json::Object& obj, std::string_view key,
                                        const WirePath& p);
// The one non-null member of a union structure, which must be in `known`.
Result<std::string_view> UnionMember(const json::Object& obj, Names known, const WirePath& p);
// Tool names (^[a-zA-Z0-9_-]+$) or, with `id`, tool use ids
// (^[a-zA-Z0-9_.:-]+$); both 1..64 characters.
Status CheckName(std::string_view s, const WirePath& p, bool id);

// ---- writers ---------------------------------------------------------------------

// Appends `text` as a JSON string literal, quotes included: '"', '\\' and
// control characters escaped; every byte that does not start a valid UTF-8
// sequence becomes U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);
// Appends the decimal form of `value`.
void AppendJsonInt(std::string& out, int64_t value);
// Appends `json_text` when it is a JSON object (tool input handed over by a
// backend), else "{}": a misbehaving upstream cannot break a response.
void AppendJsonObjectText(std::string& out, std::string_view json_text);
// Appends standard padded base64 of `data`.
void AppendBase64(std::string& out, std::string_view data);

// Per-thread scratch buffers for building event payloads without
// allocating once warm. Each call clears and returns the buffer; two
// distinct ones for building one payload inside another.
std::string& ScratchA();
std::string& ScratchB();

}  // namespace bp::api::runtime
