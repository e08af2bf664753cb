#pragma once
// The syntax tree of a config file (the "syntax" stage of STYLE.md A.3): what
// the HCL or JSON text says, with a SourceLocation on every value and key, and
// no meaning attached yet. Both front ends (hcl_parser.h, json_parser.h)
// produce this same tree, so the binder never knows which syntax was used.
//
// Private header of bp_config: include it only from src/config/ and its tests.
// Values are plain data; copy or move them freely.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace bp::config::ast {

enum class Kind : uint8_t { kString, kNumber, kBool, kNull, kList, kObject };

struct Entry;

struct Value {
  Kind kind = Kind::kNull;
  SourceLocation location;  // of the value's first character (`<<` for a heredoc)

  std::string text;            // kString: the decoded text; kNumber: the literal as written
  bool boolean = false;        // kBool
  std::vector<Value> items;    // kList, in order
  std::vector<Entry> entries;  // kObject, in order; keys are unique

  // The entry's value for `key`, or nullptr. REQUIRES: kind == kObject (else nullptr).
  const Value* Find(std::string_view key) const;
  const Entry* FindEntry(std::string_view key) const;
};

// One `key = value` (or `"key": value`) of an object or of the file body.
struct Entry {
  std::string key;
  SourceLocation key_location;
  Value value;
};

// The whole file: its top-level attributes, in order, keys unique.
struct Body {
  std::string file;  // as given to the parser; also in every location
  std::vector<Entry> attributes;

  const Entry* FindEntry(std::string_view key) const;
};

// "a string", "a number", "a bool", "null", "a list", "a map".
std::string_view KindName(Kind kind);

// Structural equality that ignores locations (used to check that the HCL and
// JSON front ends agree). Numbers compare by their literal text.
bool SameValue(const Value& a, const Value& b);
bool SameBody(const Body& a, const Body& b);

}  // namespace bp::config::ast
