#pragma once
// Test-only helpers shared by the bp_eventstream test files: hex, hand-built
// frames with correct CRCs (to reach checks behind the CRCs), and a driver
// that feeds a Decoder in chosen pieces.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "eventstream/eventstream.h"

namespace bp::eventstream::testing {

// Lowercase hex <-> bytes. HexDecode records a test failure on bad input.
std::string HexEncode(std::string_view bytes);
std::string HexDecode(std::string_view hex);

// A 12-byte prelude stating the given lengths, with a correct CRC.
std::string RawPrelude(uint32_t total_length, uint32_t headers_length);
// A whole frame around an arbitrary (possibly malformed) header block, with
// correct lengths and CRCs.
std::string RawFrame(std::string_view header_block, std::string_view payload);

// One readable line per frame ("[name:type=value, ...] payload"), for
// comparing frames with useful failure output.
std::string DebugString(const Frame& frame);
std::string DebugString(const std::vector<Frame>& frames);

struct DecodeRun {
  std::vector<Frame> frames;  // frames taken before any error
  Status error;               // first Next() error, OK if none
  Status finish;              // Finish() after all pieces
};

// Feeds `bytes` cut at the sorted offsets `cuts`, draining Next() after
// every Feed, then calls Finish().
DecodeRun DecodeInPieces(std::string_view bytes, const std::vector<size_t>& cuts,
                         Decoder::Options options = {});
// Every byte fed on its own.
DecodeRun DecodeBytewise(std::string_view bytes, Decoder::Options options = {});

}  // namespace bp::eventstream::testing
