#include "planner/sha256.h"

#include <cstdlib>

#include <openssl/evp.h>

namespace bp::planner::internal {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // Fails only when OpenSSL itself is broken (no SHA-256, no memory): an
  // environment failure that may abort (STYLE.md D.17).
  if (EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr) != 1 || size != 32) {
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace bp::planner::internal
