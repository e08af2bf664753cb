// The upstream client against loopback servers run in the test: the
// project's own http::Server (streaming, holding, keep-alive counted by the
// remote ports it sees) and a raw TCP server for the answers a real server
// would not give (stale keep-alive connections, malformed and truncated
// responses). TLS: upstream_client_tls_test.cc.

#include "http/upstream_client.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/upstream_test_support.h"
#include "testing/manual_event_loop.h"
#include "testing/testing.h"

namespace bp::http {
namespace {

using ::bp::testing::StatusIs;
using testing::CallRecorder;
using testing::ClientLoop;
using ::testing::ElementsAre;
using testing::FunctionHandler;
using ::testing::HasSubstr;
using testing::kDeadline;
using testing::LoopbackServer;
using testing::RawServer;
using testing::ReadRequest;
using testing::WriteAll;

using std::chrono::milliseconds;

Response Text(unsigned status, std::string body) {
  return Response{.status = status, .headers = {{"content-type", "text/plain"}}, .body = body};
}

std::string HeaderOr(const Response& r, std::string_view name) {
  const std::string* v = FindHeader(r.headers, name);
  return v ? *v : "(none)";
}

// Routes of the test server:
//   /echo    200, body = request body; x-method, x-host, x-length, x-agent
//   /chunks  streamed: writes "first", then is held (the test writes on)
//   /hold    held unanswered
void Route(FunctionHandler& handler, Request&& request, std::shared_ptr<ResponseStream> stream) {
  const std::string path(request.path());
  if (path == "/echo") {
    Response r = Text(200, request.body);
    r.headers.push_back({"x-method", request.method});
    r.headers.push_back({"x-host", *FindHeader(request.headers, "host")});
    const std::string* length = FindHeader(request.headers, "content-length");
    r.headers.push_back({"x-length", length ? *length : "(none)"});
    const std::string* agent = FindHeader(request.headers, "user-agent");
    r.headers.push_back({"x-agent", agent ? *agent : "(none)"});
    stream->Respond(std::move(r));
  } else if (path == "/chunks") {
    stream->StartStream(200, {{"content-type", "text/plain"}});
    stream->Write("first");
    handler.Hold(std::move(stream));
  } else if (path == "/hold") {
    handler.Hold(std::move(stream));
  } else {
    stream->Respond(Text(404, "no route"));
  }
}

Request Get(std::string target) { return Request{.method = "GET", .target = std::move(target)}; }

// Runs `fn` on the stream's loop and waits.
void OnStreamLoop(const std::shared_ptr<ResponseStream>& stream, const std::function<void()>& fn) {
  testing::TestHandler::RunOnLoop(*stream, fn);
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  ~UpstreamClientTest() override { handler_.DropAll(); }

  // A call started on `loop`'s thread; destroyed there too.
  class Call {
   public:
    Call(ClientLoop& loop, const Upstream& upstream, Request request, CallRecorder& recorder)
        : loop_(loop) {
      loop_.Run([&] {
        handle_ = upstream.Start(loop_.loop(), std::move(request), recorder.Callbacks());
        // Callbacks never run inside Start(), failures included.
        done_inside_start_ = recorder.done_count() != 0;
      });
    }
    ~Call() { Reset(); }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    void Reset() {
      loop_.Run([this] { handle_.reset(); });
    }
    bool done_inside_start() const { return done_inside_start_; }
    std::unique_ptr<UpstreamCall>& handle() { return handle_; }

   private:
    ClientLoop& loop_;
    std::unique_ptr<UpstreamCall> handle_;
    bool done_inside_start_ = false;
  };

  Upstream MakeUpstream(const std::string& url, UpstreamOptions options = {}) {
    auto endpoint = ParseEndpointUrl(url);
    EXPECT_OK(endpoint);
    return Upstream(*endpoint, std::move(options));
  }

  // One call, waited for.
  UpstreamResult RunCall(const Upstream& upstream, Request request, CallRecorder& recorder) {
    Call call(loop_, upstream, std::move(request), recorder);
    EXPECT_FALSE(call.done_inside_start());
    EXPECT_TRUE(recorder.WaitDone());
    return recorder.result().value_or(UpstreamResult{});
  }

  FunctionHandler handler_{[this](Request&& request, std::shared_ptr<ResponseStream> stream) {
    Route(handler_, std::move(request), std::move(stream));
  }};
  LoopbackServer server_{handler_};
  ClientLoop loop_;
};

TEST_F(UpstreamClientTest, PlainRequestAndResponse) {
  Upstream plain = MakeUpstream(server_.url());
  ASSERT_OK(plain.setup_status());
  CallRecorder rec;
  Request request{.method = "POST",
                  .target = "/echo",
                  .headers = {{"content-type", "application/json"}},
                  .body = "{\"hello\":1}"};
  UpstreamResult result = RunCall(plain, std::move(request), rec);
  ASSERT_OK(result.status);
  EXPECT_EQ(result.failure, UpstreamFailure::kNone);
  ASSERT_TRUE(rec.head());
  EXPECT_EQ(rec.head()->status, 200u);
  EXPECT_TRUE(rec.head()->body.empty());
  EXPECT_EQ(HeaderOr(*rec.head(), "x-method"), "POST");
  EXPECT_EQ(HeaderOr(*rec.head(), "x-host"), "127.0.0.1:" + std::to_string(server_.port()));
  EXPECT_EQ(HeaderOr(*rec.head(), "x-length"), "11");
  EXPECT_EQ(HeaderOr(*rec.head(), "x-agent"), "bedrock-profiles/0.1.0");
  EXPECT_EQ(rec.body(), "{\"hello\":1}");
  EXPECT_EQ(plain.stats().in_flight, 0u);

  // The endpoint's base path is prepended to the target.
  Upstream based = MakeUpstream(server_.url() + "/base");
  CallRecorder missing;
  ASSERT_OK(RunCall(based, Get("/echo?x=1"), missing).status);
  EXPECT_EQ(missing.head()->status, 404u);
  EXPECT_EQ(handler_.seen().back().target, "/base/echo?x=1");
}

TEST_F(UpstreamClientTest, StreamedPiecesArriveAsTheyAreWritten) {
  Upstream upstream = MakeUpstream(server_.url());
  CallRecorder rec;
  Call call(loop_, upstream, Get("/chunks"), rec);
  // "second" is written only once "first" has reached the client: a client
  // that waited for more (or for the end) would time out here.
  ASSERT_TRUE(rec.WaitPieces(1));
  EXPECT_FALSE(rec.result().has_value());
  ASSERT_TRUE(rec.head());
  EXPECT_EQ(HeaderOr(*rec.head(), "transfer-encoding"), "chunked");
  std::shared_ptr<ResponseStream> stream = handler_.TakeHeld();
  ASSERT_NE(stream, nullptr);
  OnStreamLoop(stream, [&] { stream->Write("second"); });
  ASSERT_TRUE(rec.WaitPieces(2));
  EXPECT_FALSE(rec.result().has_value());
  testing::TestHandler::ReleaseGate(std::move(stream), "third");
  ASSERT_TRUE(rec.WaitDone());
  EXPECT_OK(rec.result()->status);
  EXPECT_THAT(rec.pieces(), ElementsAre("first", "second", "third"));
}

TEST_F(UpstreamClientTest, APausedCallReadsNothingMoreUntilResumed) {
  UpstreamOptions options;
  options.idle_timeout = std::chrono::milliseconds(150);  // must not fire while paused
  Upstream upstream = MakeUpstream(server_.url(), options);
  CallRecorder rec;
  Call call(loop_, upstream, Get("/chunks"), rec);
  ASSERT_TRUE(rec.WaitPieces(1));
  loop_.Run([&] { call.handle()->Pause(); });
  std::shared_ptr<ResponseStream> stream = handler_.TakeHeld();
  ASSERT_NE(stream, nullptr);
  OnStreamLoop(stream, [&] { stream->Write("second"); });
  // Longer than the idle timeout: the call neither reads on nor times out.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_THAT(rec.pieces(), ElementsAre("first"));
  EXPECT_FALSE(rec.result().has_value());
  loop_.Run([&] { call.handle()->Resume(); });
  ASSERT_TRUE(rec.WaitPieces(2));
  testing::TestHandler::ReleaseGate(std::move(stream), "third");
  ASSERT_TRUE(rec.WaitDone());
  EXPECT_OK(rec.result()->status);
  EXPECT_THAT(rec.pieces(), ElementsAre("first", "second", "third"));
}

TEST_F(UpstreamClientTest, KeepAliveReusesConnections) {
  Upstream upstream = MakeUpstream(server_.url());
  for (int i = 0; i < 5; ++i) {
    CallRecorder rec;
    Request request{.method = "POST", .target = "/echo", .body = "n" + std::to_string(i)};
    ASSERT_OK(RunCall(upstream, std::move(request), rec).status);
    EXPECT_EQ(rec.body(), "n" + std::to_string(i));
  }
  EXPECT_EQ(handler_.requests(), 5u);
  EXPECT_EQ(handler_.connections(), 1u);
  EXPECT_EQ(upstream.stats().connections_opened, 1u);

  // Three at once need three connections; afterwards all three are pooled.
  {
    CallRecorder a, b, c;
    Call ca(loop_, upstream, Get("/hold"), a);
    Call cb(loop_, upstream, Get("/hold"), b);
    Call cc(loop_, upstream, Get("/hold"), c);
    for (int i = 0; i < 3; ++i) {
      std::shared_ptr<ResponseStream> held = handler_.TakeHeld();
      ASSERT_NE(held, nullptr);
      OnStreamLoop(held, [&] {
        held->Respond(Text(200, "ok"));
        held.reset();
      });
    }
    ASSERT_TRUE(a.WaitDone() && b.WaitDone() && c.WaitDone());
  }
  EXPECT_EQ(upstream.stats().connections_opened, 3u);
  for (int i = 0; i < 3; ++i) {
    CallRecorder rec;
    ASSERT_OK(RunCall(upstream, Get("/echo"), rec).status);
  }
  EXPECT_EQ(upstream.stats().connections_opened, 3u);
  EXPECT_EQ(handler_.connections(), 3u);
}

TEST_F(UpstreamClientTest, IdleConnectionsBeyondTheCapAreClosed) {
  Upstream upstream = MakeUpstream(server_.url(), {.max_idle_per_loop = 1});
  {
    CallRecorder a, b;
    Call ca(loop_, upstream, Get("/hold"), a);
    Call cb(loop_, upstream, Get("/hold"), b);
    for (int i = 0; i < 2; ++i) {
      std::shared_ptr<ResponseStream> held = handler_.TakeHeld();
      ASSERT_NE(held, nullptr);
      OnStreamLoop(held, [&] {
        held->Respond(Text(200, "ok"));
        held.reset();
      });
    }
    ASSERT_TRUE(a.WaitDone() && b.WaitDone());
  }
  CallRecorder one, two;
  ASSERT_OK(RunCall(upstream, Get("/echo"), one).status);
  ASSERT_OK(RunCall(upstream, Get("/echo"), two).status);
  EXPECT_EQ(upstream.stats().connections_opened, 2u);  // the second closed on its return
}

TEST_F(UpstreamClientTest, HeadAnswerHasNoBodyAndKeepsTheConnection) {
  Upstream upstream = MakeUpstream(server_.url());
  CallRecorder head;
  ASSERT_OK(RunCall(upstream, Request{.method = "HEAD", .target = "/echo"}, head).status);
  EXPECT_EQ(head.head()->status, 200u);
  EXPECT_TRUE(head.pieces().empty());
  CallRecorder next;
  ASSERT_OK(
      RunCall(upstream, Request{.method = "POST", .target = "/echo", .body = "x"}, next).status);
  EXPECT_EQ(next.body(), "x");
  EXPECT_EQ(upstream.stats().connections_opened, 1u);
}

TEST_F(UpstreamClientTest, StalePooledConnectionIsRetriedOnceOnANewOne) {
  RawServer raw(2, [](int fd, int index) {
    if (index == 0) {
      ReadRequest(fd);
      WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
      ReadRequest(fd);  // then closes unanswered, as a server expiring the connection would
      return;
    }
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
  });
  Upstream upstream = MakeUpstream(raw.url());
  CallRecorder first;
  ASSERT_OK(RunCall(upstream, Get("/"), first).status);
  CallRecorder second;
  UpstreamResult result =
      RunCall(upstream, Request{.method = "POST", .target = "/", .body = "{}"}, second);
  ASSERT_OK(result.status);
  EXPECT_EQ(second.body(), "two");
  EXPECT_EQ(upstream.stats().stale_retries, 1u);
  EXPECT_EQ(upstream.stats().connections_opened, 2u);
}

TEST_F(UpstreamClientTest, StaleRetryHappensOnlyOnce) {
  RawServer raw(2, [](int fd, int index) {
    ReadRequest(fd);
    if (index == 0) {
      WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
      ReadRequest(fd);
    }
  });
  Upstream upstream = MakeUpstream(raw.url());
  CallRecorder first;
  ASSERT_OK(RunCall(upstream, Get("/"), first).status);
  CallRecorder second;
  UpstreamResult result = RunCall(upstream, Get("/"), second);
  EXPECT_THAT(result.status, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(result.failure, UpstreamFailure::kConnectionLost);
  EXPECT_FALSE(result.response_started);
  EXPECT_EQ(upstream.stats().stale_retries, 1u);
  EXPECT_EQ(raw.accepted(), 2);
}

TEST_F(UpstreamClientTest, ConnectionLostOnANewConnectionIsNotRetried) {
  RawServer raw(1, [](int fd, int) { ReadRequest(fd); });
  Upstream upstream = MakeUpstream(raw.url());
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Get("/"), rec);
  EXPECT_EQ(result.failure, UpstreamFailure::kConnectionLost);
  EXPECT_FALSE(NothingSent(result.failure));
  EXPECT_THAT(result.status.message(),
              HasSubstr("closed the connection before the response was complete"));
  EXPECT_EQ(upstream.stats().stale_retries, 0u);
}

TEST_F(UpstreamClientTest, ConnectRefusedNamesTheEndpoint) {
  uint16_t port = testing::FreePort();
  ASSERT_NE(port, 0);
  Upstream upstream = MakeUpstream("http://127.0.0.1:" + std::to_string(port));
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Get("/"), rec);
  EXPECT_THAT(result.status, StatusIs(ErrorCode::kServiceUnavailable));
  EXPECT_EQ(result.status.message(),
            "cannot connect to http://127.0.0.1:" + std::to_string(port) + ": Connection refused");
  EXPECT_EQ(result.failure, UpstreamFailure::kConnect);
  EXPECT_TRUE(NothingSent(result.failure));
  EXPECT_FALSE(rec.head().has_value());
  EXPECT_EQ(upstream.stats().in_flight, 0u);
}

TEST_F(UpstreamClientTest, HostNamesAreResolvedOffTheLoop) {
  Upstream upstream = MakeUpstream("http://localhost:" + std::to_string(server_.port()));
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Get("/echo"), rec);
  // localhost may resolve to ::1 first, where nothing listens: the next
  // address is tried within the connect.
  ASSERT_OK(result.status);
  EXPECT_EQ(HeaderOr(*rec.head(), "x-host"), "localhost:" + std::to_string(server_.port()));
}

