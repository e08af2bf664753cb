#pragma once
// The keyed primitives SigV4 and API keys need, over OpenSSL 3 (EVP
// interfaces; no deprecated calls): HMAC-SHA256 and a constant-time
// comparison. SHA-256 and hex are core's (core/sha256.h), base64 too
// (core/base64.h); both are included here for the callers that use them
// together. Public header of bp_auth_sigv4.
//
// Thread-safety: every function is safe to call from any thread (each thread
// keeps its own reusable OpenSSL contexts). An OpenSSL failure here can only
// be an allocation failure; it aborts the process (STYLE.md D.17).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base64.h"  // Base64Encode/Decode, used with these helpers
#include "core/sha256.h"  // Sha256Digest, Sha256Hex, HexEncode
#include "core/status.h"

namespace bp::auth::sigv4 {

// HMAC-SHA256 of `data` under `key`.
Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// True when `a` and `b` are equal. The time taken depends only on the
// lengths (which are public in every use here: hex digests, signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace bp::auth::sigv4
