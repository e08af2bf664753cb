// A real Server on 127.0.0.1:0 driven by an h2c (prior knowledge) client
// built on nghttp2's client session.

#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "http/response_headers.h"
#include "http/test_clients.h"

namespace bp::http::testing {
namespace {

using Http2Test = ServerTest;

void ExpectNoConnectionSpecificHeaders(const H2Client& client) {
  for (const std::string& name : client.all_header_names()) {
    EXPECT_FALSE(IsConnectionSpecificHeader(name)) << name;
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
}

TEST_F(Http2Test, GetKeepsAuthorityAndAnswersWithDateAndRequestId) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id =
      c.Submit("GET", "/echo?x=%3A", "127.0.0.1:8700", {{"x-amz-date", "20260101T000000Z"}});
  ASSERT_TRUE(c.WaitStreamClosed(id));
  const H2Stream& s = c.stream(id);
  EXPECT_EQ(s.status, 200u);
  EXPECT_EQ(s.error_code, 0u);
  EXPECT_EQ(*FindHeader(s.headers, "x-authority"), "127.0.0.1:8700");
  EXPECT_EQ(*FindHeader(s.headers, "x-target"), "/echo?x=%3A");
  EXPECT_EQ(*FindHeader(s.headers, "date"), "Thu, 01 Jan 2026 00:00:00 GMT");
  ASSERT_NE(FindHeader(s.headers, "x-amzn-requestid"), nullptr);
  EXPECT_TRUE(IsUuid(*FindHeader(s.headers, "x-amzn-requestid")));
  EXPECT_EQ(*FindHeader(s.headers, "content-length"), "0");
  ExpectNoConnectionSpecificHeaders(c);

  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const Request& r = requests[0];
  EXPECT_EQ(r.version, Version::kHttp2);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/echo?x=%3A");
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].name, ":authority");  // kept for SigV4, in arrival order
  EXPECT_EQ(r.headers[0].value, "127.0.0.1:8700");
  EXPECT_EQ(FindHeader(r.headers, ":method"), nullptr);
  EXPECT_EQ(FindHeader(r.headers, ":path"), nullptr);
  // RFC 9113 §8.3.1: no Host was sent, so :authority's value is the Host.
  EXPECT_EQ(r.headers.back().name, "host");
  EXPECT_EQ(r.headers.back().value, "127.0.0.1:8700");
  EXPECT_EQ(*FindHeader(r.headers, "x-amz-date"), "20260101T000000Z");
  EXPECT_EQ(r.request_id, *FindHeader(s.headers, "x-amzn-requestid"));
  EXPECT_EQ(r.remote_address, "127.0.0.1");
}

TEST_F(Http2Test, AHostThatWasSentIsKeptAsSent) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("GET", "/echo", "127.0.0.1:8700", {{"host", "example.test:8700"}});
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).status, 200u);
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const Headers& headers = requests[0].headers;
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(),
                          [](const Header& h) { return h.name == "host"; }),
            1);
  EXPECT_EQ(*FindHeader(headers, "host"), "example.test:8700");
  EXPECT_EQ(*FindHeader(headers, ":authority"), "127.0.0.1:8700");
}

TEST_F(Http2Test, PostWithBody) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const std::string body(100000, 'b');  // larger than one DATA frame and the default window
  const int32_t id = c.Submit("POST", "/echo", "h", {{"content-type", "application/json"}}, body);
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).status, 200u);
  EXPECT_EQ(c.stream(id).body(), body);
  EXPECT_EQ(*FindHeader(c.stream(id).headers, "content-length"), "100000");
}

TEST_F(Http2Test, StreamedDataIsFlushedBeforeTheNextWrite) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("POST", "/gated", "h", {}, std::string("{}"));
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  ASSERT_TRUE(c.PumpUntil([&] { return c.stream(id).body() == "first"; }));
  EXPECT_FALSE(c.stream(id).closed);
  TestHandler::ReleaseGate(std::move(held), "second");
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).body(), "firstsecond");
  EXPECT_EQ(c.stream(id).error_code, 0u);
  EXPECT_EQ(FindHeader(c.stream(id).headers, "content-length"), nullptr);
  ExpectNoConnectionSpecificHeaders(c);
}

TEST_F(Http2Test, TimerDrivenStream) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("GET", "/stream?n=3", "h");
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).body(), "chunk-0chunk-1chunk-2");
}

TEST_F(Http2Test, TwoConcurrentStreamsOnOneConnection) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  // /pair answers only once both requests are in flight together.
  const int32_t a = c.Submit("GET", "/pair", "h");
  const int32_t b = c.Submit("GET", "/pair", "h");
  ASSERT_TRUE(c.PumpUntil([&] { return c.stream(a).closed && c.stream(b).closed; }));
  EXPECT_EQ(c.stream(a).body(), "paired");
  EXPECT_EQ(c.stream(b).body(), "paired");
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].request_id, requests[1].request_id);
}

