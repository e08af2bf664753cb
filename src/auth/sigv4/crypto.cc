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

// Fetched once per process: OpenSSL 3's implicit fetch by name (HMAC())
// takes a lock and a lookup on every call.
EVP_MAC* HmacMac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) OpenSslFailure("EVP_MAC_fetch(HMAC)");
    return fetched;
  }();
  return mac;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

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

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bp::auth::sigv4
