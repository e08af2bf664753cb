#pragma once
// Writing JSON text directly into a string, for documents built on a hot
// path (the access line, the runtime's wire answers) where a
// boost::json::value tree would cost an allocation per member. The one JSON
// string escaper of the project. Public header of bp_json.

#include <cstdint>
#include <string>
#include <string_view>

namespace bp::json {

// Appends `text` as a JSON string: quoted; '"', '\\' and control characters
// escaped (\n \r \t \b \f, else \u00XX); every byte that does not start a
// valid UTF-8 sequence replaced by U+FFFD, so the result is always valid
// JSON in valid UTF-8.
void AppendString(std::string& out, std::string_view text);

// Appends `value` in decimal.
void AppendInt(std::string& out, int64_t value);

}  // namespace bp::json
