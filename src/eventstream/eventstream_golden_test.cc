// Golden vectors (tests/testdata/eventstream, README.md there): every file is a
// case; a new case is a new file. Each positive vector must decode to exactly
// its `decoded` description, whole, split at every byte boundary and one byte
// at a time, and re-encode to the same bytes; every proper prefix must leave
// Finish() reporting truncation; negative vectors must be rejected.

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "eventstream/eventstream.h"
#include "eventstream/eventstream_test_util.h"
#include "json/json.h"
#include "testing/testing.h"

namespace bp::eventstream {
namespace {

using ::bp::eventstream::testing::DebugString;
using ::bp::eventstream::testing::DecodeBytewise;
using ::bp::eventstream::testing::DecodeInPieces;
using ::bp::eventstream::testing::DecodeRun;
using ::bp::eventstream::testing::HexDecode;
using ::bp::eventstream::testing::HexEncode;
using ::bp::testing::StatusIs;

struct Vector {
  std::string name;
  json::Value doc;
  std::string bytes;
};

std::filesystem::path VectorDir() { return bp::testing::TestDataDir() / "eventstream"; }

std::vector<Vector> LoadVectors() {
  std::vector<Vector> out;
  for (const std::filesystem::path& path : bp::testing::ListCaseFiles(VectorDir(), ".json")) {
    Result<json::Value> doc = json::Parse(bp::testing::ReadFileOrDie(path));
    EXPECT_OK(doc) << path;
    if (!doc.ok() || !doc->is_object()) continue;
    const json::Value* hex = doc->as_object().if_contains("hex");
    EXPECT_TRUE(hex != nullptr && hex->is_string()) << path;
    if (hex == nullptr || !hex->is_string()) continue;
    out.push_back({path.stem().string(), *doc, HexDecode(hex->as_string())});
  }
  std::sort(out.begin(), out.end(),
            [](const Vector& a, const Vector& b) { return a.name < b.name; });
  return out;
}

const std::vector<Vector>& Vectors() {
  static const std::vector<Vector> vectors = LoadVectors();
  return vectors;
}

// The `decoded` member as a list of frame descriptions (empty for negatives).
std::vector<const json::Object*> ExpectedFrames(const Vector& v) {
  std::vector<const json::Object*> out;
  const json::Value& decoded = v.doc.as_object().at("decoded");
  if (decoded.is_object()) out.push_back(&decoded.as_object());
  if (decoded.is_array()) {
    for (const json::Value& f : decoded.as_array()) out.push_back(&f.as_object());
  }
  return out;
}

std::string Str(const json::Object& o, std::string_view key) {
  return std::string(o.at(key).as_string());
}

// "0123abcd-4567-..." -> "0123abcd4567...".
std::string UuidHex(const std::string& dashed) {
  std::string hex = dashed;
  hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
  return hex;
}

void ExpectHeader(const Header& got, const json::Object& want, const std::string& where) {
  SCOPED_TRACE(where + " header " + Str(want, "name"));
  EXPECT_EQ(got.name, Str(want, "name"));
  const int64_t type = want.at("type").to_number<int64_t>();
  ASSERT_EQ(static_cast<int64_t>(got.type), type);
  const json::Value& value = want.at("value");
  switch (got.type) {
    case HeaderType::kBoolTrue:
    case HeaderType::kBoolFalse:
      EXPECT_EQ(value.as_bool(), got.type == HeaderType::kBoolTrue);
      EXPECT_EQ(got.integer, 0);
      EXPECT_TRUE(got.bytes.empty());
      break;
    case HeaderType::kByte:
    case HeaderType::kShort:
    case HeaderType::kInt32:
    case HeaderType::kInt64:
    case HeaderType::kTimestamp:
      EXPECT_EQ(got.integer, value.to_number<int64_t>());
      EXPECT_TRUE(got.bytes.empty());
      break;
    case HeaderType::kBytes:
      EXPECT_EQ(HexEncode(got.bytes), value.as_string());
      break;
    case HeaderType::kString:
      EXPECT_EQ(got.bytes, value.as_string());
      break;
    case HeaderType::kUuid:
      EXPECT_EQ(HexEncode(got.bytes), UuidHex(std::string(value.as_string())));
      break;
  }
}

uint32_t Be32(std::string_view bytes, size_t at) {
  return static_cast<uint32_t>(std::stoul(HexEncode(bytes.substr(at, 4)), nullptr, 16));
}

// Checks one decoded frame against its description and the wire bytes it
// came from (prelude fields and CRCs are read from `wire`).
void ExpectFrame(const Frame& got, const json::Object& want, std::string_view wire,
                 const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_GE(wire.size(), 16u);
  EXPECT_EQ(wire.size(), want.at("total_length").to_number<uint64_t>());
  EXPECT_EQ(Be32(wire, 4), want.at("headers_length").to_number<uint64_t>());
  EXPECT_EQ(HexEncode(wire.substr(8, 4)), Str(want, "prelude_crc32"));
  EXPECT_EQ(HexEncode(wire.substr(wire.size() - 4)), Str(want, "message_crc32"));
  EXPECT_EQ(Crc32(wire.substr(0, 8)), Be32(wire, 8));
  EXPECT_EQ(Crc32(wire.substr(0, wire.size() - 4)), Be32(wire, wire.size() - 4));

  const json::Array& headers = want.at("headers").as_array();
  ASSERT_EQ(got.headers.size(), headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    ExpectHeader(got.headers[i], headers[i].as_object(), where);
  }
  EXPECT_EQ(got.payload, Str(want, "payload_utf8"));
  EXPECT_EQ(got.payload.size(), want.at("payload_length").to_number<uint64_t>());
}

class GoldenTest : public ::testing::TestWithParam<size_t> {
 protected:
  const Vector& vector() const { return Vectors()[GetParam()]; }
};

TEST(GoldenVectors, AreFoundAndIncludeTheNamedCases) {
  bp::testing::ExpectCases(bp::testing::ListCaseFiles(VectorDir(), ".json"), VectorDir());
  std::vector<std::string> names;
  for (const Vector& v : Vectors()) names.push_back(v.name);
  for (const char* want :
       {"all_header_types_empty_payload", "bad_message_crc", "converse_content_block_delta",
        "exception_throttling", "two_frames_stream"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

TEST_P(GoldenTest, DecodesWholeToTheDescribedFrames) {
  const Vector& v = vector();
  const std::vector<const json::Object*> want = ExpectedFrames(v);
  const DecodeRun run = DecodeInPieces(v.bytes, {});
  if (want.empty()) {
    EXPECT_THAT(run.error, StatusIs(ErrorCode::kValidation));
    EXPECT_TRUE(run.frames.empty());
    EXPECT_THAT(run.finish, StatusIs(ErrorCode::kValidation));
    const std::string expect_error = Str(v.doc.as_object(), "expect_error");
    if (expect_error == "message_crc_mismatch") {
      EXPECT_NE(run.error.message().find("message CRC mismatch"), std::string::npos)
          << run.error.ToString();
    }
    return;
  }
  ASSERT_OK(run.error);
  EXPECT_OK(run.finish);
  ASSERT_EQ(run.frames.size(), want.size());
  size_t offset = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto total = want[i]->at("total_length").to_number<size_t>();
    ASSERT_LE(offset + total, v.bytes.size());
    ExpectFrame(run.frames[i], *want[i], std::string_view(v.bytes).substr(offset, total),
                v.name + " frame " + std::to_string(i));
    offset += total;
  }
  EXPECT_EQ(offset, v.bytes.size());
}

TEST_P(GoldenTest, ReencodesToIdenticalBytes) {
  const Vector& v = vector();
  const DecodeRun run = DecodeInPieces(v.bytes, {});
  if (ExpectedFrames(v).empty()) GTEST_SKIP() << "negative vector";
  std::string out = "prefix";
  for (const Frame& f : run.frames) ASSERT_OK(AppendFrame(out, f));
  EXPECT_EQ(HexEncode(out), HexEncode("prefix") + HexEncode(v.bytes));
}

TEST_P(GoldenTest, EverySplitGivesTheSameResult) {
  const Vector& v = vector();
  const DecodeRun whole = DecodeInPieces(v.bytes, {});
  for (size_t cut = 1; cut < v.bytes.size(); ++cut) {
    const DecodeRun split = DecodeInPieces(v.bytes, {cut});
    ASSERT_EQ(DebugString(split.frames), DebugString(whole.frames)) << "cut at " << cut;
    ASSERT_EQ(split.error.ToString(), whole.error.ToString()) << "cut at " << cut;
    ASSERT_EQ(split.finish.ToString(), whole.finish.ToString()) << "cut at " << cut;
  }
  const DecodeRun bytewise = DecodeBytewise(v.bytes);
  EXPECT_EQ(DebugString(bytewise.frames), DebugString(whole.frames));
  EXPECT_EQ(bytewise.error.ToString(), whole.error.ToString());
  EXPECT_EQ(bytewise.finish.ToString(), whole.finish.ToString());
}

TEST_P(GoldenTest, EveryProperPrefixIsTruncatedUnlessOnAFrameBoundary) {
  const Vector& v = vector();
  if (ExpectedFrames(v).empty()) GTEST_SKIP() << "negative vector";
  std::vector<size_t> boundaries = {0};
  for (const json::Object* f : ExpectedFrames(v)) {
    boundaries.push_back(boundaries.back() + f->at("total_length").to_number<size_t>());
  }
  for (size_t length = 0; length < v.bytes.size(); ++length) {
    const DecodeRun run = DecodeInPieces(std::string_view(v.bytes).substr(0, length), {});
    ASSERT_OK(run.error) << "prefix " << length;
    const bool on_boundary =
        std::find(boundaries.begin(), boundaries.end(), length) != boundaries.end();
    if (on_boundary) {
      EXPECT_OK(run.finish) << "prefix " << length;
    } else {
      ASSERT_THAT(run.finish, StatusIs(ErrorCode::kValidation)) << "prefix " << length;
      EXPECT_EQ(run.finish.message().rfind("Truncated event message received", 0), 0u)
          << run.finish.ToString();
    }
  }
}

// AppendEvent/AppendException must reproduce every vector frame of their
// shape byte for byte (the named ones at least).
TEST(GoldenVectors, HotPathEncodersMatchEveryEventAndExceptionFrame) {
  std::vector<std::string> matched;
  for (const Vector& v : Vectors()) {
    const DecodeRun run = DecodeInPieces(v.bytes, {});
    size_t offset = 0;
    for (const Frame& f : run.frames) {
      std::string want;
      ASSERT_OK(AppendFrame(want, f));
      const std::string_view message_type = f.StringHeader(":message-type");
      const bool standard = f.headers.size() == 3 && f.headers[1].name == ":content-type" &&
                            f.StringHeader(":content-type") == "application/json" &&
                            f.headers[2].name == ":message-type";
      std::string got;
      if (standard && message_type == "event" && f.headers[0].name == ":event-type") {
        AppendEvent(got, f.headers[0].bytes, f.payload);
      } else if (standard && message_type == "exception" &&
                 f.headers[0].name == ":exception-type") {
        AppendException(got, f.headers[0].bytes, f.payload);
      } else {
        offset += want.size();
        continue;
      }
      EXPECT_EQ(HexEncode(got), HexEncode(std::string_view(v.bytes).substr(offset, want.size())))
          << v.name;
      matched.push_back(v.name);
      offset += want.size();
    }
  }
  for (const char* name : {"converse_content_block_delta", "exception_throttling",
                           "exception_model_stream_error", "two_frames_stream"}) {
    EXPECT_NE(std::find(matched.begin(), matched.end(), name), matched.end()) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, GoldenTest, ::testing::Range<size_t>(0, Vectors().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return Vectors()[info.param].name;
                         });

}  // namespace
}  // namespace bp::eventstream
