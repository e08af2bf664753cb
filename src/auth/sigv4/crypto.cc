#include "auth/sigv4/crypto.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace bp::auth::sigv4 {

namespace {

[[noreturn]] void OpenSslFailure(const char* what) {
  std::fprintf(stderr, "bp_auth_sigv4: OpenSSL %s failed\n", what);
  std::abort();
}

// Algorithms are fetched once per process: OpenSSL 3's implicit fetch by name
// (EVP_sha256(), HMAC()) takes a lock and a lookup on every call.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) OpenSslFailure("EVP_MD_fetch(SHA256)");
    return fetched;
  }();
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) OpenSslFailure("EVP_MAC_fetch(HMAC)");
    return fetched;
  }();
  return mac;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// One digest context per thread, re-initialised for every hash: no allocation
// on the hot path.
EVP_MD_CTX* ThreadMdCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) OpenSslFailure("EVP_MD_CTX_new");
  return ctx.get();
}

// One HMAC context per thread with its digest already set; EVP_MAC_init with
// a new key restarts it.
EVP_MAC_CTX* ThreadMacCtx() {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> made(EVP_MAC_CTX_new(HmacMac()));
    if (!made) OpenSslFailure("EVP_MAC_CTX_new");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(made.get(), params) != 1) OpenSslFailure("EVP_MAC_CTX_set_params");
    return made;
  }();
  return ctx.get();
}

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

Sha256Digest Sha256(std::string_view data) {
  EVP_MD_CTX* ctx = ThreadMdCtx();
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) {
    OpenSslFailure("SHA-256");
  }
  return out;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data) {
  EVP_MAC_CTX* ctx = ThreadMacCtx();
  Sha256Digest out{};
  size_t len = 0;
  if (EVP_MAC_init(ctx, key.data(), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    OpenSslFailure("HMAC-SHA256");
  }
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()), data);
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

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

}  // namespace bp::auth::sigv4