TEST_F(UpstreamClientTest, FirstByteTimeout) {
  Upstream upstream = MakeUpstream(server_.url(), {.first_byte_timeout = milliseconds(200)});
  CallRecorder rec;
  const auto start = std::chrono::steady_clock::now();
  UpstreamResult result = RunCall(upstream, Get("/hold"), rec);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.failure, UpstreamFailure::kFirstByteTimeout);
  EXPECT_THAT(result.status.message(), HasSubstr("within 200 ms (first-byte timeout)"));
  EXPECT_FALSE(result.response_started);
  EXPECT_GE(took, milliseconds(200));
  EXPECT_LT(took, kDeadline);
}

TEST_F(UpstreamClientTest, IdleTimeoutMidBody) {
  Upstream upstream = MakeUpstream(server_.url(), {.idle_timeout = milliseconds(200)});
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Get("/chunks"), rec);
  EXPECT_EQ(result.failure, UpstreamFailure::kIdleTimeout);
  EXPECT_THAT(result.status.message(), HasSubstr("no bytes for 200 ms (idle timeout)"));
  EXPECT_TRUE(result.response_started);
  ASSERT_TRUE(rec.head());
  EXPECT_THAT(rec.pieces(), ElementsAre("first"));
}

TEST_F(UpstreamClientTest, DestroyingTheHandleMidStreamClosesTheConnection) {
  Upstream upstream = MakeUpstream(server_.url());
  CallRecorder rec;
  std::unique_ptr<UpstreamCall> handle;
  rec.after_piece = [&handle](std::string_view) { handle.reset(); };  // from inside the callback
  loop_.Run([&] { handle = upstream.Start(loop_.loop(), Get("/chunks"), rec.Callbacks()); });
  ASSERT_TRUE(rec.WaitPieces(1));
  std::shared_ptr<ResponseStream> stream = handler_.TakeHeld();
  ASSERT_NE(stream, nullptr);
  // The server sees the client go away.
  bool closed = false;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    OnStreamLoop(stream, [&] { closed = stream->Closed(); });
    if (!closed) std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(closed);
  OnStreamLoop(stream, [&] {
    stream->Write("late");
    stream.reset();
  });
  loop_.Run([] {});  // anything queued on the client loop has run
  EXPECT_EQ(rec.done_count(), 0);
  EXPECT_THAT(rec.pieces(), ElementsAre("first"));
  EXPECT_EQ(upstream.stats().in_flight, 0u);
  // The cancelled connection was not pooled: the next call opens another.
  CallRecorder next;
  ASSERT_OK(RunCall(upstream, Get("/echo"), next).status);
  EXPECT_EQ(upstream.stats().connections_opened, 2u);
}

