// The incremental Decoder: error cases behind valid CRCs, stickiness,
// Finish(), arbitrary splits and linear behaviour on byte-at-a-time input.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventstream/eventstream.h"
#include "eventstream/eventstream_test_util.h"
#include "testing/testing.h"

namespace bp::eventstream {
namespace {

using ::bp::eventstream::testing::DebugString;
using ::bp::eventstream::testing::DecodeBytewise;
using ::bp::eventstream::testing::DecodeInPieces;
using ::bp::eventstream::testing::DecodeRun;
using ::bp::eventstream::testing::RawFrame;
using ::bp::eventstream::testing::RawPrelude;
using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

std::string Event(std::string_view type, std::string_view payload) {
  std::string out;
  AppendEvent(out, type, payload);
  return out;
}

// Feeds `bytes` whole and returns the first Next() result.
Result<std::optional<Frame>> FirstOf(std::string_view bytes, Decoder::Options options = {}) {
  Decoder decoder(options);
  decoder.Feed(bytes);
  return decoder.Next();
}

void ExpectRejected(std::string_view bytes, std::string_view why) {
  const Result<std::optional<Frame>> r = FirstOf(bytes);
  ASSERT_THAT(r, StatusIs(ErrorCode::kValidation)) << why;
  EXPECT_THAT(r.status().message(), HasSubstr(std::string(why)));
  EXPECT_THAT(r.status().message(), HasSubstr("stream offset 0"));
}

TEST(DecoderTest, EmptyStreamFinishesOk) {
  Decoder decoder;
  Result<std::optional<Frame>> r = decoder.Next();
  ASSERT_OK(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_OK(decoder.Finish());
}

TEST(DecoderTest, BadPreludeCrcIsRejectedBeforeTheLengthIsTrusted) {
  std::string prelude = RawPrelude(0x7FFFFFFF, 0);
  prelude[11] ^= 1;
  // Only the 12 prelude bytes are fed: the decoder must not wait for 2 GiB.
  ExpectRejected(prelude, "prelude CRC mismatch");
}

TEST(DecoderTest, OverLongTotalLengthIsRefusedAfterAGoodPrelude) {
  ExpectRejected(RawPrelude(0xFFFFFFFF, 0), "total_length 4294967295 exceeds the limit");
  const Decoder::Options small{.max_frame_bytes = 100};
  const std::string at_limit = RawFrame("", std::string(84, 'p'));
  ASSERT_EQ(at_limit.size(), 100u);
  const Result<std::optional<Frame>> ok = FirstOf(at_limit, small);
  ASSERT_OK(ok);
  EXPECT_TRUE(ok->has_value());
  const Result<std::optional<Frame>> over = FirstOf(RawPrelude(101, 0), small);
  EXPECT_THAT(over, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(over.status().message(), HasSubstr("exceeds the limit of 100 bytes"));
}

TEST(DecoderTest, LengthsOutOfRange) {
  ExpectRejected(RawPrelude(15, 0), "below the 16-byte minimum");
  ExpectRejected(RawPrelude(0, 0), "below the 16-byte minimum");
  ExpectRejected(RawPrelude(20, 5), "headers_length 5 does not fit");
  ExpectRejected(RawPrelude(16, 0xFFFFFFFF), "does not fit");
}

TEST(DecoderTest, BadMessageCrc) {
  std::string frame = Event("chunk", R"({"bytes":""})");
  frame[frame.size() - 8] ^= 0x20;  // a payload byte
  ExpectRejected(frame, "message CRC mismatch");
}

TEST(DecoderTest, MalformedHeaderBlocks) {
  using namespace std::string_literals;
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x0a",
                          ""),
                 "unknown value type 10");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\xff",
                          ""),
                 "unknown value type 255");
  ExpectRejected(RawFrame("\x00"s
                          "\x00",
                          ""),
                 "the header name is empty");
  ExpectRejected(RawFrame("\x05"s
                          "abc",
                          ""),
                 "the name (5 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a",
                          ""),
                 "the value type (1 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x07"
                          "\x00\x0a"
                          "abc",
                          ""),
                 "the value (10 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x07"
                          "\x00",
                          ""),
                 "the value length (2 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x05"
                          "\x00\x00\x00",
                          ""),
                 "the value (8 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x09"
                          "0123456789",
                          ""),
                 "the uuid (16 bytes) overruns");
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x07"
                          "\x80\x00" +
                              std::string(32768, 'x'),
                          ""),
                 "value length 32768 exceeds 32767");
  // The second header is the bad one, and the message says so.
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x00"
                          "\x01"
                          "b"
                          "\x0c",
                          ""),
                 "header 1 at byte 3 of the header block: unknown value type 12");
}

TEST(DecoderTest, HeaderBlockDoesNotReadIntoThePayload) {
  using namespace std::string_literals;
  // The string claims 4 bytes but the block ends after 2; the payload that
  // follows must not be borrowed.
  ExpectRejected(RawFrame("\x01"s
                          "a"
                          "\x07"
                          "\x00\x04"
                          "ab",
                          "cdef"),
                 "the value (4 bytes) overruns the 7-byte header block");
}

