#include "core/base64.h"

namespace bp {

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(data[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(data[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(data[i + 2])};
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(n >> shift) & 63]);
  }
  size_t rest = data.size() - i;
  if (rest == 0) return out;
  uint32_t n = uint32_t{static_cast<uint8_t>(data[i])} << 16;
  if (rest == 2) n |= uint32_t{static_cast<uint8_t>(data[i + 1])} << 8;
  out.push_back(kBase64Alphabet[(n >> 18) & 63]);
  out.push_back(kBase64Alphabet[(n >> 12) & 63]);
  out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
  out.push_back('=');
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (text.size() + padding) % 4 != 0) {
    return ValidationError("base64: misplaced '=' padding");
  }
  if (text.size() % 4 == 1) return ValidationError("base64: truncated input");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return ValidationError("base64: invalid character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Canonical encodings leave the unused low bits of the last character zero.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return ValidationError("base64: non-zero trailing bits");
  }
  return out;
}

}  // namespace bp