TEST_F(UpstreamClientTest, DestroyingTheHandleBeforeAnswerSilencesIt) {
  Upstream upstream = MakeUpstream(server_.url());
  CallRecorder rec;
  {
    Call call(loop_, upstream, Get("/hold"), rec);
    std::shared_ptr<ResponseStream> held = handler_.TakeHeld();  // the server has the request
    ASSERT_NE(held, nullptr);
    testing::TestHandler::DropOnLoop(std::move(held));
  }
  loop_.Run([] {});
  EXPECT_EQ(rec.done_count(), 0);
  EXPECT_EQ(upstream.stats().in_flight, 0u);
}

TEST_F(UpstreamClientTest, ConcurrencyLimitFailsAtOnce) {
  Upstream upstream = MakeUpstream(server_.url(), {.max_concurrent = 2});
  CallRecorder a, b;
  Call ca(loop_, upstream, Get("/hold"), a);
  Call cb(loop_, upstream, Get("/hold"), b);
  std::shared_ptr<ResponseStream> held_a = handler_.TakeHeld();
  std::shared_ptr<ResponseStream> held_b = handler_.TakeHeld();
  ASSERT_NE(held_a, nullptr);
  ASSERT_NE(held_b, nullptr);
  EXPECT_EQ(upstream.stats().in_flight, 2u);

  CallRecorder refused;
  UpstreamResult result = RunCall(upstream, Get("/echo"), refused);
  EXPECT_THAT(result.status, StatusIs(ErrorCode::kThrottling));
  EXPECT_EQ(result.failure, UpstreamFailure::kConcurrencyLimit);
  EXPECT_TRUE(NothingSent(result.failure));
  EXPECT_EQ(handler_.requests(), 2u);

  for (auto* held : {&held_a, &held_b}) {
    OnStreamLoop(*held, [held] {
      (*held)->Respond(Text(200, "ok"));
      held->reset();
    });
  }
  ASSERT_TRUE(a.WaitDone() && b.WaitDone());
  EXPECT_EQ(upstream.stats().in_flight, 0u);
  CallRecorder later;
  EXPECT_OK(RunCall(upstream, Get("/echo"), later).status);
}

