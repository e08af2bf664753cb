#include "json/writer.h"

#include <charconv>

#include "core/utf8.h"

namespace bp::json {

namespace {

// The escape of an ASCII byte that cannot appear in a JSON string as is.
void AppendEscaped(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(escape, sizeof escape);
    }
  }
}

}  // namespace

void AppendString(std::string& out, std::string_view text) {
  out += '"';
  size_t run = 0;  // start of the bytes still to copy as they are
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(text, i);
      if (n > 0) {
        i += n;
        continue;
      }
    } else if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text, run, i - run);
    if (c >= 0x80) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else {
      AppendEscaped(out, c);
    }
    run = ++i;
  }
  out.append(text, run);
  out += '"';
}

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc() ? end : buf);
}

}  // namespace bp::json
