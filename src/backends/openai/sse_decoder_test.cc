#include "backends/openai/sse_decoder.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::backends::openai {
namespace {

using ::bp::testing::StatusIs;

// "name|data" per event.
std::vector<std::string> Take(SseDecoder& decoder) {
  std::vector<std::string> out;
  while (std::optional<SseEvent> e = decoder.Next()) out.push_back(e->name + "|" + e->data);
  return out;
}

std::vector<std::string> DecodeWhole(std::string_view bytes) {
  SseDecoder decoder;
  EXPECT_OK(decoder.Append(bytes));
  EXPECT_OK(decoder.Finish());
  return Take(decoder);
}

// Every way of cutting `bytes` in two, and one byte at a time, decodes as the
// whole does.
void ExpectSplitInvariant(std::string_view bytes, const std::vector<std::string>& want) {
  EXPECT_EQ(DecodeWhole(bytes), want);
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    SseDecoder decoder;
    ASSERT_OK(decoder.Append(bytes.substr(0, cut)));
    std::vector<std::string> got = Take(decoder);
    ASSERT_OK(decoder.Append(bytes.substr(cut)));
    ASSERT_OK(decoder.Finish());
    for (std::string& e : Take(decoder)) got.push_back(std::move(e));
    ASSERT_EQ(got, want) << "cut at " << cut;
  }
  SseDecoder decoder;
  for (char c : bytes) ASSERT_OK(decoder.Append(std::string_view(&c, 1)));
  ASSERT_OK(decoder.Finish());
  EXPECT_EQ(Take(decoder), want);
}

TEST(SseDecoderTest, LineEndingsCommentsAndMultiLineData) {
  ExpectSplitInvariant(
      "\xEF\xBB\xBF: ping\r\n"
      "data: {\"a\":1}\r\n\r\n"
      "data:{\"b\":2}\n\n"
      "event: message\rdata: line1\rdata:  line2\r\r"
      "id: 7\nretry: 100\nunknown: x\ndata\n\n"  // "data" alone: an empty line of data
      "data: [DONE]\n\n",
      {"|{\"a\":1}", "|{\"b\":2}", "message|line1\n line2", "|[DONE]"});
}

TEST(SseDecoderTest, LlamaServerErrorLinesAndALastEventWithoutBlankLine) {
  ExpectSplitInvariant("error: {\"error\":{\"code\":500}}\n\ndata: {\"tail\":true}",
                       {"error|{\"error\":{\"code\":500}}", "|{\"tail\":true}"});
}

TEST(SseDecoderTest, EmptyDataIsNotDispatchedButTwoEmptyLinesAre) {
  EXPECT_EQ(DecodeWhole("data:\n\ndata\ndata\n\n"), (std::vector<std::string>{"|\n"}));
}

TEST(SseDecoderTest, CrAtTheEndOfOneAppendAndLfAtTheStartOfTheNextIsOneLineEnd) {
  SseDecoder decoder;
  ASSERT_OK(decoder.Append("data: x\r"));
  ASSERT_OK(decoder.Append("\n"));
  EXPECT_TRUE(Take(decoder).empty());  // a second line end would have dispatched
  ASSERT_OK(decoder.Append("\r\n"));
  EXPECT_EQ(Take(decoder), std::vector<std::string>{"|x"});
}

TEST(SseDecoderTest, EventsOverTheBoundFail) {
  SseDecoder line(16);
  EXPECT_THAT(line.Append("data: 0123456789abcdef"), StatusIs(ErrorCode::kModelStreamError));
  EXPECT_THAT(line.Append("\n\n"), StatusIs(ErrorCode::kModelStreamError));  // stays failed
  SseDecoder lines(16);
  EXPECT_OK(lines.Append("data: 01234567\n"));
  EXPECT_THAT(lines.Append("data: 01234567\n"), StatusIs(ErrorCode::kModelStreamError));
  SseDecoder split(16);
  EXPECT_OK(split.Append("data: 0123"));
  EXPECT_THAT(split.Append("456789abcdef"), StatusIs(ErrorCode::kModelStreamError));
}

}  // namespace
}  // namespace bp::backends::openai
