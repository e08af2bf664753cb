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

}  // namespace bp::auth::sigv4
