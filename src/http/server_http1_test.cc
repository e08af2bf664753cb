// A real Server on 127.0.0.1:0 driven by a raw HTTP/1.1 client.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "http/test_clients.h"

namespace bp::http::testing {
namespace {

using Http1Test = ServerTest;

TEST_F(Http1Test, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  std::set<std::string> ids;
  for (const char* body : {"one", "second"}) {
    c.Send(std::string("POST /echo?q=1 HTTP/1.1\r\nHost: example:8700\r\nContent-Length: ") +
           std::to_string(std::string(body).size()) + "\r\n\r\n" + body);
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, body);
    EXPECT_EQ(*r->Find("x-method"), "POST");
    EXPECT_EQ(*r->Find("x-target"), "/echo?q=1");
    EXPECT_EQ(*r->Find("x-authority"), "example:8700");
    EXPECT_EQ(*r->Find("x-remote"), "127.0.0.1");
    EXPECT_EQ(*r->Find("content-length"), std::to_string(std::string(body).size()));
    EXPECT_EQ(r->Find("connection"), nullptr);
    // Date comes from the injected (fake) clock.
    ASSERT_NE(r->Find("date"), nullptr);
    EXPECT_TRUE(IsImfFixdate(*r->Find("date")));
    EXPECT_EQ(*r->Find("date"), "Thu, 01 Jan 2026 00:00:00 GMT");
    ASSERT_NE(r->Find("x-amzn-requestid"), nullptr);
    EXPECT_TRUE(IsUuid(*r->Find("x-amzn-requestid")));
    ids.insert(*r->Find("x-amzn-requestid"));
  }
  EXPECT_EQ(ids.size(), 2u);
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].version, Version::kHttp11);
  // The handler saw the same ids the client got as x-amzn-RequestId.
  EXPECT_EQ((std::set<std::string>{requests[0].request_id, requests[1].request_id}), ids);
}

TEST_F(Http1Test, HeaderNamesGoOutInCanonicalCaseForRequestId) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  EXPECT_NE(c.unread().find("\r\nx-amzn-RequestId: "), std::string::npos);
}

TEST_F(Http1Test, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send(
      "POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\nA"
      "POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\nB"
      "GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n");
  auto a = c.ReadResponse();
  auto b = c.ReadResponse();
  auto last = c.ReadResponse();
  ASSERT_TRUE(a && b && last);
  EXPECT_EQ(a->body, "A");
  EXPECT_EQ(b->body, "B");
  EXPECT_EQ(*last->Find("connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(Http1Test, AcceptsChunkedRequestBody) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  c.Send("6\r\n world\r\n0\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(Http1Test, AnswersExpectContinueBeforeTheBody) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100u);
  c.Send("body");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "body");
}

TEST_F(Http1Test, OversizedHeaderGets431WithTheHandlersErrorBody) {
  options_.max_header_bytes = 1024;
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /echo HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431u);
  EXPECT_NE(r->body.find("\"code\":\"PayloadTooLarge\""), std::string::npos) << r->body;
  ASSERT_NE(r->Find("x-amzn-requestid"), nullptr);
  EXPECT_NE(r->body.find(*r->Find("x-amzn-requestid")), std::string::npos);
  EXPECT_EQ(*r->Find("connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(Http1Test, OversizedBodyGets413WithoutReadingTheRest) {
  options_.max_body_bytes = 1024;
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("POST /echo HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n" + std::string(512, 'x'));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413u);
  EXPECT_NE(r->body.find("PayloadTooLarge"), std::string::npos);
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(Http1Test, OversizedChunkedBodyGets413) {
  options_.max_body_bytes = 16;
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + std::string(32, 'x') +
         "\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413u);
}

TEST_F(Http1Test, MalformedRequestGets400) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GARBAGE\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400u);
  EXPECT_NE(r->body.find("\"code\":\"Validation\""), std::string::npos) << r->body;
  EXPECT_NE(r->Find("date"), nullptr);
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(Http1Test, StreamedChunksArriveAsTheyAreWritten) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /stream?n=4 HTTP/1.1\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(*r->Find("transfer-encoding"), "chunked");
  EXPECT_EQ(r->Find("content-length"), nullptr);
  EXPECT_NE(r->Find("x-amzn-requestid"), nullptr);
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"chunk-0", "chunk-1", "chunk-2", "chunk-3"}));
}