TEST_F(UpstreamClientTest, RequestsThatWouldSplitTheMessageAreRefused) {
  Upstream upstream = MakeUpstream(server_.url());
  Request bad = Get("/echo");
  bad.headers.push_back({"x-evil", "a\r\nx-injected: 1"});
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, std::move(bad), rec);
  EXPECT_THAT(result.status, StatusIs(ErrorCode::kValidation));
  EXPECT_EQ(result.failure, UpstreamFailure::kInvalidRequest);
  EXPECT_EQ(upstream.stats().connections_opened, 0u);
  EXPECT_EQ(upstream.stats().in_flight, 0u);
}

TEST_F(UpstreamClientTest, FramingHeadersAreTheClientsOwn) {
  Upstream upstream = MakeUpstream(server_.url());
  std::vector<Header> framing = {
      {"Transfer-Encoding", "chunked"}, {"connection", "upgrade"}, {"content-length", "99"}};
  for (const Header& h : framing) {
    SCOPED_TRACE(h.name);
    Request bad = Get("/echo");
    bad.headers.push_back(h);
    CallRecorder rec;
    UpstreamResult result = RunCall(upstream, std::move(bad), rec);
    EXPECT_THAT(result.status, StatusIs(ErrorCode::kValidation));
    EXPECT_EQ(result.failure, UpstreamFailure::kInvalidRequest);
  }
  EXPECT_EQ(upstream.stats().connections_opened, 0u);
  Request fine = Get("/echo");
  fine.headers.push_back({"content-length", "0"});
  CallRecorder rec;
  EXPECT_OK(RunCall(upstream, std::move(fine), rec).status);
}

