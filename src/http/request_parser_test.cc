#include "http/request_parser.h"

#include <string>

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace bp::http {
namespace {

using bp::testing::StatusIs;

constexpr ParserLimits kLimits{.max_header_bytes = 1024, .max_body_bytes = 64};

TEST(RequestParserTest, ParsesRequestWithLowerCasedHeadersInOrder) {
  auto r = ParseRequest(
      "POST /model/arn%3Aaws%3Ax/converse?a=1 HTTP/1.1\r\nHost: h:1\r\nX-Amz-Date: d\r\n"
      "x-amz-date: e\r\nContent-Length: 5\r\n\r\nhello",
      kLimits);
  ASSERT_OK(r);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->target, "/model/arn%3Aaws%3Ax/converse?a=1");
  EXPECT_EQ(r->path(), "/model/arn%3Aaws%3Ax/converse");
  EXPECT_EQ(r->query(), "a=1");
  ASSERT_EQ(r->headers.size(), 4u);
  EXPECT_EQ(r->headers[0].name, "host");
  EXPECT_EQ(r->headers[1].name, "x-amz-date");
  EXPECT_EQ(r->headers[1].value, "d");
  EXPECT_EQ(r->headers[2].value, "e");
  EXPECT_EQ(r->body, "hello");
}

TEST(RequestParserTest, FeedsByteByByte) {
  const std::string wire =
      "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n";
  RequestParser parser(kLimits);
  std::string pending;
  for (char c : wire) {
    pending.push_back(c);
    pending.erase(0, parser.Feed(pending));
    ASSERT_FALSE(parser.failed()) << parser.error_message();
  }
  ASSERT_TRUE(parser.done());
  EXPECT_TRUE(pending.empty());
  Request r = parser.TakeRequest();
  EXPECT_EQ(r.body, "abcde");
  EXPECT_EQ(FindHeader(r.headers, "trailer"), nullptr);  // trailers are not exposed
}

TEST(RequestParserTest, ParsesPipelinedRequestsOneAtATime) {
  const std::string wire = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  RequestParser parser(kLimits);
  size_t used = parser.Feed(wire);
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.TakeRequest().target, "/a");
  parser.Reset();
  used += parser.Feed(std::string_view(wire).substr(used));
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.TakeRequest().target, "/b");
  EXPECT_EQ(used, wire.size());
}

TEST(RequestParserTest, KeepAliveAndExpectContinue) {
  RequestParser parser(kLimits);
  parser.Feed("POST /x HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n");
  ASSERT_TRUE(parser.header_done());
  EXPECT_FALSE(parser.done());
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_EQ(parser.version(), 11);

  parser.Reset();
  parser.Feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(parser.done());
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_FALSE(parser.expects_continue());

  parser.Reset();
  parser.Feed("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(parser.done());
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(parser.version(), 10);
}

TEST(RequestParserTest, RejectsOversizedHeaderAsHeaderTooLarge) {
  RequestParser parser(kLimits);
  const std::string wire = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  parser.Feed(wire);
  EXPECT_EQ(parser.error(), ParseError::kHeaderTooLarge);
  EXPECT_EQ(StatusForParseError(parser.error()), 431u);
  EXPECT_THAT(ParseRequest(wire, kLimits), StatusIs(ErrorCode::kPayloadTooLarge));
}

TEST(RequestParserTest, RejectsAnnouncedOversizedBodyBeforeItArrives) {
  RequestParser parser(kLimits);
  parser.Feed("POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n");
  EXPECT_EQ(parser.error(), ParseError::kBodyTooLarge);
  EXPECT_EQ(StatusForParseError(parser.error()), 413u);
}

TEST(RequestParserTest, RejectsOversizedChunkedBody) {
  RequestParser parser(kLimits);
  parser.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'x') +
              "\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_EQ(parser.error(), ParseError::kBodyTooLarge);
}

TEST(RequestParserTest, RejectsMalformedRequests) {
  for (const char* wire :
       {"GARBAGE\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    RequestParser parser(kLimits);
    parser.Feed(wire);
    EXPECT_EQ(parser.error(), ParseError::kMalformed) << wire;
    EXPECT_FALSE(parser.error_message().empty());
    EXPECT_THAT(ParseRequest(wire, kLimits), StatusIs(ErrorCode::kValidation)) << wire;
  }
}

TEST(RequestParserTest, RejectsEndlessChunkExtension) {
  RequestParser parser(kLimits);
  std::string pending = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=";
  pending.erase(0, parser.Feed(pending));
  for (int i = 0; i < 100 && !parser.failed(); ++i) {
    pending += std::string(100, 'x');
    pending.erase(0, parser.Feed(pending));
    ASSERT_LE(pending.size(), kLimits.max_header_bytes + 100);
  }
  EXPECT_EQ(parser.error(), ParseError::kMalformed);
}

TEST(RequestParserTest, IncompleteRequestIsAValidationError) {
  EXPECT_THAT(ParseRequest("GET / HTTP/1.1\r\nHost:", kLimits), StatusIs(ErrorCode::kValidation));
  RequestParser parser(kLimits);
  const std::string partial = "GET / HTTP/1.1\r\nHost:";
  EXPECT_LT(parser.Feed(partial), partial.size());  // an incomplete field is left unconsumed
  EXPECT_FALSE(parser.failed());
  EXPECT_FALSE(parser.done());
}

}  // namespace
}  // namespace bp::http
