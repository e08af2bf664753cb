// ResponseDecoder: framing (content-length, chunked, until close, HEAD, 1xx),
// input split anywhere, keep-alive, limits and malformed answers.

#include "http/response_decoder.h"

#include <string>
#include <vector>

#include "testing/testing.h"

namespace bp::http {
namespace {

using ::testing::ElementsAre;

struct Decoded {
  unsigned status = 0;
  Headers headers;
  std::string body;
  std::vector<std::string> pieces;
  bool done = false;
  DecodeError error = DecodeError::kNone;
  bool keep_alive = false;
};

// Feeds `wire` `step` bytes at a time (0: all at once), keeping unconsumed
// bytes as a socket reader would; `eof` then ends the input.
Decoded Decode(std::string_view wire, size_t step = 0, bool eof = false, bool head = false,
               size_t max_header = 1024) {
  ResponseDecoder decoder(max_header);
  decoder.Reset(head);
  Decoded out;
  std::string buffer;
  auto take = [&] {
    for (std::string_view p : decoder.pieces()) {
      out.pieces.emplace_back(p);
      out.body.append(p);
    }
  };
  size_t at = 0;
  while (at < wire.size() && !decoder.done() && !decoder.failed()) {
    size_t n = step == 0 ? wire.size() : std::min(step, wire.size() - at);
    buffer.append(wire.substr(at, n));
    at += n;
    size_t used = decoder.Feed(buffer);
    take();
    buffer.erase(0, used);
  }
  if (eof && !decoder.done() && !decoder.failed()) decoder.FeedEof();
  if (decoder.header_done()) {
    out.status = decoder.head().status;
    out.headers = decoder.head().headers;
  }
  out.done = decoder.done();
  out.error = decoder.error();
  out.keep_alive = decoder.keep_alive();
  return out;
}

TEST(ResponseDecoderTest, ContentLength) {
  Decoded d =
      Decode("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.status, 200u);
  ASSERT_EQ(d.headers.size(), 2u);
  EXPECT_EQ(d.headers[0].name, "content-type");  // lower-cased
  EXPECT_EQ(d.headers[0].value, "text/plain");
  EXPECT_EQ(d.body, "hello");
  EXPECT_TRUE(d.keep_alive);
}

TEST(ResponseDecoderTest, ChunkedPiecesAreTheChunks) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5\r\nfirst\r\n6;ext=1\r\nsecond\r\n0\r\n"
      "x-trailer: t\r\n\r\n";
  Decoded d = Decode(wire);
  EXPECT_TRUE(d.done);
  EXPECT_THAT(d.pieces, ElementsAre("first", "second"));
  EXPECT_EQ(d.headers.size(), 1u);  // trailers are not exposed
  EXPECT_TRUE(d.keep_alive);
}

TEST(ResponseDecoderTest, AnySplitGivesTheSameAnswer) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: "
      "1\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n";
  Decoded whole = Decode(wire);
  ASSERT_TRUE(whole.done);
  for (size_t step = 1; step < 9; ++step) {
    Decoded split = Decode(wire, step);
    EXPECT_TRUE(split.done) << step;
    EXPECT_EQ(split.status, 200u) << step;
    EXPECT_EQ(split.body, "firstsecond") << step;
    EXPECT_EQ(split.headers.size(), whole.headers.size()) << step;
  }
}

// Byte by byte, the last chunk and a trailer: Beast re-parses the last chunk
// from its start and must be given at least its 5 bytes again (a debug
// assertion in Beast otherwise; the fuzzer found it).
TEST(ResponseDecoderTest, ALastChunkArrivingByteByByte) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
  Decoded d = Decode(wire, 1);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "abc");
  Decoded bare = Decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 1);
  EXPECT_TRUE(bare.done);
  Decoded odd = Decode(
      "HTTP/1.1 200 COK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n0\nsecond\r\n0\r\n", 1, true);
  EXPECT_FALSE(odd.done && odd.error != DecodeError::kNone);
}

