#pragma once
// AWS event-stream framing (`application/vnd.amazon.eventstream`,
// bedrock-api.md §4): CRC-32, a frame encoder and an incremental decoder.
// Bytes in, frames out; no I/O. Public header of bp_eventstream.
//
// Thread-safety: the free functions are pure; a Decoder is one object per
// stream, used from one thread at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace bp::eventstream {

// Header value types as numbered on the wire (§4.1).
enum class HeaderType : uint8_t {
  kBoolTrue = 0,
  kBoolFalse = 1,
  kByte = 2,
  kShort = 3,
  kInt32 = 4,
  kInt64 = 5,
  kBytes = 6,
  kString = 7,
  kTimestamp = 8,  // ms since the epoch
  kUuid = 9,       // 16 raw bytes in `bytes`
};

struct Header {
  std::string name;  // 1..255 bytes
  HeaderType type = HeaderType::kString;
  int64_t integer = 0;  // kByte, kShort, kInt32, kInt64, kTimestamp
  std::string bytes;    // kBytes, kString (<= 32767 bytes), kUuid (exactly 16)
};

struct Frame {
  std::vector<Header> headers;  // in wire order
  std::string payload;

  // First header named `name`, or nullptr.
  const Header* Find(std::string_view name) const;
  // The string value of header `name`, or empty when absent or not a string.
  std::string_view StringHeader(std::string_view name) const;
};

// CRC-32 (IEEE 802.3, as zlib.crc32), continuing from `crc` (0 to start).
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// Appends the encoding of `frame` to `out`. Errors (kValidation, `out`
// unchanged): a header name empty or longer than 255 bytes, a string/bytes
// value longer than 32767 bytes, a uuid that is not 16 bytes, an integer
// outside its type's range (kByte, kShort, kInt32), a type outside 0..9, a
// frame over 4 GiB.
Status AppendFrame(std::string& out, const Frame& frame);

// The hot-path forms Bedrock uses, written straight into `out` without
// building a Frame (REQUIRES: names and values within the limits above;
// `type` is a static union member name):
//   event:     :event-type=<type>, :content-type=application/json, :message-type=event
//   exception: :exception-type=<type>, :content-type=application/json, :message-type=exception
void AppendEvent(std::string& out, std::string_view event_type, std::string_view json_payload);
void AppendException(std::string& out, std::string_view exception_type,
                     std::string_view json_payload);

// Incremental decoder: feed bytes as they arrive (split or coalesced
// arbitrarily), take frames out as they complete.
class Decoder final {
 public:
  struct Options {
    // Frames whose total_length exceeds this are refused (after the prelude
    // CRC has been checked). Bedrock chunks carry <= 1,000,000 payload bytes.
    size_t max_frame_bytes = size_t{16} * 1024 * 1024;
  };
  Decoder() : Decoder(Options{}) {}
  explicit Decoder(Options options);

  // Appends bytes to the internal buffer. Never fails; errors surface in Next().
  // Ignored once the decoder has failed.
  void Feed(std::string_view bytes);
  // The next complete frame, std::nullopt when more bytes are needed, or an
  // error (kValidation: bad prelude CRC, bad message CRC, a length out of
  // range, a malformed header block). After an error the decoder stays
  // failed: every later Next() returns the same error.
  Result<std::optional<Frame>> Next();
  // OK when every fed byte belonged to a complete frame; kValidation
  // ("Truncated event message received", with the byte counts) when the
  // stream ended mid-frame, or the earlier decode error. Frames fed but not
  // yet taken with Next() are checked too (their errors are returned).
  Status Finish() const;

 private:
  // Drops the consumed prefix of buffer_ when that is cheap (amortised O(1)
  // per byte).
  void Compact();

  Options options_;
  std::string buffer_;
  size_t consumed_ = 0;   // bytes of buffer_ already returned as frames
  uint64_t dropped_ = 0;  // bytes erased from the front of buffer_ (for offsets)
  Status error_;
};

}  // namespace bp::eventstream
