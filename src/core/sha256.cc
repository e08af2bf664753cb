#include "core/sha256.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <openssl/evp.h>

namespace bp {

namespace {

[[noreturn]] void OpenSslFailure(const char* what) {
  std::fprintf(stderr, "bp_core: OpenSSL %s failed\n", what);
  std::abort();
}

// Fetched once per process: OpenSSL 3's implicit fetch by name (EVP_sha256())
// takes a lock and a lookup on every call.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) OpenSslFailure("EVP_MD_fetch(SHA256)");
    return fetched;
  }();
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One digest context per thread, re-initialised for every hash: no allocation
// on the hot path.
EVP_MD_CTX* ThreadMdCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) OpenSslFailure("EVP_MD_CTX_new");
  return ctx.get();
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

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  AppendHexEncoded(out, bytes);
  return out;
}

void AppendHexEncoded(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace bp