TEST_F(UpstreamClientTest, OnlyServerLoopsCanRunCalls) {
  Upstream upstream = MakeUpstream(server_.url());
  bp::testing::ManualEventLoop manual;
  CallRecorder rec;
  auto handle = upstream.Start(manual, Get("/echo"), rec.Callbacks());
  EXPECT_EQ(rec.done_count(), 0);
  manual.RunUntilIdle();
  ASSERT_TRUE(rec.result());
  EXPECT_EQ(rec.result()->failure, UpstreamFailure::kSetup);
  EXPECT_THAT(rec.result()->status, StatusIs(ErrorCode::kInternal));
}

TEST_F(UpstreamClientTest, IdleConnectionsAreClosedAfterTheKeepTime) {
  std::atomic<bool> closed{false};
  RawServer raw(2, [&closed](int fd, int index) {
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    if (index == 0) closed = testing::WaitForPeerClose(fd);  // the client lets it go
  });
  Upstream upstream = MakeUpstream(raw.url(), {.keep_idle = milliseconds(100)});
  CallRecorder first;
  ASSERT_OK(RunCall(upstream, Get("/"), first).status);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_TRUE(closed);
  CallRecorder second;
  ASSERT_OK(RunCall(upstream, Get("/"), second).status);
  EXPECT_EQ(upstream.stats().connections_opened, 2u);
  EXPECT_EQ(upstream.stats().stale_retries, 0u);  // closed by the client, not found dead
}

