// CRC-32, Frame accessors and the encoder.

#include "eventstream/eventstream.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventstream/eventstream_test_util.h"
#include "testing/testing.h"

namespace bp::eventstream {
namespace {

using ::bp::eventstream::testing::DebugString;
using ::bp::eventstream::testing::DecodeInPieces;
using ::bp::eventstream::testing::DecodeRun;
using ::bp::eventstream::testing::HexEncode;
using ::bp::testing::StatusIs;

// Bit-at-a-time CRC-32, the definition the table version must agree with.
uint32_t ReferenceCrc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

Header Str(std::string name, std::string value) {
  return Header{std::move(name), HeaderType::kString, 0, std::move(value)};
}
Header Int(std::string name, HeaderType type, int64_t v) {
  return Header{std::move(name), type, v, ""};
}
Header Raw(std::string name, HeaderType type, std::string bytes) {
  return Header{std::move(name), type, 0, std::move(bytes)};
}

TEST(Crc32Test, KnownValues) {
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32("a"), 0xE8B7BE43u);
  EXPECT_EQ(Crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  // The worked example of bedrock-api.md §4.4.
  EXPECT_EQ(Crc32(std::string("\x00\x00\x00\x97\x00\x00\x00\x57", 8)), 0xF30BE03Eu);
}

TEST(Crc32Test, AgreesWithTheBitwiseDefinitionAtEveryLengthAndSplit) {
  bp::testing::SeededRandom random(301);
  std::string data;
  for (int i = 0; i < 200; ++i) data.push_back(static_cast<char>(random.Next()));
  for (size_t n = 0; n <= data.size(); ++n) {
    const std::string_view prefix = std::string_view(data).substr(0, n);
    ASSERT_EQ(Crc32(prefix), ReferenceCrc32(prefix)) << "length " << n;
    const size_t cut = n / 3;
    ASSERT_EQ(Crc32(prefix.substr(cut), Crc32(prefix.substr(0, cut))), Crc32(prefix))
        << "continued at " << cut << " of " << n;
  }
}

TEST(FrameTest, FindAndStringHeader) {
  Frame f;
  f.headers = {Str(":event-type", "chunk"), Int("n", HeaderType::kInt32, 7),
               Str(":event-type", "second")};
  ASSERT_NE(f.Find(":event-type"), nullptr);
  EXPECT_EQ(f.Find(":event-type")->bytes, "chunk");  // the first one
  EXPECT_EQ(f.StringHeader(":event-type"), "chunk");
  EXPECT_EQ(f.Find("missing"), nullptr);
  EXPECT_EQ(f.StringHeader("missing"), "");
  EXPECT_EQ(f.StringHeader("n"), "");  // not a string
}

TEST(AppendFrameTest, EmptyFrameIsSixteenBytes) {
  std::string out;
  ASSERT_OK(AppendFrame(out, Frame{}));
  EXPECT_EQ(HexEncode(out.substr(0, 8)), "0000001000000000");
  EXPECT_EQ(out.size(), 16u);
  const DecodeRun run = DecodeInPieces(out, {});
  ASSERT_OK(run.error);
  ASSERT_EQ(run.frames.size(), 1u);
  EXPECT_TRUE(run.frames[0].headers.empty());
  EXPECT_TRUE(run.frames[0].payload.empty());
}

TEST(AppendFrameTest, RoundTripsEveryTypeAtItsLimits) {
  Frame f;
  f.headers = {
      Int("t", HeaderType::kBoolTrue, 0),
      Int("f", HeaderType::kBoolFalse, 0),
      Int("b-", HeaderType::kByte, -128),
      Int("b+", HeaderType::kByte, 127),
      Int("s-", HeaderType::kShort, -32768),
      Int("s+", HeaderType::kShort, 32767),
      Int("i-", HeaderType::kInt32, std::numeric_limits<int32_t>::min()),
      Int("i+", HeaderType::kInt32, std::numeric_limits<int32_t>::max()),
      Int("l-", HeaderType::kInt64, std::numeric_limits<int64_t>::min()),
      Int("l+", HeaderType::kInt64, std::numeric_limits<int64_t>::max()),
      Int("ts", HeaderType::kTimestamp, -1),
      Raw("empty-bytes", HeaderType::kBytes, ""),
      Raw("bin", HeaderType::kBytes, std::string("\x00\xff\x80", 3)),
      Str("empty", ""),
      Str("big", std::string(32767, 'x')),
      Str(std::string(255, 'n'), "long name"),
      Raw("uuid", HeaderType::kUuid, std::string(16, '\x5a')),
  };
  f.payload = std::string("\x00payload\xff", 9);
  std::string out = "before";
  ASSERT_OK(AppendFrame(out, f));
  ASSERT_EQ(out.substr(0, 6), "before");
  const DecodeRun run = DecodeInPieces(std::string_view(out).substr(6), {});
  ASSERT_OK(run.error);
  ASSERT_EQ(run.frames.size(), 1u);
  EXPECT_EQ(DebugString(run.frames[0]), DebugString(f));
}

struct BadHeaderCase {
  const char* what;
  Header header;
};

TEST(AppendFrameTest, RejectsUnencodableHeadersAndLeavesOutUnchanged) {
  const std::vector<BadHeaderCase> cases = {
      {"empty name", Str("", "v")},
      {"256-byte name", Str(std::string(256, 'n'), "v")},
      {"32768-byte string", Str("s", std::string(32768, 'x'))},
      {"32768-byte bytes", Raw("b", HeaderType::kBytes, std::string(32768, 'x'))},
      {"15-byte uuid", Raw("u", HeaderType::kUuid, std::string(15, 'u'))},
      {"17-byte uuid", Raw("u", HeaderType::kUuid, std::string(17, 'u'))},
      {"byte 128", Int("b", HeaderType::kByte, 128)},
      {"byte -129", Int("b", HeaderType::kByte, -129)},
      {"short 32768", Int("s", HeaderType::kShort, 32768)},
      {"int32 2^31", Int("i", HeaderType::kInt32, int64_t{1} << 31)},
      {"type 10", Int("x", static_cast<HeaderType>(10), 0)},
  };
  for (const BadHeaderCase& c : cases) {
    Frame f;
    f.headers = {Str("ok", "fine"), c.header};
    f.payload = "payload";
    std::string out = "unchanged";
    const Status s = AppendFrame(out, f);
    EXPECT_THAT(s, StatusIs(ErrorCode::kValidation)) << c.what;
    EXPECT_NE(s.message().find("header 1"), std::string::npos) << s.ToString();
    EXPECT_EQ(out, "unchanged") << c.what;
    EXPECT_EQ(out.capacity(), std::string("unchanged").capacity()) << c.what;
  }
}

TEST(AppendEventTest, EqualsTheGeneralEncoderAndAppends) {
  Frame event;
  event.headers = {Str(":event-type", "messageStop"), Str(":content-type", "application/json"),
                   Str(":message-type", "event")};
  event.payload = R"({"stopReason":"end_turn"})";
  Frame exception;
  exception.headers = {Str(":exception-type", "validationException"),
                       Str(":content-type", "application/json"), Str(":message-type", "exception")};
  exception.payload = R"({"message":"bad"})";
  std::string want = "x";
  ASSERT_OK(AppendFrame(want, event));
  ASSERT_OK(AppendFrame(want, exception));
  std::string got = "x";
  AppendEvent(got, "messageStop", event.payload);
  AppendException(got, "validationException", exception.payload);
  EXPECT_EQ(HexEncode(got), HexEncode(want));
}

TEST(AppendEventTest, EmptyPayload) {
  std::string out;
  AppendEvent(out, "ping", "");
  const DecodeRun run = DecodeInPieces(out, {});
  ASSERT_OK(run.error);
  ASSERT_EQ(run.frames.size(), 1u);
  EXPECT_EQ(run.frames[0].StringHeader(":event-type"), "ping");
  EXPECT_EQ(run.frames[0].payload, "");
}

}  // namespace
}  // namespace bp::eventstream
