// Fuzz target for the event-stream decoder. The first input byte seeds the
// piece sizes and may ask for the stream's CRCs to be repaired first; the
// rest is the stream, fed to a Decoder in pieces of 1..64
// bytes with Next() drained after each Feed. Checks on every input: no
// crash, hang or leak; every frame decoded re-encodes (AppendFrame) to exactly
// the bytes it came from; the result does not depend on how the bytes were
// split (a second decoder gets the whole stream at once); errors are
// kValidation with a message and sticky; Finish() is OK exactly when the
// stream ended on a frame boundary with no error.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "eventstream/eventstream.h"

namespace {

using bp::Result;
using bp::Status;
using bp::eventstream::AppendFrame;
using bp::eventstream::Decoder;
using bp::eventstream::Frame;

void Require(bool condition) {
  if (!condition) std::abort();
}

// Small limit so that length checks are reached with fuzzer-sized inputs.
constexpr size_t kMaxFrameBytes = 4096;

struct Outcome {
  size_t frames = 0;
  size_t consumed = 0;  // bytes of the stream covered by decoded frames
  Status error;
  Status finish;
};

// Drains `decoder`, checking each frame against `stream` at `out.consumed`.
void Drain(Decoder& decoder, std::string_view stream, Outcome& out) {
  while (out.error.ok()) {
    Result<std::optional<Frame>> next = decoder.Next();
    if (!next.ok()) {
      out.error = next.status();
      Require(out.error.code() == bp::ErrorCode::kValidation);
      Require(!out.error.message().empty());
      Require(decoder.Next().status().ToString() == out.error.ToString());
      return;
    }
    if (!next->has_value()) return;
    std::string encoded;
    Require(AppendFrame(encoded, **next).ok());
    Require(encoded.size() <= kMaxFrameBytes);
    Require(stream.substr(out.consumed, encoded.size()) == encoded);
    out.consumed += encoded.size();
    ++out.frames;
  }
}

Outcome DecodeInPieces(std::string_view stream, uint32_t seed) {
  Decoder decoder(Decoder::Options{.max_frame_bytes = kMaxFrameBytes});
  Outcome out;
  uint32_t state = seed * 2654435761u + 1;
  size_t pos = 0;
  while (pos < stream.size()) {
    state = state * 1103515245u + 12345u;
    const size_t piece = 1 + (state >> 16) % 64;
    decoder.Feed(stream.substr(pos, piece));
    pos += std::min(piece, stream.size() - pos);
    Drain(decoder, stream, out);
  }
  out.finish = decoder.Finish();
  return out;
}

Outcome DecodeWhole(std::string_view stream) {
  Decoder decoder(Decoder::Options{.max_frame_bytes = kMaxFrameBytes});
  Outcome out;
  decoder.Feed(stream);
  Drain(decoder, stream, out);
  out.finish = decoder.Finish();
  return out;
}

void StoreBe32(std::string& s, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

// Rewrites the CRCs of every frame the lengths delimit, so that mutations
// reach the length and header-block checks that the CRCs otherwise guard.
void RepairCrcs(std::string& s) {
  size_t at = 0;
  while (s.size() - at >= 12) {
    StoreBe32(s, at + 8, bp::eventstream::Crc32(std::string_view(s).substr(at, 8)));
    size_t total = 0;
    for (size_t i = 0; i < 4; ++i) total = total << 8 | static_cast<unsigned char>(s[at + i]);
    if (total < 16 || total > s.size() - at) return;
    StoreBe32(s, at + total - 4, bp::eventstream::Crc32(std::string_view(s).substr(at, total - 4)));
    at += total;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte: bit 7 asks for CRC repair, the rest seeds the piece sizes.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 0x80) RepairCrcs(bytes);
  const std::string_view stream(bytes);
  const Outcome split = DecodeInPieces(stream, data[0]);
  const Outcome whole = DecodeWhole(stream);
  Require(split.frames == whole.frames);
  Require(split.consumed == whole.consumed);
  Require(split.error.ToString() == whole.error.ToString());
  Require(split.finish.ToString() == whole.finish.ToString());
  if (!split.error.ok()) {
    Require(split.finish.ToString() == split.error.ToString());
  } else {
    Require(split.finish.ok() == (split.consumed == stream.size()));
  }
  return 0;
}
