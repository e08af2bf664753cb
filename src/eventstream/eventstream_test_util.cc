#include "eventstream/eventstream_test_util.h"

#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "eventstream/eventstream.h"

namespace bp::eventstream::testing {
namespace {

constexpr std::string_view kDigits = "0123456789abcdef";

void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

std::string HexDecode(std::string_view hex) {
  std::string out;
  if (hex.size() % 2 != 0) ADD_FAILURE() << "odd-length hex: " << hex;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int hi = Nibble(hex[i]);
    const int lo = Nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      ADD_FAILURE() << "bad hex at " << i << ": " << hex;
      return out;
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string RawPrelude(uint32_t total_length, uint32_t headers_length) {
  std::string out;
  AppendBe32(out, total_length);
  AppendBe32(out, headers_length);
  AppendBe32(out, Crc32(out));
  return out;
}

std::string RawFrame(std::string_view header_block, std::string_view payload) {
  const auto total = static_cast<uint32_t>(16 + header_block.size() + payload.size());
  std::string out = RawPrelude(total, static_cast<uint32_t>(header_block.size()));
  out.append(header_block);
  out.append(payload);
  AppendBe32(out, Crc32(out));
  return out;
}

std::string DebugString(const Frame& frame) {
  std::string out = "[";
  for (const Header& h : frame.headers) {
    if (out.size() > 1) out += ", ";
    out += h.name + ":" + std::to_string(static_cast<int>(h.type)) + "=" +
           std::to_string(h.integer) + "/" + HexEncode(h.bytes);
  }
  return out + "] " + HexEncode(frame.payload);
}

std::string DebugString(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& f : frames) out += DebugString(f) + "\n";
  return out;
}

DecodeRun DecodeInPieces(std::string_view bytes, const std::vector<size_t>& cuts,
                         Decoder::Options options) {
  Decoder decoder(options);
  DecodeRun run;
  size_t from = 0;
  auto drain = [&] {
    while (run.error.ok()) {
      Result<std::optional<Frame>> next = decoder.Next();
      if (!next.ok()) {
        run.error = next.status();
      } else if (!next->has_value()) {
        return;
      } else {
        run.frames.push_back(std::move(**next));
      }
    }
  };
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (size_t to : ends) {
    decoder.Feed(bytes.substr(from, to - from));
    from = to;
    drain();
  }
  run.finish = decoder.Finish();
  return run;
}

DecodeRun DecodeBytewise(std::string_view bytes, Decoder::Options options) {
  std::vector<size_t> cuts(bytes.empty() ? 0 : bytes.size() - 1);
  std::iota(cuts.begin(), cuts.end(), size_t{1});
  return DecodeInPieces(bytes, cuts, options);
}

}  // namespace bp::eventstream::testing
