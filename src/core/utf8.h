#pragma once
// UTF-8 encoding of one code point (for \uNNNN escapes in the config and
// JSON-path parsers).

#include <cstdint>
#include <string>

namespace bp {

// Appends `code_point` (REQUIRES: <= 0x10FFFF) to `out` as UTF-8.
void AppendUtf8(std::string& out, uint32_t code_point);

}  // namespace bp
