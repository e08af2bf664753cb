#pragma once
// SHA-256 and lower-case hex: the one digest helper of the project (SigV4
// payload and canonical-request hashes, API-key digests, plan and config
// digests). Over OpenSSL 3's EVP interface, with the algorithm fetched once
// per process and one reusable digest context per thread. Public header of
// bp_core.
//
// Thread-safety: every function is safe to call from any thread. An OpenSSL
// failure here can only be an allocation failure; it aborts the process
// (STYLE.md D.17).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bp {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);
// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Lower-case hex of `bytes`, two characters a byte.
std::string HexEncode(std::span<const uint8_t> bytes);
// The same, appended to `out`.
void AppendHexEncoded(std::string& out, std::span<const uint8_t> bytes);

// True for exactly 64 lower-case hex digits: what Sha256Hex returns.
bool IsSha256Hex(std::string_view text);

}  // namespace bp
