#pragma once
// Standard base64 (RFC 4648 §4), used for API-key tokens, IAM BinaryEquals
// values and event-stream payloads.

#include <string>
#include <string_view>

#include "core/status.h"

namespace bp {

// Encodes with '=' padding.
std::string Base64Encode(std::string_view data);
// Decodes; the trailing '=' padding may be left out. kValidation on any other
// byte, misplaced padding or non-zero trailing bits (non-canonical input).
Result<std::string> Base64Decode(std::string_view text);

}  // namespace bp
