#pragma once
// UTF-8: encoding one code point (for \uNNNN escapes in the config and
// JSON-path parsers), strict validation, and repair for text that must go
// into JSON (error messages, model output). The one implementation of each.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bp {

// Appends `code_point` (REQUIRES: <= 0x10FFFF) to `out` as UTF-8.
void AppendUtf8(std::string& out, uint32_t code_point);

// Length (1-4) of the valid UTF-8 sequence starting at text[i], or 0 when it
// is invalid: a stray continuation byte, a truncated sequence, an overlong
// form, a surrogate or a value above U+10FFFF. REQUIRES: i < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t i);

// `text` with every byte that does not start a valid sequence replaced by
// U+FFFD.
std::string ToValidUtf8(std::string_view text);

// Text from elsewhere (an upstream's error message) made fit to show: valid
// UTF-8 (as ToValidUtf8), cut at a character boundary to `max_bytes` with
// "..." appended when longer, control characters as spaces, trimmed.
std::string PrintableText(std::string_view text, size_t max_bytes);

}  // namespace bp