TEST(ResponseDecoderTest, InterimAnswersAreSkipped) {
  Decoded d = Decode(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.status, 204u);
  EXPECT_TRUE(d.headers.empty());
}

TEST(ResponseDecoderTest, HeadAnswerHasNoBody) {
  Decoded d = Decode("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n", 0, false, /*head=*/true);
  EXPECT_TRUE(d.done);
  EXPECT_TRUE(d.body.empty());
  EXPECT_TRUE(d.keep_alive);
}

TEST(ResponseDecoderTest, BodyUntilCloseEndsWithTheConnection) {
  Decoded open = Decode("HTTP/1.1 200 OK\r\n\r\nsome bytes");
  EXPECT_FALSE(open.done);
  EXPECT_EQ(open.body, "some bytes");
  Decoded closed = Decode("HTTP/1.1 200 OK\r\n\r\nsome bytes", 3, /*eof=*/true);
  EXPECT_TRUE(closed.done);
  EXPECT_EQ(closed.body, "some bytes");
  EXPECT_FALSE(closed.keep_alive);
}

TEST(ResponseDecoderTest, ConnectionCloseAndHttp10AreNotKeptAlive) {
  EXPECT_FALSE(
      Decode("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(Decode("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      Decode("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
}

TEST(ResponseDecoderTest, EndBeforeTheAnswerIsTruncation) {
  EXPECT_EQ(Decode("", 0, /*eof=*/true).error, DecodeError::kTruncated);
  EXPECT_EQ(Decode("HTTP/1.1 200 OK\r\nContent-Le", 0, true).error, DecodeError::kTruncated);
  // The connection ends right after an interim answer.
  EXPECT_EQ(Decode("HTTP/1.1 100 Continue\r\n\r\n", 0, true).error, DecodeError::kTruncated);
  EXPECT_EQ(Decode("HTTP/1.1 100 Continue\r\n\r\n", 5, true).error, DecodeError::kTruncated);
  Decoded short_body = Decode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, true);
  EXPECT_EQ(short_body.error, DecodeError::kTruncated);
  EXPECT_EQ(short_body.body, "abc");  // what came is still handed out
}

TEST(ResponseDecoderTest, MalformedAnswers) {
  EXPECT_EQ(Decode("SMTP ready\r\n\r\n").error, DecodeError::kMalformed);
  EXPECT_EQ(Decode("HTTP/2.0 200 OK\r\n\r\n").error, DecodeError::kMalformed);
  EXPECT_EQ(Decode("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").error, DecodeError::kMalformed);
  EXPECT_EQ(Decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").error,
            DecodeError::kMalformed);
}

TEST(ResponseDecoderTest, LimitsBoundWhatIsHeldUnconsumed) {
  EXPECT_EQ(Decode("HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n").error,
            DecodeError::kHeaderTooLarge);
  // A chunk-size line that never ends (extensions) is bounded too.
  std::string endless_chunk_line =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(3000, 'e');
  EXPECT_EQ(Decode(endless_chunk_line, 100).error, DecodeError::kHeaderTooLarge);
}

TEST(ResponseDecoderTest, ReusedForTheNextAnswer) {
  ResponseDecoder decoder(1024);
  decoder.Reset(false);
  std::string first = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 1\r\n\r\nx";
  EXPECT_EQ(decoder.Feed(first), first.size());
  EXPECT_TRUE(decoder.done());
  decoder.Reset(false);
  EXPECT_FALSE(decoder.started());
  std::string second = "HTTP/1.1 404 Not Found\r\nC: 3\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(decoder.Feed(second), second.size());
  ASSERT_TRUE(decoder.done());
  EXPECT_EQ(decoder.head().status, 404u);
  ASSERT_EQ(decoder.head().headers.size(), 2u);  // none left over from the first
  EXPECT_EQ(decoder.head().headers[0].name, "c");
}

}  // namespace
}  // namespace bp::http
