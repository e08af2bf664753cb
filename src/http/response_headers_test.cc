#include "http/response_headers.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "http/http_date.h"
#include "http/sniff.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

TEST(ResponseHeadersTest, FormatsCompleteResponseHead) {
  Headers headers = {{"content-type", "application/json"},
                     {"content-length", "999"},        // server-owned: replaced
                     {"connection", "keep-alive"},     // connection-specific: dropped
                     {"x-amzn-requestid", "spoofed"},  // server-owned
                     {"x-bad", "a\r\nInjected: 1"},    // invalid value: dropped
                     {"x-ok", "1"}};
  const std::string head = FormatHttp1Head({.status = 404,
                                            .headers = &headers,
                                            .date = "Thu, 01 Jan 2026 00:00:00 GMT",
                                            .request_id = "rid",
                                            .content_length = 12});
  EXPECT_EQ(head,
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-ok: 1\r\n"
            "date: Thu, 01 Jan 2026 00:00:00 GMT\r\nx-amzn-RequestId: rid\r\n"
            "content-length: 12\r\n\r\n");
}

TEST(ResponseHeadersTest, FormatsStreamedAndClosingHeads) {
  const std::string chunked = FormatHttp1Head({.status = 200,
                                               .date = "D",
                                               .request_id = "r",
                                               .framing = BodyFraming::kChunked,
                                               .close = true});
  EXPECT_EQ(chunked,
            "HTTP/1.1 200 OK\r\ndate: D\r\nx-amzn-RequestId: r\r\ntransfer-encoding: chunked\r\n"
            "connection: close\r\n\r\n");
  const std::string http10 =
      FormatHttp1Head({.status = 431, .date = "D", .request_id = "r", .http10_keep_alive = true});
  EXPECT_NE(http10.find("HTTP/1.1 431 Request Header Fields Too Large\r\n"), std::string::npos);
  EXPECT_NE(http10.find("connection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(ChunkSizeLine(0x1a2b), "1a2b\r\n");
}

TEST(ResponseHeadersTest, NoContentLengthWhereTheStatusForbidsABody) {
  const std::string head =
      FormatHttp1Head({.status = 204, .date = "D", .request_id = "r", .content_length = 5});
  EXPECT_EQ(head.find("content-length"), std::string::npos);
  EXPECT_TRUE(StatusForbidsBody(304));
  EXPECT_FALSE(StatusForbidsBody(200));
}

TEST(ResponseHeadersTest, ConnectionSpecificNamesAreCaseInsensitive) {
  for (const char* n :
       {"Connection", "keep-alive", "Transfer-Encoding", "UPGRADE", "proxy-connection"}) {
    EXPECT_TRUE(IsConnectionSpecificHeader(n)) << n;
  }
  EXPECT_FALSE(IsConnectionSpecificHeader("content-type"));
  EXPECT_FALSE(ShouldForwardHeader({"Date", "x"}));
  EXPECT_FALSE(ShouldForwardHeader({"bad name", "x"}));
  EXPECT_TRUE(ShouldForwardHeader({"x-amzn-ErrorType", "ValidationException"}));
}

TEST(HttpDateTest, FormatsImfFixdate) {
  using namespace std::chrono;
  EXPECT_EQ(FormatHttpDate(system_clock::time_point(seconds(784111777))),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(system_clock::time_point(seconds(1767225600) + milliseconds(999))),
            "Thu, 01 Jan 2026 00:00:00 GMT");
  bp::testing::FakeClock clock;
  EXPECT_EQ(CachedHttpDate(clock), "Thu, 01 Jan 2026 00:00:00 GMT");
  clock.Advance(milliseconds(86'400'000 + 61'000));
  EXPECT_EQ(CachedHttpDate(clock), "Fri, 02 Jan 2026 00:01:01 GMT");
}

TEST(SniffTest, DecidesOnThePreface) {
  EXPECT_EQ(SniffProtocol(""), Protocol::kUndecided);
  EXPECT_EQ(SniffProtocol("PRI * HTTP/2.0\r\n"), Protocol::kUndecided);
  EXPECT_EQ(SniffProtocol(kHttp2Preface), Protocol::kHttp2);
  EXPECT_EQ(SniffProtocol(std::string(kHttp2Preface) + std::string("\0\0", 2)), Protocol::kHttp2);
  EXPECT_EQ(SniffProtocol("G"), Protocol::kHttp1);
  EXPECT_EQ(SniffProtocol("POST / HTTP/1.1"), Protocol::kHttp1);
  EXPECT_EQ(SniffProtocol("PRI * HTTP/2.0\r\n\r\nXX"), Protocol::kHttp1);
}

}  // namespace
}  // namespace bp::http
