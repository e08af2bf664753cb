#pragma once
// The hashing primitives SigV4 and API keys need, over OpenSSL 3 (EVP
// interfaces; no deprecated calls): SHA-256, HMAC-SHA256, hex and base64, and a
// constant-time comparison. Public header of bp_auth_sigv4.
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
#include "core/status.h"

namespace bp::auth::sigv4 {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);
// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`.
Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of `bytes`.
std::string HexEncode(std::span<const uint8_t> bytes);

// True when `a` and `b` are equal. The time taken depends only on the
// lengths (which are public in every use here: hex digests, signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace bp::auth::sigv4
