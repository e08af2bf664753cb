#pragma once
// Private to bp_eventstream: wire constants and big-endian helpers shared by
// the encoder and the decoder (bedrock-api.md §4.1). Never include from
// outside src/eventstream/.

#include <cstddef>
#include <cstdint>
#include <string>

namespace bp::eventstream::wire {

// total_length (4) + headers_length (4) + prelude CRC (4).
inline constexpr size_t kPreludeBytes = 12;
// Prelude plus the trailing message CRC: a frame with no headers and no payload.
inline constexpr size_t kMinFrameBytes = kPreludeBytes + 4;
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxValueBytes = 32767;  // string and byte-array values
inline constexpr size_t kUuidBytes = 16;
inline constexpr uint8_t kMaxHeaderType = 9;

// Reads `n` (<= 8) big-endian bytes at `p` as an unsigned value.
inline uint64_t LoadBe(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

inline uint32_t LoadBe32(const char* p) { return static_cast<uint32_t>(LoadBe(p, 4)); }

// Appends the low `n` (<= 8) bytes of `v`, most significant first.
inline void AppendBe(std::string& out, uint64_t v, size_t n) {
  for (size_t i = n; i > 0; --i) out.push_back(static_cast<char>(v >> (8 * (i - 1))));
}

}  // namespace bp::eventstream::wire
