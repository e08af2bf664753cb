#pragma once
// Percent-encoding as AWS uses it (RFC 3986 unreserved set: A-Z a-z 0-9 - _ . ~).

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace bp {

// Value of a hexadecimal digit (0-15), or -1 when `c` is not one.
int HexDigitValue(char c);

// Encodes every byte outside the unreserved set as %XX (upper-case hex).
// With encode_slash == false, '/' is kept (for whole paths).
std::string UriEncode(std::string_view in, bool encode_slash = true);
// The same, appended to `out`.
void AppendUriEncoded(std::string& out, std::string_view in, bool encode_slash = true);

// Decodes %XX escapes. '+' is kept literally (paths and AWS queries use %20).
// Error (kValidation) on a truncated or non-hex escape.
Result<std::string> UriDecode(std::string_view in);

// Splits a raw path ("/model/arn%3A...%2Fid/converse") on '/' and then decodes
// each segment. The leading '/' yields no empty first segment; an empty path
// or "/" yields no segments. Errors as UriDecode.
Result<std::vector<std::string>> SplitAndDecodePath(std::string_view raw_path);

// Parses a raw query string "a=1&b=x%2Fy" into decoded (name, value) pairs in
// order. A name without '=' gets an empty value.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view raw_query);

}  // namespace bp
