#include "config/source_text.h"

#include <cstdio>

#include "core/utf8.h"

namespace bp::config {

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
