#pragma once
// SHA-256 over OpenSSL EVP. Private to bp_planner.

#include <string>
#include <string_view>

namespace bp::planner::internal {

// Lower-case hex of SHA-256(data), 64 characters.
std::string Sha256Hex(std::string_view data);

// True for exactly 64 lower-case hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace bp::planner::internal