TEST(DecoderTest, ErrorsAreStickyAndLaterBytesIgnored) {
  std::string bad = Event("a", "{}");
  bad[bad.size() - 1] ^= 1;
  Decoder decoder;
  decoder.Feed(Event("ok", "{}"));
  decoder.Feed(bad);
  Result<std::optional<Frame>> first = decoder.Next();
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  const Result<std::optional<Frame>> error = decoder.Next();
  ASSERT_THAT(error, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(error.status().message(),
              HasSubstr("stream offset " + std::to_string(Event("ok", "{}").size())));
  decoder.Feed(Event("good", "{}"));
  const Result<std::optional<Frame>> again = decoder.Next();
  ASSERT_THAT(again, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(again.status().ToString(), error.status().ToString());
  EXPECT_EQ(decoder.Finish().ToString(), error.status().ToString());
}

TEST(DecoderTest, FinishReportsTruncationWithByteCounts) {
  const std::string one = Event("one", "{}");
  const std::string two = Event("two", R"({"x":1})");
  {
    Decoder decoder;
    decoder.Feed(one.substr(0, 5));
    const Status s = decoder.Finish();
    ASSERT_THAT(s, StatusIs(ErrorCode::kValidation));
    EXPECT_EQ(s.message(),
              "Truncated event message received: the stream ended 5 bytes into a 12-byte "
              "prelude at stream offset 0");
  }
  {
    Decoder decoder;
    decoder.Feed(one);
    decoder.Feed(two.substr(0, 20));
    ASSERT_OK(decoder.Next());
    const Status s = decoder.Finish();
    ASSERT_THAT(s, StatusIs(ErrorCode::kValidation));
    EXPECT_EQ(s.message(), "Truncated event message received: the stream ended 20 bytes into a " +
                               std::to_string(two.size()) + "-byte frame at stream offset " +
                               std::to_string(one.size()));
  }
}

TEST(DecoderTest, FinishChecksFramesNotYetTaken) {
  const std::string good = Event("one", "{}");
  std::string bad = good;
  bad[bad.size() - 1] ^= 1;
  Decoder ok;
  ok.Feed(good + good);
  EXPECT_OK(ok.Finish());
  Decoder broken;
  broken.Feed(good + bad);
  const Status s = broken.Finish();
  ASSERT_THAT(s, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(s.message(), HasSubstr("message CRC mismatch"));
  EXPECT_THAT(s.message(), HasSubstr("stream offset " + std::to_string(good.size())));
}

// Random frames, random cut sets: always the same frames back.
TEST(DecoderTest, RandomSplitsOfManyFrames) {
  bp::testing::SeededRandom random(20240811);
  std::string stream;
  std::vector<Frame> want;
  for (int i = 0; i < 300; ++i) {
    Frame f;
    const size_t headers = random.Next() % 4;
    for (size_t h = 0; h < headers; ++h) {
      f.headers.push_back(Header{"h" + std::to_string(h), HeaderType::kString, 0,
                                 std::string(random.Next() % 40, 'v')});
    }
    f.headers.push_back(Header{"n", HeaderType::kInt64, static_cast<int64_t>(random.Next()), ""});
    f.payload = std::string(random.Next() % 300, static_cast<char>(random.Next()));
    ASSERT_OK(AppendFrame(stream, f));
    want.push_back(std::move(f));
  }
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    const size_t pieces = 1 + random.Next() % 2000;
    for (size_t i = 0; i < pieces; ++i) cuts.push_back(random.Next() % stream.size());
    std::sort(cuts.begin(), cuts.end());
    const DecodeRun run = DecodeInPieces(stream, cuts);
    ASSERT_OK(run.error);
    EXPECT_OK(run.finish);
    ASSERT_EQ(DebugString(run.frames), DebugString(want)) << "round " << round;
  }
  const DecodeRun bytewise = DecodeBytewise(stream);
  ASSERT_OK(bytewise.error);
  EXPECT_EQ(DebugString(bytewise.frames), DebugString(want));
}

// A quadratic decoder (rescanning or erasing per byte) would need ~10^12
// steps here and time out; a linear one takes milliseconds.
TEST(DecoderTest, ByteAtATimeIsLinear) {
  const std::string big = Event("chunk", std::string(4 * 1024 * 1024, 'z'));
  Decoder decoder;
  size_t frames = 0;
  for (size_t i = 0; i < big.size(); ++i) {
    decoder.Feed(std::string_view(big).substr(i, 1));
    Result<std::optional<Frame>> r = decoder.Next();
    ASSERT_OK(r);
    if (r->has_value()) {
      ++frames;
      EXPECT_EQ((*r)->payload.size(), 4u * 1024 * 1024);
    }
  }
  EXPECT_EQ(frames, 1u);
  EXPECT_OK(decoder.Finish());
}

// Many small frames arriving in one read, drained a few at a time while
// more bytes arrive: compaction must not lose or repeat bytes, and error
// offsets count from the start of the stream.
TEST(DecoderTest, InterleavedFeedAndPartialDrain) {
  const std::string frame = Event("e", "{}");
  Decoder decoder;
  size_t fed = 0;
  size_t taken = 0;
  for (int batch = 0; batch < 50; ++batch) {
    for (int i = 0; i < 7; ++i) decoder.Feed(frame);
    fed += 7;
    for (int i = 0; i < 5; ++i) {
      Result<std::optional<Frame>> r = decoder.Next();
      ASSERT_OK(r);
      ASSERT_TRUE(r->has_value());
      EXPECT_EQ((*r)->StringHeader(":event-type"), "e");
      ++taken;
    }
  }
  std::string bad = frame;
  bad[0] ^= 1;  // breaks the prelude CRC
  decoder.Feed(bad);
  Result<std::optional<Frame>> r = decoder.Next();
  while (r.ok() && r->has_value()) {
    ++taken;
    r = decoder.Next();
  }
  EXPECT_EQ(taken, fed);
  ASSERT_THAT(r, StatusIs(ErrorCode::kValidation));
  EXPECT_THAT(r.status().message(),
              HasSubstr("stream offset " + std::to_string(fed * frame.size())));
}

}  // namespace
}  // namespace bp::eventstream
