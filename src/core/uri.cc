#include "core/uri.h"

namespace bp {

namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UriEncode(std::string_view in, bool encode_slash) {
  std::string out;
  out.reserve(in.size() + in.size() / 4);
  AppendUriEncoded(out, in, encode_slash);
  return out;
}

void AppendUriEncoded(std::string& out, std::string_view in, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : in) {
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
}

Result<std::string> UriDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return ValidationError("truncated percent-escape in '" + std::string(in) + "'");
    }
    int hi = HexDigitValue(in[i + 1]);
    int lo = HexDigitValue(in[i + 2]);
    if (hi < 0 || lo < 0) {
      return ValidationError("invalid percent-escape in '" + std::string(in) + "'");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<std::vector<std::string>> SplitAndDecodePath(std::string_view raw_path) {
  std::vector<std::string> segments;
  if (!raw_path.empty() && raw_path.front() == '/') raw_path.remove_prefix(1);
  if (raw_path.empty()) return segments;
  size_t start = 0;
  while (true) {
    size_t slash = raw_path.find('/', start);
    std::string_view seg = raw_path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    BP_ASSIGN_OR_RETURN(std::string decoded, UriDecode(seg));
    segments.push_back(std::move(decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= raw_query.size() && !raw_query.empty()) {
    size_t amp = raw_query.find('&', start);
    std::string_view item = raw_query.substr(
        start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!item.empty()) {
      size_t eq = item.find('=');
      BP_ASSIGN_OR_RETURN(std::string name, UriDecode(item.substr(0, eq)));
      std::string value;
      if (eq != std::string_view::npos) {
        BP_ASSIGN_OR_RETURN(value, UriDecode(item.substr(eq + 1)));
      }
      out.emplace_back(std::move(name), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace bp