TEST_F(Http1Test, AStreamedChunkIsFlushedBeforeTheNextIsWritten) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /gated HTTP/1.1\r\n\r\n");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  // "first" must reach us while the handler still holds the rest back.
  std::vector<std::string> seen;
  auto r = c.ReadResponse([&](const std::string& chunk) {
    seen.push_back(chunk);
    if (seen.size() == 1 && held) TestHandler::ReleaseGate(std::move(held), "second");
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(seen, (std::vector<std::string>{"first", "second"}));
}

TEST_F(Http1Test, StreamReportsClosedWhenThePeerGoes) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /hold HTTP/1.1\r\n\r\n");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  bool closed = true;
  TestHandler::RunOnLoop(*held, [&] { closed = held->Closed(); });
  EXPECT_FALSE(closed);
  c.Close();
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    TestHandler::RunOnLoop(*held, [&] { closed = held->Closed(); });
  }
  EXPECT_TRUE(closed);
  // Calls after close are ignored.
  TestHandler::RunOnLoop(*held, [&] {
    held->StartStream(200, {});
    held->Write("x");
    held->Finish();
    EXPECT_EQ(held->BufferedBytes(), 0u);
  });
  TestHandler::DropOnLoop(std::move(held));
}

TEST_F(Http1Test, HandlerThatThrowsOrDropsGets500) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  for (const char* path : {"/throw", "/drop"}) {
    c.Send(std::string("GET ") + path + " HTTP/1.1\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 500u) << path;
    EXPECT_NE(r->body.find("\"code\":\"Internal\""), std::string::npos) << r->body;
  }
  c.Send("GET /echo HTTP/1.1\r\n\r\n");  // the connection survives
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
}

TEST_F(Http1Test, DestroyedTimerHandleCancelsItsCallback) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /timer HTTP/1.1\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "cancelled");
}

TEST_F(Http1Test, IdleConnectionIsClosedAfterIdleTimeout) {
  options_.idle_timeout = std::chrono::milliseconds(100);
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /echo HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(c.ReadResponse());
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(Http1Test, SlowRequestIsClosedAfterRequestTimeout) {
  options_.request_timeout = std::chrono::milliseconds(100);
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /echo HTTP/1.1\r\nHost: slow");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(Http1Test, IncompleteHeaderIsClosedAfterHeaderTimeoutNotRequestTimeout) {
  options_.header_timeout = std::chrono::milliseconds(100);
  options_.request_timeout = std::chrono::milliseconds(60'000);
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /echo HTTP/1.1\r\nHost: slow");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(Http1Test, BodyOverTheInFlightBudgetGets503WithoutReadingIt) {
  options_.max_body_bytes_in_flight = 3000;
  StartServer();
  RawClient held;
  ASSERT_TRUE(held.Connect(port()));
  held.Send("POST /gated HTTP/1.1\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'a'));
  std::shared_ptr<ResponseStream> gate = handler_.WaitHeld();
  ASSERT_NE(gate, nullptr);

  RawClient refused;
  ASSERT_TRUE(refused.Connect(port()));
  refused.Send("POST /echo HTTP/1.1\r\nContent-Length: 2000\r\n\r\n");  // no body yet
  auto r = refused.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503u);
  EXPECT_NE(r->body.find("ServiceUnavailable"), std::string::npos);
  EXPECT_TRUE(refused.WaitForClose());

  TestHandler::ReleaseGate(std::move(gate), "done");
  ASSERT_TRUE(held.ReadResponse());
  RawClient again;
  ASSERT_TRUE(again.Connect(port()));
  again.Send("POST /echo HTTP/1.1\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'b'));
  auto ok = again.ReadResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200u);
}

TEST_F(Http1Test, Http10ClientGetsCloseDelimitedStream) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /stream?n=2 HTTP/1.0\r\n\r\n");
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Find("transfer-encoding"), nullptr);
  EXPECT_EQ(*r->Find("connection"), "close");
  EXPECT_EQ(r->body, "chunk-0chunk-1");
}

TEST(ServerListenTest, ReportsAddressInUseAndBadHosts) {
  TestHandler handler;
  bp::testing::FakeClock clock;
  bp::testing::SeededRandom random(1);
  auto first =
      Server::Create({.host = "127.0.0.1", .port = 0, .threads = 1}, handler, clock, random);
  {
    Status s = first->Listen();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_NE(first->port(), 0);
  auto second = Server::Create({.host = "127.0.0.1", .port = first->port(), .threads = 1}, handler,
                               clock, random);
  Status status = second->Listen();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kIo);
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first->port())), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("in use"), std::string::npos) << status.message();

  auto bad =
      Server::Create({.host = "not-an-address", .port = 0, .threads = 1}, handler, clock, random);
  Status bad_status = bad->Listen();
  EXPECT_EQ(bad_status.code(), ErrorCode::kIo);
  EXPECT_NE(bad_status.message().find("not-an-address"), std::string::npos);
}

TEST(ServerListenTest, ListensOnLocalhostAndIpv6Loopback) {
  TestHandler handler;
  bp::testing::FakeClock clock;
  bp::testing::SeededRandom random(1);
  auto local =
      Server::Create({.host = "localhost", .port = 0, .threads = 1}, handler, clock, random);
  {
    Status s = local->Listen();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_NE(local->port(), 0);
  RawClient c;
  EXPECT_TRUE(c.Connect(local->port()));  // 127.0.0.1 (IPv6 may be absent in the sandbox)
}

}  // namespace
}  // namespace bp::http::testing