TEST_F(Http2Test, ClientGoawayDoesNotKillAStreamInFlight) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("GET", "/gated", "h");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  c.SubmitGoaway();
  ASSERT_TRUE(c.PumpUntil([&] { return c.stream(id).body() == "first"; }));
  TestHandler::ReleaseGate(std::move(held), "second");
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).body(), "firstsecond");
  EXPECT_EQ(c.stream(id).error_code, 0u);
  // With its last stream done the server closes the connection.
  EXPECT_FALSE(c.PumpUntil([] { return false; }));
  EXPECT_TRUE(c.connection_closed());
}

TEST_F(Http2Test, OversizedBodyGets413) {
  options_.max_body_bytes = 1000;
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("POST", "/echo", "h", {}, std::string(5000, 'x'));
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).status, 413u);
  EXPECT_NE(c.stream(id).body().find("PayloadTooLarge"), std::string::npos);
  EXPECT_TRUE(handler_.requests().empty());
  // The connection stays usable.
  const int32_t next = c.Submit("GET", "/echo", "h");
  ASSERT_TRUE(c.WaitStreamClosed(next));
  EXPECT_EQ(c.stream(next).status, 200u);
}

TEST_F(Http2Test, AnnouncedOversizedBodyGets413) {
  options_.max_body_bytes = 1000;
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id =
      c.Submit("POST", "/echo", "h", {{"content-length", "5000"}}, std::string(5000, 'x'));
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).status, 413u);
}

// The process-wide body budget: a body that does not fit next to one held
// by a request still in progress is refused with 503 on its stream; the
// budget comes back when the first stream closes.
TEST_F(Http2Test, BodyOverTheInFlightBudgetGets503UntilTheHeldOneIsDone) {
  options_.max_body_bytes_in_flight = 3000;
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t held = c.Submit("POST", "/gated", "h", {}, std::string(2000, 'a'));
  std::shared_ptr<ResponseStream> gate = handler_.WaitHeld();
  ASSERT_NE(gate, nullptr);
  const int32_t refused = c.Submit("POST", "/echo", "h", {}, std::string(2000, 'b'));
  ASSERT_TRUE(c.WaitStreamClosed(refused));
  EXPECT_EQ(c.stream(refused).status, 503u);
  EXPECT_NE(c.stream(refused).body().find("ServiceUnavailable"), std::string::npos);
  const int32_t small = c.Submit("POST", "/echo", "h", {}, std::string(500, 'c'));
  ASSERT_TRUE(c.WaitStreamClosed(small));
  EXPECT_EQ(c.stream(small).status, 200u) << "what fits is still served";

  TestHandler::ReleaseGate(std::move(gate), "done");
  ASSERT_TRUE(c.WaitStreamClosed(held));
  EXPECT_EQ(c.stream(held).status, 200u);
  const int32_t again = c.Submit("POST", "/echo", "h", {}, std::string(2000, 'd'));
  ASSERT_TRUE(c.WaitStreamClosed(again));
  EXPECT_EQ(c.stream(again).status, 200u);
  EXPECT_EQ(c.stream(again).body(), std::string(2000, 'd'));
}

TEST_F(Http2Test, OversizedHeaderListGets431) {
  options_.max_header_bytes = 1024;
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("GET", "/echo", "h", {{"x-big", std::string(2048, 'a')}});
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).status, 431u);
  EXPECT_NE(c.stream(id).body().find("PayloadTooLarge"), std::string::npos);
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(Http2Test, HandlerThatThrowsGets500) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t a = c.Submit("GET", "/throw", "h");
  const int32_t b = c.Submit("GET", "/drop", "h");
  ASSERT_TRUE(c.PumpUntil([&] { return c.stream(a).closed && c.stream(b).closed; }));
  EXPECT_EQ(c.stream(a).status, 500u);
  EXPECT_EQ(c.stream(b).status, 500u);
}

TEST_F(Http2Test, StreamReportsClosedAfterClientReset) {
  StartServer();
  auto c = std::make_unique<H2Client>();
  ASSERT_TRUE(c->Connect(port()));
  c->Submit("GET", "/hold", "h");
  ASSERT_TRUE(c->PumpUntil([] { return true; }));
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  c.reset();  // connection gone
  bool closed = false;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    TestHandler::RunOnLoop(*held, [&] { closed = held->Closed(); });
  }
  EXPECT_TRUE(closed);
  TestHandler::RunOnLoop(*held, [&] { held->Respond(Response{}); });  // ignored
  TestHandler::DropOnLoop(std::move(held));
}

TEST_F(Http2Test, PrefaceSplitAcrossReads) {
  StartServer();
  RawClient raw;
  ASSERT_TRUE(raw.Connect(port()));
  raw.Send("PRI * HTTP/2.0\r\n");
  raw.Send("\r\nSM\r\n\r\n");
  raw.Send(std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9));  // empty SETTINGS
  // The server answers with its own SETTINGS frame (type 4), not HTTP/1.1.
  ASSERT_TRUE(raw.ReadUntil(std::string("\x04\x00\x00\x00\x00\x00", 6)));
  EXPECT_EQ(raw.unread().find("HTTP/1.1"), std::string::npos);
}

}  // namespace
}  // namespace bp::http::testing