TEST_F(UpstreamClientTest, ARetiredUpstreamsIdleConnectionsAreClosed) {
  RawServer raw(1, [](int fd, int) {
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    // Closed by the client well before keep_idle (30 s), or this fails.
    EXPECT_TRUE(testing::WaitForPeerClose(fd));
  });
  {
    Upstream upstream = MakeUpstream(raw.url());
    CallRecorder rec;
    ASSERT_OK(RunCall(upstream, Get("/"), rec).status);
  }  // pooled on loop_ when it goes
  // The loop's next new pool drops what the retired upstream left.
  Upstream other = MakeUpstream(server_.url());
  CallRecorder rec;
  ASSERT_OK(RunCall(other, Get("/echo"), rec).status);
}

// ---------------------------------------------------------------- framing

TEST_F(UpstreamClientTest, BodyDelimitedByTheCloseEndsTheConnection) {
  RawServer raw(2, [](int fd, int) {
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
    WriteAll(fd, "close");
  });
  Upstream upstream = MakeUpstream(raw.url());
  for (int i = 0; i < 2; ++i) {
    CallRecorder rec;
    ASSERT_OK(RunCall(upstream, Get("/"), rec).status);
    EXPECT_EQ(rec.body(), "until close");
  }
  EXPECT_EQ(raw.accepted(), 2);
  EXPECT_EQ(upstream.stats().stale_retries, 0u);
}

