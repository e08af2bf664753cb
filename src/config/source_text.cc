#include "config/source_text.h"

#include <cstdio>

namespace bp::config {

namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string_view StripBom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

std::optional<Diagnostic> CheckSourceText(std::string_view text, const std::string& file,
                                          size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Diagnostic{At(file, 0, 0), "file is " + std::to_string(text.size()) +
                                          " bytes, more than the limit of " +
                                          std::to_string(max_bytes) + " bytes"};
  }
  uint32_t line = 1;
  uint32_t column = 1;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') return Diagnostic{At(file, line, column), "NUL byte in the file"};
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<uint8_t>(text[i]));
      return Diagnostic{At(file, line, column),
                        std::string("invalid UTF-8 (byte ") + hex + "); the file must be UTF-8"};
    }
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      column += static_cast<uint32_t>(len);
    }
    i += len;
  }
  return std::nullopt;
}

std::string DescribeByte(std::string_view rest) {
  if (rest.empty()) return "end of file";
  unsigned char c = static_cast<unsigned char>(rest[0]);
  if (c == '\n' || (c == '\r' && rest.substr(0, 2) == "\r\n")) return "a newline";
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c >= 0x21 && c < 0x7F) return std::string("'") + rest[0] + "'";
  if (c >= 0x80) {
    size_t len = Utf8SequenceLength(rest, 0);
    if (len > 0) return "'" + std::string(rest.substr(0, len)) + "'";
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "byte 0x%02X", c);
  return hex;
}

std::string DescribeEscape(std::string_view after_backslash) {
  if (!after_backslash.empty() && after_backslash[0] >= 0x21 && after_backslash[0] < 0x7F) {
    return std::string("'\\") + after_backslash[0] + "'";
  }
  return "'\\' followed by " + DescribeByte(after_backslash);
}

SourceLocation At(const std::string& file, uint32_t line, uint32_t column) {
  return SourceLocation{file, line, column};
}

}  // namespace bp::config