TEST_F(UpstreamClientTest, InterimAnswersAreSkipped) {
  RawServer raw(1, [](int fd, int) {
    ReadRequest(fd);
    WriteAll(fd,
             "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: "
             "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  });
  Upstream upstream = MakeUpstream(raw.url());
  CallRecorder rec;
  ASSERT_OK(RunCall(upstream, Get("/"), rec).status);
  EXPECT_EQ(rec.head()->status, 201u);
  EXPECT_EQ(rec.body(), "abc");
}

TEST_F(UpstreamClientTest, TruncatedBodyFailsAfterTheHead) {
  RawServer raw(1, [](int fd, int) {
    ReadRequest(fd);
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  });
  Upstream upstream = MakeUpstream(raw.url());
  CallRecorder rec;
  UpstreamResult result = RunCall(upstream, Get("/"), rec);
  EXPECT_EQ(result.failure, UpstreamFailure::kConnectionLost);
  EXPECT_TRUE(result.response_started);
  EXPECT_THAT(result.status.message(), HasSubstr("closed the connection before the response"));
  EXPECT_EQ(rec.body(), "abc");
}

TEST_F(UpstreamClientTest, MalformedAndOversizedAnswers) {
  RawServer raw(2, [](int fd, int index) {
    ReadRequest(fd);
    if (index == 0) {
      WriteAll(fd, "SMTP ready\r\n\r\n");
    } else {
      WriteAll(fd, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    }
    testing::WaitForPeerClose(fd);
  });
  Upstream upstream = MakeUpstream(raw.url(), {.max_header_bytes = 512});
  CallRecorder bad;
  UpstreamResult result = RunCall(upstream, Get("/"), bad);
  EXPECT_EQ(result.failure, UpstreamFailure::kMalformed);
  EXPECT_THAT(result.status.message(), HasSubstr("malformed HTTP response from " + raw.url()));
  CallRecorder big;
  result = RunCall(upstream, Get("/"), big);
  EXPECT_EQ(result.failure, UpstreamFailure::kMalformed);
  EXPECT_THAT(result.status.message(), HasSubstr("exceeds 512 bytes"));
}

// ---------------------------------------------------------------- many loops

TEST_F(UpstreamClientTest, ManyConcurrentCallsFromSeveralLoops) {
  constexpr int kLoops = 4;
  constexpr int kCallsPerLoop = 25;
  Upstream upstream = MakeUpstream(server_.url());
  std::vector<std::unique_ptr<ClientLoop>> loops;
  for (int i = 0; i < kLoops; ++i) loops.push_back(std::make_unique<ClientLoop>());
  for (int round = 0; round < 2; ++round) {
    std::vector<std::unique_ptr<CallRecorder>> recorders(kLoops * kCallsPerLoop);
    std::vector<std::vector<std::unique_ptr<UpstreamCall>>> handles(kLoops);
    for (auto& r : recorders) r = std::make_unique<CallRecorder>();
    // Every loop starts its calls at once, from its own thread.
    std::vector<std::thread> starters;
    for (int l = 0; l < kLoops; ++l) {
      starters.emplace_back([&, l] {
        loops[l]->Run([&, l] {
          for (int c = 0; c < kCallsPerLoop; ++c) {
            const int n = l * kCallsPerLoop + c;
            Request request{
                .method = "POST", .target = "/echo", .body = "call-" + std::to_string(n)};
            handles[l].push_back(
                upstream.Start(loops[l]->loop(), std::move(request), recorders[n]->Callbacks()));
          }
        });
      });
    }
    for (auto& t : starters) t.join();
    for (int n = 0; n < kLoops * kCallsPerLoop; ++n) {
      ASSERT_TRUE(recorders[n]->WaitDone()) << n;
      ASSERT_OK(recorders[n]->result()->status);
      EXPECT_EQ(recorders[n]->body(), "call-" + std::to_string(n));
    }
    for (int l = 0; l < kLoops; ++l) loops[l]->Run([&, l] { handles[l].clear(); });
  }
  // Round one opened one connection per call (none was idle); round two found
  // them all in its loop's pool.
  EXPECT_EQ(upstream.stats().connections_opened, uint64_t{kLoops * kCallsPerLoop});
  EXPECT_EQ(upstream.stats().in_flight, 0u);
  EXPECT_EQ(handler_.requests(), size_t{2 * kLoops * kCallsPerLoop});
}

// ---------------------------------------------------------------- in a server

// A proxy: the handler of one server calls another through the upstream
// client on its own loop and streams the answer on, as a backend will.
class ProxyHandler final : public Handler {
 public:
  explicit ProxyHandler(const Upstream& upstream) : upstream_(upstream) {}

  void Handle(Request&& request, std::shared_ptr<ResponseStream> stream) override {
    struct State {
      std::shared_ptr<ResponseStream> stream;
      std::unique_ptr<UpstreamCall> call;
    };
    auto state = std::make_shared<State>();
    state->stream = std::move(stream);
    Request upstream_request{.method = request.method, .target = request.target};
    state->call = upstream_.Start(
        state->stream->loop(), std::move(upstream_request),
        UpstreamCallbacks{
            .on_head =
                [state](const Response& head) {
                  state->stream->StartStream(head.status, {{"x-proxied", "1"}});
                },
            .on_body =
                [state](std::string_view piece) { state->stream->Write(std::string(piece)); },
            .on_done =
                [state](const UpstreamResult& result) {
                  if (result.status.ok()) {
                    state->stream->Finish();
                  } else {
                    state->stream->Respond(Text(502, result.status.message()));
                  }
                  state->stream.reset();
                  state->call.reset();  // from inside on_done
                }});
  }
  Response ErrorResponse(const Status& status, std::string_view) override {
    return Text(500, status.message());
  }

 private:
  const Upstream& upstream_;
};

TEST_F(UpstreamClientTest, ProxiesFromTheServersOwnLoops) {
  Upstream upstream = MakeUpstream(server_.url());
  ProxyHandler proxy_handler(upstream);
  {
    LoopbackServer proxy(proxy_handler, 2);
    testing::RawClient client;
    ASSERT_TRUE(client.Connect(proxy.port()));
    client.Send("GET /chunks HTTP/1.1\r\nhost: proxy\r\n\r\n");
    std::vector<std::string> chunks;
    std::shared_ptr<ResponseStream> held;
    auto response = client.ReadResponse([&](const std::string& chunk) {
      chunks.push_back(chunk);
      if (chunks.size() == 1) {  // the upstream's first piece came through before its end
        held = handler_.TakeHeld();
        if (held) testing::TestHandler::ReleaseGate(std::move(held), "second");
      }
    });
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(*response->Find("x-proxied"), "1");
    EXPECT_THAT(chunks, ElementsAre("first", "second"));
    client.Send("GET /echo HTTP/1.1\r\nhost: proxy\r\n\r\n");
    auto echo = client.ReadResponse();
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->status, 200u);
  }
  EXPECT_EQ(upstream.stats().in_flight, 0u);
}

}  // namespace
}  // namespace bp::http
